package dev.kopi.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReferrersTest {
    @ParameterizedTest
    @CsvSource({
        // sha256: the whole hex
        "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, "
                + "sha256-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        // sha512: the hex cut to 64 characters
        "sha512:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                + "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210, "
                + "sha512-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    })
    void fallbackTagFollowsTheReferrersTagSchema(String digest, String tag) {
        assertThat(Referrers.fallbackTag(Digest.of(digest))).isEqualTo(tag);
    }

    @Test
    void cosignTagsNameSigAttAndSbom() {
        Digest d = Digest.of("sha256:" + "ab".repeat(32));
        assertThat(Referrers.cosignTags(d)).containsExactly("sha256-" + "ab".repeat(32) + ".sig",
                "sha256-" + "ab".repeat(32) + ".att", "sha256-" + "ab".repeat(32) + ".sbom");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static final String CONFIG = "{\"mediaType\":\"application/vnd.example.config\",\"digest\":\"sha256:"
            + "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2}";

    @Test
    void aManifestWithoutArtifactTypeIsListedWithItsConfigType() throws Exception {
        byte[] m = bytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + CONFIG
                + ",\"layers\":[],\"annotations\":{\"a\":\"1\"}}");
        Descriptor d = Referrers.descriptorFor(m, MediaTypes.OCI_MANIFEST);
        assertThat(d.artifactType()).isEqualTo("application/vnd.example.config");
        assertThat(d.annotations()).containsEntry("a", "1");
        assertThat(d.size()).isEqualTo(m.length);
        assertThat(d.digest()).isEqualTo(Digest.sha256(m));
        assertThat(d.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
    }

    @Test
    void aManifestsOwnArtifactTypeWins() throws Exception {
        byte[] m = bytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"artifactType\":\"application/vnd.example.sbom\",\"config\":" + CONFIG + ",\"layers\":[]}");
        assertThat(Referrers.descriptorFor(m, MediaTypes.OCI_MANIFEST).artifactType())
                .isEqualTo("application/vnd.example.sbom");
    }

    @Test
    void anIndexWithoutArtifactTypeIsListedWithNone() throws Exception {
        byte[] m = bytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX + "\",\"manifests\":[]}");
        Descriptor d = Referrers.descriptorFor(m, MediaTypes.OCI_INDEX);
        assertThat(d.artifactType()).isEmpty();
        assertThat(new String(Referrers.emptyIndex().withInstances(List.of(d)).serialize(), StandardCharsets.UTF_8))
                .doesNotContain("artifactType");
    }

    @Test
    void withEntryAddsOnceOnly() {
        Descriptor a = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.of("sha256:" + "0a".repeat(32)), 1);
        OciIndex one = Referrers.withEntry(Referrers.emptyIndex(), a).orElseThrow();
        assertThat(one.instances()).containsExactly(a);
        assertThat(Referrers.withEntry(one, a)).isEmpty();
        assertThat(new String(one.serialize(), StandardCharsets.UTF_8))
                .startsWith("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",");
    }

    @Test
    void aTagSchemaTagMustHoldAnIndex() {
        byte[] m = bytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":" + CONFIG
                + ",\"layers\":[]}");
        assertThatThrownBy(() -> Referrers.parseIndex(m, MediaTypes.OCI_MANIFEST, "referrers tag t"))
                .hasMessage("referrers tag t is a " + MediaTypes.OCI_MANIFEST + ", not an OCI image index");
    }
}
