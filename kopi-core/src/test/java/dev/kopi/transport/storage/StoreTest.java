package dev.kopi.transport.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kopi.copy.Copier;
import dev.kopi.copy.CopyOptions;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.Transports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writing into and reading from a vfs store through the copier: the records of layers.json and images.json, layer
 * IDs, big-data items, lock-file writes, names moving between images, and reading back.
 */
class StoreTest {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path tmp;

    private String store() {
        return "containers-storage:[vfs@" + tmp.resolve("root") + "+" + tmp.resolve("run")
                + (ROOT ? "" : ":vfs.ignore_chown_errors=true") + "]";
    }

    private void copy(String src, String dest) throws IOException {
        ImageContext ctx = ImageContext.builder().tmpDir(tmp).build();
        ImageReference s = Transports.parseImageName(src);
        ImageReference d = Transports.parseImageName(dest);
        Copier.copy(s, d, new CopyOptions(ctx, ctx, null, null, false, false, null, null, 0, null, null));
    }

    private List<ObjectNode> records(String file) throws IOException {
        return StoreRecords.parseArray(Files.readAllBytes(tmp.resolve("root").resolve(file)), file);
    }

    @Test
    void writtenImageHasContainersStorageRecords() throws IOException {
        WrittenImage img = TestImages.multiLayer(tmp.resolve("oci"), "multi", 5);
        copy("oci:" + tmp.resolve("oci") + ":multi", store() + "localhost/test/multi:v1");

        List<ObjectNode> layers = records("vfs-layers/layers.json");
        assertThat(layers).hasSize(img.diffIds().size());
        String parent = "";
        for (int i = 0; i < layers.size(); i++) {
            ObjectNode l = layers.get(i);
            Digest diffId = img.diffIds().get(i);
            String id = parent.isEmpty() ? diffId.hex()
                    : Digest.sha256((parent + "+" + diffId.hex()).getBytes(StandardCharsets.UTF_8)).hex();
            List<String> fields = new ArrayList<>();
            l.fieldNames().forEachRemaining(fields::add);
            List<String> expected = new ArrayList<>(List.of("id", "parent", "created", "compressed-diff-digest",
                    "compressed-size", "diff-digest", "diff-size", "compression", "uidset", "gidset"));
            if (parent.isEmpty()) {
                expected.remove("parent");
            }
            assertThat(fields).as("layer %d fields, in c/storage's order", i).isEqualTo(expected);
            assertThat(StoreRecords.id(l)).isEqualTo(id);
            assertThat(StoreRecords.parent(l)).isEqualTo(parent);
            assertThat(l.path("compressed-diff-digest").asText()).isEqualTo(img.layers().get(i).toString());
            assertThat(l.path("compressed-size").asLong()).isEqualTo(img.layerSizes().get(i));
            assertThat(l.path("diff-digest").asText()).isEqualTo(diffId.toString());
            assertThat(l.path("compression").asInt()).as("gzip").isEqualTo(2);
            assertThat(tmp.resolve("root/vfs-layers/" + id + ".tar-split.gz")).exists();
            assertThat(tmp.resolve("root/vfs/dir/" + id)).isDirectory();
            parent = id;
        }

        List<ObjectNode> images = records("vfs-images/images.json");
        assertThat(images).hasSize(1);
        ObjectNode image = images.get(0);
        List<String> fields = new ArrayList<>();
        image.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("id", "digest", "names", "names-history", "layer", "metadata",
                "big-data-names", "big-data-sizes", "big-data-digests", "created");
        assertThat(StoreRecords.id(image)).isEqualTo(img.imageId());
        assertThat(image.path("digest").asText()).isEqualTo(img.manifestDigest().toString());
        assertThat(StoreRecords.names(image)).containsExactly("localhost/test/multi:v1");
        assertThat(StoreRecords.topLayer(image)).isEqualTo(parent);
        String m = img.manifestDigest().toString();
        assertThat(StoreRecords.strings(image, "big-data-names")).containsExactly(img.configDigest().toString(),
                "manifest-" + m, "manifest", "signature-" + img.manifestDigest().hex());
        assertThat(image.path("metadata").asText()).isEqualTo("{\"signatures-sizes\":{\"" + m + "\":[]}}");
        Path data = tmp.resolve("root/vfs-images/" + img.imageId());
        assertThat(data.resolve("manifest")).hasBinaryContent(img.manifest());
        assertThat(data.resolve("=" + Base64.getEncoder().encodeToString(("manifest-" + m).getBytes(
                StandardCharsets.UTF_8)))).hasBinaryContent(img.manifest());
        assertThat(image.path("big-data-digests").path("manifest").asText()).isEqualTo(m);

        for (String lock : List.of("vfs-layers/layers.lock", "vfs-images/images.lock")) {
            assertThat(Files.size(tmp.resolve("root").resolve(lock))).as("%s holds a last-writer ID", lock)
                    .isEqualTo(LockFile.LAST_WRITER_SIZE);
        }
    }

