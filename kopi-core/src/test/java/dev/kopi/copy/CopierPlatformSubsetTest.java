package dev.kopi.copy;

import static dev.kopi.copy.CopyTesting.copy;
import static dev.kopi.copy.CopyTesting.ctx;
import static dev.kopi.copy.CopyTesting.options;
import static dev.kopi.copy.CopyTesting.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.ManifestList;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.Platform;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import dev.kopi.testkit.WrittenIndex;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code --multi-arch=os/arch[/variant],...}: a list naming only the chosen instances (beyond skopeo). */
class CopierPlatformSubsetTest {
    @TempDir
    Path tmp;

    private Path layout;
    private WrittenIndex index;

    @BeforeEach
    void writeIndex() throws Exception {
        layout = tmp.resolve("index");
        index = TestImages.multiPlatform(layout, "t", 41); // linux/amd64, linux/arm64/v8, linux/arm/v7
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = ';', value = {
        "linux/amd64,linux/arm64; 0,1",
        "linux/arm64/v8; 1",
        "linux/arm/v7,linux/amd64; 0,2",
        "linux/arm64,linux/arm64/v8; 1",
        "linux/arm; 2",
    })
    void writesAListOfOnlyTheChosenInstances(String spec, String expected) throws Exception {
        List<Integer> want = java.util.Arrays.stream(expected.split(",")).map(Integer::parseInt).toList();
        Path dest = tmp.resolve("dest");
        CopyResult r = copy("oci:" + layout + ":t", "oci:" + dest + ":sub",
                options(tmp).multiArch(MultiArch.parse(spec)));
        assertThat(r.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        ManifestList list = (ManifestList) Manifests.parse(r.manifest(), r.mediaType());
        assertThat(list.instances()).extracting(Descriptor::digest)
                .containsExactlyElementsOf(want.stream().map(i -> index.instances().get(i).manifestDigest()).toList());
        for (int i = 0; i < index.instances().size(); i++) {
            WrittenImage inst = index.instances().get(i);
            boolean copied = want.contains(i);
            for (Digest l : inst.layers()) {
                assertThat(Files.exists(dest.resolve("blobs/sha256").resolve(l.encoded()))).isEqualTo(copied);
            }
            if (copied) {
                CopyTesting.Image img = read("oci:" + dest + ":sub", ctx(tmp), Optional.of(inst.manifestDigest()));
                assertThat(img.manifest().bytes()).isEqualTo(inst.manifest());
            }
        }
        assertThat(CopyTesting.topManifest("oci:" + dest + ":sub", ctx(tmp)).bytes()).isEqualTo(r.manifest());
    }

    @Test
    void aPlatformNotInTheListFailsBeforeWritingAnything() {
        assertThatThrownBy(() -> copy("oci:" + layout + ":t", "oci:" + tmp.resolve("dest") + ":x",
                options(tmp).multiArch(MultiArch.parse("linux/amd64,linux/s390x"))))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("no image found in image index for platform \"linux/s390x\"")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        assertThat(Files.exists(tmp.resolve("dest/index.json"))).isFalse();
    }

    @Test
    void preserveDigestsRefusesASubset() {
        assertThatThrownBy(() -> copy("oci:" + layout + ":t", "oci:" + tmp.resolve("dest") + ":x",
                options(tmp).multiArch(MultiArch.parse("linux/amd64")).preserveDigests()))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("Instructed to preserve digests");
    }

    @Test
    void aSubsetOfEveryInstanceIsTheSourceListByteForByte() throws Exception {
        CopyResult r = copy("oci:" + layout + ":t", "oci:" + tmp.resolve("dest") + ":x",
                options(tmp).multiArch(MultiArch.parse("linux/amd64,linux/arm64,linux/arm")).preserveDigests());
        assertThat(r.manifestDigest()).isEqualTo(index.indexDigest());
    }

    @ParameterizedTest
    @ValueSource(strings = {"linux", "linux/", "/amd64", "linux/amd64/v8/x", "linux/amd64,", "linux/am d64"})
    void badPlatformsAreRefused(String spec) {
        assertThatThrownBy(() -> MultiArch.parse(spec)).isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
    }

    @Test
    void skopeoChoicesStaySingletonsWithSkopeosError() throws Exception {
        assertThat(MultiArch.parse("all")).isSameAs(MultiArch.ALL);
        assertThat(MultiArch.parse("system")).isSameAs(MultiArch.SYSTEM);
        assertThat(MultiArch.parse("index-only")).isSameAs(MultiArch.INDEX_ONLY);
        assertThat(MultiArch.parse("linux/arm64/v8,linux/amd64").platformList())
                .containsExactly(new Platform("linux", "arm64", "v8"), new Platform("linux", "amd64", ""));
        assertThatThrownBy(() -> MultiArch.parse("sparse")).hasMessage("unknown multi-arch option \"sparse\". "
                + "Choose one of the supported options: 'system', 'all', or 'index-only'");
    }
}
