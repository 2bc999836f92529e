package dev.kopi.manifest;

import static dev.kopi.manifest.Schema1SignaturesTest.resource;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Schema1ManifestTest {
    private static final String A = "a".repeat(64);
    private static final String B = "b".repeat(64);
    private static final String C = "c".repeat(64);

    private static String blob(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    /** A schema1 manifest with one fsLayer per entry, given as {id, parent, blob char}. */
    private static byte[] manifest(String[]... entries) {
        StringBuilder fs = new StringBuilder();
        StringBuilder h = new StringBuilder();
        for (String[] e : entries) {
            fs.append(fs.length() > 0 ? "," : "").append("{\"blobSum\":\"").append(blob(e[2].charAt(0))).append("\"}");
            String v1 = "{\"id\":\"" + e[0] + "\"" + (e[1].isEmpty() ? "" : ",\"parent\":\"" + e[1] + "\"") + "}";
            h.append(h.length() > 0 ? "," : "").append("{\"v1Compatibility\":\"")
                    .append(v1.replace("\"", "\\\"")).append("\"}");
        }
        return ("{\"schemaVersion\":1,\"name\":\"n\",\"tag\":\"t\",\"architecture\":\"amd64\",\"fsLayers\":[" + fs
                + "],\"history\":[" + h + "]}").getBytes(StandardCharsets.UTF_8);
    }

    private static Schema1Manifest parse(byte[] m) throws ImageException {
        return (Schema1Manifest) Manifests.parse(m, MediaTypes.DOCKER_V2S1);
    }

    @Test
    void consecutiveEntriesWithOneIdAreMerged() throws Exception {
        // Top first: C (blob 3), B twice (blobs 2 and 1: the top one of the pair is dropped), A (blob 0).
        Schema1Manifest m = parse(manifest(new String[] {C, B, "3"}, new String[] {B, A, "2"},
                new String[] {B, A, "1"}, new String[] {A, "", "0"}));
        assertThat(m.fsLayersTopFirst()).containsExactly(Digest.of(blob('3')), Digest.of(blob('1')),
                Digest.of(blob('0')));
        assertThat(m.layers()).extracting(Descriptor::digest).containsExactly(Digest.of(blob('0')),
                Digest.of(blob('1')), Digest.of(blob('3')));
        assertThat(m.historyRootFirst()).extracting(Schema1V1Compatibility::id).containsExactly(A, B, C);
    }

    @Test
    void mergesLikeSkopeoAndSerializesAsGo() throws Exception {
        // skopeo read dup-v2s1.json (indented, unsigned), merged the duplicate and wrote this payload.
        Schema1Manifest m = parse(resource("dup-v2s1.json"));
        assertThat(new String(m.serializeUnsigned(), StandardCharsets.UTF_8))
                .isEqualTo(new String(resource("skopeo-dup-v2s1-payload.json"), StandardCharsets.UTF_8));
    }

    @Test
    void reserializesSkopeosOwnPayloadExactly() throws Exception {
        byte[] signed = resource("skopeo-v2s1-signed.json");
        Schema1Manifest m = (Schema1Manifest) Manifests.parse(signed, Manifests.guessMimeType(signed));
        assertThat(m.signed()).isTrue();
        assertThat(m.serializeUnsigned()).isEqualTo(resource("skopeo-v2s1-payload.json"));
        byte[] again = m.serialize();
        assertThat(Manifests.digest(again)).isEqualTo(Manifests.digest(signed));
    }

    @Test
    void withLayersAndNameReplaceBlobSumsAndReference() throws Exception {
        Schema1Manifest m = parse(manifest(new String[] {B, A, "1"}, new String[] {A, "", "0"}));
        List<Descriptor> layers = new ArrayList<>(m.layers());
        layers.set(0, layers.get(0).withDigestSize(Digest.of(blob('9')), 5));
        Schema1Manifest u = m.withLayers(layers).withNameAndTag("library/busybox", "1.36");
        String s = new String(u.serializeUnsigned(), StandardCharsets.UTF_8);
        assertThat(s).startsWith("{\"name\":\"library/busybox\",\"tag\":\"1.36\",\"architecture\":\"amd64\","
                + "\"fsLayers\":[{\"blobSum\":\"" + blob('1') + "\"},{\"blobSum\":\"" + blob('9') + "\"}],")
                .endsWith("\"schemaVersion\":1}");
        assertThatThrownBy(() -> m.withLayers(layers.subList(0, 1))).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "invalid ID|image ID \"xyz\" is invalid",
        "parent on base|Invalid parent ID in the base layer of the image",
        "repeated ID|ID {A} appears multiple times in manifest",
        "broken chain|Invalid parent ID. Expected {A}, got \"{C}\"",
        "count mismatch|length of history not equal to number of layers",
        "bad history|parsing v2s1 history entry 0: json: cannot unmarshal number into Go struct field "
                + "Schema1V1Compatibility.id of type string",
        "bad Cmd|parsing v2s1 history entry 0: json: cannot unmarshal string into Go struct field "
                + "schema1V1CompatibilityContainerConfig.container_config.Cmd of type []string"})
    void rejectsWhatContainersImageRejects(String what, String message) {
        byte[] m = switch (what) {
            case "invalid ID" -> manifest(new String[] {"xyz", "", "0"});
            case "parent on base" -> manifest(new String[] {A, B, "0"});
            case "repeated ID" -> manifest(new String[] {A, B, "2"}, new String[] {B, A, "1"},
                    new String[] {A, "", "0"});
            case "broken chain" -> manifest(new String[] {B, C, "1"}, new String[] {A, "", "0"});
            case "count mismatch" -> ("{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"" + blob('0')
                    + "\"}],\"history\":[]}").getBytes(StandardCharsets.UTF_8);
            case "bad history" -> ("{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"" + blob('0')
                    + "\"}],\"history\":[{\"v1Compatibility\":\"{\\\"id\\\":5}\"}]}").getBytes(StandardCharsets.UTF_8);
            case "bad Cmd" -> ("{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"" + blob('0')
                    + "\"}],\"history\":[{\"v1Compatibility\":\"{\\\"id\\\":\\\"" + A
                    + "\\\",\\\"container_config\\\":{\\\"Cmd\\\":\\\"sh\\\"}}\"}]}").getBytes(StandardCharsets.UTF_8);
            default -> throw new IllegalArgumentException(what);
        };
        assertThatThrownBy(() -> parse(m)).isInstanceOf(ImageException.class)
                .hasMessage(message.replace("{A}", A).replace("{C}", C));
    }

    @Test
    void historyFieldsAreReadAsGoDoes() throws Exception {
        Schema1V1Compatibility c = Schema1V1Compatibility.parse("{\"ID\":\"x\",\"Created\":\"2020-01-02T03:04:05.5+01:00\","
                + "\"container_config\":{\"cmd\":[\"/bin/sh\",null,\"x\"]},\"throwaway\":true,\"author\":null,"
                + "\"comment\":\"c\",\"id\":\"y\"}", 3);
        assertThat(c.id()).isEqualTo("y");
        assertThat(Schema1V1Compatibility.formatTime(c.created())).isEqualTo("2020-01-02T03:04:05.5+01:00");
        assertThat(c.cmd()).containsExactly("/bin/sh", "", "x");
        assertThat(c.throwAway()).isTrue();
        assertThat(c.author()).isEmpty();
        assertThat(c.comment()).isEqualTo("c");
        assertThat(c.toGoJson()).isEqualTo("{\"id\":\"y\",\"comment\":\"c\",\"created\":\"2020-01-02T03:04:05.5+01:00\","
                + "\"container_config\":{\"Cmd\":[\"/bin/sh\",\"\",\"x\"]},\"throwaway\":true}");
        Schema1V1Compatibility zero = Schema1V1Compatibility.parse("{\"id\":\"z\"}", 0);
        assertThat(zero.toGoJson()).isEqualTo("{\"id\":\"z\",\"created\":\"0001-01-01T00:00:00Z\","
                + "\"container_config\":{\"Cmd\":null}}");
        assertThatThrownBy(() -> Schema1V1Compatibility.parse("{\"created\":\"yesterday\"}", 2))
                .isInstanceOf(ImageException.class).hasMessageStartingWith("parsing v2s1 history entry 2: parsing time");
    }
}
