package dev.kopi.transport.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.Transports;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcp://} daemon hosts over TLS with a Docker-style cert dir ({@code ca.pem}, {@code cert.pem},
 * {@code key.pem}) against a fake engine that requires a client certificate. The PKI is made with the openssl CLI.
 */
class DaemonTlsTest {
    @TempDir
    Path dir;
    private Path pki;
    private Path tmp;
    private FakeEngine engine;
    private byte[] archive;

    @BeforeEach
    void setUp() throws Exception {
        pki = Files.createDirectories(dir.resolve("pki"));
        tmp = Files.createDirectories(dir.resolve("tmp"));
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc", "-keyout",
                "ca.key", "-out", "ca.pem", "-subj", "/CN=kopi daemon test CA", "-days", "2", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        leaf("server", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
        leaf("client", "extendedKeyUsage=clientAuth\n");
        openssl("pkcs12", "-export", "-in", "server.pem", "-inkey", "server.key", "-out", "server.p12", "-passout",
                "pass:pw");
        archive = DaemonEngineTest.saveArchive(List.of("docker.io/library/foo:bar"));
        engine = FakeEngine.tls(serverContext(), true, (req, ex) -> {
            if (req.path().equals("/_ping")) {
                ex.respond(200, "OK", Map.of("Api-Version", "1.43"), req.method.equals("HEAD") ? new byte[0]
                        : "OK".getBytes(StandardCharsets.US_ASCII));
            } else {
                ex.respond(200, "OK", Map.of(), archive);
            }
        });
    }

    @AfterEach
    void tearDown() throws IOException {
        engine.close();
    }

    private void leaf(String name, String ext) throws Exception {
        Files.writeString(pki.resolve(name + ".ext"), "basicConstraints=CA:FALSE\nkeyUsage=critical,"
                + "digitalSignature\n" + ext);
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-noenc", "-keyout",
                name + ".key", "-out", name + ".csr", "-subj", "/CN=" + name);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-extfile", name + ".ext");
    }

    private void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(pki.toFile()).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: "
                    + new String(out, StandardCharsets.UTF_8));
        }
    }

    private SSLContext serverContext() throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(pki.resolve("server.p12"))) {
            ks.load(in, "pw".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "pw".toCharArray());
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pki.resolve("ca.pem"))) {
            trust.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return ctx;
    }

    /** A Docker client cert dir: ca.pem (when asked), cert.pem and key.pem. */
    private Path certDir(boolean withCa) throws IOException {
        Path d = Files.createDirectories(dir.resolve(withCa ? "certs" : "certs-noca"));
        if (withCa) {
            Files.copy(pki.resolve("ca.pem"), d.resolve("ca.pem"));
        }
        Files.copy(pki.resolve("client.pem"), d.resolve("cert.pem"));
        Files.copy(pki.resolve("client.key"), d.resolve("key.pem"));
        return d;
    }

    private void read(ImageContext ctx) throws IOException {
        try (ImageSource src = Transports.parseImageName("docker-daemon:foo:bar").newImageSource(ctx)) {
            src.fetchManifest(Optional.empty());
        }
    }

    @Test
    void verifiedTlsWithAClientCertificate() throws Exception {
        read(ImageContext.builder().tmpDir(tmp).daemonHost(engine.host()).certDir(certDir(true)).build());
        assertThat(engine.requests).extracting(Object::toString)
                .containsExactly("HEAD /_ping", "GET /v1.43/images/get?names=foo%3Abar");
        assertThat(engine.requests.get(1).header("Host")).isEqualTo(engine.host().substring("tcp://".length()));
    }

    @Test
    void withoutTheCaTheServerIsNotTrusted() {
        String addr = engine.host().substring("tcp://".length());
        assertThatThrownBy(() -> read(ImageContext.builder().tmpDir(tmp).daemonHost(engine.host()).build()))
                .hasMessage("loading image from docker engine: error during connect: Get \"https://" + addr + "/v"
                        + EngineClient.MAX_API_VERSION + "/images/get?names=foo%3Abar\": tls: failed to verify "
                        + "certificate: x509: certificate signed by unknown authority");
    }

    @Test
    void tlsVerifyFalseNeedsNoCaButStillSendsTheClientCertificate() throws Exception {
        read(ImageContext.builder().tmpDir(tmp).daemonHost(engine.host()).certDir(certDir(false))
                .tlsVerify(Optional.of(false)).build());
        assertThat(engine.requests).hasSize(2);
    }

    @Test
    void aMissingCaFileIsAnError() throws Exception {
        Path d = certDir(false);
        assertThatThrownBy(() -> read(ImageContext.builder().tmpDir(tmp).daemonHost(engine.host()).certDir(d)
                .build()))
                .hasMessage("initializing docker engine client: reading CA file \"" + d.resolve("ca.pem")
                        + "\": open " + d.resolve("ca.pem") + ": no such file or directory");
        assertThat(engine.requests).isEmpty();
    }
}
