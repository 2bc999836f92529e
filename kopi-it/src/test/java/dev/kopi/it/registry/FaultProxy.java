package dev.kopi.it.registry;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocketFactory;

/**
 * An HTTP/1.1-aware proxy on a free loopback port in front of a {@link RegistryServer}: clients use the proxy's
 * {@code 127.0.0.1:PORT} as the registry (its {@link #ref}, {@link #args()}), the proxy forwards every request to
 * the registry with the {@code Host} header unchanged (so the registry's upload {@code Location}s point back at the
 * proxy), records each exchange with its body sizes ({@link #exchanges()}), and injects {@link Fault}s into
 * requests that match a {@link #inject rule}. For a TLS registry it terminates TLS with a certificate of the
 * registry's test CA ({@link #certDir()} is its own certs.d entry) and talks TLS upstream.
 *
 * <p>Deterministic: a rule applies to the next {@code times} matching requests, in arrival order, then stops; the
 * first rule with hits left wins. Each request gets a fresh upstream connection ({@code Connection: close}), while
 * client connections are kept alive as the client wishes. Token requests go straight to the token server (its realm
 * is not proxied). Use it per test, in try-with-resources.
 */
public final class FaultProxy implements RegistryEndpoint, AutoCloseable {
    /** A fault rule; see {@link FaultProxy#inject}. */
    public static final class Rule {
        private final String method;
        private final Pattern target;
        private final Fault fault;
        private final AtomicInteger remaining;
        private final AtomicInteger skip;
        private final AtomicInteger hits = new AtomicInteger();

        private Rule(String method, Pattern target, Fault fault, int skip, int times) {
            this.method = method;
            this.target = target;
            this.fault = fault;
            this.skip = new AtomicInteger(skip);
            this.remaining = new AtomicInteger(times);
        }

        /** How many requests got this rule's fault. */
        public int hits() {
            return hits.get();
        }

        /** How many more matching requests will get it. */
        public int remaining() {
            return Math.max(0, remaining.get());
        }

        private boolean take(String m, String t) {
            if ((method != null && !method.equals(m)) || !target.matcher(t).find()) {
                return false;
            }
            if (skip.getAndDecrement() > 0) {
                return false;
            }
            if (remaining.getAndDecrement() <= 0) {
                return false;
            }
            hits.incrementAndGet();
            return true;
        }

        @Override
        public String toString() {
            return (method == null ? "*" : method) + " ~" + target + " -> " + fault + " (" + hits() + " hits, "
                    + remaining() + " left)";
        }
    }

    /** Regex for {@link #inject}: blob downloads and existence checks, {@code /v2/<name>/blobs/<digest>}. */
    public static final String BLOBS = "^/v2/.+/blobs/[a-z0-9]+:[a-f0-9]+(\\?.*)?$";
    /** Regex for {@link #inject}: manifests by tag or digest. */
    public static final String MANIFESTS = "^/v2/.+/manifests/[^/?]+(\\?.*)?$";
    /** Regex for {@link #inject}: blob upload sessions (POST, PATCH, PUT). */
    public static final String UPLOADS = "^/v2/.+/blobs/uploads/";

    private static final AtomicInteger SEQ_PROXIES = new AtomicInteger();
    private static final byte[] CRLF = {'\r', '\n'};

    private final RegistryServer upstream;
    private final ServerSocket server;
    private final SSLSocketFactory upstreamTls;
    private final Path dir;
    private final ExecutorService pool;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Exchange> exchanges = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger seq = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger tlsProbes = new AtomicInteger();
    private volatile boolean closed;

