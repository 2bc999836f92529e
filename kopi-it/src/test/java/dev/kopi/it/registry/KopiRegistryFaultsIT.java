package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.it.CommandResult;
import dev.kopi.it.Fixtures;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.testkit.WrittenImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 4 of the registry issue: faults injected by a {@link FaultProxy} between kopi and the registry. Each
 * either succeeds through resume/retry or fails with a clear error; a failed push never leaves a manifest whose
 * blobs are missing.
 */
class KopiRegistryFaultsIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();
    private static final String REPO = "faults/multi";

    @TempDir
    Path tmp;

    /** The multi-layer fixture, pushed straight to the registry by skopeo (not through the proxy). */
    @BeforeAll
    static void seed(@TempDir Path dir) {
        new Sandbox(dir).skopeo(args("copy", REGISTRY.destArgs(), TestImage.MULTI.ociRef(), REGISTRY.ref(REPO + ":v1")))
                .assertSuccess();
    }

    private static String largestLayer() {
        WrittenImage m = Fixtures.multi();
        int best = 0;
        for (int i = 1; i < m.layers().size(); i++) {
            if (m.layerSizes().get(i) > m.layerSizes().get(best)) {
                best = i;
            }
        }
        return m.layers().get(best).toString();
    }

    private static long sizeOf(String digest) {
        WrittenImage m = Fixtures.multi();
        return m.layerSizes().get(m.layers().stream().map(Object::toString).toList().indexOf(digest));
    }

    /** A connection reset in the middle of a layer: the download resumes with a Range request, nothing is re-read. */
    @Test
    void resetMidBlobResumes() {
        Sandbox sb = new Sandbox(tmp);
        String layer = largestLayer();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            FaultProxy.Rule rule = proxy.inject("GET", "/blobs/" + layer + "$", 1, Fault.resetMidBody());
            sb.kopi(args("copy", proxy.srcArgs(), proxy.ref(REPO + ":v1"), "oci:" + sb.path("a") + ":v1"))
                    .assertSuccess();
            assertThat(rule.hits()).isEqualTo(1);
            List<Exchange> gets = proxy.exchanges(e -> e.isBlobGet() && e.path().endsWith(layer));
            assertThat(gets).as("GETs of the layer:\n%s", proxy.describe()).hasSize(2);
            assertThat(gets.get(0).responseBytes()).isPositive().isLessThan(sizeOf(layer));
            assertThat(gets.get(1).status()).as("the second GET is a Range request").isEqualTo(206);
            assertThat(proxy.downloadedBytesByDigest().get(layer)).as("bytes of the layer over both GETs")
                    .isEqualTo(sizeOf(layer));
            sb.skopeo("inspect", "--raw", "oci:" + sb.path("a") + ":v1").assertSuccess();
        }
    }

    /**
     * A truncated body (FIN mid-way) resumes with a Range request, as containers/image's bodyReader does. A body cut
     * short by a lying Content-Length resumes too: kopi knows the size from the manifest (containers/image sees a
     * clean EOF there and fails with "Digest did not match").
     */
    @Test
    void truncatedBodiesResume() {
        Sandbox sb = new Sandbox(tmp);
        String layer = largestLayer();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            int n = 0;
            for (Fault fault : List.of(Fault.truncateMidBody(), Fault.shortContentLength())) {
                proxy.clearExchanges();
                proxy.inject("GET", "/blobs/" + layer + "$", 1, fault);
                Path out = sb.path("pulled-" + n++);
                sb.kopi(args("copy", proxy.srcArgs(), proxy.ref(REPO + ":v1"), "oci:" + out + ":v1")).assertSuccess();
                List<Exchange> gets = proxy.exchanges(e -> e.isBlobGet() && e.path().endsWith(layer));
                assertThat(gets).as("%s:\n%s", fault, proxy.describe()).extracting(Exchange::status)
                        .containsExactly(200, 206);
                assertThat(proxy.downloadedBytesByDigest().get(layer)).isEqualTo(sizeOf(layer));
                sb.skopeo("copy", "oci:" + out + ":v1", "oci:" + sb.path("verified-" + n) + ":v1").assertSuccess();
            }
        }
    }

    /**
     * 5xx on the manifest: not retried (as containers/image), a clear error; with {@code --retry-times} a 503 is
     * retried by the command.
     */
    @Test
    void serverErrors() {
        Sandbox sb = new Sandbox(tmp);
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            FaultProxy.Rule r500 = proxy.inject("GET", FaultProxy.MANIFESTS, 1, Fault.status(500));
            CommandResult failed = sb.kopi(args("inspect", "--raw", proxy.tlsArgs(), proxy.ref(REPO + ":v1")));
            failed.assertExit(1);
            assertThat(failed.assertOneFatalLine()).isEqualTo("Error parsing image name \\\"" + proxy.ref(REPO + ":v1")
                    + "\\\": reading manifest v1 in " + proxy.hostPort() + "/" + REPO
                    + ": received unexpected HTTP status: 500 Internal Server Error");
            assertThat(r500.hits()).isEqualTo(1);

            FaultProxy.Rule r503 = proxy.inject("GET", FaultProxy.MANIFESTS, 1, Fault.status(503));
            CommandResult retried = sb.kopi(args("inspect", "--raw", "--retry-times", "1", "--retry-delay", "100ms",
                    proxy.tlsArgs(), proxy.ref(REPO + ":v1"))).assertSuccess();
            assertThat(r503.hits()).isEqualTo(1);
            assertThat(retried.stdoutBytes()).isEqualTo(Fixtures.multi().manifest());

            // a 500 on a layer download fails the copy, and nothing is tagged in the destination layout
            proxy.inject("GET", FaultProxy.BLOBS, 1, Fault.status(500));
            CommandResult blob = sb.kopi(args("copy", proxy.srcArgs(), proxy.ref(REPO + ":v1"),
                    "oci:" + sb.path("a") + ":v1"));
            blob.assertExit(1);
            assertThat(blob.assertOneFatalLine()).contains("received unexpected HTTP status: 500 Internal Server Error");
        }
    }

    /** 429 with Retry-After: kopi waits as asked and tries again, as containers/image does. */
    @Test
    void tooManyRequestsIsRetriedAfterRetryAfter() {
        Sandbox sb = new Sandbox(tmp);
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            FaultProxy.Rule manifest = proxy.inject("GET", FaultProxy.MANIFESTS, 1, Fault.tooManyRequests(1));
            FaultProxy.Rule blob = proxy.inject("GET", FaultProxy.BLOBS, 1, Fault.tooManyRequests(1));
            CommandResult r = sb.kopi(args("copy", proxy.srcArgs(), proxy.ref(REPO + ":v1"),
                    "oci:" + sb.path("a") + ":v1")).assertSuccess();
            assertThat(manifest.hits()).isEqualTo(1);
            assertThat(blob.hits()).isEqualTo(1);
            assertThat(r.elapsed()).as("waited for Retry-After twice").isGreaterThanOrEqualTo(Duration.ofSeconds(2));
            assertThat(proxy.exchanges(e -> e.isManifest() && e.method().equals("GET"))).extracting(Exchange::status)
                    .startsWith(429, 200);
        }
    }

    /** Flipped bytes: a layer fails its digest check, a manifest fetched by digest fails its digest check. */
    @Test
    void flippedBytesAreCaught() {
        Sandbox sb = new Sandbox(tmp);
        String layer = largestLayer();
        String manifestDigest = Fixtures.multi().manifestDigest().toString();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            proxy.inject("GET", "/blobs/" + layer + "$", 1, Fault.flipMiddleByte());
            CommandResult blob = sb.kopi(args("copy", proxy.srcArgs(), proxy.ref(REPO + ":v1"),
                    "oci:" + sb.path("a") + ":v1"));
            blob.assertExit(1);
            assertThat(blob.assertOneFatalLine()).contains("Digest did not match, expected " + layer + ", got sha256:");

            proxy.inject("GET", "/manifests/" + manifestDigest + "$", 1, Fault.flipMiddleByte());
            CommandResult manifest = sb.kopi(args("copy", proxy.srcArgs(), proxy.ref(REPO + "@" + manifestDigest),
                    "oci:" + sb.path("b") + ":v1"));
            manifest.assertExit(1);
            assertThat(manifest.assertOneFatalLine()).contains("Manifest does not match provided manifest digest "
                    + manifestDigest);
        }
    }

    /**
     * Pushes that break (a reset during a layer upload, a 500 on the upload's final PUT) fail, and the registry
     * never gets the manifest; {@code --retry-times} then completes the push with every blob in place.
     */
    @Test
    void brokenPushNeverLeavesAManifestWithMissingBlobs() {
        Sandbox sb = new Sandbox(tmp);
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            // every PATCH reset: kopi's in-process resume (a fresh upload, as the registry drops the session) gives up
            proxy.inject("PATCH", FaultProxy.UPLOADS, 1000, Fault.resetRequestAfter(1000));
            CommandResult reset = sb.kopi(args("copy", proxy.destArgs(), TestImage.MULTI.ociRef(),
                    proxy.ref("faults/push:v1")));
            reset.assertExit(1);
            assertThat(REGISTRY.hasManifest("faults/push", "v1")).as("manifest after a failed push").isFalse();
            assertThat(proxy.exchanges(Exchange::isManifestPut)).isEmpty();
            proxy.clearFaults();

            proxy.inject("PUT", FaultProxy.UPLOADS, 1, Fault.status(500));
            CommandResult put = sb.kopi(args("copy", proxy.destArgs(), TestImage.MULTI.ociRef(),
                    proxy.ref("faults/push:v1")));
            put.assertExit(1);
            assertThat(put.assertOneFatalLine()).contains("500");
            assertThat(REGISTRY.hasManifest("faults/push", "v1")).isFalse();

            proxy.inject("PATCH", FaultProxy.UPLOADS, 1, Fault.resetRequestAfter(1000));
            sb.kopi(args("copy", "--retry-times", "2", "--retry-delay", "100ms", proxy.destArgs(),
                    TestImage.MULTI.ociRef(), proxy.ref("faults/push:v1"))).assertSuccess();
            assertThat(REGISTRY.missingBlobs("faults/push", "v1")).isEmpty();
        }
    }
}
