package dev.kopi.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The proxy hook: CONNECT tunnels for https, absolute-form requests for http. */
class ProxyTest {
    @TempDir
    static Path dir;
    static TestHttpServer https;
    static TlsSettings trustCa;

    @BeforeAll
    static void start() throws Exception {
        TestCerts certs = new TestCerts(dir);
        https = TestHttpServer.https(certs.serverContext("server", false), false);
        trustCa = TlsSettings.builder().trust(List.of(certs.cert("ca"))).build();
    }

    @AfterAll
    static void stop() {
        https.close();
    }

    private static String text(Response r) throws IOException {
        try (r) {
            return new String(r.body().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void httpsGoesThroughAConnectTunnelWithProxyAuthorization() throws IOException {
        try (ConnectProxy proxy = new ConnectProxy(false);
                HttpClient c = HttpClient.builder().tls(hp -> trustCa)
                        .proxy(u -> Optional.of(HttpProxy.withBasicAuth("127.0.0.1", proxy.port(), "u", "p")))
                        .build()) {
            for (int i = 0; i < 3; i++) {
                assertThat(text(c.send(Request.get(https.uri("/echo?via=proxy")))))
                        .startsWith("GET /echo?via=proxy ").contains("host=127.0.0.1:" + https.port());
            }
            assertThat(proxy.connections()).isEqualTo(1);
            String head = proxy.heads.get(0);
            assertThat(head).startsWith("CONNECT 127.0.0.1:" + https.port() + " HTTP/1.1\r\n")
                    .contains("Host: 127.0.0.1:" + https.port() + "\r\n")
                    .contains("Proxy-Authorization: Basic dTpw\r\n");
        }
    }

    @Test
    void httpIsSentInAbsoluteFormToTheProxy() throws IOException {
        try (ConnectProxy proxy = new ConnectProxy(false);
                HttpClient c = HttpClient.builder()
                        .proxy(u -> Optional.of(HttpProxy.withBasicAuth("127.0.0.1", proxy.port(), "u", "p")))
                        .build()) {
            URI target = URI.create("http://127.0.0.1:9/v2/x/manifests/latest?a=b");
            assertThat(text(c.send(Request.get(target))))
                    .isEqualTo("proxied GET http://127.0.0.1:9/v2/x/manifests/latest?a=b HTTP/1.1");
            assertThat(text(c.send(Request.get(URI.create("http://127.0.0.1:9/two")))))
                    .isEqualTo("proxied GET http://127.0.0.1:9/two HTTP/1.1");
            assertThat(proxy.heads.get(0)).contains("Host: 127.0.0.1:9\r\n", "Proxy-Authorization: Basic dTpw\r\n");
            assertThat(proxy.connections()).isEqualTo(1);
        }
    }

    @Test
    void theHookMayChooseADirectConnection() throws IOException {
        try (ConnectProxy proxy = new ConnectProxy(false);
                HttpClient c = HttpClient.builder().tls(hp -> trustCa)
                        .proxy(u -> u.getPath().startsWith("/big") ? Optional.of(HttpProxy.of("127.0.0.1",
                                proxy.port())) : Optional.empty())
                        .build()) {
            assertThat(text(c.send(Request.get(https.uri("/echo"))))).startsWith("GET /echo");
            assertThat(proxy.connections()).isZero();
            assertThat(text(c.send(Request.get(https.uri("/big?size=3"))))).hasSize(3);
            assertThat(proxy.connections()).isEqualTo(1);
        }
    }

    @Test
    void refusedTunnel() throws IOException {
        try (ConnectProxy proxy = new ConnectProxy(true);
                HttpClient c = HttpClient.builder().tls(hp -> trustCa)
                        .proxy(u -> Optional.of(HttpProxy.of("127.0.0.1", proxy.port()))).build()) {
            assertThatThrownBy(() -> c.send(Request.get(https.uri("/echo"))))
                    .isInstanceOfSatisfying(HttpException.class, e -> {
                        assertThat(e.kind()).isEqualTo(HttpException.Kind.PROXY);
                        assertThat(e.detail()).isEqualTo("proxyconnect tcp: proxy refused CONNECT to 127.0.0.1:"
                                + https.port() + ": 403 Forbidden");
                    });
        }
    }

    @Test
    void unreachableProxy() throws IOException {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        try (HttpClient c = HttpClient.builder().proxy(u -> Optional.of(HttpProxy.of("127.0.0.1", port))).build()) {
            assertThatThrownBy(() -> c.send(Request.get(https.uri("/echo"))))
                    .isInstanceOfSatisfying(HttpException.class, e -> assertThat(e.detail())
                            .isEqualTo("proxyconnect tcp: dial tcp 127.0.0.1:" + port + ": connect: connection refused"));
        }
    }
}
