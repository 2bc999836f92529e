package dev.kopi.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.Schema1Manifest;
import dev.kopi.manifest.Schema1V1Compatibility;
import dev.kopi.manifest.Schema2Manifest;
import dev.kopi.reference.DockerReference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Golden tests against what skopeo 1.9.3 wrote (see src/test/resources/dev/kopi/schema1/README.md). */
class Schema1ConversionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = Schema1ConversionsTest.class.getResourceAsStream("/dev/kopi/schema1/" + name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static List<Digest> sourceLayers() throws IOException {
        Schema2Manifest m = (Schema2Manifest) Manifests.parse(resource("source-v2s2-manifest.json"),
                MediaTypes.DOCKER_V2S2);
        return m.layers().stream().map(Descriptor::digest).toList();
    }

    private static List<Digest> diffIds(String configResource) throws IOException {
        List<Digest> out = new ArrayList<>();
        for (JsonNode d : JSON.readTree(resource(configResource)).path("rootfs").path("diff_ids")) {
            out.add(Digest.of(d.asText()));
        }
        return out;
    }

    private static Schema1Manifest schema1(String resource) throws IOException {
        byte[] b = resource(resource);
        return (Schema1Manifest) Manifests.parse(b, Manifests.guessMimeType(b));
    }

    @Test
    void convertsAConfigToSchema1AsSkopeo() throws Exception {
        List<Digest> layers = sourceLayers();
        Schema1Conversions.ToSchema1 r = Schema1Conversions.toSchema1(resource("source-config.json"), layers, layers,
                Optional.empty());
        assertThat(r.usesEmptyLayer()).isTrue();
        assertThat(text(r.manifest().serializeUnsigned())).isEqualTo(text(resource("skopeo-v2s1-payload.json")));
    }

    @Test
    void blobSumsAreTheStoredDigestsButIdsComeFromTheSource() throws Exception {
        List<Digest> layers = sourceLayers();
        List<Digest> stored = List.of(Digest.sha256(new byte[] {1}), Digest.sha256(new byte[] {2}),
                Digest.sha256(new byte[] {3}));
        Schema1Manifest same = Schema1Conversions.toSchema1(resource("source-config.json"), layers, layers,
                Optional.empty()).manifest();
        Schema1Manifest moved = Schema1Conversions.toSchema1(resource("source-config.json"), layers, stored,
                Optional.of(DockerReference.parseNormalized("quay.io/org/app:v2"))).manifest();
        assertThat(moved.v1CompatibilityTopFirst()).isEqualTo(same.v1CompatibilityTopFirst());
        assertThat(moved.name()).isEqualTo("org/app");
        assertThat(moved.tag()).isEqualTo("v2");
        // History top first: empty, layer 2, empty, layer 1, empty, layer 0.
        assertThat(moved.fsLayersTopFirst()).containsExactly(Schema1Conversions.GZIPPED_EMPTY_LAYER_DIGEST,
                stored.get(2), Schema1Conversions.GZIPPED_EMPTY_LAYER_DIGEST, stored.get(1),
                Schema1Conversions.GZIPPED_EMPTY_LAYER_DIGEST, stored.get(0));
        Schema1Manifest untagged = Schema1Conversions.toSchema1(resource("source-config.json"), layers, layers,
                Optional.of(DockerReference.parseNormalized("busybox"))).manifest();
        assertThat(untagged.name()).isEqualTo("library/busybox");
        assertThat(untagged.tag()).isEmpty();
    }

    @Test
    void v1IdsChainThroughSha256() throws Exception {
        List<Digest> layers = sourceLayers();
        Schema1Manifest m = Schema1Conversions.toSchema1(resource("source-config.json"), layers, layers,
                Optional.empty()).manifest();
        List<Schema1V1Compatibility> h = m.historyRootFirst();
        String root = Digest.sha256((layers.get(0).encoded() + " ").getBytes(StandardCharsets.UTF_8)).encoded();
        assertThat(h.get(0).id()).isEqualTo(root);
        assertThat(h.get(0).parent()).isEmpty();
        String second = Digest.sha256((Schema1Conversions.GZIPPED_EMPTY_LAYER_DIGEST.encoded() + " " + root)
                .getBytes(StandardCharsets.UTF_8)).encoded();
        assertThat(h.get(1).id()).isEqualTo(second);
        assertThat(h.get(1).parent()).isEqualTo(root);
        assertThat(h.get(1).throwAway()).isTrue();
        for (int i = 1; i < h.size(); i++) {
            assertThat(h.get(i).parent()).isEqualTo(h.get(i - 1).id());
        }
    }

    @Test
    void gzippedEmptyLayerIsAnEmptyTar() throws Exception {
        byte[] gz = Schema1Conversions.gzippedEmptyLayer();
        assertThat(Digest.sha256(gz)).isEqualTo(Schema1Conversions.GZIPPED_EMPTY_LAYER_DIGEST);
        try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
            assertThat(in.readAllBytes()).hasSize(1024).containsOnly((byte) 0);
        }
    }

    @ParameterizedTest
    @CsvSource({
        "skopeo-v2s1-signed.json, skopeo-back-v2s2-config.json",
        "dup-v2s1.json, skopeo-dup-v2s2-config.json",
        "legacy-v2s1.json, skopeo-legacy-v2s2-config.json"})
    void buildsTheConfigOfASchema1ImageAsSkopeo(String manifest, String expectedConfig) throws Exception {
        byte[] config = Schema1Conversions.toSchema2Config(schema1(manifest), diffIds(expectedConfig));
        assertThat(text(config)).isEqualTo(text(resource(expectedConfig)));
    }

    @Test
    void ociConfigOfTheConvertedImageIsSkopeos() throws Exception {
        byte[] config = Schema1Conversions.toSchema2Config(schema1("skopeo-v2s1-signed.json"),
                diffIds("skopeo-back-v2s2-config.json"));
        assertThat(text(ImageConfigs.toOciConfigBytes(config))).isEqualTo(text(resource("skopeo-back-oci-config.json")));
    }

    @Test
    void noDiffIdsMeansNoDiffIdsMember() throws Exception {
        byte[] config = Schema1Conversions.toSchema2Config(schema1("skopeo-v2s1-signed.json"), List.of());
        assertThat(JSON.readTree(config).get("rootfs").toString()).isEqualTo("{\"type\":\"layers\"}");
    }

    @Test
    void refusesConfigsWithoutHistoryOrWithTooFewLayers() throws Exception {
        byte[] noHistory = "{\"architecture\":\"amd64\",\"rootfs\":{\"type\":\"layers\"}}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Schema1Conversions.toSchema1(noHistory, List.of(), List.of(), Optional.empty()))
                .isInstanceOf(ImageException.class)
                .hasMessage("Cannot convert an image with 0 history entries to " + MediaTypes.DOCKER_V2S1_SIGNED);
        byte[] two = "{\"history\":[{\"created_by\":\"a\"},{\"created_by\":\"b\"}]}".getBytes(StandardCharsets.UTF_8);
        List<Digest> one = List.of(Digest.sha256(new byte[0]));
        assertThatThrownBy(() -> Schema1Conversions.toSchema1(two, one, one, Optional.empty()))
                .isInstanceOf(ImageException.class)
                .hasMessage("Invalid image configuration, needs more than the 1 distributed layers");
    }

    @Test
    void topEntryIsTheConfigWithSortedKeysCompactedAndEscaped() throws Exception {
        byte[] config = ("{ \"os\" : \"linux\", \"b\": [1.50, 2e3, {\"z\":\"<&>\", \"a\": null}],\n \"é\": true,"
                + " \"history\": [{\"created_by\": \"x\", \"empty_layer\": true}], \"rootfs\": {}, \"b\": \"last\" }")
                .getBytes(StandardCharsets.UTF_8);
        List<Digest> none = List.of();
        Schema1Manifest m = Schema1Conversions.toSchema1(config, none, none, Optional.empty()).manifest();
        String id = Digest.sha256(cat((Schema1Conversions.GZIPPED_EMPTY_LAYER_DIGEST.encoded() + "  ")
                .getBytes(StandardCharsets.UTF_8), config)).encoded();
        assertThat(m.v1CompatibilityTopFirst()).containsExactly("{\"b\":\"last\",\"id\":\"" + id
                + "\",\"os\":\"linux\",\"throwaway\":true,\"é\":true}");
        assertThat(m.architecture()).isEmpty();
    }

    private static byte[] cat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void rawValuesKeepTheirTextButLoseWhitespace() throws Exception {
        RawJsonObject o = RawJsonObject.parse(("{\"k\": [1.50, 2e3, {\"z\" : \"a <b> & \\\" c\\u003c\u2028\","
                + " \"a\": null}], \"\uD83D\uDE00\": 1, \"\uFFFD\": 2}").getBytes(StandardCharsets.UTF_8), "x");
        // Go sorts keys by UTF-8 bytes: U+FFFD before U+1F600 (UTF-16 order would put the surrogates first).
        assertThat(text(o.marshal())).isEqualTo("{\"k\":[1.50,2e3,{\"z\":\"a \\u003cb\\u003e \\u0026 \\\" c\\u003c"
                + "\\u2028\",\"a\":null}],\"\uFFFD\":2,\"\uD83D\uDE00\":1}");
        assertThatThrownBy(() -> RawJsonObject.parse("[1]".getBytes(StandardCharsets.UTF_8), "x"))
                .isInstanceOf(ImageException.class).hasMessageContaining("cannot unmarshal array");
    }

    @ParameterizedTest
    @CsvSource({"1.8.2,1.8.3,true", "1.8.3,1.8.3,false", "1.10.0,1.8.3,false", "1.8,1.8.3,true", "1.8.2-dev,1.8.3,true",
        "0.9,1.8.3,true", "17.03.1-ce,1.8.3,false", "x,1.8.3,true"})
    void dockerVersionsCompareNumerically(String v, String other, boolean less) {
        assertThat(Schema1Conversions.versionLessThan(v, other)).isEqualTo(less);
    }
}
