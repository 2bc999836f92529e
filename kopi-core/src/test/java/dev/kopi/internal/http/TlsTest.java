package dev.kopi.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** https against HttpsServer with certificates made by openssl. */
class TlsTest {
    @TempDir
    static Path dir;
    static TestCerts certs;
    static TestHttpServer caSigned;
    static TestHttpServer wrongName;
    static TestHttpServer selfSigned;
    static TestHttpServer mutual;
    static TlsSettings trustCa;

    @BeforeAll
    static void start() throws Exception {
        certs = new TestCerts(dir);
        caSigned = TestHttpServer.https(certs.serverContext("server", false), false);
        wrongName = TestHttpServer.https(certs.serverContext("other", false), false);
        selfSigned = TestHttpServer.https(certs.serverContext("self", false), false);
        mutual = TestHttpServer.https(certs.serverContext("server", true), true);
        trustCa = TlsSettings.builder().trust(List.of(certs.cert("ca"))).build();
    }

    @AfterAll
    static void stop() {
        for (TestHttpServer s : new TestHttpServer[] {caSigned, wrongName, selfSigned, mutual}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static String text(Response r) throws IOException {
        try (r) {
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void customCaIsTrustedAndTheConnectionIsReused() throws IOException {
        List<String> asked = new CopyOnWriteArrayList<>();
        try (HttpClient c = HttpClient.builder().tls(hp -> {
            asked.add(hp);
            return trustCa;
        }).build()) {
            int before = caSigned.connections();
            for (int i = 0; i < 3; i++) {
                assertThat(text(c.send(Request.get(caSigned.uri("/echo?i=" + i))))).startsWith("GET /echo?i=" + i);
            }
            assertThat(text(c.send(Request.get(caSigned.uri("localhost", "/echo"))))).startsWith("GET /echo");
            // One TLS connection per host name: 127.0.0.1 and localhost.
            assertThat(caSigned.connections() - before).isEqualTo(2);
            assertThat(asked).containsExactly("127.0.0.1:" + caSigned.port(), "localhost:" + caSigned.port());
        }
    }

    @Test
    void streamsALargeBodyOverTls() throws IOException {
        long size = 8L << 20;
        try (HttpClient c = HttpClient.builder().tls(hp -> trustCa).build()) {
            String echo = text(c.send(Request.builder("PUT", caSigned.uri("/echo"))
                    .body(RequestBody.ofStream(new PatternStream(size, 5), -1)).build()));
            assertThat(echo).contains("len=" + size, "sha=" + PatternStream.sha256(size, 5));
            try (Response r = c.send(Request.get(caSigned.uri("/big?size=" + size + "&seed=9")))) {
                assertThat(PatternStream.countAndHash(r.body())).isEqualTo(size + ":" + PatternStream.sha256(size, 9));
            }
        }
    }

    @Test
    void jdkDefaultTrustRejectsAnUnknownCa() {
        try (HttpClient c = HttpClient.builder().build()) {
            assertThatThrownBy(() -> c.send(Request.get(caSigned.uri("/v2/"))))
                    .isInstanceOfSatisfying(HttpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(HttpException.Kind.TLS);
                        assertThat(e.getMessage()).isEqualTo("Get \"https://127.0.0.1:" + caSigned.port()
                                + "/v2/\": tls: failed to verify certificate: x509: certificate signed by unknown "
                                + "authority");
                    });
        }
    }

    @Test
    void selfSignedNeedsVerificationOff() throws IOException {
        try (HttpClient strict = HttpClient.builder().tls(hp -> trustCa).build()) {
            assertThatThrownBy(() -> strict.send(Request.get(selfSigned.uri("/echo"))))
                    .hasMessageEndingWith("x509: certificate signed by unknown authority");
        }
        try (HttpClient lax = HttpClient.builder().tls(hp -> TlsSettings.insecure()).build()) {
            assertThat(text(lax.send(Request.get(selfSigned.uri("/echo"))))).startsWith("GET /echo");
            // Insecure also skips the name check.
            assertThat(text(lax.send(Request.get(wrongName.uri("/echo"))))).startsWith("GET /echo");
        }
    }

    @Test
    void hostnameIsVerifiedUnlessTurnedOff() throws IOException {
        try (HttpClient c = HttpClient.builder().tls(hp -> trustCa).build()) {
            assertThatThrownBy(() -> c.send(Request.get(wrongName.uri("/echo"))))
                    .isInstanceOfSatisfying(HttpException.class, e -> assertThat(e.detail())
                            .isEqualTo("tls: failed to verify certificate: x509: certificate is not valid for "
                                    + "127.0.0.1"));
            assertThatThrownBy(() -> c.send(Request.get(wrongName.uri("localhost", "/echo"))))
                    .hasMessageEndingWith("x509: certificate is not valid for localhost");
        }
        TlsSettings noNames = new TlsSettings(trustCa.socketFactory(), false);
        try (HttpClient c = HttpClient.builder().tls(hp -> noNames).build()) {
            assertThat(text(c.send(Request.get(wrongName.uri("/echo"))))).startsWith("GET /echo");
        }
    }

    @Test
    void clientCertificate() throws Exception {
        try (HttpClient without = HttpClient.builder().tls(hp -> trustCa).build()) {
            assertThatThrownBy(() -> text(without.send(Request.get(mutual.uri("/echo")))))
                    .isInstanceOf(HttpException.class);
        }
        TlsSettings withCert = TlsSettings.builder().trust(List.of(certs.cert("ca")))
                .clientCertificate(certs.key("client"), List.of(certs.cert("client"))).build();
        try (HttpClient with = HttpClient.builder().tls(hp -> withCert).build()) {
            assertThat(text(with.send(Request.get(mutual.uri("/echo"))))).startsWith("GET /echo");
        }
    }

    @Test
    void httpsToAPlainHttpServerIsWordedLikeGo() throws Exception {
        try (RawServer plain = new RawServer((s, i) -> {
            s.getInputStream().read(new byte[4096]);
            RawServer.write(s.getOutputStream(), "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            s.close();
        }); HttpClient c = HttpClient.builder().build()) {
            URI uri = URI.create("https://127.0.0.1:" + plain.port() + "/v2/");
            assertThatThrownBy(() -> c.send(Request.get(uri))).isInstanceOfSatisfying(HttpException.class,
                    e -> assertThat(e.getMessage()).isEqualTo("Get \"https://127.0.0.1:" + plain.port()
                            + "/v2/\": http: server gave HTTP response to HTTPS client"));
        }
    }

    /** A server that takes the ClientHello and never answers: Go's 10 s TLSHandshakeTimeout, not the 30 s dial one. */
    @Test
    void aSilentServerEndsTheHandshakeAfterTenSecondsLikeGo() throws Exception {
        try (RawServer silent = new RawServer((s, i) -> {
            s.getInputStream().read(new byte[4096]);
            Thread.sleep(20_000);
        }); HttpClient c = HttpClient.builder().connectTimeout(java.time.Duration.ofSeconds(30)).build()) {
            URI uri = URI.create("https://127.0.0.1:" + silent.port() + "/v2/");
            long start = System.nanoTime();
            assertThatThrownBy(() -> c.send(Request.get(uri))).isInstanceOfSatisfying(HttpException.class,
                    e -> assertThat(e.getMessage()).isEqualTo("Get \"https://127.0.0.1:" + silent.port()
                            + "/v2/\": net/http: TLS handshake timeout"));
            long seconds = (System.nanoTime() - start) / 1_000_000_000L;
            assertThat(seconds).isBetween(9L, 15L);
        }
    }

    @Test
    void redirectFromHttpsToHttpDropsAuthorization() throws IOException {
        try (TestHttpServer plain = TestHttpServer.http();
                HttpClient c = HttpClient.builder().tls(hp -> trustCa).build()) {
            // Same host, same port number is impossible here, but the scheme change alone must drop credentials:
            // redirect https://127.0.0.1:P -> http://127.0.0.1:Q.
            String to = plain.uri("/echo?plain").toString();
            Request req = Request.builder("GET", caSigned.uri("/redirect?code=302&to="
                    + URLEncoder.encode(to, StandardCharsets.UTF_8))).header("Authorization", "Bearer t")
                    .followRedirects(true).build();
            assertThat(text(c.send(req))).contains("auth=null");
        }
        try (HttpClient strict = HttpClient.builder().tls(hp -> trustCa).allowPlainHttp(false).build()) {
            String to = "http://127.0.0.1:1/x";
            Request req = Request.builder("GET", caSigned.uri("/redirect?code=302&to="
                    + URLEncoder.encode(to, StandardCharsets.UTF_8))).followRedirects(true).build();
            assertThatThrownBy(() -> strict.send(req)).isInstanceOfSatisfying(HttpException.class,
                    e -> assertThat(e.kind()).isEqualTo(HttpException.Kind.POLICY));
        }
    }
}
