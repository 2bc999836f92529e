package dev.kopi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kopi.error.ImageException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TLS material made with the openssl CLI: a CA, a server certificate for 127.0.0.1, client keys in every form. */
class TlsConfigsTest {
    @TempDir
    static Path pki;

    @TempDir
    Path tmp;

    static void openssl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add("openssl");
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(pki.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed: " + out);
        }
    }

    static boolean hasOpenssl() {
        try {
            return new ProcessBuilder("openssl", "version").start().waitFor() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** Signs {@code name}.csr for {@code key} with the test CA into {@code name}.cert. */
    static void sign(String key, String name, String cn, String ext) throws Exception {
        openssl("req", "-new", "-key", key, "-subj", "/CN=" + cn, "-out", name + ".csr");
        List<String> args = new ArrayList<>(List.of("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey",
                "ca.key", "-CAcreateserial", "-days", "2", "-out", name + ".cert"));
        if (ext != null) {
            Files.writeString(pki.resolve(name + ".ext"), ext);
            args.addAll(List.of("-extfile", name + ".ext"));
        }
        openssl(args.toArray(new String[0]));
    }

    @BeforeAll
    static void makePki() throws Exception {
        assumeTrue(hasOpenssl(), "the openssl CLI is needed to make test certificates");
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
                "-subj", "/CN=kopi-test-ca");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "server.key");
        sign("server.key", "server", "localhost", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "rsa-pkcs8.key");
        openssl("genrsa", "-traditional", "-out", "rsa-pkcs1.key", "2048");
        openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec-sec1.key");
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "ec-sec1.key", "-out", "ec-pkcs8.key");
        openssl("genpkey", "-algorithm", "ed25519", "-out", "ed25519.key");
        for (String k : List.of("rsa-pkcs8", "rsa-pkcs1", "ec-sec1", "ec-pkcs8", "ed25519")) {
            sign(k + ".key", k, "client-" + k, null);
        }
    }

    static byte[] pem(String name) throws IOException {
        return Files.readAllBytes(pki.resolve(name));
    }

    private Path certDir(String... files) throws IOException {
        Path d = Files.createTempDirectory(tmp, "certs");
        for (int i = 0; i < files.length; i += 2) {
            Files.copy(pki.resolve(files[i]), d.resolve(files[i + 1]));
        }
        return d;
    }

    @ParameterizedTest
    @ValueSource(strings = {"rsa-pkcs8", "rsa-pkcs1", "ec-sec1", "ec-pkcs8", "ed25519"})
    void privateKeysInEveryFormParseAndMatchTheirCertificates(String form) throws Exception {
        String text = Files.readString(pki.resolve(form + ".key"));
        String expectedLabel = switch (form) {
            case "rsa-pkcs1" -> "RSA PRIVATE KEY";
            case "ec-sec1" -> "EC PRIVATE KEY";
            default -> "PRIVATE KEY";
        };
        assertThat(text).startsWith("-----BEGIN " + expectedLabel + "-----");
        PrivateKey k = PemKeys.parsePrivateKey(PemKeys.blocks(pem(form + ".key")).get(0).bytes());
        assertThat(k.getAlgorithm()).isIn("RSA", "EC", "EdDSA", "Ed25519");
        TlsConfigs.TlsMaterial m = TlsConfigs.load(certDir(form + ".cert", "client.cert", form + ".key",
                "client.key"));
        assertThat(m.clientIdentities()).hasSize(1);
        assertThat(m.clientIdentities().get(0).chain().get(0).getSubjectX500Principal().getName())
                .isEqualTo("CN=client-" + form);
        assertThat(m.hasCrtFiles()).isFalse();
    }

    @Test
    void crtFilesAddCasAndBadPemIsSkipped() throws Exception {
        Path d = certDir("ca.pem", "ca.crt");
        Files.writeString(d.resolve("junk.crt"), "not a certificate\n");
        TlsConfigs.TlsMaterial m = TlsConfigs.load(d);
        assertThat(m.hasCrtFiles()).isTrue();
        assertThat(m.extraRoots()).extracting(c -> c.getSubjectX500Principal().getName())
                .containsExactly("CN=kopi-test-ca");
    }

    @Test
    void aMissingDirectoryHoldsNothing() throws Exception {
        TlsConfigs.TlsMaterial m = TlsConfigs.load(tmp.resolve("none"));
        assertThat(m.extraRoots()).isEmpty();
        assertThat(m.clientIdentities()).isEmpty();
    }

    @Test
    void pairingErrorsUseContainersImageTexts() throws Exception {
        assertThatThrownBy(() -> TlsConfigs.load(certDir("rsa-pkcs8.cert", "client.cert")))
                .hasMessage("missing key client.key for client certificate client.cert. Note that CA certificates "
                        + "should use the extension .crt");
        assertThatThrownBy(() -> TlsConfigs.load(certDir("rsa-pkcs8.key", "client.key")))
                .hasMessage("missing client certificate client.cert for key client.key");
    }

    @Test
    void keyPairErrorsUseGoTexts() throws Exception {
        assertThatThrownBy(() -> TlsConfigs.load(certDir("rsa-pkcs8.cert", "c.cert", "rsa-pkcs1.key", "c.key")))
                .hasMessage("tls: private key does not match public key");
        assertThatThrownBy(() -> TlsConfigs.load(certDir("rsa-pkcs8.cert", "c.cert", "ec-sec1.key", "c.key")))
                .hasMessage("tls: private key type does not match public key type");
        assertThatThrownBy(() -> TlsConfigs.load(certDir("rsa-pkcs8.cert", "c.cert", "rsa-pkcs8.cert", "c.key")))
                .hasMessage("tls: found a certificate rather than a key in the PEM for the private key");
        Path d = certDir("rsa-pkcs8.cert", "c.cert");
        Files.writeString(d.resolve("c.key"), "");
        assertThatThrownBy(() -> TlsConfigs.load(d)).hasMessage("tls: failed to find any PEM data in key input");
        Path e = certDir("rsa-pkcs8.key", "c.key");
        Files.writeString(e.resolve("c.cert"), "nothing here");
        assertThatThrownBy(() -> TlsConfigs.load(e))
                .hasMessage("tls: failed to find any PEM data in certificate input");
        Path f = certDir("rsa-pkcs8.cert", "c.cert");
        Files.writeString(f.resolve("c.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
        assertThatThrownBy(() -> TlsConfigs.load(f)).hasMessage("tls: failed to parse private key");
    }

    @Test
    void certDirsAreSearchedInOrder() throws Exception {
        Path user = tmp.resolve("home/.config/containers/certs.d");
        Path etc1 = tmp.resolve("etc/containers/certs.d");
        Path etc2 = tmp.resolve("etc/docker/certs.d");
        List<Path> dirs = List.of(user, etc1, etc2);
        assertThat(CertDirs.resolve("reg:5000", null, dirs)).isEqualTo(etc2.resolve("reg:5000"));
        Files.createDirectories(etc1.resolve("reg:5000"));
        assertThat(CertDirs.resolve("reg:5000", null, dirs)).isEqualTo(etc1.resolve("reg:5000"));
        Files.createDirectories(user.resolve("reg:5000"));
        assertThat(CertDirs.resolve("reg:5000", null, dirs)).isEqualTo(user.resolve("reg:5000"));
        // no fallback from host:port to host
        Files.createDirectories(etc1.resolve("other"));
        assertThat(CertDirs.resolve("other:443", null, dirs)).isEqualTo(etc2.resolve("other:443"));
        assertThat(CertDirs.resolve("reg:5000", tmp.resolve("flag"), dirs)).isEqualTo(tmp.resolve("flag"));
        Env env = Env.of(Map.of("HOME", tmp.resolve("home").toString()));
        assertThat(CertDirs.searchDirs(env)).containsExactly(user, Path.of("/etc/containers/certs.d"),
                Path.of("/etc/docker/certs.d"));
        assertThat(CertDirs.resolve(env, "reg:5000", null)).isEqualTo(user.resolve("reg:5000"));
        Files.setPosixFilePermissions(etc1, PosixFilePermissions.fromString("---------"));
        try {
            // unreadable directories are skipped, as containers/image does on EACCES (root may still read them)
            assertThat(CertDirs.resolve("x:1", null, List.of(etc1, etc2))).isEqualTo(etc2.resolve("x:1"));
        } finally {
            Files.setPosixFilePermissions(etc1, PosixFilePermissions.fromString("rwx------"));
        }
    }

    // ---- real handshakes on loopback ----

    /** A one-connection TLS server on 127.0.0.1 requiring a client certificate from the test CA. */
    private static final class Server implements AutoCloseable {
        final SSLServerSocket socket;
        final CompletableFuture<String> clientName = new CompletableFuture<>();

        Server() throws Exception {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            PrivateKey key = PemKeys.parsePrivateKey(PemKeys.blocks(pem("server.key")).get(0).bytes());
            List<X509Certificate> chain = PemKeys.certificates(pem("server.cert"));
            ks.setKeyEntry("server", key, new char[0], chain.toArray(new X509Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            KeyStore ts = KeyStore.getInstance("PKCS12");
            ts.load(null, null);
            ts.setCertificateEntry("ca", PemKeys.certificates(pem("ca.pem")).get(0));
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
            socket = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(0, 1,
                    InetAddress.getLoopbackAddress());
            socket.setNeedClientAuth(true);
            Thread t = new Thread(() -> {
                try (SSLSocket s = (SSLSocket) socket.accept()) {
                    s.setSoTimeout(10_000);
                    s.startHandshake();
                    X509Certificate peer = (X509Certificate) s.getSession().getPeerCertificates()[0];
                    clientName.complete(peer.getSubjectX500Principal().getName());
                    s.getOutputStream().write('k');
                    s.getOutputStream().flush();
                } catch (Exception e) {
                    clientName.completeExceptionally(e);
                }
            }, "tls-test-server");
            t.setDaemon(true);
            t.start();
        }

        /** Connects as an HTTPS client would (host name checked), reads one byte. */
        void connect(SSLContext client) throws Exception {
            try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1",
                    socket.getLocalPort())) {
                s.setSoTimeout(10_000);
                SSLParameters p = s.getSSLParameters();
                p.setEndpointIdentificationAlgorithm("HTTPS");
                s.setSSLParameters(p);
                s.startHandshake();
                assertThat(s.getInputStream().read()).isEqualTo('k');
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    @Test
    void verifiedHandshakeWithCaFromCrtAndClientCertificate() throws Exception {
        Path d = certDir("ca.pem", "ca.crt", "ec-sec1.cert", "client.cert", "ec-sec1.key", "client.key");
        Env env = Env.of(Map.of());
        SSLContext ctx = TlsConfigs.sslContext(env, TlsConfigs.load(d), true);
        try (Server server = new Server()) {
            server.connect(ctx);
            assertThat(server.clientName.get(10, TimeUnit.SECONDS)).isEqualTo("CN=client-ec-sec1");
        }
    }

    @Test
    void withoutTheCaVerificationFailsAndInsecureSucceeds() throws Exception {
        Path d = certDir("rsa-pkcs1.cert", "client.cert", "rsa-pkcs1.key", "client.key");
        Env env = Env.of(Map.of());
        TlsConfigs.TlsMaterial m = TlsConfigs.load(d);
        try (Server server = new Server()) {
            assertThatThrownBy(() -> server.connect(TlsConfigs.sslContext(env, m, true)))
                    .isInstanceOf(javax.net.ssl.SSLHandshakeException.class);
        }
        try (Server server = new Server()) {
            server.connect(TlsConfigs.sslContext(env, m, false));
            assertThat(server.clientName.get(10, TimeUnit.SECONDS)).isEqualTo("CN=client-rsa-pkcs1");
        }
    }

    @Test
    void sslCertFileReplacesTheSystemRoots() throws Exception {
        Path d = certDir("ed25519.cert", "client.cert", "ed25519.key", "client.key");
        Env env = Env.of(Map.of("SSL_CERT_FILE", pki.resolve("ca.pem").toString()));
        try (Server server = new Server()) {
            server.connect(TlsConfigs.sslContext(env, TlsConfigs.load(d), true));
            assertThat(server.clientName.get(10, TimeUnit.SECONDS)).isEqualTo("CN=client-ed25519");
        }
    }

    @Test
    void forHostUsesTheCertDirFlag() throws Exception {
        Path d = certDir("ca.pem", "ca.crt");
        TlsConfigs.TlsMaterial m = TlsConfigs.forHost(Env.of(Map.of("HOME", tmp.toString())), "127.0.0.1:5000", d);
        assertThat(m.dir()).isEqualTo(d);
        assertThat(m.extraRoots()).hasSize(1);
    }

    @Test
    void errorsAreImageExceptions() {
        assertThatThrownBy(() -> TlsConfigs.load(certDir("rsa-pkcs8.cert", "a.cert")))
                .isInstanceOf(ImageException.class);
    }
}
