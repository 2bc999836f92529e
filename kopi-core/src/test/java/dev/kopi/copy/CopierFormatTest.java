package dev.kopi.copy;

import static dev.kopi.copy.CopyTesting.copy;
import static dev.kopi.copy.CopyTesting.ctx;
import static dev.kopi.copy.CopyTesting.options;
import static dev.kopi.copy.CopyTesting.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ImageException;
import dev.kopi.image.ImageConfigs;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.testkit.DirImages;
import dev.kopi.testkit.FileTrees;
import dev.kopi.testkit.Skopeo;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifest format conversions (schema2 ↔ OCI): the trees kopi writes equal those skopeo writes for the same copy
 * (same manifests, converted configs and blobs, byte for byte).
 */
class CopierFormatTest {
    @TempDir
    Path tmp;

    private static final String RICH_CONFIG = "{\"architecture\":\"amd64\",\"os\":\"linux\","
            + "\"created\":\"2023-05-06T07:08:09.1234Z\",\"docker_version\":\"24.0.0\","
            + "\"config\":{\"Env\":[\"PATH=/bin\"],\"Entrypoint\":[\"/app\"],\"ExposedPorts\":{\"80/tcp\":{}},"
            + "\"Labels\":{\"b\":\"2\",\"a\":\"1\"},\"Hostname\":\"h\"},"
            + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
            + "\"history\":[{\"created\":\"2023-05-06T07:08:09Z\",\"created_by\":\"x\",\"empty_layer\":true}]}";

    private Path richSchema2() throws Exception {
        Path dir = tmp.resolve("schema2");
        DirImages.writeSchema2(dir, RICH_CONFIG.getBytes(StandardCharsets.UTF_8),
                List.of(DirImages.gzip(DirImages.layerTar("a/b", "1")), DirImages.gzip(DirImages.layerTar("c", "2"))));
        return dir;
    }

    private Path ociLayout() throws Exception {
        Path layout = tmp.resolve("layout");
        TestImages.multiLayer(layout, "t", 41);
        return layout;
    }

    private void assertSameTreeAsSkopeo(String src, String oursName, Path ours, String theirsName, Path theirs,
            String format, String... skopeoFlags) throws Exception {
        Skopeo.assumeInstalled();
        CopyTesting.Options o = options(tmp);
        if (format != null) {
            o.format(format.equals("oci") ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_V2S2);
        }
        copy(src, oursName, o);
        List<String> flags = new java.util.ArrayList<>(List.of(skopeoFlags));
        if (format != null) {
            flags.add("--format");
            flags.add(format);
        }
        Skopeo.copy(src, theirsName, flags.toArray(new String[0]));
        assertThat(comparable(ours)).isEqualTo(comparable(theirs));
        if (java.nio.file.Files.exists(ours.resolve("oci-layout"))) {
            // containers/image HEAD marshals the layout file; skopeo 1.9.3 wrote a literal with a space after the colon
            assertThat(java.nio.file.Files.readString(ours.resolve("oci-layout")))
                    .isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
        }
    }

    private static java.util.Map<String, String> comparable(Path root) throws java.io.IOException {
        java.util.Map<String, String> m = FileTrees.snapshot(root);
        m.remove("oci-layout");
        return m;
    }

    @Test
    void ociToDirAsSchema2() throws Exception {
        Path layout = ociLayout();
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        assertSameTreeAsSkopeo("oci:" + layout + ":t", "dir:" + ours, ours, "dir:" + theirs, theirs, "v2s2");
        CopyTesting.Image img = read("dir:" + ours, ctx(tmp));
        assertThat(img.manifest().mediaType()).isEqualTo(MediaTypes.DOCKER_V2S2);
        assertThat(img.parsed().config().mediaType()).isEqualTo(MediaTypes.DOCKER_CONFIG);
        assertThat(img.layers()).extracting(CopyTesting.Layer::mediaType).containsOnly(MediaTypes.DOCKER_LAYER_GZIP);
    }

