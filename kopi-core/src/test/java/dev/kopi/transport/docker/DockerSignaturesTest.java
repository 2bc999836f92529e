package dev.kopi.transport.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.kopi.config.RegistriesD;
import dev.kopi.digest.Digest;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Lookaside reads over http (a scripted server on loopback) and writes to file:// staging. */
class DockerSignaturesTest {
    private static final Digest D = Digest.sha256("manifest".getBytes(StandardCharsets.UTF_8));
    private static final byte[] SIG1 = {(byte) 0x89, 1, 2, 3};
    private static final byte[] SIG2 = {(byte) 0xc2, 9};

    @TempDir
    Path tmp;
    private HttpServer server;
    private final Map<String, Integer> status = new ConcurrentHashMap<>();
    private final Map<String, byte[]> bodies = new ConcurrentHashMap<>();

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            String p = ex.getRequestURI().getPath();
            byte[] b = bodies.getOrDefault(p, new byte[0]);
            ex.sendResponseHeaders(status.getOrDefault(p, bodies.containsKey(p) ? 200 : 404), b.length == 0 ? -1 : b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private String base() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/sigs";
    }

    private DockerSignatures storage(String yaml, boolean write) throws Exception {
        // the scripted server is the registry too (plain http, so "insecure"): only loopback is ever contacted
        String host = "127.0.0.1:" + server.getAddress().getPort();
        RegistryClient c = new RegistryClient(host, "ns/repo", "pull", RegistryClient.Auth.ANONYMOUS, null, () -> {
            throw new java.io.UncheckedIOException(new java.io.IOException("no TLS in this test"));
        }, true, "kopi-test");
        return DockerSignatures.of(c, DockerReference.parseNormalized(host + "/ns/repo:v1"),
                RegistriesD.parseFile(yaml), write);
    }

    @BeforeEach
    void registryPing() {
        bodies.put("/v2/", "{}".getBytes(StandardCharsets.UTF_8));
    }

    private String path(int n) {
        return "/sigs/ns/repo@sha256=" + D.encoded() + "/signature-" + n;
    }

    @Test
    void readsHttpLookasideUntilTheFirstMissingSignature() throws Exception {
        bodies.put(path(1), SIG1);
        bodies.put(path(2), SIG2);
        bodies.put(path(4), SIG1); // after a gap: not read
        List<Signature> sigs = storage("default-docker:\n  lookaside: " + base() + "\n", false).read(D);
        assertThat(sigs).containsExactly(new Signature(SIG1), new Signature(SIG2));
    }

    @Test
    void httpErrorsAndBadBlobsAreReported() throws Exception {
        status.put(path(1), 500);
        DockerSignatures s = storage("default-docker:\n  lookaside: " + base() + "\n", false);
        assertThatThrownBy(() -> s.read(D)).hasMessage("reading signature from " + base() + path(1).substring(5)
                + ": received unexpected HTTP status: 500 Internal Server Error");
        status.remove(path(1));
        bodies.put(path(1), "<html>".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> s.read(D)).hasMessage("parsing signature " + base() + path(1).substring(5)
                + ": unrecognized signature format, starting with binary 0x3c");
    }

    @Test
    void writesFileStagingAndRemovesStaleSignatures() throws Exception {
        Path staging = tmp.resolve("staging");
        String yaml = "default-docker:\n  lookaside: " + base() + "\n  lookaside-staging: file://" + staging + "\n";
        Path dir = staging.resolve("ns/repo@sha256=" + D.encoded());
        Files.createDirectories(dir);
        Files.write(dir.resolve("signature-3"), SIG1);
        Files.write(dir.resolve("signature-4"), SIG1);
        storage(yaml, true).write(List.of(new Signature(SIG1), new Signature(SIG2)), D);
        assertThat(dir.resolve("signature-1")).hasBinaryContent(SIG1);
        assertThat(dir.resolve("signature-2")).hasBinaryContent(SIG2);
        assertThat(dir.resolve("signature-3")).doesNotExist();
        assertThat(dir.resolve("signature-4")).doesNotExist();
    }

    @Test
    void writingToHttpOrUnknownSchemesIsRefused() throws Exception {
        assertThatThrownBy(() -> storage("default-docker:\n  lookaside: " + base() + "\n", true)
                .write(List.of(new Signature(SIG1)), D)).hasMessage("Writing directly to a http lookaside " + base()
                        + path(1).substring(5) + " is not supported. Configure a lookaside-staging: location");
    }
}
