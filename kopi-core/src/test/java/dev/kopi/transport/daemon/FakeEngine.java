package dev.kopi.transport.daemon;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;

/**
 * A scripted Docker Engine API server for tests, on a unix-domain socket (a {@code ServerSocketChannel} of the UNIX
 * family), plain TCP or TLS on loopback. Each request is handed to the {@link Handler} with its body still unread;
 * the handler answers through {@link Exchange} (or drops the connection). Requests are recorded.
 */
final class FakeEngine implements AutoCloseable {
    /** One request; {@link #body} streams the decoded body (chunked or Content-Length). */
    static final class Req {
        final String method;
        final String target;
        final Map<String, String> headers;
        final BodyIn body;

        Req(String method, String target, Map<String, String> headers, BodyIn body) {
            this.method = method;
            this.target = target;
            this.headers = headers;
            this.body = body;
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The path without the query. */
        String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        @Override
        public String toString() {
            return method + " " + target;
        }
    }

    /** Answers one request. */
    interface Handler {
        void handle(Req req, Exchange ex) throws Exception;
    }

    /** The response side of one connection. */
    static final class Exchange {
        final OutputStream out;
        private final Closeable connection;
        boolean closed;

        Exchange(OutputStream out, Closeable connection) {
            this.out = out;
            this.connection = connection;
        }

        void respond(int status, String reason, Map<String, String> headers, byte[] body) throws IOException {
            StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason).append("\r\n");
            headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
            sb.append("Content-Length: ").append(body.length).append("\r\n\r\n");
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            all.writeBytes(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            all.writeBytes(body);
            out.write(all.toByteArray()); // one write: a client may hang up as soon as it has what it needs
            out.flush();
        }

        void json(int status, String reason, String json) throws IOException {
            respond(status, reason, Map.of("Api-Version", "1.41", "Content-Type", "application/json"),
                    json.getBytes(StandardCharsets.UTF_8));
        }

        /** A chunked 200 response head; write chunks with {@link #chunk} and end with {@link #endChunks}. */
        void startChunked(Map<String, String> headers) throws IOException {
            StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\n");
            headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
            sb.append("Transfer-Encoding: chunked\r\n\r\n");
            out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
        }

        void chunk(byte[] data, int off, int len) throws IOException {
            out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.write(data, off, len);
            out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        void endChunks() throws IOException {
            out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Drops the connection without (further) answer. */
        void close() throws IOException {
            closed = true;
            connection.close();
        }
    }

    /** A request body as the server decodes it; {@link #complete} tells whether it ended properly. */
    static final class BodyIn extends InputStream {
        private final InputStream in;
        private final boolean chunked;
        private long left; // Content-Length left, or bytes left in the current chunk
        private boolean done;
        volatile boolean complete;

        BodyIn(InputStream in, boolean chunked, long length) {
            this.in = in;
            this.chunked = chunked;
            this.left = chunked ? 0 : length;
            if (!chunked && length == 0) {
                done = true;
                complete = true;
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            if (left == 0) {
                if (!chunked) {
                    done = true;
                    complete = true;
                    return -1;
                }
                String size = line(in);
                if (size == null) {
                    throw new EOFException("request body cut short");
                }
                left = Long.parseLong(size.split(";")[0].strip(), 16);
                if (left == 0) {
                    String t;
                    while ((t = line(in)) != null && !t.isEmpty()) {
                        // trailers
                    }
                    done = true;
                    complete = true;
                    return -1;
                }
            }
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n < 0) {
                throw new EOFException("request body cut short");
            }
            left -= n;
            if (left == 0 && chunked) {
                line(in); // CRLF after the chunk data
            }
            return n;
        }

        byte[] readAll() throws IOException {
            return readAllBytes();
        }
    }

    private final Closeable server;
    private final String host;
    private final Handler handler;
    final List<Req> requests = new CopyOnWriteArrayList<>();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();

    private FakeEngine(Closeable server, String host, Handler handler) {
        this.server = server;
        this.host = host;
        this.handler = handler;
    }

    /** A server on a unix socket at {@code socket}. */
    static FakeEngine unix(Path socket, Handler handler) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        ch.bind(UnixDomainSocketAddress.of(socket));
        FakeEngine e = new FakeEngine(ch, "unix://" + socket, handler);
        e.acceptLoop(() -> {
            SocketChannel c = ch.accept();
            return new Conn(Channels.newInputStream(c), Channels.newOutputStream(c), c);
        });
        return e;
    }

