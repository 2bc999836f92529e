package dev.kopi.it.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.it.CommandResult;
import dev.kopi.it.Fixtures;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.testkit.WrittenImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The counting and fault-injecting proxy, validated with skopeo: a pull's blob GETs are seen with their sizes, a
 * retag moves no layer bytes, a copy to another repository mounts, and every fault changes skopeo's behaviour the
 * way it should (fails with the matching error, or succeeds on {@code --retry-times}).
 */
class FaultProxyIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();
    @RegisterExtension
    static final RegistryServer TLS_REGISTRY = RegistryServer.tls();

    @TempDir
    Path tmp;

    private static String[] args(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof List<?> l) {
                l.forEach(x -> out.add(x.toString()));
            } else {
                out.add(p.toString());
            }
        }
        return out.toArray(String[]::new);
    }

    /** Pushes the multi-layer fixture straight to the registry (not through the proxy) as {@code repo:v1}. */
    private static void seed(Sandbox sb, RegistryServer reg, String repo) {
        sb.skopeo(args("copy", reg.destArgs(), TestImage.MULTI.ociRef(), reg.ref(repo + ":v1"))).assertSuccess();
    }

    private static Map<String, Long> layerSizes() {
        WrittenImage multi = Fixtures.multi();
        Map<String, Long> m = new HashMap<>();
        for (int i = 0; i < multi.layers().size(); i++) {
            m.put(multi.layers().get(i).toString(), multi.layerSizes().get(i));
        }
        return m;
    }

    @Test
    void countsTheBlobGetsOfAPull() {
        Sandbox sb = new Sandbox(tmp);
        seed(sb, REGISTRY, "count/multi");
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            sb.skopeo(args("copy", proxy.srcArgs(), proxy.ref("count/multi:v1"), "oci:" + sb.path("pulled") + ":v1"))
                    .assertSuccess();
            List<Exchange> gets = proxy.exchanges(Exchange::isBlobGet);
            Map<String, Long> layers = layerSizes();
            Map<String, Long> seen = proxy.downloadedBytesByDigest();
            assertThat(seen).as("blob GETs of the pull:\n%s", proxy.describe()).containsAllEntriesOf(layers);
            assertThat(seen).containsKey(Fixtures.multi().configDigest().toString());
            assertThat(gets).allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
            assertThat(proxy.blobBytesDownloaded()).isEqualTo(seen.values().stream().mapToLong(Long::longValue).sum());
            assertThat(proxy.blobBytesUploaded()).isZero();
            assertThat(proxy.exchanges()).anySatisfy(e -> {
                assertThat(e.method()).isEqualTo("GET");
                assertThat(e.path()).isEqualTo("/v2/count/multi/manifests/v1");
            });
            assertThat(proxy.tlsProbes()).as("skopeo tries HTTPS first with tls-verify=false").isPositive();
        }
    }

    @Test
    void retagMovesNoLayerBytesAndCrossRepoCopyMounts() {
        Sandbox sb = new Sandbox(tmp);
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            // pushed through the proxy in this sandbox, so skopeo's blob-info cache knows where the blobs are
            sb.skopeo(args("copy", proxy.destArgs(), TestImage.MULTI.ociRef(), proxy.ref("retag/app:alpha")))
                    .assertSuccess();
            // Every layer is uploaded, or mounted: as root, skopeo's blob-info cache is machine-wide
            // (/var/lib/containers/cache), so it may know these blobs from another repository of this registry.
            Set<String> arrived = new java.util.HashSet<>(proxy.uploadedBytesByDigest().keySet());
            proxy.mounts().stream().filter(m -> m.status() == 201).forEach(m -> arrived.add(m.queryParam("mount")));
            assertThat(arrived).as("push uploads or mounts every layer:\n%s", proxy.describe())
                    .containsAll(layerSizes().keySet());
            proxy.clearExchanges();

            sb.skopeo(args("copy", proxy.srcArgs(), proxy.destArgs(), proxy.ref("retag/app:alpha"),
                    proxy.ref("retag/app:rc"))).assertSuccess();
            Set<String> layerDigests = layerSizes().keySet();
            assertThat(proxy.downloadedBytesByDigest()).as("blobs downloaded by a retag:\n%s", proxy.describe())
                    .doesNotContainKeys(layerDigests.toArray(String[]::new));
            assertThat(proxy.blobBytesUploaded()).as("bytes uploaded by a retag").isZero();
            assertThat(proxy.exchanges(Exchange::isManifestPut)).extracting(Exchange::path)
                    .containsExactly("/v2/retag/app/manifests/rc");
            proxy.clearExchanges();

            sb.skopeo(args("copy", proxy.srcArgs(), proxy.destArgs(), proxy.ref("retag/app:alpha"),
                    proxy.ref("other/app:alpha"))).assertSuccess();
            List<Exchange> mounts = proxy.mounts();
            assertThat(mounts).as("mounts:\n%s", proxy.describe()).hasSizeGreaterThanOrEqualTo(layerDigests.size());
            assertThat(mounts).allSatisfy(m -> {
                assertThat(m.queryParam("from")).isEqualTo("retag/app");
                assertThat(m.path()).isEqualTo("/v2/other/app/blobs/uploads/");
                assertThat(m.status()).as("201 Created: mounted").isEqualTo(201);
            });
            assertThat(mounts.stream().map(m -> m.queryParam("mount")).toList()).containsAll(layerDigests);
            // skopeo 1.9.3 mounts every layer but uploads the (small) config again; no layer byte moves
            assertThat(proxy.uploadedBytesByDigest()).as("uploads of the cross-repo copy:\n%s", proxy.describe())
                    .doesNotContainKeys(layerDigests.toArray(String[]::new))
                    .containsOnlyKeys(Fixtures.multi().configDigest().toString());
            assertThat(REGISTRY.tags("other/app")).containsExactly("alpha");
        }
    }

    @Test
    void resetMidBlobFailsAndRetrySucceeds() {
        Sandbox sb = new Sandbox(tmp);
        seed(sb, REGISTRY, "reset/multi");
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            FaultProxy.Rule rule = proxy.inject("GET", FaultProxy.BLOBS, 1, Fault.resetMidBody());
            CommandResult r = sb.skopeo(args("copy", proxy.srcArgs(), proxy.ref("reset/multi:v1"),
                    "oci:" + sb.path("a") + ":v1"));
            assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
            assertThat(r.stderr()).contains("connection reset by peer");
            assertThat(rule.hits()).isEqualTo(1);
            Exchange cut = proxy.exchanges(e -> e.fault() != null).get(0);
            assertThat(cut.responseBytes()).as("bytes sent before the reset").isPositive();

            proxy.inject("GET", FaultProxy.BLOBS, 1, Fault.resetAfter(100));
            sb.skopeo(args("copy", "--retry-times", "1", proxy.srcArgs(), proxy.ref("reset/multi:v1"),
                    "oci:" + sb.path("b") + ":v1")).assertSuccess();
        }
    }

    @Test
    void serverErrorsAndBursts() {
        Sandbox sb = new Sandbox(tmp);
        seed(sb, REGISTRY, "burst/multi");
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            for (int status : new int[] {500, 502, 503}) {
                proxy.clearFaults();
                FaultProxy.Rule rule = proxy.inject("GET", FaultProxy.MANIFESTS, 1, Fault.status(status));
                CommandResult r = sb.skopeo(args("inspect", "--raw", proxy.tlsArgs(), proxy.ref("burst/multi:v1")));
                assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
                assertThat(r.stderr()).as("status %d", status).contains("received unexpected HTTP status: " + status);
                assertThat(rule.hits()).isEqualTo(1);
            }
            // a burst: the next two manifest GETs fail, the third passes
            proxy.clearFaults();
            FaultProxy.Rule burst = proxy.inject("GET", FaultProxy.MANIFESTS, 2, Fault.status(503));
            for (int i = 0; i < 2; i++) {
                CommandResult r = sb.skopeo(args("inspect", "--raw", proxy.tlsArgs(), proxy.ref("burst/multi:v1")));
                assertThat(r.stderr()).contains("received unexpected HTTP status: 503 Service Unavailable");
            }
            sb.skopeo(args("inspect", "--raw", proxy.tlsArgs(), proxy.ref("burst/multi:v1"))).assertSuccess();
            assertThat(burst.hits()).isEqualTo(2);
            assertThat(burst.remaining()).isZero();
        }
    }

    @Test
    void tooManyRequestsCarriesRetryAfter() {
        Sandbox sb = new Sandbox(tmp);
        seed(sb, REGISTRY, "busy/multi");
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            // containers/image waits for Retry-After itself (up to 5 times) before it gives up
            FaultProxy.Rule rule = proxy.inject("GET", FaultProxy.MANIFESTS, 1, Fault.tooManyRequests(1));
            CommandResult r = sb.skopeo(args("inspect", "--raw", proxy.tlsArgs(), proxy.ref("busy/multi:v1")))
                    .assertSuccess();
            assertThat(rule.hits()).isEqualTo(1);
            assertThat(r.elapsed()).as("waited for Retry-After: 1").isGreaterThanOrEqualTo(Duration.ofSeconds(1));
            List<Exchange> manifestGets = proxy.exchanges(e -> e.isManifest() && e.method().equals("GET"));
            assertThat(manifestGets).extracting(Exchange::status).containsExactly(429, 200);
        }
    }

    @Test
    void truncatedAndShortBodiesAreCaught() {
        Sandbox sb = new Sandbox(tmp);
        seed(sb, REGISTRY, "short/multi");
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            proxy.inject("GET", FaultProxy.BLOBS, 1, Fault.truncateMidBody());
            CommandResult truncated = sb.skopeo(args("copy", proxy.srcArgs(), proxy.ref("short/multi:v1"),
                    "oci:" + sb.path("a") + ":v1"));
            assertThat(truncated.exitCode()).as("%s", truncated).isEqualTo(1);
            assertThat(truncated.stderr()).contains("unexpected EOF");

            proxy.inject("GET", FaultProxy.BLOBS, 1, Fault.shortContentLength());
            CommandResult shortBody = sb.skopeo(args("copy", proxy.srcArgs(), proxy.ref("short/multi:v1"),
                    "oci:" + sb.path("b") + ":v1"));
            assertThat(shortBody.exitCode()).as("%s", shortBody).isEqualTo(1);
            assertThat(shortBody.stderr()).contains("Digest did not match");
        }
    }

    @Test
    void flippedBytesAreCaughtByDigests() {
        Sandbox sb = new Sandbox(tmp);
        seed(sb, REGISTRY, "flip/multi");
        String layer = Fixtures.multi().layers().get(0).toString();
        String manifestDigest = Fixtures.multi().manifestDigest().toString();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            proxy.inject("GET", "/blobs/" + layer + "$", 1, Fault.flipMiddleByte());
            CommandResult blob = sb.skopeo(args("copy", proxy.srcArgs(), proxy.ref("flip/multi:v1"),
                    "oci:" + sb.path("a") + ":v1"));
            assertThat(blob.exitCode()).as("%s", blob).isEqualTo(1);
            assertThat(blob.stderr()).contains("Digest did not match, expected " + layer);

            proxy.inject("GET", "/manifests/" + manifestDigest + "$", 1, Fault.flipMiddleByte());
            CommandResult manifest = sb.skopeo(args("copy", proxy.srcArgs(), proxy.ref("flip/multi@"
                    + manifestDigest), "oci:" + sb.path("b") + ":v1"));
            assertThat(manifest.exitCode()).as("%s", manifest).isEqualTo(1);
            assertThat(manifest.stderr()).contains("Manifest does not match provided manifest digest " + manifestDigest);
        }
    }

    @Test
    void stallDelaysButSucceeds() {
        Sandbox sb = new Sandbox(tmp);
        seed(sb, REGISTRY, "stall/multi");
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            proxy.inject("GET", FaultProxy.BLOBS, 1, Fault.stall(10, Duration.ofMillis(1500)));
            CommandResult r = sb.skopeo(args("copy", proxy.srcArgs(), proxy.ref("stall/multi:v1"),
                    "oci:" + sb.path("a") + ":v1")).assertSuccess();
            assertThat(r.elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        }
    }

    @Test
    void resetDuringUploadFailsThePush() {
        Sandbox sb = new Sandbox(tmp);
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            FaultProxy.Rule rule = proxy.inject("PATCH", FaultProxy.UPLOADS, 1, Fault.resetRequestAfter(1000));
            CommandResult r = sb.skopeo(args("copy", proxy.destArgs(), TestImage.MULTI.ociRef(),
                    proxy.ref("upload/multi:v1")));
            assertThat(r.exitCode()).as("%s\n%s", r, proxy.describe()).isEqualTo(1);
            assertThat(r.stderr()).contains("writing blob: Patch \\\"http://" + proxy.hostPort() + "/v2/upload/multi/")
                    .containsPattern("connection reset by peer|broken pipe|use of closed network connection");
            assertThat(rule.hits()).isEqualTo(1);
            assertThat(REGISTRY.hasManifest("upload/multi", "v1")).as("no manifest after a failed push").isFalse();
        }
    }

    /** A chunked PATCH (Go's skopeo always sends Content-Length), a monolithic PUT, and a HEAD, by hand. */
    @Test
    void chunkedUploadThroughTheProxy() throws Exception {
        byte[] blob = new byte[200_000];
        new java.util.Random(7).nextBytes(blob);
        String digest = "sha256:" + dev.kopi.it.Trees.sha256(blob);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            String base = "http://" + proxy.hostPort();
            HttpResponse<String> start = http.send(HttpRequest.newBuilder(URI.create(base
                    + "/v2/chunked/blob/blobs/uploads/")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(start.statusCode()).isEqualTo(202);
            String location = start.headers().firstValue("Location").orElseThrow();
            assertThat(location).as("the registry's Location points back at the proxy").startsWith(base + "/");
            HttpResponse<String> patch = http.send(HttpRequest.newBuilder(URI.create(location))
                    .method("PATCH", HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(blob)))
                    .header("Content-Type", "application/octet-stream").build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(patch.statusCode()).as(patch.body()).isEqualTo(202);
            String next = patch.headers().firstValue("Location").orElseThrow();
            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(next + (next.contains("?") ? "&"
                    : "?") + "digest=" + digest)).PUT(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(201);

            HttpResponse<byte[]> get = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/chunked/blob/blobs/"
                    + digest)).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(get.body()).isEqualTo(blob);
            HttpResponse<Void> head = http.send(HttpRequest.newBuilder(URI.create(base + "/v2/chunked/blob/blobs/"
                    + digest)).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.discarding());
            assertThat(head.headers().firstValueAsLong("Content-Length")).hasValue(blob.length);

            assertThat(proxy.uploadedBytesByDigest()).containsExactly(Map.entry(digest, (long) blob.length));
            assertThat(proxy.downloadedBytesByDigest()).containsExactly(Map.entry(digest, (long) blob.length));
            assertThat(proxy.exchanges(Exchange::isBlobHead)).singleElement()
                    .satisfies(e -> assertThat(e.responseBytes()).isZero());
            assertThat(proxy.exchanges()).extracting(Exchange::method).containsExactly("POST", "PATCH", "PUT", "GET",
                    "HEAD");
            assertThat(proxy.exchanges()).extracting(Exchange::connection).as("one kept-alive client connection")
                    .containsOnly(proxy.exchanges().get(0).connection());
        }
        assertThat(REGISTRY.hasBlob("chunked/blob", digest)).isTrue();
    }

    @Test
    void tlsRegistryBehindTheProxy() {
        Sandbox sb = new Sandbox(tmp);
        try (FaultProxy proxy = FaultProxy.start(TLS_REGISTRY)) {
            assertThat(proxy.certDir().getFileName().toString()).isEqualTo(proxy.hostPort());
            sb.skopeo(args("copy", proxy.destArgs(), TestImage.SINGLE.ociRef(), proxy.ref("tls/single:v1")))
                    .assertSuccess();
            assertThat(proxy.blobBytesUploaded()).isPositive();
            assertThat(proxy.tlsProbes()).isZero();
            assertThat(TLS_REGISTRY.hasManifest("tls/single", "v1")).isTrue();
        }
    }
}
