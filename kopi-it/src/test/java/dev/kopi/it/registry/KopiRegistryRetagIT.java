package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.it.CommandResult;
import dev.kopi.it.Fixtures;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.testkit.WrittenImage;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 3 of the registry issue, measured through a counting {@link FaultProxy}: a retag in place
 * ({@code kopi copy docker://R/app:alpha docker://R/app:rc}) moves no layer byte and prints skopeo's lines; a copy
 * to another repository of the same registry mounts every layer.
 */
class KopiRegistryRetagIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.token();

    @TempDir
    Path tmp;

    @Test
    void retagMovesNoLayerBytesAndCrossRepoCopyMounts() {
        Sandbox sb = new Sandbox(tmp);
        WrittenImage multi = Fixtures.multi();
        List<String> layers = multi.layers().stream().map(Object::toString).toList();
        long layerBytes = multi.layerSizes().stream().mapToLong(Long::longValue).sum();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            CommandResult push = sb.kopi(args("copy", proxy.destArgs(), TestImage.MULTI.ociRef(),
                    proxy.ref("retag/app:alpha"))).assertSuccess();
            assertThat(proxy.uploadedBytesByDigest()).as("push uploads every layer once:\n%s", proxy.describe())
                    .containsKeys(layers.toArray(String[]::new));
            assertThat(proxy.blobBytesUploaded()).isGreaterThanOrEqualTo(layerBytes);
            CommandResult skopeoPush = sb.skopeo(args("copy", REGISTRY.destArgs(), TestImage.MULTI.ociRef(),
                    REGISTRY.ref("retag/skopeo:alpha"))).assertSuccess();
            assertSameLines(push, skopeoPush);
            proxy.clearExchanges();

            // retag in place: no layer byte down or up, one manifest PUT
            CommandResult retag = sb.kopi(args("copy", proxy.srcArgs(), proxy.destArgs(), proxy.ref("retag/app:alpha"),
                    proxy.ref("retag/app:rc"))).assertSuccess();
            assertThat(proxy.downloadedBytesByDigest()).as("blobs downloaded by a retag:\n%s", proxy.describe())
                    .doesNotContainKeys(layers.toArray(String[]::new));
            assertThat(proxy.blobBytesUploaded()).as("bytes uploaded by a retag:\n%s", proxy.describe()).isZero();
            assertThat(proxy.exchanges(Exchange::isManifestPut)).extracting(Exchange::path)
                    .containsExactly("/v2/retag/app/manifests/rc");
            assertThat(REGISTRY.tags("retag/app")).containsExactlyInAnyOrder("alpha", "rc");
            CommandResult skopeoRetag = sb.skopeo(args("copy", REGISTRY.srcArgs(), REGISTRY.destArgs(),
                    REGISTRY.ref("retag/skopeo:alpha"), REGISTRY.ref("retag/skopeo:rc"))).assertSuccess();
            assertSameLines(retag, skopeoRetag);
            assertThat(retag.stdout()).contains("Copying blob " + layers.get(0) + "\n");
            proxy.clearExchanges();

            // another repository of the same registry: every layer mounted, no layer byte moved
            sb.kopi(args("copy", proxy.srcArgs(), proxy.destArgs(), proxy.ref("retag/app:alpha"),
                    proxy.ref("other/app:alpha"))).assertSuccess();
            List<Exchange> mounts = proxy.mounts();
            assertThat(mounts).as("mounts:\n%s", proxy.describe()).allSatisfy(m -> {
                assertThat(m.queryParam("from")).isEqualTo("retag/app");
                assertThat(m.path()).isEqualTo("/v2/other/app/blobs/uploads/");
                assertThat(m.status()).as("201 Created: mounted").isEqualTo(201);
            });
            assertThat(mounts.stream().map(m -> m.queryParam("mount")).toList()).containsAll(layers);
            assertThat(proxy.uploadedBytesByDigest()).as("uploads of the cross-repo copy:\n%s", proxy.describe())
                    .doesNotContainKeys(layers.toArray(String[]::new));
            assertThat(proxy.downloadedBytesByDigest()).as("downloads of the cross-repo copy:\n%s",
                    proxy.describe()).doesNotContainKeys(layers.toArray(String[]::new));
            assertThat(REGISTRY.missingBlobs("other/app", "alpha")).isEmpty();
        }
    }

    /**
     * {@code --dest-precompute-digests}: layers kopi compresses on the way have no digest until they are written;
     * with the flag they are digested first, and a push of the same image to another tag uploads nothing, as with
     * skopeo.
     */
    @Test
    void precomputeDigestsSkipsLayersTheRegistryHas() {
        Sandbox sb = new Sandbox(tmp);
        Path uncompressed = sb.path("uncompressed");
        sb.skopeo("copy", "--dest-decompress", TestImage.MULTI.ociRef(), "dir:" + uncompressed).assertSuccess();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            sb.kopi(args("copy", proxy.destArgs(), "dir:" + uncompressed, proxy.ref("precompute/app:v1")))
                    .assertSuccess();
            assertThat(proxy.blobBytesUploaded()).as("first push (layers compressed on the way)").isPositive();
            proxy.clearExchanges();

            sb.kopi(args("copy", "--dest-precompute-digests", proxy.destArgs(), "dir:" + uncompressed,
                    proxy.ref("precompute/app:v2"))).assertSuccess();
            assertThat(proxy.blobBytesUploaded()).as("second push with --dest-precompute-digests:\n%s",
                    proxy.describe()).isZero();
            assertThat(proxy.exchanges(Exchange::isUpload)).as("no upload session is even started").isEmpty();
            assertThat(REGISTRY.missingBlobs("precompute/app", "v2")).isEmpty();
            assertThat(REGISTRY.api("HEAD", "/v2/precompute/app/manifests/v2").headers()
                    .firstValue("Docker-Content-Digest")).isEqualTo(REGISTRY.api("HEAD",
                    "/v2/precompute/app/manifests/v1").headers().firstValue("Docker-Content-Digest"));
        }
    }

    /**
     * The same output lines as skopeo (not a terminal), with the first and last lines in place; the "Copying blob"
     * lines of parallel copies may come in any order. skopeo 1.9.3 ends with "Storing signatures" even when there
     * are none; newest skopeo (and kopi) print it only when there are signatures to store.
     */
    static void assertSameLines(CommandResult kopi, CommandResult skopeo) {
        List<String> k = kopi.stdout().lines().toList();
        List<String> s = skopeo.stdout().lines().filter(l -> !l.equals("Storing signatures")).toList();
        assertThat(k).as("stdout of %s", kopi).containsExactlyInAnyOrderElementsOf(s);
        assertThat(k.get(0)).isEqualTo(s.get(0));
        assertThat(k.subList(k.size() - 2, k.size())).isEqualTo(s.subList(s.size() - 2, s.size()));
    }
}