    @Test
    void readingBackGivesUncompressedLayersAndTheSameConfig() throws IOException {
        WrittenImage img = TestImages.multiLayer(tmp.resolve("oci"), "multi", 6);
        copy("oci:" + tmp.resolve("oci") + ":multi", store() + "localhost/test/multi:v1");
        ImageContext ctx = ImageContext.builder().tmpDir(tmp).ociAcceptUncompressedLayers(true).build();
        Copier.copy(Transports.parseImageName(store() + "localhost/test/multi:v1"),
                Transports.parseImageName("oci:" + tmp.resolve("out") + ":x"),
                new CopyOptions(ctx, ctx, null, null, false, false, null, null, 0, null, null));
        JsonNode index = StoreRecords.JSON.readTree(tmp.resolve("out/index.json").toFile());
        String md = index.path("manifests").get(0).path("digest").asText();
        JsonNode man = StoreRecords.JSON.readTree(tmp.resolve("out/blobs/sha256/" + md.substring(7)).toFile());
        List<String> layers = new ArrayList<>();
        man.path("layers").forEach(l -> layers.add(l.path("digest").asText()));
        assertThat(layers).isEqualTo(img.diffIds().stream().map(Digest::toString).toList());
        assertThat(man.path("config").path("digest").asText()).isEqualTo(img.configDigest().toString());
        for (String l : layers) {
            assertThat(Digest.sha256(Files.readAllBytes(tmp.resolve("out/blobs/sha256/" + l.substring(7)))).toString())
                    .isEqualTo(l);
        }
    }

    @Test
    void aNameMovesToTheImageWrittenLastAndLayersAreShared() throws IOException {
        WrittenImage a = TestImages.multiLayer(tmp.resolve("oci"), "a", 7);
        WrittenImage b = TestImages.singleLayer(tmp.resolve("oci"), "b", 8);
        copy("oci:" + tmp.resolve("oci") + ":a", store() + "localhost/x:v1");
        copy("oci:" + tmp.resolve("oci") + ":a", store() + "localhost/x:other");
        byte[] lockBefore = Files.readAllBytes(tmp.resolve("root/vfs-images/images.lock"));
        copy("oci:" + tmp.resolve("oci") + ":b", store() + "localhost/x:v1");
        assertThat(Files.readAllBytes(tmp.resolve("root/vfs-images/images.lock"))).as("the write is recorded")
                .isNotEqualTo(lockBefore);

        List<ObjectNode> images = records("vfs-images/images.json");
        ObjectNode ia = StoreRecords.byId(images, a.imageId()).orElseThrow();
        ObjectNode ib = StoreRecords.byId(images, b.imageId()).orElseThrow();
        assertThat(StoreRecords.names(ia)).containsExactly("localhost/x:other");
        assertThat(StoreRecords.strings(ia, "names-history")).containsExactly("localhost/x:other", "localhost/x:v1");
        assertThat(StoreRecords.names(ib)).containsExactly("localhost/x:v1");
        assertThat(records("vfs-layers/layers.json")).hasSize(a.diffIds().size() + b.diffIds().size());
    }

    @Test
    void anIncompleteLayerLeftByADeadWriterIsReplaced() throws IOException {
        WrittenImage img = TestImages.singleLayer(tmp.resolve("oci"), "s", 9);
        String id = img.diffIds().get(0).hex();
        Path layersDir = Files.createDirectories(tmp.resolve("root/vfs-layers"));
        Files.writeString(layersDir.resolve("layers.json"), "[{\"id\":\"" + id + "\",\"created\":"
                + "\"2020-01-01T00:00:00Z\",\"flags\":{\"incomplete\":true}}]");
        Files.createDirectories(tmp.resolve("root/vfs/dir/" + id + "/junk"));
        copy("oci:" + tmp.resolve("oci") + ":s", store() + "localhost/s:v1");
        List<ObjectNode> layers = records("vfs-layers/layers.json");
        assertThat(layers).hasSize(1);
        assertThat(StoreRecords.incomplete(layers.get(0))).isFalse();
        assertThat(layers.get(0).path("diff-digest").asText()).isEqualTo(img.diffIds().get(0).toString());
        assertThat(tmp.resolve("root/vfs/dir/" + id + "/junk")).doesNotExist();
    }