    @Test
    void schema2ToDirAsOci() throws Exception {
        Path src = richSchema2();
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        assertSameTreeAsSkopeo("dir:" + src, "dir:" + ours, ours, "dir:" + theirs, theirs, "oci");
        CopyTesting.Image img = read("dir:" + ours, ctx(tmp));
        assertThat(img.manifest().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(img.config()).isEqualTo(ImageConfigs.toOciConfigBytes(RICH_CONFIG.getBytes(StandardCharsets.UTF_8)));
        assertThat(img.layers()).extracting(CopyTesting.Layer::mediaType).containsOnly(MediaTypes.OCI_LAYER_GZIP);
    }

    @Test
    void schema2IntoAnOciLayoutIsConverted() throws Exception {
        Path src = richSchema2();
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        assertSameTreeAsSkopeo("dir:" + src, "oci:" + ours + ":v1", ours, "oci:" + theirs + ":v1", theirs, null);
        assertThat(read("oci:" + ours + ":v1", ctx(tmp)).manifest().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void ociRoundTripThroughSchema2() throws Exception {
        Path layout = ociLayout();
        Path v2s2 = tmp.resolve("v2s2");
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        copy("oci:" + layout + ":t", "dir:" + v2s2, options(tmp).format(MediaTypes.DOCKER_V2S2));
        assertSameTreeAsSkopeo("dir:" + v2s2, "oci:" + ours + ":t", ours, "oci:" + theirs + ":t", theirs, "oci");
    }

    @Test
    void secondImageIntoTheSameLayoutUpdatesIndexJsonAsSkopeoDoes() throws Exception {
        Skopeo.assumeInstalled();
        Path layout = ociLayout();
        Path src2 = richSchema2();
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        for (Path p : List.of(ours, theirs)) {
            Skopeo.copy("oci:" + layout + ":t", "oci:" + p + ":first");
        }
        // a second tag, then a retag of "first" to another image, then an untagged image
        assertSameTreeAsSkopeo("dir:" + src2, "oci:" + ours + ":second", ours, "oci:" + theirs + ":second", theirs,
                null);
        assertSameTreeAsSkopeo("dir:" + src2, "oci:" + ours + ":first", ours, "oci:" + theirs + ":first", theirs,
                null);
    }

    @Test
    void dockerArchiveToDirIsTheTreeSkopeoWrites() throws Exception {
        Path layout = ociLayout();
        Path archive = tmp.resolve("a.tar");
        copy("oci:" + layout + ":t", "docker-archive:" + archive + ":kopi/x:1", options(tmp));
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        assertSameTreeAsSkopeo("docker-archive:" + archive, "dir:" + ours, ours, "dir:" + theirs, theirs, null);
        assertSameTreeAsSkopeo("docker-archive:" + archive, "dir:" + ours + "2", tmp.resolve("ours2"),
                "dir:" + theirs + "2", tmp.resolve("theirs2"), "oci");
    }

    @Test
    void preserveDigestsWritesTheManifestUnconverted() throws Exception {
        // As containers/image: with --preserve-digests no conversion is attempted, not even one --format asks for;
        // the manifest is written as it is (a destination that cannot store it refuses it).
        Path layout = ociLayout();
        CopyResult kept = copy("oci:" + layout + ":t", "dir:" + tmp.resolve("d"),
                options(tmp).format(MediaTypes.DOCKER_V2S2).preserveDigests());
        assertThat(kept.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(kept.manifest()).isEqualTo(java.nio.file.Files.readAllBytes(tmp.resolve("d/manifest.json")));
        assertThatThrownBy(() -> copy("oci:" + layout + ":t", "docker-archive:" + tmp.resolve("d.tar"),
                options(tmp).preserveDigests()))
                .isInstanceOf(ImageException.class)
                .hasMessage("writing manifest: Unsupported manifest type, need a Docker schema 2 manifest");
        // without a conversion it is fine, and the digest is the source's
        WrittenImage again = TestImages.multiLayer(tmp.resolve("l2"), "t", 41);
        CopyResult r = copy("oci:" + tmp.resolve("l2") + ":t", "dir:" + tmp.resolve("d2"),
                options(tmp).preserveDigests());
        assertThat(r.manifestDigest()).isEqualTo(again.manifestDigest());
    }

    @Test
    void manifestKeysInAnotherCaseAreReadAsGoReadsThem() throws Exception {
        // skopeo (Go's encoding/json) reads "LAYERS" and "Config" as layers and config, and copies those blobs
        Path src = richSchema2();
        Path manifest = src.resolve("manifest.json");
        java.nio.file.Files.writeString(manifest, java.nio.file.Files.readString(manifest)
                .replace("\"layers\"", "\"LAYERS\"").replaceFirst("\"config\"", "\"Config\""));
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        assertSameTreeAsSkopeo("dir:" + src, "oci:" + ours + ":t", ours, "oci:" + theirs + ":t", theirs, null);
        assertThat(read("oci:" + ours + ":t", ctx(tmp)).layers()).hasSize(2);
    }
}
