package dev.kopi.copy;

import static dev.kopi.copy.CopyTesting.copy;
import static dev.kopi.copy.CopyTesting.ctx;
import static dev.kopi.copy.CopyTesting.options;
import static dev.kopi.copy.CopyTesting.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.blob.CompressionAlgorithm;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.testkit.DirImages;
import dev.kopi.testkit.ImageSpec;
import dev.kopi.testkit.LayerSpec;
import dev.kopi.testkit.Skopeo;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import dev.kopi.transport.ImageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Layer compression changes: what each destination asks for, and --dest-compress-format zstd. */
class CopierCompressionTest {
    @TempDir
    Path tmp;

    /** An OCI layout holding a three-layer image with uncompressed (tar) layers. */
    private WrittenImage uncompressed(Path layout) throws Exception {
        ImageSpec spec = ImageSpec.of(List.of(LayerSpec.random(64 * 1024, 51), LayerSpec.random(1024, 52),
                LayerSpec.random(100 * 1024, 53))).withGzipLevel(0);
        return TestImages.writeImage(layout, "t", spec);
    }

    @Test
    void ociDestinationCompressesUncompressedLayersFromDir() throws Exception {
        Path layout = tmp.resolve("layout");
        WrittenImage img = uncompressed(layout);
        Path dir = tmp.resolve("dir");
        copy("oci:" + layout + ":t", "dir:" + dir, options(tmp));
        // dir keeps layers as they are
        CopyTesting.Image inDir = read("dir:" + dir, ctx(tmp));
        assertThat(inDir.layerDigests()).isEqualTo(img.layers()).isEqualTo(img.diffIds());
        assertThat(inDir.layers()).extracting(CopyTesting.Layer::mediaType).containsOnly(MediaTypes.OCI_LAYER);

        Path oci = tmp.resolve("oci");
        CopyResult r = copy("dir:" + dir, "oci:" + oci + ":t", options(tmp));
        CopyTesting.Image got = read("oci:" + oci + ":t", ctx(tmp));
        assertThat(got.layers()).extracting(CopyTesting.Layer::mediaType).containsOnly(MediaTypes.OCI_LAYER_GZIP);
        assertThat(got.layers()).extracting(CopyTesting.Layer::compression)
                .containsOnly(Optional.of(CompressionAlgorithm.GZIP));
        assertThat(got.diffIds()).isEqualTo(img.diffIds());
        assertThat(got.layerDigests()).doesNotContainAnyElementsOf(img.layers());
        // the manifest changed, the config did not
        assertThat(got.parsed().config().digest()).isEqualTo(img.configDigest());
        assertThat(r.manifestDigest()).isNotEqualTo(img.manifestDigest()).isEqualTo(got.manifestDigest());
        // sizes in the manifest are those of the stored (compressed) blobs
        for (int i = 0; i < got.layers().size(); i++) {
            assertThat(got.parsed().layers().get(i).size()).isEqualTo(got.layers().get(i).size());
        }
    }

    @Test
    void ociAcceptUncompressedLayersKeepsThem() throws Exception {
        Path layout = tmp.resolve("layout");
        WrittenImage img = uncompressed(layout);
        Path oci = tmp.resolve("oci");
        ImageContext dest = ImageContext.builder().tmpDir(tmp).ociAcceptUncompressedLayers(true).build();
        copy("oci:" + layout + ":t", "oci:" + oci + ":t", options(tmp).dest(dest));
        CopyTesting.Image got = read("oci:" + oci + ":t", ctx(tmp));
        assertThat(got.manifest().bytes()).isEqualTo(img.manifest());
    }

    @Test
    void dirForceDecompressDecompresses() throws Exception {
        Path layout = tmp.resolve("layout");
        WrittenImage img = TestImages.multiLayer(layout, "t", 61);
        Path dir = tmp.resolve("dir");
        ImageContext dest = ImageContext.builder().tmpDir(tmp).dirForceDecompress(true).build();
        copy("oci:" + layout + ":t", "dir:" + dir, options(tmp).dest(dest));
        CopyTesting.Image got = read("dir:" + dir, ctx(tmp));
        assertThat(got.layers()).extracting(CopyTesting.Layer::compression).containsOnly(Optional.empty());
        assertThat(got.layers()).extracting(CopyTesting.Layer::mediaType).containsOnly(MediaTypes.OCI_LAYER);
        assertThat(got.layerDigests()).isEqualTo(img.diffIds());
        assertThat(got.parsed().config().digest()).isEqualTo(img.configDigest());
    }