    @Test
    void corruptRecordsFailWithoutWriting() throws IOException {
        TestImages.singleLayer(tmp.resolve("oci"), "s", 10);
        Path images = Files.createDirectories(tmp.resolve("root/vfs-images")).resolve("images.json");
        Files.writeString(images, "{not json");
        assertThatThrownBy(() -> copy("oci:" + tmp.resolve("oci") + ":s", store() + "localhost/s:v1"))
                .isInstanceOf(ImageException.class).hasMessageContaining("images.json");
        assertThat(images).hasContent("{not json");
        assertThatThrownBy(() -> StoreRecords.parseArray("{}".getBytes(StandardCharsets.UTF_8),
                "/x/vfs-layers/layers.json")).hasMessageContaining("cannot unmarshal object into Go value");
        assertThat(StoreRecords.parseArray(new byte[0], "layers.json")).isEmpty();
    }

    @Test
    void bigDataFileNamesAreContainersStorages() {
        assertThat(Store.bigDataFileName("manifest")).isEqualTo("manifest");
        assertThat(Store.bigDataFileName("sha256:ab")).isEqualTo("=c2hhMjU2OmFi");
        assertThat(Store.bigDataFileName("signature-0a.b")).isEqualTo("=c2lnbmF0dXJlLTBhLmI=");
        assertThat(Store.bigDataFileName("0a.b")).isEqualTo("0a.b");
    }

    @Test
    void imagesAreFoundByIdNameAndUniquePrefix() {
        List<ObjectNode> images = new ArrayList<>();
        for (String[] r : new String[][] {{"abc111", "n1"}, {"abd222", "n2"}}) {
            ObjectNode o = StoreRecords.NODES.objectNode();
            o.put("id", r[0]);
            o.putArray("names").add(r[1]);
            images.add(o);
        }
        assertThat(StoreRecords.lookup(images, "abc111").map(StoreRecords::id)).contains("abc111");
        assertThat(StoreRecords.lookup(images, "n2").map(StoreRecords::id)).contains("abd222");
        assertThat(StoreRecords.lookup(images, "abc").map(StoreRecords::id)).contains("abc111");
        assertThat(StoreRecords.lookup(images, "ab")).as("ambiguous prefix").isEmpty();
        assertThat(StoreRecords.lookup(images, "zz")).isEmpty();
    }

    @Test
    void missingLayerDataIsAnError() throws IOException {
        TestImages.singleLayer(tmp.resolve("oci"), "s", 11);
        copy("oci:" + tmp.resolve("oci") + ":s", store() + "localhost/s:v1");
        String id = StoreRecords.id(records("vfs-layers/layers.json").get(0));
        Files.delete(tmp.resolve("root/vfs-layers/" + id + ".tar-split.gz"));
        Store s = Store.open(((StorageReference) Transports.parseImageName(store() + "localhost/s:v1")).store());
        assertThatThrownBy(() -> s.spoolLayer(id, tmp)).isInstanceOf(ImageException.class)
                .matches(e -> ((ImageException) e).code() == ErrorCode.UNSUPPORTED)
                .hasMessageContaining("has no tar-split data");
    }

