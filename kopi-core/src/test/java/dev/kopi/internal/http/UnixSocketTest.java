package dev.kopi.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A Docker-API-like HTTP server on a unix-domain socket, written by hand. */
class UnixSocketTest {
    @TempDir
    static Path dir;
    static Path socket;
    static ServerSocketChannel server;
    static final AtomicInteger connections = new AtomicInteger();
    static final List<String> heads = new CopyOnWriteArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        socket = dir.resolve("api.sock");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread t = new Thread(() -> {
            while (server.isOpen()) {
                try {
                    SocketChannel ch = server.accept();
                    connections.incrementAndGet();
                    Thread h = new Thread(() -> serve(ch), "unix-conn");
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "unix-accept");
        t.setDaemon(true);
        t.start();
    }

    @AfterAll
    static void stop() throws IOException {
        server.close();
    }

    private static void serve(SocketChannel ch) {
        try (ch) {
            InputStream in = new BufferedInputStream(Channels.newInputStream(ch));
            OutputStream out = Channels.newOutputStream(ch);
            while (true) {
                String head = readHead(in);
                if (head == null) {
                    return;
                }
                heads.add(head);
                String target = head.split(" ")[1];
                String lower = head.toLowerCase();
                String bodyInfo = "";
                if (lower.contains("transfer-encoding: chunked")) {
                    bodyInfo = PatternStream.countAndHash(new java.io.ByteArrayInputStream(readChunked(in)));
                } else if (lower.contains("content-length: ")) {
                    int i = lower.indexOf("content-length: ") + 16;
                    long n = Long.parseLong(lower.substring(i, lower.indexOf("\r\n", i)).strip());
                    bodyInfo = PatternStream.countAndHash(new java.io.ByteArrayInputStream(in.readNBytes((int) n)));
                }
                switch (target) {
                    case "/_ping" -> write(out, "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK");
                    case "/v1.41/images/json" -> write(out, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                            + "Transfer-Encoding: chunked\r\n\r\n2\r\n[{\r\n8\r\n\"Id\":\"x\"\r\n2\r\n}]\r\n0\r\n\r\n");
                    case "/v1.41/images/load" -> write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + bodyInfo.length()
                            + "\r\n\r\n" + bodyInfo);
                    case "/slow" -> Thread.sleep(5000);
                    default -> write(out, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
                }
            }
        } catch (Exception ignored) {
            // connection over
        }
    }

    private static byte[] readChunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String line = readLine(in);
            int size = Integer.parseInt(line.strip(), 16);
            if (size == 0) {
                readLine(in);
                return body.toByteArray();
            }
            body.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String readLine(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("eof");
            }
            if (b != '\r') {
                sb.append((char) b);
            }
        }
        return sb.toString();
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            sb.append((char) b);
            if (sb.length() >= 4 && sb.substring(sb.length() - 4).equals("\r\n\r\n")) {
                return sb.toString();
            }
        }
        return null;
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private static String text(Response r) throws IOException {
        try (r) {
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void pingAndChunkedJsonOverOneKeptConnection() throws IOException {
        int before = connections.get();
        try (HttpClient c = HttpClient.unixSocket(socket)) {
            try (Response r = c.send(Request.get(URI.create("http://d/_ping")))) {
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.headers().firstValue("api-version")).contains("1.41");
                assertThat(new String(r.body().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("OK");
            }
            assertThat(text(c.send(Request.get(URI.create("http://d/v1.41/images/json"))))).isEqualTo("[{\"Id\":\"x\"}]");
            try (Response r = c.send(Request.get(URI.create("http://d/nope")))) {
                assertThat(r.status()).isEqualTo(404);
            }
        }
        assertThat(connections.get() - before).isEqualTo(1);
        assertThat(heads).anyMatch(h -> h.startsWith("GET /_ping HTTP/1.1\r\nHost: d\r\n"));
    }

    @Test
    void postsAStreamedChunkedBody() throws IOException {
        long size = 3L << 20;
        try (HttpClient c = HttpClient.builder().unixSocket(socket).userAgent("kopi-test").build()) {
            Request load = Request.builder("POST", URI.create("http://d/v1.41/images/load"))
                    .header("Content-Type", "application/x-tar")
                    .body(RequestBody.ofStream(new PatternStream(size, 11), -1)).build();
            assertThat(text(c.send(load))).isEqualTo(size + ":" + PatternStream.sha256(size, 11));
        }
    }

    @Test
    void readTimeoutOnTheSocket() {
        try (HttpClient c = HttpClient.builder().unixSocket(socket).readTimeout(Duration.ofMillis(300)).build()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.send(Request.get(URI.create("http://d/slow"))))
                    .isInstanceOfSatisfying(HttpException.class, e -> {
                        assertThat(e.isTimeout()).isTrue();
                        assertThat(e.getMessage()).isEqualTo("Get \"http://d/slow\": read unix @->" + socket
                                + ": i/o timeout");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void missingSocket() {
        Path missing = dir.resolve("missing.sock");
        try (HttpClient c = HttpClient.unixSocket(missing)) {
            assertThatThrownBy(() -> c.send(Request.get(URI.create("http://d/_ping"))))
                    .isInstanceOfSatisfying(HttpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(HttpException.Kind.DIAL);
                        assertThat(e.getMessage()).isEqualTo("Get \"http://d/_ping\": dial unix " + missing
                                + ": connect: no such file or directory");
                    });
        }
    }
}
