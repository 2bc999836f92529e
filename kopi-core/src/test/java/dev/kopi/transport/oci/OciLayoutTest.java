package dev.kopi.transport.oci;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.copy.Copier;
import dev.kopi.copy.CopyOptions;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.UnparsedImage;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.OciIndex;
import dev.kopi.testkit.FileTrees;
import dev.kopi.testkit.Skopeo;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.Transports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutTest {
    @TempDir
    Path tmp;

    private ImageContext ctx() {
        return ImageContext.builder().tmpDir(tmp).build();
    }

    private static Descriptor desc(int n, String name) {
        Map<String, String> a = new HashMap<>();
        if (name != null) {
            a.put(OciLayout.REF_NAME, name);
        }
        return new Descriptor(MediaTypes.OCI_MANIFEST, Digest.of("sha256:" + String.format("%064d", n)), n, null, a,
                null, null, null);
    }

    private static OciIndex index(Descriptor... ds) {
        return new OciIndex("", "", List.of(ds), null, Map.of());
    }

    @Test
    void addManifestMovesTheTagAndReplacesUntaggedDuplicates() {
        // a new tag is appended
        OciIndex i = OciLayout.addManifest(index(desc(1, "a")), desc(2, "b"));
        assertThat(i.instances()).containsExactly(desc(1, "a"), desc(2, "b"));
        // retagging "a" to another image: the old entry stays, untagged; the new one is appended
        i = OciLayout.addManifest(i, desc(3, "a"));
        assertThat(i.instances()).containsExactly(desc(1, null), desc(2, "b"), desc(3, "a"));
        // the same image, untagged, replaces the untagged entry in place
        i = OciLayout.addManifest(i, desc(1, "c"));
        assertThat(i.instances()).containsExactly(desc(1, "c"), desc(2, "b"), desc(3, "a"));
        // an untagged copy of a tagged image is added beside it
        i = OciLayout.addManifest(i, desc(2, null));
        assertThat(i.instances()).containsExactly(desc(1, "c"), desc(2, "b"), desc(3, "a"), desc(2, null));
    }

    private Path twoImages() throws Exception {
        Path layout = tmp.resolve("layout");
        TestImages.multiLayer(layout, "first", 1);
        TestImages.multiLayer(layout, "second", 2);
        return layout;
    }

    private void openSource(String name) throws Exception {
        try (ImageSource s = Transports.parseImageName(name).newImageSource(ctx())) {
            new UnparsedImage(s, Optional.empty()).manifest();
        }
    }

    @Test
    void descriptorLookupErrorsAreContainersImages() throws Exception {
        Path layout = twoImages();
        assertThatThrownBy(() -> openSource("oci:" + layout))
                .isInstanceOf(ImageException.class).hasMessage("more than one image in oci, choose an image");
        assertThatThrownBy(() -> openSource("oci:" + layout + ":nosuch"))
                .isInstanceOf(ImageException.class).hasMessage("no descriptor found for reference \"nosuch\"")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThatThrownBy(() -> openSource("oci:" + layout + ":@2"))
                .isInstanceOf(ImageException.class).hasMessage("index 2 is too large, only 2 entries available");
        Path none = tmp.resolve("none");
        assertThatThrownBy(() -> openSource("oci:" + none + ":t"))
                .isInstanceOf(ImageException.class).hasMessage("open " + none + "/index.json: no such file or directory");
    }

    @Test
    void unsupportedMediaTypesOfANamedEntryAreListed() throws Exception {
        Path layout = tmp.resolve("layout");
        TestImages.multiLayer(layout, "t", 3);
        String index = Files.readString(layout.resolve("index.json"));
        Files.writeString(layout.resolve("index.json"), index.replace(MediaTypes.OCI_MANIFEST, "application/x-a"));
        assertThatThrownBy(() -> openSource("oci:" + layout + ":t")).isInstanceOf(ImageException.class)
                .hasMessage("reference \"t\" matches unsupported manifest MIME types [\"application/x-a\"]");
    }

    @Test
    void sourceIndexPicksTheEntry() throws Exception {
        Path layout = twoImages();
        OciIndex idx = OciLayout.at(layout, null).readIndex();
        for (int i = 0; i < 2; i++) {
            try (ImageSource s = Transports.parseImageName("oci:" + layout + ":@" + i).newImageSource(ctx())) {
                byte[] m = new UnparsedImage(s, Optional.empty()).manifest().bytes();
                assertThat(Digest.sha256(m)).isEqualTo(idx.instances().get(i).digest());
            }
        }
        assertThatThrownBy(() -> Transports.parseImageName("oci:" + layout + ":@0")
                .newImageDestination(ctx())).isInstanceOf(ImageException.class)
                .hasMessage("Destination reference must not contain a manifest index @0");
    }

    @Test
    void updateIndexLeavesNoLockFileBehind() throws Exception {
        Path layout = twoImages();
        Path dest = tmp.resolve("dest");
        copy("oci:" + layout + ":first", "oci:" + dest + ":x", ctx());
        try (var s = Files.list(dest)) {
            assertThat(s.map(p -> p.getFileName().toString()).toList())
                    .containsExactlyInAnyOrder("blobs", "index.json", "oci-layout");
        }
    }

    private static void copy(String src, String dest, ImageContext ctx) throws Exception {
        copy(src, dest, ctx, ctx);
    }

    private static void copy(String src, String dest, ImageContext srcCtx, ImageContext destCtx) throws Exception {
        Copier.copy(Transports.parseImageName(src), Transports.parseImageName(dest),
                new CopyOptions(srcCtx, destCtx, null, null, false, false, null, null, 0, null, null));
    }

    @Test
    void sharedBlobDirectoryIsUsedForBlobsAndSkopeoReadsIt() throws Exception {
        Path layout = tmp.resolve("layout");
        WrittenImage img = TestImages.multiLayer(layout, "t", 4);
        Path shared = tmp.resolve("shared");
        Path dest = tmp.resolve("dest");
        ImageContext withShared = ImageContext.builder().tmpDir(tmp).ociSharedBlobDir(shared).build();
        copy("oci:" + layout + ":t", "oci:" + dest + ":t", ctx(), withShared);
        assertThat(Files.exists(dest.resolve("blobs"))).isFalse();
        for (Digest d : img.layers()) {
            assertThat(Files.exists(shared.resolve("sha256").resolve(d.encoded()))).isTrue();
        }
        assertThat(Files.exists(shared.resolve("sha256").resolve(img.manifestDigest().encoded()))).isTrue();
        Path back = tmp.resolve("back");
        copy("oci:" + dest + ":t", "dir:" + back, withShared, ctx());
        if (Skopeo.installed()) {
            Path theirs = tmp.resolve("theirs");
            Skopeo.copy("oci:" + dest + ":t", "dir:" + theirs, "--src-shared-blob-dir", shared.toString());
            assertThat(FileTrees.snapshot(back)).isEqualTo(FileTrees.snapshot(theirs));
        }
    }
}