    /** Writes a one-layer OCI image whose config claims {@code claimedDiffId}; returns the real DiffID. */
    private Digest ociImageWithConfigDiffId(Path layout, String tag, String claimedDiffId) throws IOException {
        byte[] tar = TestTars.tar(List.of(TestTars.file("hello.txt", "hello " + tag)));
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream g = new java.util.zip.GZIPOutputStream(gz)) {
            g.write(tar);
        }
        Digest diffId = Digest.sha256(tar);
        byte[] layer = gz.toByteArray();
        byte[] config = ("{\"architecture\":\"amd64\",\"author\":\"" + tag + "\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\","
                + "\"diff_ids\":[\"" + (claimedDiffId != null ? claimedDiffId : diffId.toString()) + "\"]}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
                + Digest.sha256(config) + "\",\"size\":" + config.length + "},\"layers\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"" + Digest.sha256(layer)
                + "\",\"size\":" + layer.length + "}]}").getBytes(StandardCharsets.UTF_8);
        Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
        for (byte[] b : List.of(layer, config, manifest)) {
            Files.write(blobs.resolve(Digest.sha256(b).hex()), b);
        }
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + Digest.sha256(manifest)
                + "\",\"size\":" + manifest.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\""
                + tag + "\"}}]}");
        return diffId;
    }

    @Test
    void aWrongDiffIdInTheConfigDoesNotNameTheLayer() throws IOException {
        String bogus = "sha256:" + "0".repeat(64);
        Digest real = ociImageWithConfigDiffId(tmp.resolve("bad"), "bad", bogus);
        copy("oci:" + tmp.resolve("bad") + ":bad", store() + "localhost/bad:v1");
        List<ObjectNode> layers = records("vfs-layers/layers.json");
        assertThat(layers).hasSize(1);
        assertThat(StoreRecords.id(layers.get(0))).as("named by what the layer holds, as containers/image does")
                .isEqualTo(real.hex());
        assertThat(layers.get(0).path("diff-digest").asText()).isEqualTo(real.toString());
        assertThat(tmp.resolve("root/vfs/dir/" + "0".repeat(64))).doesNotExist();
        assertThat(tmp.resolve("root/vfs-layers/" + "0".repeat(64) + ".tar-split.gz")).doesNotExist();
    }

    @Test
    void anExistingLayerIsReusedOnlyForTheSameContent() throws IOException {
        Digest real = ociImageWithConfigDiffId(tmp.resolve("good"), "good", null);
        copy("oci:" + tmp.resolve("good") + ":good", store() + "localhost/good:v1");
        // another image whose config claims the existing layer's DiffID for different content
        Digest other = ociImageWithConfigDiffId(tmp.resolve("liar"), "liar", real.toString());
        copy("oci:" + tmp.resolve("liar") + ":liar", store() + "localhost/liar:v1");
        List<ObjectNode> layers = records("vfs-layers/layers.json");
        assertThat(layers).extracting(StoreRecords::id).containsExactlyInAnyOrder(real.hex(), other.hex());
        ObjectNode liar = StoreRecords.lookup(records("vfs-images/images.json"), "localhost/liar:v1").orElseThrow();
        assertThat(StoreRecords.topLayer(liar)).isEqualTo(other.hex());
    }

    @Test
    void deletingAnImageRemovesTheLayersOnlyItUsed() throws IOException {
        WrittenImage a = TestImages.multiLayer(tmp.resolve("oci"), "a", 12);
        WrittenImage b = TestImages.singleLayer(tmp.resolve("oci"), "b", 13);
        copy("oci:" + tmp.resolve("oci") + ":a", store() + "localhost/a:v1");
        copy("oci:" + tmp.resolve("oci") + ":b", store() + "localhost/b:v1");
        ImageContext ctx = ImageContext.builder().tmpDir(tmp).build();
        Transports.parseImageName(store() + "localhost/a:v1").deleteImage(ctx);

        List<ObjectNode> images = records("vfs-images/images.json");
        assertThat(images).extracting(StoreRecords::id).containsExactly(b.imageId());
        assertThat(tmp.resolve("root/vfs-images/" + a.imageId())).doesNotExist();
        List<ObjectNode> layers = records("vfs-layers/layers.json");
        assertThat(layers).extracting(StoreRecords::id).containsExactly(b.diffIds().get(0).hex());
        assertThat(tmp.resolve("root/vfs/dir/" + a.diffIds().get(0).hex())).doesNotExist();
        assertThat(tmp.resolve("root/vfs-layers/" + a.diffIds().get(0).hex() + ".tar-split.gz")).doesNotExist();
        assertThatThrownBy(() -> Transports.parseImageName(store() + "localhost/a:v1").deleteImage(ctx))
                .matches(e -> ((ImageException) e).code() == ErrorCode.NOT_FOUND);
    }

    @Test
    void signaturesAreStoredAndReadBack() throws IOException {
        WrittenImage img = TestImages.singleLayer(tmp.resolve("oci"), "s", 14);
        copy("oci:" + tmp.resolve("oci") + ":s", "dir:" + tmp.resolve("dir"));
        byte[] sig1 = "first signature".getBytes(StandardCharsets.UTF_8);
        byte[] sig2 = "second".getBytes(StandardCharsets.UTF_8);
        Files.write(tmp.resolve("dir/signature-1"), sig1);
        Files.write(tmp.resolve("dir/signature-2"), sig2);
        copy("dir:" + tmp.resolve("dir"), store() + "localhost/signed:v1");

        ObjectNode image = records("vfs-images/images.json").get(0);
        String m = img.manifestDigest().toString();
        assertThat(image.path("metadata").asText()).isEqualTo("{\"signature-sizes\":[15,6],\"signatures-sizes\":{\""
                + m + "\":[15,6]}}");
        assertThat(StoreRecords.strings(image, "big-data-names")).contains("signatures", "signature-" + img.manifestDigest().hex());

        assertThat(Transports.parseImageName(store() + "localhost/signed:v1")
                .newImageSource(ImageContext.defaults()).fetchSignatures(java.util.Optional.empty()))
                .extracting(dev.kopi.signature.Signature::blob).containsExactly(sig1, sig2);
        // layers come out uncompressed, which changes the manifest: signed images cannot be copied as they are
        assertThatThrownBy(() -> copy(store() + "localhost/signed:v1", "dir:" + tmp.resolve("back")))
                .hasMessageContaining("Copying this image would require changing layer representation, which we "
                        + "cannot do: \"Would invalidate signatures\"");
    }
}
