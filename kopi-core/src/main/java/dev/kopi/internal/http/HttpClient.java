package dev.kopi.internal.http;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A small HTTP/1.1 client on plain sockets: TCP, TLS (set up only for https, so plain http and unix sockets
 * never load the TLS stack), HTTP proxies (CONNECT tunnels for https, absolute-form requests for http), and
 * unix-domain sockets for the Docker/podman API. Thread-safe; idle connections are kept per scheme, host, port
 * and proxy and reused. A request that fails on a reused connection before any byte of the response arrives is
 * sent once more on a fresh connection when that is safe (an idempotent method and a replayable body).
 *
 * <p>Failures are {@link HttpException}s worded like Go's net/http ({@code Get "https://host/v2/": dial tcp
 * 127.0.0.1:443: connect: connection refused}), except that an exception thrown by the caller's request-body
 * stream reaches the caller unchanged.
 */
public final class HttpClient implements Closeable {
    private static final Set<String> IDEMPOTENT = Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");
    /** Headers that never follow a redirect to another scheme, host or port (Go's list). */
    private static final List<String> SENSITIVE = List.of("Authorization", "Www-Authenticate", "Cookie", "Cookie2");
    /** Go's default redirect policy: the 10th redirect response is an error. */
    private static final int MAX_REDIRECTS = 10;
    private static final int REDIRECT_SLURP = 8192;
    private static final int BODY_BUFFER = 64 * 1024;

    private final int readTimeoutMillis;
    private final String userAgent;
    private final boolean allowPlainHttp;
    private final Function<URI, Optional<HttpProxy>> proxy;
    private final Path unixSocket;
    private final Dialer dialer;
    private final ConnectionPool pool;
    private volatile boolean closed;