    @Test
    void dirForceDecompressIsWhatSkopeoWrites() throws Exception {
        Skopeo.assumeInstalled();
        Path layout = tmp.resolve("layout");
        TestImages.multiLayer(layout, "t", 62);
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        ImageContext dest = ImageContext.builder().tmpDir(tmp).dirForceDecompress(true).build();
        copy("oci:" + layout + ":t", "dir:" + ours, options(tmp).dest(dest));
        Skopeo.copy("oci:" + layout + ":t", "dir:" + theirs, "--dest-decompress");
        assertThat(dev.kopi.testkit.FileTrees.snapshot(ours)).isEqualTo(dev.kopi.testkit.FileTrees.snapshot(theirs));
    }

    @Test
    void dirForceDecompressOfSchema2UsesDockerTypes() throws Exception {
        Path src = tmp.resolve("schema2");
        byte[] tar = DirImages.layerTar("x", "y");
        DirImages.writeSchema2(src, "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\"}}"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8), List.of(DirImages.gzip(tar)));
        Path dir = tmp.resolve("dir");
        ImageContext dest = ImageContext.builder().tmpDir(tmp).dirForceDecompress(true).build();
        copy("dir:" + src, "dir:" + dir, options(tmp).dest(dest));
        CopyTesting.Image got = read("dir:" + dir, ctx(tmp));
        assertThat(got.layers()).extracting(CopyTesting.Layer::mediaType).containsOnly(MediaTypes.DOCKER_LAYER);
        assertThat(got.layerDigests()).containsExactly(dev.kopi.digest.Digest.sha256(tar));
    }

    @Test
    void zstdLayersThatSkopeoCanRead() throws Exception {
        Path layout = tmp.resolve("layout");
        WrittenImage img = TestImages.multiLayer(layout, "t", 71);
        Path oci = tmp.resolve("oci");
        copy("oci:" + layout + ":t", "oci:" + oci + ":z", options(tmp).compression(CompressionAlgorithm.ZSTD));
        CopyTesting.Image got = read("oci:" + oci + ":z", ctx(tmp));
        assertThat(got.layers()).extracting(CopyTesting.Layer::mediaType).containsOnly(MediaTypes.OCI_LAYER_ZSTD);
        assertThat(got.layers()).extracting(CopyTesting.Layer::compression)
                .containsOnly(Optional.of(CompressionAlgorithm.ZSTD));
        assertThat(got.diffIds()).isEqualTo(img.diffIds());

        if (Skopeo.installed()) {
            Path back = tmp.resolve("back");
            Skopeo.copy("oci:" + oci + ":z", "dir:" + back);
            Path plain = tmp.resolve("plain");
            // skopeo decompresses our zstd layers to the original tars
            Skopeo.copy("oci:" + oci + ":z", "dir:" + plain, "--dest-decompress");
            for (var d : img.diffIds()) {
                assertThat(Files.exists(plain.resolve(d.encoded()))).as("layer %s", d).isTrue();
            }
            assertThat(Files.readAllBytes(back.resolve("manifest.json"))).isEqualTo(got.manifest().bytes());
        }
    }

    @Test
    void zstdToDirCompressesOnlyWhenAsked() throws Exception {
        Path layout = tmp.resolve("layout");
        WrittenImage img = uncompressed(layout);
        Path dir = tmp.resolve("dir");
        ImageContext dest = ImageContext.builder().tmpDir(tmp).dirForceCompress(true).build();
        copy("oci:" + layout + ":t", "dir:" + dir, options(tmp).dest(dest).compression(CompressionAlgorithm.ZSTD));
        CopyTesting.Image got = read("dir:" + dir, ctx(tmp));
        assertThat(got.layers()).extracting(CopyTesting.Layer::mediaType).containsOnly(MediaTypes.OCI_LAYER_ZSTD);
        assertThat(got.diffIds()).isEqualTo(img.diffIds());
    }

    @Test
    void recompressGzipToZstd() throws Exception {
        Path layout = tmp.resolve("layout");
        WrittenImage img = TestImages.multiLayer(layout, "t", 81);
        Path oci = tmp.resolve("oci");
        copy("oci:" + layout + ":t", "oci:" + oci + ":z", options(tmp).compression(CompressionAlgorithm.ZSTD));
        // and back to gzip
        Path oci2 = tmp.resolve("oci2");
        copy("oci:" + oci + ":z", "oci:" + oci2 + ":g", options(tmp).compression(CompressionAlgorithm.GZIP));
        CopyTesting.Image got = read("oci:" + oci2 + ":g", ctx(tmp));
        assertThat(got.layers()).extracting(CopyTesting.Layer::mediaType).containsOnly(MediaTypes.OCI_LAYER_GZIP);
        assertThat(got.diffIds()).isEqualTo(img.diffIds());
    }
}
