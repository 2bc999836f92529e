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
import dev.kopi.image.RawManifest;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.testkit.Skopeo;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import dev.kopi.testkit.WrittenIndex;
import dev.kopi.transport.ImageContext;
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

/** Copying a three-platform index: every instance (MultiArch.ALL) or the one for a platform (SYSTEM). */
class CopierMultiArchTest {
    @TempDir
    Path tmp;

    private Path layout;
    private WrittenIndex index;

    @BeforeEach
    void writeIndex() throws Exception {
        layout = tmp.resolve("index");
        index = TestImages.multiPlatform(layout, "t", 31);
    }

    private String src() {
        return "oci:" + layout + ":t";
    }

    private static String[] dest(String kind, Path base) {
        return switch (kind) {
            case "oci" -> new String[] {"oci:" + base + ":copy", "oci:" + base + ":copy"};
            case "dir" -> new String[] {"dir:" + base, "dir:" + base};
            case "oci-archive" -> new String[] {"oci-archive:" + base + ".tar:copy", "oci-archive:" + base + ".tar:copy"};
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"oci", "dir", "oci-archive"})
    void allCopiesTheIndexAndEveryInstance(String kind) throws Exception {
        String[] d = dest(kind, tmp.resolve("dest"));
        CopyResult r = copy(src(), d[0], options(tmp).multiArch(MultiArch.ALL));
        // nothing had to change: the index is copied byte for byte
        assertThat(r.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(r.manifestDigest()).isEqualTo(index.indexDigest());
        RawManifest top = CopyTesting.topManifest(d[1], ctx(tmp));
        assertThat(top.bytes()).isEqualTo(index.index());
        assertThat(top.mediaType()).isEqualTo(MediaTypes.OCI_INDEX);
        for (WrittenImage inst : index.instances()) {
            CopyTesting.Image img = read(d[1], ctx(tmp), Optional.of(inst.manifestDigest()));
            assertThat(img.manifest().bytes()).isEqualTo(inst.manifest());
            assertThat(img.parsed().config().digest()).isEqualTo(inst.configDigest());
            assertThat(img.layerDigests()).isEqualTo(inst.layers());
            assertThat(img.diffIds()).isEqualTo(inst.diffIds());
        }
        if (kind.equals("dir")) {
            // skopeo's dir layout: the list in manifest.json, instances in <hex>.manifest.json
            Path dir = tmp.resolve("dest");
            assertThat(Files.readAllBytes(dir.resolve("manifest.json"))).isEqualTo(index.index());
            for (WrittenImage inst : index.instances()) {
                assertThat(Files.readAllBytes(dir.resolve(inst.manifestDigest().encoded() + ".manifest.json")))
                        .isEqualTo(inst.manifest());
            }
        }
    }

    @Test
    void allIntoDirIsTheTreeSkopeoWrites() throws Exception {
        Skopeo.assumeInstalled();
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        copy(src(), "dir:" + ours, options(tmp).multiArch(MultiArch.ALL));
        Skopeo.copy(src(), "dir:" + theirs, "--multi-arch", "all");
        assertThat(dev.kopi.testkit.FileTrees.snapshot(ours)).isEqualTo(dev.kopi.testkit.FileTrees.snapshot(theirs));
    }

    @ParameterizedTest(name = "{0} {1}/{2} -> instance {3}")
    @CsvSource(nullValues = "-", value = {
        "oci, arm64, -, 1",
        "dir, arm64, -, 1",
        "oci, arm64, v8, 1",
        "dir, amd64, -, 0",
        "oci, arm, -, 2",
        "dir, arm, v7, 2",
        "dir, arm, v8, 2",
    })
    void systemPicksTheInstanceForTheOverriddenPlatform(String kind, String arch, String variant, int expected)
            throws Exception {
        String[] d = dest(kind, tmp.resolve("dest"));
        ImageContext srcCtx = ImageContext.builder().tmpDir(tmp).overrideOs("linux").overrideArch(arch)
                .overrideVariant(variant).build();
        CopyResult r = copy(src(), d[0], options(tmp).src(srcCtx).multiArch(MultiArch.SYSTEM));
        WrittenImage want = index.instances().get(expected);
        assertThat(r.manifestDigest()).isEqualTo(want.manifestDigest());
        CopyTesting.Image img = read(d[1], ctx(tmp));
        assertThat(img.manifest().bytes()).isEqualTo(want.manifest());
        assertThat(img.layerDigests()).isEqualTo(want.layers());
        assertThat(img.configJson().get("architecture").asText()).isEqualTo(arch);
        // only that image was copied
        for (WrittenImage other : index.instances()) {
            if (other != want) {
                for (Digest l : other.layers()) {
                    assertThat(Files.exists(kind.equals("dir") ? tmp.resolve("dest").resolve(l.encoded())
                            : tmp.resolve("dest/blobs/sha256").resolve(l.encoded()))).isFalse();
                }
            }
        }
    }

    @Test
    void systemWithNoMatchingInstanceFailsWithContainersImageText() {
        ImageContext srcCtx = ImageContext.builder().tmpDir(tmp).overrideOs("linux").overrideArch("s390x").build();
        assertThatThrownBy(() -> copy(src(), "oci:" + tmp.resolve("dest") + ":x", options(tmp).src(srcCtx)))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("no image found in image index for architecture \"s390x\", variant \"\", "
                        + "OS \"linux\"")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        assertThat(Files.exists(tmp.resolve("dest/index.json"))).isFalse();
    }

    @Test
    void systemOnArm64IsTheSameImageSkopeoPicks() throws Exception {
        Skopeo.assumeInstalled();
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        ImageContext srcCtx = ImageContext.builder().tmpDir(tmp).overrideOs("linux").overrideArch("arm64").build();
        copy(src(), "dir:" + ours, options(tmp).src(srcCtx));
        Skopeo.run("--insecure-policy", "--override-arch", "arm64", "--override-os", "linux", "copy", "-q", src(),
                "dir:" + theirs);
        assertThat(dev.kopi.testkit.FileTrees.snapshot(ours)).isEqualTo(dev.kopi.testkit.FileTrees.snapshot(theirs));
        assertThat(Files.readAllBytes(ours.resolve("manifest.json"))).isEqualTo(index.instances().get(1).manifest());
    }

    @Test
    void allIntoDockerArchiveIsRefused() {
        assertThatThrownBy(() -> copy(src(), "docker-archive:" + tmp.resolve("a.tar") + ":a/b:c",
                options(tmp).multiArch(MultiArch.ALL)))
                .isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED));
        assertThat(Files.exists(tmp.resolve("a.tar"))).isFalse();
    }

    @Test
    void allWithFormatV2s2ConvertsTheListAndEveryInstance() throws Exception {
        Path dir = tmp.resolve("v2s2");
        CopyResult r = copy(src(), "dir:" + dir, options(tmp).multiArch(MultiArch.ALL).format(MediaTypes.DOCKER_V2S2));
        assertThat(r.mediaType()).isEqualTo(MediaTypes.DOCKER_V2_LIST);
        dev.kopi.manifest.Schema2List list = (dev.kopi.manifest.Schema2List) dev.kopi.manifest.Manifests.parse(
                r.manifest(), MediaTypes.DOCKER_V2_LIST);
        assertThat(list.instances()).hasSize(3);
        assertThat(list.instances()).extracting(dev.kopi.manifest.Descriptor::mediaType)
                .containsOnly(MediaTypes.DOCKER_V2S2);
        assertThat(list.instances()).extracting(x -> x.platform().architecture())
                .containsExactly("amd64", "arm64", "arm");
        for (var inst : list.instances()) {
            CopyTesting.Image img = read("dir:" + dir, ctx(tmp), Optional.of(inst.digest()));
            assertThat(img.manifest().mediaType()).isEqualTo(MediaTypes.DOCKER_V2S2);
            assertThat(img.manifest().bytes()).hasSize((int) inst.size());
        }
        List<WrittenImage> insts = index.instances();
        assertThat(read("dir:" + dir, ctx(tmp), Optional.of(list.instances().get(2).digest())).diffIds())
                .isEqualTo(insts.get(2).diffIds());
    }

    @ParameterizedTest
    @ValueSource(strings = {"v2s2", "oci"})
    void allWithFormatIsTheTreeSkopeoWrites(String format) throws Exception {
        Skopeo.assumeInstalled();
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        copy(src(), "dir:" + ours, options(tmp).multiArch(MultiArch.ALL)
                .format(format.equals("oci") ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_V2S2));
        Skopeo.copy(src(), "dir:" + theirs, "--multi-arch", "all", "--format", format);
        assertThat(dev.kopi.testkit.FileTrees.snapshot(ours)).isEqualTo(dev.kopi.testkit.FileTrees.snapshot(theirs));
    }
}