    private FaultProxy(RegistryServer upstream) throws IOException {
        this.upstream = upstream;
        upstream.start();
        InetSocketAddress bind = new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0);
        if (upstream.isTls()) {
            TestCa ca = upstream.ca();
            ServerSocket s = ca.serverContext(ca.issueServer("proxy-" + SEQ_PROXIES.incrementAndGet()))
                    .getServerSocketFactory().createServerSocket();
            s.bind(bind, 50);
            server = s;
            upstreamTls = ca.clientContext().getSocketFactory();
        } else {
            server = new ServerSocket();
            server.bind(bind, 50);
            upstreamTls = null;
        }
        dir = upstream.directory().resolve("proxy-" + server.getLocalPort());
        if (upstream.isTls()) {
            Path hostDir = Files.createDirectories(dir.resolve("certs.d").resolve(hostPort()));
            Files.copy(upstream.caCertificate(), hostDir.resolve("ca.crt"));
        }
        pool = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy-" + server.getLocalPort());
            t.setDaemon(true);
            return t;
        });
        pool.execute(this::acceptLoop);
    }

    /** Starts a proxy in front of {@code registry} (starting the registry if needed). */
    public static FaultProxy start(RegistryServer registry) {
        try {
            return new FaultProxy(registry);
        } catch (IOException e) {
            throw new UncheckedIOException("starting a proxy in front of " + registry, e);
        }
    }

    // ---- endpoint -------------------------------------------------------------------------------------------------

    @Override
    public String hostPort() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public boolean isTls() {
        return upstream.isTls();
    }

    /** The proxy's own {@code certs.d/127.0.0.1:PROXYPORT} (TLS registries only). */
    @Override
    public Path certDir() {
        if (!isTls()) {
            throw new IllegalStateException("the proxy of a plain-HTTP registry has no certificates");
        }
        return dir.resolve("certs.d").resolve(hostPort());
    }

    @Override
    public boolean requiresAuth() {
        return upstream.requiresAuth();
    }

    /** The registry behind the proxy. */
    public RegistryServer registry() {
        return upstream;
    }

    // ---- faults ---------------------------------------------------------------------------------------------------

    /**
     * Injects {@code fault} into the next {@code times} requests whose method is {@code method} (null: any) and whose
     * target (path and query) contains a match of {@code targetRegex} (see {@link #BLOBS}, {@link #MANIFESTS},
     * {@link #UPLOADS}).
     */
    public Rule inject(String method, String targetRegex, int times, Fault fault) {
        return inject(method, targetRegex, 0, times, fault);
    }

    /** As {@link #inject(String, String, int, Fault)}, letting the first {@code skip} matching requests through. */
    public Rule inject(String method, String targetRegex, int skip, int times, Fault fault) {
        Rule r = new Rule(method, Pattern.compile(targetRegex), fault, skip, times);
        rules.add(r);
        return r;
    }

    /** Removes all rules (their hit counts stay readable on the Rule objects). */
    public void clearFaults() {
        rules.clear();
    }

    private Fault match(String method, String target) {
        for (Rule r : rules) {
            if (r.take(method, target)) {
                return r.fault;
            }
        }
        return null;
    }

    // ---- counting -------------------------------------------------------------------------------------------------

    /**
     * Every finished exchange, in arrival order. Waits (up to 5 s) for requests still being forwarded, so counts
     * read right after a client exits are complete.
     */
    public List<Exchange> exchanges() {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (inFlight.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        List<Exchange> out = new ArrayList<>(exchanges);
        out.sort(Comparator.comparingInt(Exchange::seq));
        return out;
    }

    public List<Exchange> exchanges(Predicate<Exchange> filter) {
        return exchanges().stream().filter(filter).toList();
    }

    /** Forgets the recorded exchanges (e.g. after a setup push). */
    public void clearExchanges() {
        exchanges();
        exchanges.clear();
    }

    /** Response body bytes of blob downloads ({@code GET /v2/<name>/blobs/<digest>}). */
    public long blobBytesDownloaded() {
        return exchanges(Exchange::isBlobGet).stream().mapToLong(Exchange::responseBytes).sum();
    }

    /** Request body bytes of blob uploads ({@code PATCH}/{@code PUT}/{@code POST} on {@code .../blobs/uploads/}). */
    public long blobBytesUploaded() {
        return exchanges(Exchange::isUpload).stream().mapToLong(Exchange::requestBytes).sum();
    }

    /** Response body bytes of blob downloads per digest. */
    public Map<String, Long> downloadedBytesByDigest() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (Exchange e : exchanges(Exchange::isBlobGet)) {
            out.merge(e.path().substring(e.path().lastIndexOf('/') + 1), e.responseBytes(), Long::sum);
        }
        return out;
    }

    /**
     * Request body bytes of completed blob uploads per digest: the bytes of an upload session's {@code PATCH}es and
     * final {@code PUT ...?digest=}, or of a monolithic {@code POST ...?digest=}. Sessions that never completed are
     * left out.
     */
    public Map<String, Long> uploadedBytesByDigest() {
        Map<String, Long> bySession = new HashMap<>();
        Map<String, Long> out = new LinkedHashMap<>();
        String marker = "/blobs/uploads/";
        for (Exchange e : exchanges(Exchange::isUpload)) {
            String session = e.path().substring(e.path().indexOf(marker) + marker.length());
            String digest = e.queryParam("digest");
            if (session.isEmpty()) {
                if (digest != null && e.requestBytes() > 0) {
                    out.merge(digest, e.requestBytes(), Long::sum);
                }
                continue;
            }
            bySession.merge(session, e.requestBytes(), Long::sum);
            if (digest != null && e.method().equals("PUT") && e.status() / 100 == 2) {
                out.merge(digest, bySession.remove(session), Long::sum);
            }
        }
        return out;
    }

    /** Cross-repository mount attempts ({@code POST .../blobs/uploads/?mount=...&from=...}). */
    public List<Exchange> mounts() {
        return exchanges(Exchange::isMount);
    }

    /** TLS handshakes attempted on a plain-HTTP proxy (a client probing HTTPS first), answered 400 and closed. */
    public int tlsProbes() {
        return tlsProbes.get();
    }

    /** All exchanges, one per line (for assertion messages). */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        exchanges().forEach(e -> sb.append(e).append('\n'));
        return sb.toString();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        pool.shutdownNow();
    }

    @Override
    public String toString() {
        return "FaultProxy[" + hostPort() + " -> " + upstream.hostPort() + "]";
    }

    // ---- the proxy ------------------------------------------------------------------------------------------------

    private void acceptLoop() {
        while (!closed) {
            Socket client;
            try {
                client = server.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                continue;
            }
            int id = connections.incrementAndGet();
            sockets.add(client);
            pool.execute(() -> serve(client, id));
        }
    }

    private void serve(Socket client, int connection) {
        try (client) {
            client.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(client.getInputStream(), 65536);
            OutputStream out = new BufferedOutputStream(client.getOutputStream(), 65536);
            if (upstreamTls == null) {
                in.mark(1);
                int first = in.read();
                if (first < 0) {
                    return;
                }
                if (first == 0x16) { // a TLS ClientHello: the client tries HTTPS first (tls-verify=false)
                    tlsProbes.incrementAndGet();
                    out.write("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTPS request to a plain-HTTP proxy.\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    return;
                }
                in.reset();
            }
            while (!closed) {
                Head request = Head.read(in);
                if (request == null) {
                    return;
                }
                inFlight.incrementAndGet();
                try {
                    if (!exchange(request, in, out, client, connection)) {
                        return;
                    }
                } finally {
                    inFlight.decrementAndGet();
                }
            }
        } catch (IOException e) {
            // the client went away, or a fault cut the connection
        } finally {
            sockets.remove(client);
        }
    }

    /** Handles one request; false when the client connection must be closed afterwards. */
    private boolean exchange(Head req, InputStream cin, OutputStream cout, Socket client, int connection)
            throws IOException {
        int id = seq.incrementAndGet();
        String[] line = req.startLine().split(" ", 3);
        if (line.length != 3) {
            cout.write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            cout.flush();
            return false;
        }
        String method = line[0];
        String target = line[1];
        Fault fault = match(method, target);
        boolean clientClose = "close".equalsIgnoreCase(req.get("Connection"));
        long reqLength = req.contentLength();
        boolean reqChunked = req.chunked();

        if (fault instanceof Fault.Status s) {
            long drained = copyBody(cin, reqChunked, reqLength, new Sink(OutputStream.nullOutputStream(), -1,
                    Cut.NONE, -1, -1, null), null);
            byte[] body = ("{\"errors\":[{\"code\":\"" + s.errorCode() + "\",\"message\":\"injected by FaultProxy\","
                    + "\"detail\":null}]}\n").getBytes(StandardCharsets.UTF_8);
            StringBuilder h = new StringBuilder("HTTP/1.1 " + s.status() + " " + reason(s.status()) + "\r\n");
            h.append("Content-Type: application/json; charset=utf-8\r\n");
            h.append("Docker-Distribution-Api-Version: registry/2.0\r\n");
            if (s.retryAfter() != null) {
                h.append("Retry-After: ").append(s.retryAfter()).append("\r\n");
            }
            h.append("Content-Length: ").append(body.length).append("\r\n");
            if (clientClose) {
                h.append("Connection: close\r\n");
            }
            h.append("\r\n");
            cout.write(h.toString().getBytes(StandardCharsets.US_ASCII));
            boolean head = method.equals("HEAD");
            if (!head) {
                cout.write(body);
            }
            cout.flush();
            record(id, connection, method, target, s.status(), drained, head ? 0 : body.length, fault);
            return !clientClose;
        }

        if (fault instanceof Fault.HoldRequest h) {
            long drained = copyBody(cin, reqChunked, reqLength, new Sink(OutputStream.nullOutputStream(), -1,
                    Cut.NONE, -1, -1, null), null);
            record(id, connection, method, target, 0, drained, 0, fault);
            long deadline = System.nanoTime() + h.pause().toNanos();
            client.setSoTimeout(100);
            while (System.nanoTime() < deadline) {
                try {
                    if (cin.read() < 0) {
                        break;
                    }
                } catch (java.net.SocketTimeoutException stillThere) {
                    // the client is still waiting for an answer
                } catch (IOException gone) {
                    break;
                }
            }
            reset(client);
            return false;
        }

        try (Socket up = connectUpstream()) {
            sockets.add(up);
            try {
                OutputStream uout = new BufferedOutputStream(up.getOutputStream(), 65536);
                InputStream uin = new BufferedInputStream(up.getInputStream(), 65536);
                Head forward = req.copy();
                forward.set("Connection", "close");
                forward.write(uout);

                // request body
                Sink reqSink;
                if (fault instanceof Fault.ResetRequest r) {
                    reqSink = new Sink(uout, resolve(r.afterBytes(), reqLength), Cut.RESET, -1, -1, null);
                } else if (fault instanceof Fault.KillUpstream k) {
                    reqSink = new Sink(uout, resolve(k.afterBytes(), reqLength), Cut.RESET, -1, -1, null);
                } else {
                    reqSink = new Sink(uout, -1, Cut.NONE, -1, -1, null);
                }
                long sent;
                try {
                    sent = copyBody(cin, reqChunked, reqLength, reqSink, uout);
                    reqSink.finish();
                } catch (CutException cut) {
                    record(id, connection, method, target, 0, reqSink.count, 0, fault);
                    if (fault instanceof Fault.KillUpstream) {
                        uout.flush();
                        upstream.killAndRestart();
                    }
                    reset(client);
                    return false;
                }
                uout.flush();

                // response
                Head resp = Head.read(uin);
                if (resp == null) {
                    byte[] msg = "upstream closed without a response\n".getBytes(StandardCharsets.US_ASCII);
                    cout.write(("HTTP/1.1 502 Bad Gateway\r\nContent-Length: " + msg.length
                            + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    cout.write(msg);
                    cout.flush();
                    record(id, connection, method, target, 502, sent, msg.length, fault);
                    return false;
                }
                int status = resp.status();
                boolean noBody = method.equals("HEAD") || status / 100 == 1 || status == 204 || status == 304;
                boolean chunked = !noBody && resp.chunked();
                long length = noBody ? 0 : resp.contentLength();
                boolean untilClose = !noBody && !chunked && length < 0;
                resp.remove("Connection");
                resp.remove("Keep-Alive");
                boolean closeAfter = clientClose || untilClose;

                long cutAt = -1;
                Cut cutKind = Cut.NONE;
                long flipAt = -1;
                long stallAt = -1;
                Duration pause = null;
                if (noBody || fault == null) {
                    // nothing to do to the body
                } else if (fault instanceof Fault.ResetResponse r) {
                    cutAt = resolve(r.afterBytes(), length);
                    cutKind = Cut.RESET;
                } else if (fault instanceof Fault.TruncateResponse t) {
                    cutAt = resolve(t.afterBytes(), length);
                    cutKind = Cut.CLOSE;
                } else if (fault instanceof Fault.ShortContentLength s) {
                    cutAt = resolve(s.length(), length);
                    cutKind = Cut.CLOSE;
                    if (!chunked && length >= 0) {
                        resp.set("Content-Length", Long.toString(cutAt));
                    }
                    closeAfter = true;
                } else if (fault instanceof Fault.FlipByte f) {
                    flipAt = resolve(f.offset(), length);
                } else if (fault instanceof Fault.Stall st) {
                    stallAt = Math.max(0, st.afterBytes());
                    pause = st.pause();
                }
                if (closeAfter) {
                    resp.set("Connection", "close");
                }
                resp.write(cout);
                Sink sink = new Sink(cout, cutAt, cutKind, flipAt, stallAt, pause);
                try {
                    sink.start();
                    if (!noBody) {
                        copyBody(uin, chunked, untilClose ? Long.MAX_VALUE : length, sink, cout);
                    }
                    sink.finish();
                } catch (CutException cut) {
                    record(id, connection, method, target, status, sent, sink.count, fault);
                    if (cut.kind == Cut.RESET) {
                        reset(client);
                    } else {
                        cout.flush();
                        client.shutdownOutput();
                    }
                    return false;
                }
                cout.flush();
                record(id, connection, method, target, status, sent, sink.count, fault);
                return !closeAfter;
            } finally {
                sockets.remove(up);
            }
        }
    }

    private Socket connectUpstream() throws IOException {
        Socket s = upstreamTls != null ? upstreamTls.createSocket() : new Socket();
        s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), upstream.port()), 5000);
        s.setTcpNoDelay(true);
        return s;
    }

    private void record(int id, int connection, String method, String target, int status, long reqBytes,
            long respBytes, Fault fault) {
        exchanges.add(new Exchange(id, connection, method, target, status, reqBytes, respBytes, fault));
    }

    /** A negative offset means half the known length (0 if unknown). */
    private static long resolve(long offset, long length) {
        if (offset >= 0) {
            return offset;
        }
        return length > 0 ? length / 2 : 0;
    }

    private static void reset(Socket s) {
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException ignored) {
            // it is being reset anyway
        }
    }

    /**
     * Copies a message body: {@code chunked} framing (written through to {@code raw}, data to {@code sink}) or
     * {@code length} bytes ({@code Long.MAX_VALUE}: until EOF). Returns the data bytes copied.
     */
    private static long copyBody(InputStream in, boolean chunked, long length, Sink sink, OutputStream raw)
            throws IOException {
        byte[] buf = new byte[65536];
        if (!chunked) {
            if (length <= 0) {
                return 0;
            }
            long left = length;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    if (length == Long.MAX_VALUE) {
                        break;
                    }
                    throw new EOFException("body ended " + left + " bytes early");
                }
                sink.data(buf, 0, n);
                left -= n;
            }
            return sink.count;
        }
        OutputStream framing = raw == null ? OutputStream.nullOutputStream() : raw;
        while (true) {
            String sizeLine = readLine(in);
            framing.write(sizeLine.getBytes(StandardCharsets.US_ASCII));
            framing.write(CRLF);
            int semi = sizeLine.indexOf(';');
            long size = Long.parseLong((semi < 0 ? sizeLine : sizeLine.substring(0, semi)).trim(), 16);
            if (size == 0) {
                while (true) { // trailers, then the final empty line
                    String t = readLine(in);
                    framing.write(t.getBytes(StandardCharsets.US_ASCII));
                    framing.write(CRLF);
                    if (t.isEmpty()) {
                        return sink.count;
                    }
                }
            }
            long left = size;
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    throw new EOFException("chunk ended early");
                }
                sink.data(buf, 0, n);
                left -= n;
            }
            String end = readLine(in);
            if (!end.isEmpty()) {
                throw new IOException("malformed chunk end");
            }
            framing.write(CRLF);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int len = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, len, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
            if (line.size() > 65536) {
                throw new IOException("line too long");
            }
        }
        throw new EOFException("connection closed in a header or chunk line");
    }

    private static String reason(int status) {
        return switch (status) {
            case 429 -> "Too Many Requests";
            case 500 -> "Internal Server Error";
            case 502 -> "Bad Gateway";
            case 503 -> "Service Unavailable";
            case 504 -> "Gateway Timeout";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            default -> "Error";
        };
    }

    private enum Cut {
        NONE, RESET, CLOSE
    }

    private static final class CutException extends IOException {
        private static final long serialVersionUID = 1L;
        final transient Cut kind;

        CutException(Cut kind) {
            super("connection cut by an injected fault: " + kind);
            this.kind = kind;
        }
    }

    /** Where body data goes: counts it and applies byte-offset faults (cut, flip, stall). */
    private static final class Sink {
        private final OutputStream out;
        private final long cutAt;
        private final Cut cutKind;
        private final long flipAt;
        private final long stallAt;
        private final Duration pause;
        private boolean stalled;
        long count;

        Sink(OutputStream out, long cutAt, Cut cutKind, long flipAt, long stallAt, Duration pause) {
            this.out = out;
            this.cutAt = cutAt;
            this.cutKind = cutKind;
            this.flipAt = flipAt;
            this.stallAt = stallAt;
            this.pause = pause;
        }

        /** Applies a cut or stall at offset 0, right after the head. */
        void start() throws IOException {
            if (cutAt == 0) {
                out.flush();
                throw new CutException(cutKind);
            }
            if (stallAt == 0 && pause != null && !stalled) {
                stall();
            }
        }

        void data(byte[] b, int off, int len) throws IOException {
            if (flipAt >= count && flipAt < count + len) {
                b[off + (int) (flipAt - count)] ^= (byte) 0xff;
            }
            if (cutAt >= 0 && count + len >= cutAt) {
                int n = (int) (cutAt - count);
                out.write(b, off, n);
                count += n;
                out.flush();
                throw new CutException(cutKind);
            }
            if (pause != null && !stalled && count + len > stallAt) {
                int n = (int) (stallAt - count);
                out.write(b, off, n);
                count += n;
                stall();
                out.write(b, off + n, len - n);
                count += len - n;
                return;
            }
            out.write(b, off, len);
            count += len;
        }

        /** At the end of the body: a cut that was not reached yet happens now. */
        void finish() throws IOException {
            if (cutAt >= 0 && cutKind != Cut.NONE) {
                out.flush();
                throw new CutException(cutKind);
            }
        }

        private void stall() throws IOException {
            out.flush();
            stalled = true;
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted during an injected stall", e);
            }
        }
    }

    /** A request or response head: start line and headers in their original order and spelling. */
    private static final class Head {
        private final String startLine;
        private final List<String[]> headers;

        private Head(String startLine, List<String[]> headers) {
            this.startLine = startLine;
            this.headers = headers;
        }

        /** Reads a head; null at a clean EOF before any byte. */
        static Head read(InputStream in) throws IOException {
            String first;
            try {
                first = readLine(in);
            } catch (EOFException e) {
                return null;
            }
            while (first.isEmpty()) { // tolerate stray CRLFs between messages
                first = readLine(in);
            }
            List<String[]> headers = new ArrayList<>();
            while (true) {
                String l = readLine(in);
                if (l.isEmpty()) {
                    break;
                }
                int colon = l.indexOf(':');
                if (colon <= 0) {
                    throw new IOException("malformed header line: " + l);
                }
                headers.add(new String[] {l.substring(0, colon), l.substring(colon + 1).trim()});
            }
            return new Head(first, headers);
        }

        String startLine() {
            return startLine;
        }

        int status() {
            String[] p = startLine.split(" ", 3);
            return p.length >= 2 ? Integer.parseInt(p[1]) : 0;
        }

        String get(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        void set(String name, String value) {
            remove(name);
            headers.add(new String[] {name, value});
        }

        void remove(String name) {
            headers.removeIf(h -> h[0].equalsIgnoreCase(name));
        }

        boolean chunked() {
            String te = get("Transfer-Encoding");
            return te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        }

        long contentLength() {
            String cl = get("Content-Length");
            return cl == null ? -1 : Long.parseLong(cl.trim());
        }

        Head copy() {
            List<String[]> h = new ArrayList<>();
            headers.forEach(x -> h.add(x.clone()));
            return new Head(startLine, h);
        }

        void write(OutputStream out) throws IOException {
            StringBuilder sb = new StringBuilder(startLine).append("\r\n");
            for (String[] h : headers) {
                sb.append(h[0]).append(": ").append(h[1]).append("\r\n");
            }
            sb.append("\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        }
    }
}