    private HttpClient(Builder b) {
        this.readTimeoutMillis = millis(b.readTimeout);
        this.userAgent = b.userAgent;
        this.allowPlainHttp = b.allowPlainHttp;
        this.proxy = b.proxy;
        this.unixSocket = b.unixSocket;
        this.dialer = new Dialer(millis(b.connectTimeout), b.userAgent, b.tls);
        this.pool = new ConnectionPool(b.maxIdlePerHost, Math.max(b.maxIdlePerHost, 64), b.idleTimeout.toNanos());
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * A client for an HTTP API on a unix-domain socket (Docker, podman). Every request goes to the socket; use
     * URIs like {@code http://d/v1.41/_ping} (the host only fills the {@code Host} header).
     */
    public static HttpClient unixSocket(Path socket) {
        return builder().unixSocket(socket).build();
    }

    /**
     * Sends {@code request} and returns the response once its head has arrived; the body streams. Redirects are
     * followed when the request asks for it (GET and HEAD only); {@code Authorization} and cookies are dropped
     * for good once a redirect leaves the original scheme, host and port. Any status is a response, not an error.
     *
     * @throws HttpException when no response could be obtained
     * @throws IOException the caller's own body stream failed (passed through unchanged)
     */
    public Response send(Request request) throws IOException {
        Objects.requireNonNull(request, "request");
        if (closed) {
            throw new IllegalStateException("the HTTP client is closed");
        }
        URI origin = request.uri();
        Request current = request;
        boolean stripped = false;
        for (int redirects = 0; ; redirects++) {
            Response r = sendOnce(current);
            Optional<String> location = r.headers().firstValue("Location");
            if (!current.followRedirects() || !isRedirect(r.status()) || location.isEmpty()
                    || !(current.method().equals("GET") || current.method().equals("HEAD"))
                    || current.body().map(b -> !b.replayable()).orElse(false)) {
                return r;
            }
            URI next;
            try {
                next = resolveLocation(current.uri(), location.get());
            } catch (WireException e) {
                r.close();
                throw new HttpException(e.kind, current.method(), current.uri(), e.getMessage(), e);
            }
            r.discard(REDIRECT_SLURP);
            if (redirects + 1 >= MAX_REDIRECTS) {
                throw new HttpException(HttpException.Kind.REDIRECT, current.method(), next,
                        "stopped after " + MAX_REDIRECTS + " redirects", null);
            }
            if (!stripped && !sameOrigin(origin, next)) {
                stripped = true;
            }
            Headers h = stripped ? current.headers().without(SENSITIVE) : current.headers();
            current = current.redirectTo(next, h);
        }
    }

    /** Closes idle connections; responses still open keep theirs until they are closed. */
    @Override
    public void close() {
        closed = true;
        pool.close();
    }

    /** The number of idle pooled connections (for tests and diagnostics). */
    int idleConnections() {
        return pool.idleCount();
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && effectivePort(a) == effectivePort(b);
    }

    private static int effectivePort(URI u) {
        if (u.getPort() != -1) {
            return u.getPort();
        }
        return u.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    /** Resolves a {@code Location} value against the request URI (RFC 3986, lenient about stray characters). */
    static URI resolveLocation(URI base, String location) throws WireException {
        URI ref;
        try {
            ref = new URI(escapeLoosely(location));
        } catch (URISyntaxException e) {
            throw new WireException(HttpException.Kind.REDIRECT, "failed to parse Location header "
                    + HttpException.goQuote(location) + ": " + e.getMessage(), e);
        }
        URI target;
        if (ref.isAbsolute()) {
            target = ref;
        } else if (location.startsWith("?")) {
            // java.net.URI follows RFC 2396 here and would drop the last path segment.
            String path = base.getRawPath() == null || base.getRawPath().isEmpty() ? "/" : base.getRawPath();
            target = URI.create(base.getScheme() + "://" + base.getRawAuthority() + path + location);
        } else {
            URI b = base.getRawPath() == null || base.getRawPath().isEmpty()
                    ? URI.create(base.getScheme() + "://" + base.getRawAuthority() + "/") : base;
            target = b.resolve(ref);
        }
        try {
            Request.checkUri(target);
        } catch (IllegalArgumentException e) {
            throw new WireException(HttpException.Kind.REDIRECT, e.getMessage(), e);
        }
        return target;
    }

    /** Percent-encodes characters a URI cannot hold (spaces, non-ASCII) so a sloppy Location still resolves. */
    private static String escapeLoosely(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`'
                    || c == '{' || c == '|' || c == '}') {
                sb.append('%').append(String.format(Locale.ROOT, "%02X", c));
            } else {
                sb.append((char) c);
            }
        }
        return sb.toString();
    }

    /** One request/response exchange, with the single retry on a stale reused connection. */
    private Response sendOnce(Request req) throws IOException {
        try {
            PoolKey key = keyFor(req.uri());
            Connection c = takeIdle(key);
            boolean reused = c != null;
            if (c == null) {
                c = dialer.dial(key);
            }
            try {
                return exchange(c, req, key);
            } catch (WireException e) {
                if (!reused || c.responseStarted || !retryable(req)) {
                    throw e;
                }
            }
            return exchange(dialer.dial(key), req, key);
        } catch (BodySourceException e) {
            throw e.original();
        } catch (WireException e) {
            req.body().ifPresent(RequestBody::discard);
            throw new HttpException(e.kind, req.method(), req.uri(), e.getMessage(),
                    e.getCause() != null ? e.getCause() : e);
        }
    }

    private static boolean retryable(Request req) {
        return IDEMPOTENT.contains(req.method()) && req.body().map(RequestBody::replayable).orElse(true);
    }

    private Connection takeIdle(PoolKey key) {
        while (true) {
            Connection c = pool.take(key);
            if (c == null || !c.isStale()) {
                return c;
            }
            c.close();
        }
    }

    private PoolKey keyFor(URI uri) throws WireException {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (unixSocket != null) {
            return new PoolKey("unix", "", 0, null, unixSocket);
        }
        if (scheme.equals("http") && !allowPlainHttp) {
            throw new WireException(HttpException.Kind.POLICY, "plain HTTP is not allowed by this client");
        }
        String host = uri.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        HttpProxy p;
        try {
            p = proxy == null ? null : proxy.apply(uri).orElse(null);
        } catch (java.io.UncheckedIOException e) {
            if (e.getCause() instanceof WireException w) {
                throw w; // the proxy choice refused the request (EnvironmentProxy)
            }
            throw e;
        }
        return new PoolKey(scheme, host.toLowerCase(Locale.ROOT), effectivePort(uri), p, null);
    }

    /** Writes the request on {@code c} and reads the response head; any failure closes {@code c}. */
    private Response exchange(Connection c, Request req, PoolKey key) throws IOException {
        try {
            return exchangeOn(c, req, key);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private Response exchangeOn(Connection c, Request req, PoolKey key) throws IOException {
        c.responseStarted = false;
        try {
            c.setReadTimeout(readTimeoutMillis);
        } catch (IOException e) {
            throw c.writeFailure(e);
        }
        URI uri = req.uri();
        boolean absoluteForm = key.proxy() != null && key.scheme().equals("http");
        StringBuilder sb = new StringBuilder(256);
        sb.append(req.method()).append(' ').append(absoluteForm ? Wire.absoluteForm(uri) : Wire.originForm(uri))
                .append(" HTTP/1.1\r\n");
        Wire.line(sb, "Host", Wire.hostHeader(uri));
        if (userAgent != null && !req.headers().contains("User-Agent")) {
            Wire.line(sb, "User-Agent", userAgent);
        }
        if (absoluteForm) {
            key.proxy().authorization().ifPresent(a -> Wire.line(sb, "Proxy-Authorization", a));
        }
        req.headers().forEach((n, v) -> Wire.line(sb, n, v));
        Optional<RequestBody> body = req.body();
        if (body.isPresent()) {
            if (body.get().length() >= 0) {
                Wire.line(sb, "Content-Length", Long.toString(body.get().length()));
            } else {
                Wire.line(sb, "Transfer-Encoding", "chunked");
            }
        } else if (req.method().equals("POST") || req.method().equals("PUT") || req.method().equals("PATCH")) {
            Wire.line(sb, "Content-Length", "0");
        }
        sb.append("\r\n");

        IOException writeError = null;
        try {
            c.out.write(Wire.bytes(sb));
            if (body.isPresent()) {
                writeBody(c.out, body.get());
            }
            c.out.flush();
        } catch (BodySourceException | WireException e) {
            throw e;
        } catch (IOException e) {
            writeError = e;
        }

        Wire.ResponseHead head;
        if (writeError != null) {
            // The server may have answered early (401, 413...) and stopped reading; report its answer if any.
            try {
                c.setReadTimeout(readTimeoutMillis == 0 ? 2000 : Math.min(readTimeoutMillis, 2000));
                head = Wire.readResponseHead(c);
            } catch (IOException e) {
                throw c.writeFailure(writeError);
            }
        } else {
            try {
                head = Wire.readResponseHead(c);
            } catch (IOException e) {
                throw c.readFailure(e);
            }
        }
        return toResponse(c, req, head, writeError == null);
    }

    private Response toResponse(Connection c, Request req, Wire.ResponseHead head, boolean mayKeepAlive)
            throws WireException {
        int status = head.status();
        Headers h = head.headers();
        boolean noBody = req.method().equals("HEAD") || status < 200 && status != 101 || status == 204
                || status == 304;
        List<String> te = tokens(h.allValues("Transfer-Encoding"));
        boolean chunked = !te.isEmpty() && te.get(te.size() - 1).equals("chunked");
        long cl = contentLength(h);
        List<String> conn = tokens(h.allValues("Connection"));
        boolean keepAlive = mayKeepAlive && status != 101
                && (head.minorVersion() >= 1 ? !conn.contains("close") : conn.contains("keep-alive"));
        BodyStream.Framing framing;
        long length = -1;
        long reported;
        if (noBody) {
            framing = BodyStream.Framing.NONE;
            reported = req.method().equals("HEAD") ? (chunked ? -1 : cl) : 0;
        } else if (chunked) {
            framing = BodyStream.Framing.CHUNKED;
            reported = -1;
            if (cl >= 0) {
                keepAlive = false; // both framings given: do not trust the connection afterwards (RFC 9112 6.3)
            }
        } else if (!te.isEmpty() || cl < 0 || status == 101) {
            framing = BodyStream.Framing.UNTIL_CLOSE;
            reported = -1;
        } else {
            framing = BodyStream.Framing.FIXED;
            length = cl;
            reported = cl;
        }
        BodyStream stream = new BodyStream(c, framing, length, keepAlive, this::finished, req.method(), req.uri());
        return new Response(req.method(), req.uri(), status, head.reason(), h, reported, stream);
    }

    /** Called when a body was read to its end. */
    private void finished(Connection c, boolean reusable) {
        if (reusable && !closed) {
            pool.release(c);
        } else {
            c.close();
        }
    }

    /** Comma-separated tokens of a header's values, lower-cased. */
    private static List<String> tokens(List<String> values) {
        if (values.isEmpty()) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        for (String v : values) {
            for (String t : v.split(",")) {
                String s = t.strip().toLowerCase(Locale.ROOT);
                if (!s.isEmpty()) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    /** The Content-Length, -1 when absent; several lines or list items must agree. */
    private static long contentLength(Headers h) throws WireException {
        List<String> values = h.allValues("Content-Length");
        if (values.isEmpty()) {
            return -1;
        }
        long result = -1;
        for (String v : values) {
            for (String item : v.split(",", -1)) {
                String s = item.strip();
                if (s.isEmpty() || s.length() > 18 || !s.chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                    throw new WireException(HttpException.Kind.PROTOCOL,
                            "bad Content-Length " + HttpException.goQuote(v));
                }
                long n = Long.parseLong(s);
                if (result >= 0 && n != result) {
                    throw new WireException(HttpException.Kind.PROTOCOL,
                            "http: message cannot contain multiple Content-Length headers; got " + values);
                }
                result = n;
            }
        }
        return result;
    }

    /**
     * Sends the body: exactly its declared length (the stream is read to its end, so a verifying stream checks
     * its digest before the last bytes leave), or chunked. The caller's stream is closed afterwards.
     */
    private static void writeBody(OutputStream out, RequestBody body) throws IOException {
        long declared = body.length();
        InputStream src = body.open();
        boolean sent = false;
        try {
            byte[] buf = new byte[(int) Math.min(BODY_BUFFER, declared < 0 ? BODY_BUFFER : Math.max(declared, 1))];
            if (declared >= 0) {
                long left = declared;
                while (left > 0) {
                    int n = readSource(src, buf, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new WireException(HttpException.Kind.PROTOCOL,
                                "http: ContentLength=" + declared + " with Body length " + (declared - left));
                    }
                    out.write(buf, 0, n);
                    left -= n;
                }
                long extra = 0;
                int n;
                while ((n = readSource(src, buf, buf.length)) >= 0) {
                    extra += n;
                }
                if (extra > 0) {
                    throw new WireException(HttpException.Kind.PROTOCOL,
                            "http: ContentLength=" + declared + " with Body length " + (declared + extra));
                }
            } else {
                int n;
                while ((n = readSource(src, buf, buf.length)) >= 0) {
                    if (n > 0) {
                        out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                        out.write(buf, 0, n);
                        out.write('\r');
                        out.write('\n');
                    }
                }
                out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            }
            sent = true;
        } finally {
            try {
                src.close();
            } catch (IOException e) {
                // The caller's stream failing to close is the caller's failure, unless something failed first.
                if (sent) {
                    throw new BodySourceException(e);
                }
            }
        }
    }

    private static int readSource(InputStream src, byte[] buf, int len) throws BodySourceException {
        try {
            return src.read(buf, 0, len);
        } catch (IOException e) {
            throw new BodySourceException(e);
        }
    }

    private static int millis(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("negative timeout " + d);
        }
        long ms = d.toMillis();
        if (ms == 0 && !d.isZero()) {
            ms = 1;
        }
        return (int) Math.min(ms, Integer.MAX_VALUE);
    }

    /** Settings of an {@link HttpClient}. */
    public static final class Builder {
        private Duration connectTimeout = Duration.ofSeconds(30);
        private Duration readTimeout = Duration.ZERO;
        private String userAgent = "kopi";
        private Function<String, TlsSettings> tls;
        private boolean allowPlainHttp = true;
        private Function<URI, Optional<HttpProxy>> proxy = EnvironmentProxy.fromSystem();
        private int maxIdlePerHost = 8;
        private Duration idleTimeout = Duration.ofSeconds(90);
        private Path unixSocket;

        private Builder() {
        }

        /** Timeout for connecting (per address) and for the TLS handshake. Default 30 s (Go's dialer). */
        public Builder connectTimeout(Duration d) {
            millis(d);
            this.connectTimeout = d;
            return this;
        }

        /** The longest wait for the next byte of a response; {@link Duration#ZERO} (the default) waits forever. */
        public Builder readTimeout(Duration d) {
            millis(d);
            this.readTimeout = d;
            return this;
        }

        /** The {@code User-Agent} sent unless a request sets its own; null sends none. Default {@code kopi}. */
        public Builder userAgent(String ua) {
            if (ua != null && !Headers.isValidValue(ua)) {
                throw new IllegalArgumentException("invalid User-Agent " + Headers.quote(ua));
            }
            this.userAgent = ua;
            return this;
        }

        /**
         * TLS settings per target, looked up with {@code host:port} (IPv6 hosts in brackets, the port always
         * given) when a connection is opened. A null function or result means {@link TlsSettings#jdkDefault()}.
         */
        public Builder tls(Function<String, TlsSettings> perHostPort) {
            this.tls = perHostPort;
            return this;
        }

        /** Whether {@code http://} URIs (and redirects to them) are allowed. Default true. */
        public Builder allowPlainHttp(boolean allow) {
            this.allowPlainHttp = allow;
            return this;
        }

        /**
         * Chooses a proxy per request URI; empty means a direct connection; a null selector always connects
         * directly. Default: {@link EnvironmentProxy#fromSystem()} ({@code HTTP_PROXY}, {@code HTTPS_PROXY},
         * {@code NO_PROXY} as Go's ProxyFromEnvironment reads them).
         */
        public Builder proxy(Function<URI, Optional<HttpProxy>> selector) {
            this.proxy = selector;
            return this;
        }

        /** At most this many idle connections are kept per scheme/host/port/proxy. Default 8; 0 disables. */
        public Builder maxIdlePerHost(int n) {
            if (n < 0) {
                throw new IllegalArgumentException("negative maxIdlePerHost " + n);
            }
            this.maxIdlePerHost = n;
            return this;
        }

        /** Idle connections older than this are closed. Default 90 s (Go's IdleConnTimeout). */
        public Builder idleTimeout(Duration d) {
            millis(d);
            this.idleTimeout = d;
            return this;
        }

        /** Sends every request over this unix-domain socket instead of TCP (no TLS, no proxy). */
        public Builder unixSocket(Path socket) {
            this.unixSocket = Objects.requireNonNull(socket, "socket");
            return this;
        }

        public HttpClient build() {
            return new HttpClient(this);
        }
    }
}