    /** A plain HTTP server on loopback TCP; its host is {@code scheme://127.0.0.1:PORT}. */
    static FakeEngine tcp(String scheme, Handler handler) throws IOException {
        ServerSocket ss = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        FakeEngine e = new FakeEngine(ss, scheme + "://127.0.0.1:" + ss.getLocalPort(), handler);
        e.acceptLoop(() -> {
            Socket s = ss.accept();
            return new Conn(s.getInputStream(), s.getOutputStream(), s);
        });
        return e;
    }

    /** A TLS server on loopback TCP ({@code tcp://127.0.0.1:PORT}), requiring a client certificate if asked. */
    static FakeEngine tls(SSLContext ctx, boolean needClientAuth, Handler handler) throws IOException {
        SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 50,
                InetAddress.getLoopbackAddress());
        ss.setNeedClientAuth(needClientAuth);
        FakeEngine e = new FakeEngine(ss, "tcp://127.0.0.1:" + ss.getLocalPort(), handler);
        e.acceptLoop(() -> {
            Socket s = ss.accept();
            return new Conn(s.getInputStream(), s.getOutputStream(), s);
        });
        return e;
    }

    /** The {@code --daemon-host} value reaching this server. */
    String host() {
        return host;
    }

    private record Conn(InputStream in, OutputStream out, Closeable closer) {
    }

    private interface Acceptor {
        Conn accept() throws IOException;
    }

    private void acceptLoop(Acceptor acceptor) {
        Thread t = new Thread(() -> {
            while (true) {
                Conn c;
                try {
                    c = acceptor.accept();
                } catch (IOException e) {
                    return; // closed
                }
                Thread h = new Thread(() -> serve(c), "fake-engine-conn");
                h.setDaemon(true);
                h.start();
            }
        }, "fake-engine-accept");
        t.setDaemon(true);
        t.start();
    }

    private void serve(Conn c) {
        BufferedInputStream in = new BufferedInputStream(c.in());
        Exchange ex = new Exchange(c.out(), c.closer());
        try (Closeable ignored = c.closer()) {
            in.mark(1);
            if (in.read() == 0x16) {
                // A TLS ClientHello on a plain server: answer as Go's net/http server does, in plain HTTP.
                c.out().write("HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"
                        .getBytes(StandardCharsets.ISO_8859_1));
                c.out().flush();
                return;
            }
            in.reset();
            while (!ex.closed) {
                String requestLine = line(in);
                if (requestLine == null || requestLine.isEmpty()) {
                    return;
                }
                String[] parts = requestLine.split(" ");
                Map<String, String> headers = new LinkedHashMap<>();
                String l;
                while ((l = line(in)) != null && !l.isEmpty()) {
                    int colon = l.indexOf(':');
                    headers.put(l.substring(0, colon).strip().toLowerCase(Locale.ROOT), l.substring(colon + 1).strip());
                }
                boolean chunked = "chunked".equalsIgnoreCase(headers.get("transfer-encoding"));
                long length = headers.containsKey("content-length") ? Long.parseLong(headers.get("content-length")) : 0;
                Req req = new Req(parts[0], parts[1], headers, new BodyIn(in, chunked, length));
                requests.add(req);
                handler.handle(req, ex);
                if (!ex.closed) {
                    req.body.readAll(); // keep the connection usable
                }
            }
        } catch (Throwable t) {
            java.io.StringWriter sw = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(sw));
            failures.add(new AssertionError(sw.toString(), t));
        }
    }

    /** One CRLF-terminated line (without it); null at EOF before any byte. */
    static String line(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                String s = buf.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            buf.write(b);
        }
        if (buf.size() == 0) {
            return null;
        }
        throw new EOFException("connection closed in the middle of a line");
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
