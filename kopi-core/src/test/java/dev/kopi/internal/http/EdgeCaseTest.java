package dev.kopi.internal.http;

import static dev.kopi.internal.http.RawServer.write;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Protocol edge cases against scripted raw sockets. */
class EdgeCaseTest {
    private static final String OK5 = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";

    private static String text(Response r) throws IOException {
        try (r) {
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Answers every request on a connection with {@code response}, until the client closes. */
    private static RawServer answering(String response) throws IOException {
        RawServer[] self = new RawServer[1];
        self[0] = new RawServer((s, i) -> {
            InputStream in = s.getInputStream();
            while (self[0].readHead(in) != null) {
                write(s.getOutputStream(), response);
            }
        });
        return self[0];
    }

    @Test
    void serverClosingMidBodyIsAnErrorNotAHang() throws Exception {
        try (RawServer srv = new RawServer((s, i) -> {
            InputStream in = s.getInputStream();
            in.read(new byte[4096]);
            write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789");
            s.close();
        }); HttpClient c = HttpClient.builder().readTimeout(Duration.ofSeconds(10)).build()) {
            Response r = c.send(Request.get(URI.create(srv.url("/blob"))));
            assertThat(r.contentLength()).isEqualTo(1000);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> r.body().readAllBytes()).isInstanceOfSatisfying(HttpException.class, e -> {
                assertThat(e.getMessage()).isEqualTo("Get \"" + srv.url("/blob") + "\": unexpected EOF");
                assertThat(e.kind()).isEqualTo(HttpException.Kind.CONNECTION);
            });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            // The failure sticks: reading again reports it again.
            assertThatThrownBy(() -> r.body().read()).isInstanceOf(HttpException.class);
            r.close();
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n|unexpected EOF",
        "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\nhello\\r\\n|invalid byte in chunk length",
        "HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhelloXX0\\r\\n\\r\\n|malformed chunked encoding"})
    void brokenChunkedBodies(String script, String detail) throws Exception {
        String wire = script.replace("\\r\\n", "\r\n");
        try (RawServer srv = new RawServer((s, i) -> {
            s.getInputStream().read(new byte[4096]);
            write(s.getOutputStream(), wire);
            s.close();
        }); HttpClient c = HttpClient.builder().build()) {
            Response r = c.send(Request.get(URI.create(srv.url("/"))));
            assertThatThrownBy(() -> r.body().readAllBytes()).isInstanceOfSatisfying(HttpException.class,
                    e -> assertThat(e.detail()).isEqualTo(detail));
        }
    }

    @Test
    void chunkedBodyWithExtensionsAndTrailersThenReuse() throws Exception {
        String chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;ext=1\r\nhello\r\n6\r\n world\r\n0\r\nX-Trailer: t\r\n\r\n";
        try (RawServer srv = answering(chunked); HttpClient c = HttpClient.builder().build()) {
            for (int i = 0; i < 3; i++) {
                Response r = c.send(Request.get(URI.create(srv.url("/"))));
                assertThat(r.contentLength()).isEqualTo(-1);
                assertThat(text(r)).isEqualTo("hello world");
            }
            assertThat(srv.connections()).isEqualTo(1);
        }
    }

    @Test
    void closedBeforeAnyResponseByteIsEof() throws Exception {
        try (RawServer srv = new RawServer((s, i) -> {
            s.getInputStream().read(new byte[4096]);
            s.close();
        }); HttpClient c = HttpClient.builder().build()) {
            assertThatThrownBy(() -> c.send(Request.get(URI.create(srv.url("/v2/")))))
                    .isInstanceOfSatisfying(HttpException.class,
                            e -> assertThat(e.getMessage()).isEqualTo("Get \"" + srv.url("/v2/") + "\": EOF"));
        }
    }

    @Test
    void readTimeoutWhileWaitingForTheHead() throws Exception {
        try (RawServer srv = new RawServer((s, i) -> {
            s.getInputStream().read(new byte[4096]);
            Thread.sleep(5000);
        }); HttpClient c = HttpClient.builder().readTimeout(Duration.ofMillis(300)).build()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> c.send(Request.get(URI.create(srv.url("/slow")))))
                    .isInstanceOfSatisfying(HttpException.class, e -> {
                        assertThat(e.isTimeout()).isTrue();
                        assertThat(e.getMessage()).matches("Get \"http://127\\.0\\.0\\.1:\\d+/slow\": read tcp "
                                + "127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:" + srv.port() + ": i/o timeout");
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void readTimeoutInTheMiddleOfABody() throws Exception {
        try (RawServer srv = new RawServer((s, i) -> {
            s.getInputStream().read(new byte[4096]);
            write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
            Thread.sleep(5000);
        }); HttpClient c = HttpClient.builder().readTimeout(Duration.ofMillis(300)).build()) {
            Response r = c.send(Request.get(URI.create(srv.url("/"))));
            assertThatThrownBy(() -> r.body().readAllBytes()).isInstanceOfSatisfying(HttpException.class,
                    e -> assertThat(e.isTimeout()).isTrue());
        }
    }

    /**
     * No read timeout (Go's default) and a server that stalls in the middle of a body: interrupting the reading
     * thread ends the read at once (a cancelled copy or an expired --command-timeout must not wait for the server).
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 30, threadMode = org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD)
    void interruptEndsAStalledBodyRead() throws Exception {
        try (RawServer srv = new RawServer((s, i) -> {
            s.getInputStream().read(new byte[4096]);
            write(s.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc");
            Thread.sleep(10_000);
        }); HttpClient c = HttpClient.builder().build()) {
            Response r = c.send(Request.get(URI.create(srv.url("/"))));
            Thread reader = Thread.currentThread();
            Thread interrupter = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                reader.interrupt();
            });
            long t0 = System.nanoTime();
            interrupter.start();
            try {
                assertThatThrownBy(() -> r.body().readAllBytes()).isInstanceOf(java.io.IOException.class);
            } finally {
                Thread.interrupted();
                interrupter.join();
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void connectTimeout() throws Exception {
        // A listener that never accepts, its backlog filled: further SYNs are dropped and connect() hangs.
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            List<Socket> fill = new ArrayList<>();
            try {
                boolean full = false;
                for (int i = 0; i < 20 && !full; i++) {
                    Socket s = new Socket();
                    fill.add(s);
                    try {
                        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), ss.getLocalPort()), 200);
                    } catch (java.net.SocketTimeoutException e) {
                        full = true;
                    }
                }
                org.junit.jupiter.api.Assumptions.assumeTrue(full, "could not fill the accept queue");
                try (HttpClient c = HttpClient.builder().connectTimeout(Duration.ofMillis(300)).build()) {
                    URI uri = URI.create("http://127.0.0.1:" + ss.getLocalPort() + "/");
                    assertThatThrownBy(() -> c.send(Request.get(uri))).isInstanceOfSatisfying(HttpException.class,
                            e -> {
                                assertThat(e.isTimeout()).isTrue();
                                assertThat(e.detail()).isEqualTo("dial tcp 127.0.0.1:" + ss.getLocalPort()
                                        + ": i/o timeout");
                            });
                }
            } finally {
                for (Socket s : fill) {
                    s.close();
                }
            }
        }
    }

    @Test
    void staleIdleConnectionIsNoticedBeforeANonIdempotentRequest() throws Exception {
        // The server answers once per connection and then closes it without saying so.
        try (RawServer srv = new RawServer((s, i) -> {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[4096];
            in.read(buf);
            write(s.getOutputStream(), OK5);
            s.close();
        }); HttpClient c = HttpClient.builder().build()) {
            assertThat(text(c.send(Request.get(URI.create(srv.url("/a")))))).isEqualTo("hello");
            Thread.sleep(100);
            Request post = Request.builder("POST", URI.create(srv.url("/b")))
                    .body(RequestBody.ofStream(new java.io.ByteArrayInputStream(new byte[3]), 3)).build();
            assertThat(text(c.send(post))).isEqualTo("hello");
            assertThat(srv.connections()).isEqualTo(2);
        }
    }

    /** Connection 0 answers one request, then reads the next and hangs up without answering. */
    private static RawServer dropsSecondRequest() throws IOException {
        RawServer[] self = new RawServer[1];
        self[0] = new RawServer((s, i) -> {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            if (i == 0) {
                self[0].readHead(in);
                write(out, OK5);
                self[0].readHead(in);
                s.close();
                return;
            }
            while (self[0].readHead(in) != null) {
                write(out, OK5);
            }
        });
        return self[0];
    }

    @Test
    void idempotentRequestIsRetriedOnceOnAFreshConnection() throws Exception {
        try (RawServer srv = dropsSecondRequest(); HttpClient c = HttpClient.builder().build()) {
            assertThat(text(c.send(Request.get(URI.create(srv.url("/1")))))).isEqualTo("hello");
            Request put = Request.builder("PUT", URI.create(srv.url("/2"))).body(RequestBody.of(new byte[2])).build();
            assertThat(text(c.send(put))).isEqualTo("hello");
            assertThat(srv.connections()).isEqualTo(2);
            assertThat(srv.requestHeads).hasSize(3);
        }
    }

    @Test
    void nonIdempotentRequestIsNotRetried() throws Exception {
        try (RawServer srv = dropsSecondRequest(); HttpClient c = HttpClient.builder().build()) {
            assertThat(text(c.send(Request.get(URI.create(srv.url("/1")))))).isEqualTo("hello");
            Request post = Request.builder("POST", URI.create(srv.url("/2"))).build();
            assertThatThrownBy(() -> c.send(post)).isInstanceOfSatisfying(HttpException.class,
                    e -> assertThat(e.getMessage()).isEqualTo("Post \"" + srv.url("/2") + "\": EOF"));
            assertThat(srv.connections()).isEqualTo(1);
        }
    }

    @Test
    void streamingBodyIsNotRetried() throws Exception {
        try (RawServer srv = dropsSecondRequest(); HttpClient c = HttpClient.builder().build()) {
            text(c.send(Request.get(URI.create(srv.url("/1")))));
            Request put = Request.builder("PUT", URI.create(srv.url("/2")))
                    .body(RequestBody.ofStream(new java.io.ByteArrayInputStream(new byte[2]), 2)).build();
            assertThatThrownBy(() -> c.send(put)).isInstanceOf(HttpException.class);
        }
    }

    @Test
    void interimResponsesAreSkippedAndHeadersParsedLeniently() throws Exception {
        String resp = "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 201 Created\r\nx-a: 1\nX-A:  2 \r\nX-Folded: part1\r\n  part2\r\n"
                + "Content-Length: 2, 2\r\nLocation: /v2/x/blobs/uploads/abc\r\n\r\nok";
        try (RawServer srv = answering(resp); HttpClient c = HttpClient.builder().build()) {
            Response r = c.send(Request.builder("POST", URI.create(srv.url("/v2/x/blobs/uploads/"))).build());
            assertThat(r.status()).isEqualTo(201);
            assertThat(r.reason()).isEqualTo("Created");
            assertThat(r.headers().allValues("x-A")).containsExactly("1", "2");
            assertThat(r.headers().firstValue("x-folded")).contains("part1 part2");
            assertThat(text(r)).isEqualTo("ok");
            assertThat(srv.requestHeads.get(0)).contains("Content-Length: 0\r\n");
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "garbage\\r\\n\\r\\n|net/http: HTTP/1.x transport connection broken: malformed HTTP response \"garbage\"",
        "HTTP/1.1 2x0 OK\\r\\n\\r\\n|net/http: HTTP/1.x transport connection broken: malformed HTTP response "
            + "\"HTTP/1.1 2x0 OK\"",
        "HTTP/1.1 200 OK\\r\\nno colon here\\r\\n\\r\\n|net/http: HTTP/1.x transport connection broken: "
            + "malformed MIME header line: no colon here",
        "HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\nContent-Length: 6\\r\\n\\r\\n|http: message cannot contain "
            + "multiple Content-Length headers; got [5, 6]",
        "HTTP/1.1 200 OK\\r\\nContent-Length: -1\\r\\n\\r\\n|bad Content-Length \"-1\"",
        "HTTP/1.1 200 OK\\r\\nContent-Le|unexpected EOF"})
    void malformedResponses(String script, String detail) throws Exception {
        String wire = script.replace("\\r\\n", "\r\n");
        try (RawServer srv = new RawServer((s, i) -> {
            s.getInputStream().read(new byte[4096]);
            write(s.getOutputStream(), wire);
            s.close();
        }); HttpClient c = HttpClient.builder().build()) {
            assertThatThrownBy(() -> c.send(Request.get(URI.create(srv.url("/")))))
                    .isInstanceOfSatisfying(HttpException.class, e -> assertThat(e.detail()).isEqualTo(detail));
        }
    }

    @Test
    void http10BodyUntilCloseIsNotReused() throws Exception {
        try (RawServer srv = new RawServer((s, i) -> {
            s.getInputStream().read(new byte[4096]);
            write(s.getOutputStream(), "HTTP/1.0 200 OK\r\n\r\nuntil the end");
            s.close();
        }); HttpClient c = HttpClient.builder().build()) {
            for (int i = 0; i < 2; i++) {
                Response r = c.send(Request.get(URI.create(srv.url("/"))));
                assertThat(r.contentLength()).isEqualTo(-1);
                assertThat(text(r)).isEqualTo("until the end");
            }
            assertThat(srv.connections()).isEqualTo(2);
            assertThat(c.idleConnections()).isZero();
        }
    }

    @Test
    void connectionCloseIsHonoured() throws Exception {
        try (RawServer srv = answering("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nhi");
                HttpClient c = HttpClient.builder().build()) {
            text(c.send(Request.get(URI.create(srv.url("/")))));
            assertThat(c.idleConnections()).isZero();
        }
    }

    @Test
    void earlyErrorResponseDuringAnUploadIsReported() throws Exception {
        // The server refuses a large upload without reading it, answers 413 and closes.
        try (RawServer srv = new RawServer((s, i) -> {
            InputStream in = s.getInputStream();
            in.read(new byte[1024]);
            write(s.getOutputStream(), "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 4\r\n"
                    + "Connection: close\r\n\r\nbig!");
            s.shutdownOutput();
            Thread.sleep(300);
            s.close();
        }); HttpClient c = HttpClient.builder().readTimeout(Duration.ofSeconds(5)).build()) {
            Request put = Request.builder("PUT", URI.create(srv.url("/upload")))
                    .body(RequestBody.ofStream(new PatternStream(64L << 20, 1), 64L << 20)).build();
            try (Response r = c.send(put)) {
                assertThat(r.status()).isEqualTo(413);
                assertThat(new String(r.body().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("big!");
            }
        }
    }

    @Test
    void headerInjectionAndReservedHeadersAreRejected() {
        URI u = URI.create("http://127.0.0.1:1/");
        assertThatThrownBy(() -> Request.builder("GET", u).header("X-A", "v\r\nEvil: 1"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Request.builder("GET", u).header("Bad Name", "v"))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Request.builder("GET", u).header("content-length", "3").build())
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Request.builder("GE T", u).build()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Request.get(URI.create("ftp://x/"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Request.get(URI.create("/relative"))).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void requestTargetAndHostAreWrittenAsGoWritesThem() throws Exception {
        try (RawServer srv = answering(OK5); HttpClient c = HttpClient.builder().userAgent(null).build()) {
            text(c.send(Request.get(URI.create("http://127.0.0.1:" + srv.port()))));
            text(c.send(Request.get(URI.create("http://localhost:" + srv.port() + "/v2/a%2Fb/tags/list?n=1&last=x"))));
            text(c.send(Request.builder("GET", new URI("http", null, "127.0.0.1", srv.port(), "/p ä", null, null))
                    .header("User-Agent", "mine").build()));
            assertThat(srv.requestHeads.get(0)).startsWith("GET / HTTP/1.1\r\nHost: 127.0.0.1:" + srv.port() + "\r\n")
                    .doesNotContain("User-Agent");
            assertThat(srv.requestHeads.get(1)).startsWith("GET /v2/a%2Fb/tags/list?n=1&last=x HTTP/1.1\r\n"
                    + "Host: localhost:" + srv.port() + "\r\n");
            assertThat(srv.requestHeads.get(2)).startsWith("GET /p%20%C3%A4 HTTP/1.1\r\n").contains("User-Agent: mine");
        }
    }

    @Test
    void locationResolution() throws Exception {
        URI base = URI.create("https://reg.example/v2/a/b?x=1");
        assertThat(HttpClient.resolveLocation(base, "/v2/c")).hasToString("https://reg.example/v2/c");
        assertThat(HttpClient.resolveLocation(base, "c")).hasToString("https://reg.example/v2/a/c");
        assertThat(HttpClient.resolveLocation(base, "?y=2")).hasToString("https://reg.example/v2/a/b?y=2");
        assertThat(HttpClient.resolveLocation(base, "//cdn.example/blob")).hasToString("https://cdn.example/blob");
        assertThat(HttpClient.resolveLocation(base, "http://s3.example/p?sig=a b"))
                .hasToString("http://s3.example/p?sig=a%20b");
        assertThat(HttpClient.resolveLocation(URI.create("http://h:1"), "x")).hasToString("http://h:1/x");
    }
}
