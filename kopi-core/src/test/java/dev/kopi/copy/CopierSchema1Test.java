package dev.kopi.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.image.Schema1Conversions;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.Schema1Manifest;
import dev.kopi.manifest.Schema1V1Compatibility;
import dev.kopi.transport.Transports;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Copies that convert to and from Docker schema1, through real dir: and oci: transports. */
class CopierSchema1Test {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] PLAIN_A = "layer A content\n".repeat(3000).getBytes(StandardCharsets.UTF_8);
    private static final byte[] PLAIN_B = "layer B, other content\n".repeat(500).getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
            gz.write(plain);
        }
        return bos.toByteArray();
    }

    private static CopyOptions options(String format, boolean preserveDigests) {
        return new CopyOptions(null, null, format, null, false, preserveDigests, null, null, 0, null, null);
    }

    private static CopyResult copy(String from, String to, String format) throws IOException {
        return Copier.copy(Transports.parseImageName(from), Transports.parseImageName(to), options(format, false));
    }

    /** Writes a v2s2 dir: image whose config history has empty layers (second and last entries). */
    private Path writeV2s2(String name, List<byte[]> blobs, String layerType) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        Files.writeString(dir.resolve("version"), "Directory Transport Version: 1.1\n");
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("architecture", "arm64");
        config.put("os", "linux");
        config.put("config", Map.of("Env", List.of("A=1")));
        config.put("rootfs", Map.of("type", "layers", "diff_ids",
                List.of(Digest.sha256(PLAIN_A).toString(), Digest.sha256(PLAIN_B).toString())));
        config.put("history", List.of(Map.of("created_by", "add A"),
                Map.of("created_by", "env", "empty_layer", true, "created", "2024-01-02T03:04:05Z"),
                Map.of("created_by", "add B"), Map.of("created_by", "cmd", "empty_layer", true)));
        byte[] configBytes = JSON.writeValueAsBytes(config);
        Files.write(dir.resolve(Digest.sha256(configBytes).encoded()), configBytes);
        List<Object> layers = new ArrayList<>();
        for (byte[] b : blobs) {
            Files.write(dir.resolve(Digest.sha256(b).encoded()), b);
            layers.add(Map.of("mediaType", layerType, "size", b.length, "digest", Digest.sha256(b).toString()));
        }
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.DOCKER_V2S2);
        manifest.put("config", Map.of("mediaType", MediaTypes.DOCKER_CONFIG, "size", configBytes.length, "digest",
                Digest.sha256(configBytes).toString()));
        manifest.put("layers", layers);
        Files.write(dir.resolve("manifest.json"), JSON.writeValueAsBytes(manifest));
        return dir;
    }

    private static List<String> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static JsonNode blobJson(Path dir, String digest) throws IOException {
        return JSON.readTree(Files.readAllBytes(dir.resolve(Digest.of(digest).encoded())));
    }

    @Test
    void toSchema1AndBack() throws Exception {
        byte[] a = gzip(PLAIN_A);
        byte[] b = gzip(PLAIN_B);
        Path src = writeV2s2("src", List.of(a, b), MediaTypes.DOCKER_LAYER_GZIP);
        Path s1 = tmp.resolve("s1");

        CopyResult r = copy("dir:" + src, "dir:" + s1, MediaTypes.DOCKER_V2S1_SIGNED);
        byte[] written = Files.readAllBytes(s1.resolve("manifest.json"));
        assertThat(r.manifest()).isEqualTo(written);
        assertThat(r.mediaType()).isEqualTo(MediaTypes.DOCKER_V2S1_SIGNED);
        assertThat(r.manifestDigest()).isEqualTo(Manifests.digest(written));
        assertThat(Manifests.guessMimeType(written)).isEqualTo(MediaTypes.DOCKER_V2S1_SIGNED);
        Schema1Manifest m = (Schema1Manifest) Manifests.parse(written, MediaTypes.DOCKER_V2S1_SIGNED);
        Digest empty = Schema1Conversions.GZIPPED_EMPTY_LAYER_DIGEST;
        assertThat(m.fsLayersTopFirst()).containsExactly(empty, Digest.sha256(b), empty, Digest.sha256(a));
        assertThat(m.architecture()).isEqualTo("arm64");
        assertThat(m.historyRootFirst()).extracting(Schema1V1Compatibility::throwAway)
                .containsExactly(false, true, false, true);
        // No config blob in schema1; the gzipped empty layer was stored once.
        assertThat(files(s1)).containsExactlyInAnyOrder(Digest.sha256(a).encoded(), Digest.sha256(b).encoded(),
                empty.encoded(), "manifest.json", "version");
        assertThat(Files.readAllBytes(s1.resolve(empty.encoded()))).isEqualTo(Schema1Conversions.gzippedEmptyLayer());

        // Back to v2s2: DiffIDs computed while copying, throwaway layers left out of the manifest.
        Path back = tmp.resolve("back");
        CopyResult r2 = copy("dir:" + s1, "dir:" + back, MediaTypes.DOCKER_V2S2);
        JsonNode bm = JSON.readTree(r2.manifest());
        assertThat(bm.get("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_V2S2);
        assertThat(bm.get("layers")).hasSize(2);
        assertThat(bm.get("layers").get(0).get("digest").asText()).isEqualTo(Digest.sha256(a).toString());
        assertThat(bm.get("layers").get(0).get("size").asLong()).isEqualTo(a.length);
        assertThat(bm.get("layers").get(1).get("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_LAYER_GZIP);
        JsonNode cfg = blobJson(back, bm.get("config").get("digest").asText());
        assertThat(cfg.get("rootfs").get("diff_ids")).extracting(JsonNode::asText)
                .containsExactly(Digest.sha256(PLAIN_A).toString(), Digest.sha256(PLAIN_B).toString());
        assertThat(cfg.get("history")).extracting(h -> h.path("empty_layer").asBoolean())
                .containsExactly(false, true, false, true);
        assertThat(cfg.get("history").get(1).get("created").asText()).isEqualTo("2024-01-02T03:04:05Z");
        assertThat(cfg.get("history").get(0).get("created_by").asText()).isEqualTo("add A");
        assertThat(cfg.get("architecture").asText()).isEqualTo("arm64");
        assertThat(cfg.get("config").get("Env").get(0).asText()).isEqualTo("A=1");
        assertThat(cfg.has("id")).isFalse();

        // And to an OCI layout, which only takes OCI manifests.
        Path oci = tmp.resolve("oci");
        CopyResult r3 = copy("dir:" + s1, "oci:" + oci + ":t", null);
        assertThat(r3.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        JsonNode om = JSON.readTree(r3.manifest());
        assertThat(om.get("layers")).extracting(l -> l.get("mediaType").asText())
                .containsExactly(MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_GZIP);
        JsonNode ocfg = JSON.readTree(Files.readAllBytes(oci.resolve("blobs/sha256")
                .resolve(Digest.of(om.get("config").get("digest").asText()).encoded())));
        assertThat(ocfg.get("rootfs").get("diff_ids")).isEqualTo(cfg.get("rootfs").get("diff_ids"));
    }

    @Test
    void diffIdsAreOfTheSourceDataWhenTheDestinationCompresses() throws Exception {
        Path src = writeV2s2("plain", List.of(PLAIN_A, PLAIN_B), MediaTypes.DOCKER_LAYER);
        Path s1 = tmp.resolve("s1");
        copy("dir:" + src, "dir:" + s1, MediaTypes.DOCKER_V2S1_SIGNED);
        Path oci = tmp.resolve("oci");
        CopyResult r = copy("dir:" + s1, "oci:" + oci + ":t", null);
        JsonNode om = JSON.readTree(r.manifest());
        assertThat(om.get("layers").get(0).get("digest").asText()).isNotEqualTo(Digest.sha256(PLAIN_A).toString());
        JsonNode ocfg = JSON.readTree(Files.readAllBytes(oci.resolve("blobs/sha256")
                .resolve(Digest.of(om.get("config").get("digest").asText()).encoded())));
        assertThat(ocfg.get("rootfs").get("diff_ids")).extracting(JsonNode::asText)
                .containsExactly(Digest.sha256(PLAIN_A).toString(), Digest.sha256(PLAIN_B).toString());
    }

    @Test
    void schema1StaysAsItIsWhenItNeedNotChange() throws Exception {
        Path src = writeV2s2("src", List.of(gzip(PLAIN_A), gzip(PLAIN_B)), MediaTypes.DOCKER_LAYER_GZIP);
        Path s1 = tmp.resolve("s1");
        copy("dir:" + src, "dir:" + s1, MediaTypes.DOCKER_V2S1_SIGNED);
        Path again = tmp.resolve("again");
        copy("dir:" + s1, "dir:" + again, MediaTypes.DOCKER_V2S1_SIGNED);
        copy("dir:" + s1, "dir:" + tmp.resolve("plain"), null);
        assertThat(Files.readAllBytes(again.resolve("manifest.json")))
                .isEqualTo(Files.readAllBytes(s1.resolve("manifest.json")))
                .isEqualTo(Files.readAllBytes(tmp.resolve("plain/manifest.json")));
    }

    @Test
    void refusesConversionsThatWouldChangeDigestsOrThatTheDestinationCannotStore() throws Exception {
        Path src = writeV2s2("src", List.of(gzip(PLAIN_A), gzip(PLAIN_B)), MediaTypes.DOCKER_LAYER_GZIP);
        // With --preserve-digests no conversion is attempted (containers/image): the v2s2 manifest is kept.
        Copier.copy(Transports.parseImageName("dir:" + src), Transports.parseImageName("dir:" + tmp.resolve("kept")),
                options(MediaTypes.DOCKER_V2S1_SIGNED, true));
        assertThat(Files.readAllBytes(tmp.resolve("kept/manifest.json")))
                .isEqualTo(Files.readAllBytes(src.resolve("manifest.json")));
        assertThatThrownBy(() -> copy("dir:" + src, "docker-archive:" + tmp.resolve("x.tar"),
                MediaTypes.DOCKER_V2S1_SIGNED))
                .isInstanceOf(ImageException.class)
                .hasMessage("writing manifest: Unsupported manifest type, need a Docker schema 2 manifest");
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    void aListOfSchema1ImagesIsADockerList() throws Exception {
        Path layout = tmp.resolve("layout");
        dev.kopi.testkit.WrittenIndex idx = dev.kopi.testkit.TestImages.multiPlatform(layout, "idx", 7);
        Path out = tmp.resolve("out");
        CopyOptions all = new CopyOptions(null, null, MediaTypes.DOCKER_V2S1_SIGNED, MultiArch.ALL, false, false, null,
                null, 0, null, null);
        CopyResult r = Copier.copy(Transports.parseImageName("oci:" + layout + ":idx"),
                Transports.parseImageName("dir:" + out), all);
        assertThat(r.mediaType()).isEqualTo(MediaTypes.DOCKER_V2_LIST);
        JsonNode list = JSON.readTree(r.manifest());
        assertThat(list.get("manifests")).hasSize(idx.instances().size());
        for (JsonNode d : list.get("manifests")) {
            assertThat(d.get("mediaType").asText()).isEqualTo(MediaTypes.DOCKER_V2S1_SIGNED);
            byte[] instance = Files.readAllBytes(out.resolve(Digest.of(d.get("digest").asText()).encoded()
                    + ".manifest.json"));
            assertThat(instance).hasSize(d.get("size").asInt());
            assertThat(Manifests.digest(instance).toString()).isEqualTo(d.get("digest").asText());
            assertThat(Manifests.guessMimeType(instance)).isEqualTo(MediaTypes.DOCKER_V2S1_SIGNED);
            assertThat(JSON.readTree(instance).get("architecture").asText())
                    .isEqualTo(d.get("platform").get("architecture").asText());
        }
    }

    @Test
    void targetTypeFollowsContainersImagesPreferences() throws Exception {
        List<String> registry = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_V2S2,
                MediaTypes.DOCKER_V2S1_SIGNED, MediaTypes.DOCKER_V2S1);
        assertThat(Copier.targetType(MediaTypes.DOCKER_V2S1_SIGNED, registry, null))
                .isEqualTo(MediaTypes.DOCKER_V2S1_SIGNED);
        assertThat(Copier.targetType(MediaTypes.DOCKER_V2S1_SIGNED, List.of(MediaTypes.OCI_MANIFEST,
                MediaTypes.DOCKER_V2S2), null)).isEqualTo(MediaTypes.DOCKER_V2S2);
        assertThat(Copier.targetType(MediaTypes.DOCKER_V2S1, List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX),
                null)).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(Copier.targetType(MediaTypes.OCI_MANIFEST, List.of(), MediaTypes.DOCKER_V2S1_SIGNED))
                .isEqualTo(MediaTypes.DOCKER_V2S1_SIGNED);
        assertThat(Copier.targetType(MediaTypes.DOCKER_V2S1, List.of(), MediaTypes.DOCKER_V2S1_SIGNED))
                .isEqualTo(MediaTypes.DOCKER_V2S1_SIGNED);
        assertThat(Copier.targetType(MediaTypes.DOCKER_V2S1, List.of(), null)).isEqualTo(MediaTypes.DOCKER_V2S1);
    }
}
