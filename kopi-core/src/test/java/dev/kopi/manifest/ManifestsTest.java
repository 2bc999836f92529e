package dev.kopi.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ManifestsTest {
    /** containers/image's TestDockerV2S1ManifestDigest (v2s1.manifest.json and its unsigned payload). */
    static final Digest V2S1_DIGEST = Digest.of("sha256:7364fea9d84ee548ab67d4c46c6006289800c98de3fbf8c0a97138dfcc23f000");
    private static final String EMPTY_SHA256 = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = ManifestsTest.class.getResourceAsStream(name)) {
            assertThat(in).as("fixture %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- guessMimeType: the cases of containers/image's TestGuessMIMEType ----

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "v2s2.manifest.json, application/vnd.docker.distribution.manifest.v2+json",
        "v2list.manifest.json, application/vnd.docker.distribution.manifest.list.v2+json",
        "v2s1.manifest.json, application/vnd.docker.distribution.manifest.v1+prettyjws",
        "v2s1-unsigned.manifest.json, application/vnd.docker.distribution.manifest.v1+json",
        "v2s1-invalid-signatures.manifest.json, application/vnd.docker.distribution.manifest.v1+prettyjws",
        "v2s2nomime.manifest.json, application/vnd.docker.distribution.manifest.v2+json",
        "unknown-version.manifest.json, ''",
        "non-json.manifest.json, ''",
        "ociv1.manifest.json, application/vnd.oci.image.manifest.v1+json",
        "ociv1.artifact.json, application/vnd.oci.image.manifest.v1+json",
        "ociv1.image.index.json, application/vnd.oci.image.index.v1+json",
        "ociv1nomime.manifest.json, application/vnd.oci.image.manifest.v1+json",
        "ociv1nomime.artifact.json, application/vnd.oci.image.manifest.v1+json",
        "ociv1nomime.image.index.json, application/vnd.oci.image.index.v1+json",
    })
    void guessMimeTypeOfFixtures(String file, String expected) throws IOException {
        assertThat(Manifests.guessMimeType(fixture(file))).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // schema1: any non-null "signatures" means signed
        "{\"schemaVersion\":1,\"signatures\":null}|application/vnd.docker.distribution.manifest.v1+json",
        "{\"schemaVersion\":1,\"signatures\":[]}|application/vnd.docker.distribution.manifest.v1+prettyjws",
        "{\"schemaVersion\":1,\"signatures\":\"x\"}|application/vnd.docker.distribution.manifest.v1+prettyjws",
        // a recognized mediaType wins over everything else
        "{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"schemaVersion\":1}|application/vnd.oci.image.index.v1+json",
        "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\"}|application/vnd.docker.distribution.manifest.v2+json",
        // an unrecognized mediaType falls through to schemaVersion
        "{\"mediaType\":\"application/x-foo\",\"schemaVersion\":2}|application/vnd.oci.image.manifest.v1+json",
        "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v1+json\",\"schemaVersion\":3}|''",
        // schemaVersion 2 without mediaType: config type, then manifests
        "{\"schemaVersion\":2}|application/vnd.oci.image.manifest.v1+json",
        "{\"schemaVersion\":2,\"manifests\":[]}|application/vnd.oci.image.manifest.v1+json",
        "{\"schemaVersion\":2,\"manifests\":[{}]}|application/vnd.oci.image.index.v1+json",
        // Go mixes config and manifest types here (a FIXME in containers/image); kept for compatibility
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/x-cfg\"},\"manifests\":[{}]}|application/x-cfg",
        "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\"},\"manifests\":[{}]}|application/vnd.docker.distribution.manifest.v2+json",
        // no version, or not an object, or not JSON
        "{}|''",
        "[]|''",
        "null|''",
        "\"x\"|''",
        "{\"schemaVersion\":\"2\"}|''",
        "{|''",
    })
    void guessMimeTypeEdgeCases(String json, String expected) {
        assertThat(Manifests.guessMimeType(utf8(json))).isEqualTo(expected);
    }

    @Test
    void guessMimeTypeOfEmptyInput() {
        assertThat(Manifests.guessMimeType(new byte[0])).isEmpty();
    }

    // ---- normalizedMimeType: containers/image's TestNormalizedMIMEType ----

    @ParameterizedTest
    @ValueSource(strings = {MediaTypes.DOCKER_V2S1, MediaTypes.DOCKER_V2S1_SIGNED, MediaTypes.DOCKER_V2S2,
        MediaTypes.DOCKER_V2_LIST, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX})
    void normalizedMimeTypeKeepsKnownTypes(String mt) {
        assertThat(Manifests.normalizedMimeType(mt)).isEqualTo(mt);
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "text/plain", "not at all a valid MIME type", ""})
    void normalizedMimeTypeMapsEverythingElseToSignedSchema1(String mt) {
        assertThat(Manifests.normalizedMimeType(mt)).isEqualTo(MediaTypes.DOCKER_V2S1_SIGNED);
    }

    // ---- digests ----

    @Test
    void digestOfSignedSchema1StripsTheJwsSignature() throws IOException {
        byte[] signed = fixture("v2s1.manifest.json");
        byte[] unsigned = fixture("v2s1-unsigned.manifest.json");
        assertThat(Digest.sha256(signed)).isNotEqualTo(V2S1_DIGEST);
        assertThat(Manifests.digest(signed)).isEqualTo(V2S1_DIGEST);
        assertThat(Manifests.digest(unsigned)).isEqualTo(V2S1_DIGEST);
        // the payload is exactly the unsigned manifest
        assertThat(Manifests.schema1Payload(signed)).isEqualTo(unsigned);
        assertThat(Manifests.matchesDigest(signed, V2S1_DIGEST)).isTrue();
        assertThat(Manifests.matchesDigest(signed, Digest.sha256(signed))).isFalse();
    }

    @Test
    void digestOfOtherManifestsIsOverTheBytes() throws IOException {
        for (String f : List.of("v2s2.manifest.json", "v2list.manifest.json", "ociv1.manifest.json",
                "ociv1.image.index.json", "non-json.manifest.json", "unknown-version.manifest.json")) {
            byte[] b = fixture(f);
            assertThat(Manifests.digest(b)).as(f).isEqualTo(Digest.sha256(b));
        }
        assertThat(Manifests.digest(new byte[0])).hasToString(EMPTY_SHA256);
        assertThat(Manifests.matchesDigest(new byte[0], Digest.of(EMPTY_SHA256))).isTrue();
    }

    @Test
    void digestWithSha512() throws IOException {
        byte[] signed = fixture("v2s1.manifest.json");
        byte[] unsigned = fixture("v2s1-unsigned.manifest.json");
        Digest d = Manifests.digest(signed, DigestAlgorithm.SHA512);
        assertThat(d).isEqualTo(Digest.compute(DigestAlgorithm.SHA512, unsigned));
        assertThat(Manifests.matchesDigest(signed, d)).isTrue();
    }

    @Test
    void digestOfSchema1WithInvalidSignaturesFails() throws IOException {
        byte[] b = fixture("v2s1-invalid-signatures.manifest.json");
        assertThatThrownBy(() -> Manifests.digest(b)).isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        // Even the right sha256 of the bytes does not match a manifest whose signature cannot be stripped.
        assertThatThrownBy(() -> Manifests.matchesDigest(b, Digest.sha256(b))).isInstanceOf(ImageException.class);
    }

    @Test
    void digestOfSchema1WithBadProtectedHeaderFails() throws IOException {
        String signed = new String(fixture("v2s1.manifest.json"), StandardCharsets.UTF_8);
        // formatLength larger than the manifest
        String huge = signed.replaceFirst("\"protected\": \"[^\"]+\"", "\"protected\": \""
                + java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(
                        utf8("{\"formatLength\":999999,\"formatTail\":\"Cn0\"}")) + "\"");
        assertThatThrownBy(() -> Manifests.digest(utf8(huge))).isInstanceOf(ImageException.class);
        String notBase64 = signed.replaceFirst("\"protected\": \"[^\"]+\"", "\"protected\": \"!!!\"");
        assertThatThrownBy(() -> Manifests.digest(utf8(notBase64))).isInstanceOf(ImageException.class);
    }

    /** Our digests of every fixture equal {@code skopeo manifest-digest}'s (or both fail). */
    @Test
    void digestsAgreeWithSkopeo() throws Exception {
        Path skopeo = Path.of("/usr/bin/skopeo");
        Assumptions.assumeTrue(Files.isExecutable(skopeo), "skopeo is not installed");
        Path dir = Files.createTempDirectory("kopi-mt");
        try {
            for (String f : List.of("v2s2.manifest.json", "v2list.manifest.json", "v2s1.manifest.json",
                    "v2s1-unsigned.manifest.json", "v2s1-invalid-signatures.manifest.json", "v2s2nomime.manifest.json",
                    "unknown-version.manifest.json", "non-json.manifest.json", "ociv1.manifest.json",
                    "ociv1.artifact.json", "ociv1.image.index.json", "ociv1nomime.image.index.json")) {
                Path p = dir.resolve(f);
                Files.write(p, fixture(f));
                Process proc = new ProcessBuilder(skopeo.toString(), "manifest-digest", p.toString())
                        .redirectErrorStream(true).start();
                String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                assertThat(proc.waitFor(60, TimeUnit.SECONDS)).isTrue();
                if (proc.exitValue() == 0) {
                    assertThat(Manifests.digest(Files.readAllBytes(p))).as(f).hasToString(out);
                } else {
                    assertThatThrownBy(() -> Manifests.digest(Files.readAllBytes(p))).as(f)
                            .isInstanceOf(ImageException.class);
                }
            }
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    // ---- parsing ----

    @Test
    void parsesSchema2() throws IOException {
        Manifest m = Manifests.parse(fixture("v2s2.manifest.json"), MediaTypes.DOCKER_V2S2);
        assertThat(m).isInstanceOf(Schema2Manifest.class);
        Schema2Manifest s = (Schema2Manifest) m;
        assertThat(s.mediaType()).isEqualTo(MediaTypes.DOCKER_V2S2);
        assertThat(s.config().mediaType()).isEqualTo(MediaTypes.DOCKER_CONFIG);
        assertThat(s.config().size()).isEqualTo(1234);
        assertThat(s.config().digest()).hasToString("sha256:" + "1".repeat(64));
        assertThat(s.layers()).extracting(Descriptor::size).containsExactly(100L, 200L);
        assertThat(s.layers()).extracting(Descriptor::mediaType).containsOnly(MediaTypes.DOCKER_LAYER_GZIP);
        assertThat(s.layers()).extracting(d -> d.digest().toString())
                .containsExactly("sha256:" + "2".repeat(64), "sha256:" + "3".repeat(64));
    }

    @Test
    void schema2SerializesAsContainersImageDoes() throws IOException {
        Schema2Manifest s = (Schema2Manifest) Manifests.parse(fixture("v2s2.manifest.json"), MediaTypes.DOCKER_V2S2);
        // Go's schema2 field order: schemaVersion, mediaType, config, layers; descriptor: mediaType, size, digest.
        assertThat(new String(s.serialize(), StandardCharsets.UTF_8)).isEqualTo("{\"schemaVersion\":2,"
                + "\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":1234,"
                + "\"digest\":\"sha256:" + "1".repeat(64) + "\"},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":100,"
                + "\"digest\":\"sha256:" + "2".repeat(64) + "\"},"
                + "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":200,"
                + "\"digest\":\"sha256:" + "3".repeat(64) + "\"}]}");
    }

    @Test
    void parsesOciManifestWithAnnotations() throws IOException {
        OciManifest m = (OciManifest) Manifests.parse(fixture("ociv1.manifest.json"), MediaTypes.OCI_MANIFEST);
        assertThat(m.mediaTypeField()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(m.isArtifact()).isFalse();
        assertThat(m.annotations()).containsExactlyInAnyOrderEntriesOf(Map.of("com.example.a", "1", "com.example.b", "2"));
        assertThat(m.layers()).hasSize(1);
        assertThat(m.subject()).isNull();
        // OCI field order: schemaVersion, mediaType, config, layers, annotations (sorted); descriptor: mediaType,
        // digest, size.
        assertThat(new String(m.serialize(), StandardCharsets.UTF_8)).isEqualTo("{\"schemaVersion\":2,"
                + "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
                + "\"digest\":\"sha256:" + "6".repeat(64) + "\",\"size\":1234},"
                + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\","
                + "\"digest\":\"sha256:" + "7".repeat(64) + "\",\"size\":100}],"
                + "\"annotations\":{\"com.example.a\":\"1\",\"com.example.b\":\"2\"}}");
    }

    @Test
    void ociManifestWithoutMediaTypeFieldKeepsItAbsent() throws IOException {
        OciManifest m = (OciManifest) Manifests.parse(fixture("ociv1nomime.manifest.json"), MediaTypes.OCI_MANIFEST);
        assertThat(m.mediaTypeField()).isEmpty();
        assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(new String(m.serialize(), StandardCharsets.UTF_8)).startsWith("{\"schemaVersion\":2,\"config\":");
    }

    @Test
    void parsesArtifacts() throws IOException {
        OciManifest m = (OciManifest) Manifests.parse(fixture("ociv1.artifact.json"), MediaTypes.OCI_MANIFEST);
        assertThat(m.isArtifact()).isTrue();
        assertThat(m.config().mediaType()).isEqualTo("application/vnd.example.artifact.config.v1+json");
        assertThat(m.config().digest()).isNull();
        assertThat(m.layers()).isEmpty();
    }

    @Test
    void parsesOciIndexWithPlatforms() throws IOException {
        OciIndex i = (OciIndex) Manifests.parse(fixture("ociv1nomime.image.index.json"), MediaTypes.OCI_INDEX);
        assertThat(i.mediaTypeField()).isEmpty();
        assertThat(i.annotations()).containsEntry("k", "v");
        assertThat(i.instances()).hasSize(2);
        Platform p = i.instances().get(1).platform();
        assertThat(p.architecture()).isEqualTo("amd64");
        assertThat(p.os()).isEqualTo("linux");
        assertThat(p.osFeatures()).containsExactly("sse4");
        assertThat(p.variant()).isEmpty();
        assertThat(i.instances().get(0).platform().architecture()).isEqualTo("ppc64le");
    }

    @Test
    void parsesSchema2ListAndSerializesPlatforms() throws IOException {
        Schema2List l = (Schema2List) Manifests.parse(fixture("v2list.manifest.json"), MediaTypes.DOCKER_V2_LIST);
        assertThat(l.instances()).extracting(d -> d.platform().toString())
                .containsExactly("linux/amd64", "linux/arm/v7");
        String json = new String(l.serialize(), StandardCharsets.UTF_8);
        assertThat(json).isEqualTo("{\"schemaVersion\":2,"
                + "\"mediaType\":\"application/vnd.docker.distribution.manifest.list.v2+json\",\"manifests\":["
                + "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"size\":527,"
                + "\"digest\":\"sha256:" + "4".repeat(64) + "\",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}},"
                + "{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"size\":527,"
                + "\"digest\":\"sha256:" + "5".repeat(64) + "\",\"platform\":{\"architecture\":\"arm\",\"os\":\"linux\","
                + "\"variant\":\"v7\"}}]}");
    }

    @Test
    void parsesSchema1RootFirst() throws IOException {
        for (String f : List.of("v2s1.manifest.json", "v2s1-unsigned.manifest.json")) {
            byte[] b = fixture(f);
            Schema1Manifest m = (Schema1Manifest) Manifests.parse(b, Manifests.guessMimeType(b));
            assertThat(m.name()).isEqualTo("mitr/busybox");
            assertThat(m.tag()).isEqualTo("latest");
            assertThat(m.architecture()).isEqualTo("amd64");
            assertThat(m.signed()).isEqualTo(f.equals("v2s1.manifest.json"));
            assertThat(m.mediaType()).isEqualTo(Manifests.guessMimeType(b));
            assertThat(m.fsLayersTopFirst()).hasSize(3);
            assertThat(m.layers()).hasSize(3);
            assertThat(m.v1CompatibilityTopFirst().get(0)).contains("\"id\":\"f1b5eb0a1215");
            assertThat(m.config()).isNull();
        }
    }

    @Test
    void schema1LayersAreReversed() throws ImageException {
        String a = "sha256:" + "a".repeat(64);
        String b = "sha256:" + "b".repeat(64);
        String json = "{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"" + a + "\"},{\"blobSum\":\"" + b + "\"}],"
                + "\"history\":[{\"v1Compatibility\":\"{\\\"id\\\":\\\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\\\",\\\"parent\\\":\\\"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\\\"}\"},{\"v1Compatibility\":\"{\\\"id\\\":\\\"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\\\"}\"}]}";
        Schema1Manifest m = (Schema1Manifest) Manifests.parse(utf8(json), MediaTypes.DOCKER_V2S1);
        assertThat(m.layers()).extracting(d -> d.digest().toString()).containsExactly(b, a);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "{\"schemaVersion\":1,\"fsLayers\":[],\"history\":[]}|no FSLayers in manifest",
        "{\"schemaVersion\":1,\"fsLayers\":[{\"blobSum\":\"sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}],\"history\":[]}"
                + "|length of history not equal to number of layers",
        "{\"schemaVersion\":2,\"fsLayers\":[],\"history\":[]}|unsupported schema version 2",
        "{\"fsLayers\":[],\"history\":[]}|unsupported schema version 0",
    })
    void schema1Errors(String json, String message) {
        assertThatThrownBy(() -> Manifests.parse(utf8(json), MediaTypes.DOCKER_V2S1_SIGNED))
                .isInstanceOf(ImageException.class).hasMessage(message);
    }

    /** containers/image's ValidateUnambiguousManifestFormat: the fields other types use must be absent (or null). */
    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "{\"schemaVersion\":2,\"config\":{},\"layers\":[],\"manifests\":[]}|application/vnd.oci.image.manifest.v1+json"
                + "|rejecting ambiguous manifest, unexpected fields []string{\"manifests\"} in supposedly "
                + "application/vnd.oci.image.manifest.v1+json",
        "{\"schemaVersion\":2,\"config\":{},\"layers\":[],\"fsLayers\":[],\"history\":[]}"
                + "|application/vnd.docker.distribution.manifest.v2+json"
                + "|rejecting ambiguous manifest, unexpected fields []string{\"fsLayers\", \"history\"} in supposedly "
                + "application/vnd.docker.distribution.manifest.v2+json",
        "{\"schemaVersion\":2,\"manifests\":[],\"config\":{},\"layers\":[]}|application/vnd.oci.image.index.v1+json"
                + "|rejecting ambiguous manifest, unexpected fields []string{\"config\", \"layers\"} in supposedly "
                + "application/vnd.oci.image.index.v1+json",
        "{\"schemaVersion\":2,\"manifests\":[],\"history\":{}}|application/vnd.docker.distribution.manifest.list.v2+json"
                + "|rejecting ambiguous manifest, unexpected fields []string{\"history\"} in supposedly "
                + "application/vnd.docker.distribution.manifest.list.v2+json",
        // schema1 is always checked as the signed type, whatever MIME type it came with
        "{\"schemaVersion\":1,\"fsLayers\":[],\"history\":[],\"layers\":[]}"
                + "|application/vnd.docker.distribution.manifest.v1+json"
                + "|rejecting ambiguous manifest, unexpected fields []string{\"layers\"} in supposedly "
                + "application/vnd.docker.distribution.manifest.v1+prettyjws",
        "{\"schemaVersion\":1,\"fsLayers\":[],\"history\":[],\"config\":{},\"manifests\":[]}"
                + "|application/vnd.docker.distribution.manifest.v1+prettyjws"
                + "|rejecting ambiguous manifest, unexpected fields []string{\"config\", \"manifests\"} in supposedly "
                + "application/vnd.docker.distribution.manifest.v1+prettyjws",
    })
    void rejectsAmbiguousManifests(String json, String mimeType, String message) {
        assertThatThrownBy(() -> Manifests.parse(utf8(json), mimeType))
                .isInstanceOf(ImageException.class).hasMessage(message)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
    }

    @Test
    void nullFieldsAreNotAmbiguous() throws ImageException {
        Manifest m = Manifests.parse(utf8("{\"schemaVersion\":2,\"config\":{},\"layers\":[],\"manifests\":null}"),
                MediaTypes.OCI_MANIFEST);
        assertThat(m).isInstanceOf(OciManifest.class);
    }

    @Test
    void rejectsInvalidDescriptors() {
        assertThatThrownBy(() -> Manifests.parse(utf8("{\"schemaVersion\":2,\"config\":{\"digest\":\"sha256:abc\"}}"),
                MediaTypes.OCI_MANIFEST)).isInstanceOf(ImageException.class)
                .hasMessageContaining("invalid checksum digest length");
        assertThatThrownBy(() -> Manifests.parse(utf8("{\"schemaVersion\":2,\"config\":{},\"layers\":{}}"),
                MediaTypes.OCI_MANIFEST)).isInstanceOf(ImageException.class);
        assertThatThrownBy(() -> Manifests.parse(utf8("{\"schemaVersion\":2,\"config\":{},\"layers\":[1]}"),
                MediaTypes.OCI_MANIFEST)).isInstanceOf(ImageException.class);
        assertThatThrownBy(() -> Manifests.parse(utf8("{\"schemaVersion\":2,\"config\":{\"size\":\"x\"}}"),
                MediaTypes.OCI_MANIFEST)).isInstanceOf(ImageException.class);
    }

    @Test
    void rejectsInvalidJson() {
        assertThatThrownBy(() -> Manifests.parse(utf8("{\"schemaVersion\":2,"), MediaTypes.OCI_MANIFEST))
                .isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        assertThatThrownBy(() -> Manifests.parse(new byte[0], MediaTypes.OCI_MANIFEST))
                .isInstanceOf(ImageException.class).hasMessageContaining("unexpected end of JSON input");
        assertThatThrownBy(() -> Manifests.parse(utf8(" \n"), MediaTypes.OCI_MANIFEST))
                .isInstanceOf(ImageException.class).hasMessage("parsing manifest: unexpected end of JSON input");
        assertThatThrownBy(() -> Manifests.parse(utf8("[]"), MediaTypes.OCI_MANIFEST))
                .isInstanceOf(ImageException.class);
        // duplicate keys are refused (parsed strictly)
        assertThatThrownBy(() -> Manifests.parse(utf8("{\"schemaVersion\":2,\"layers\":[],\"layers\":[]}"),
                MediaTypes.OCI_MANIFEST)).isInstanceOf(ImageException.class);
    }

    @Test
    void rejectsTrailingDataAfterTheDocument() throws ImageException {
        // Go's json.Unmarshal: "invalid character 'x' after top-level value"; skopeo fails to parse such a manifest.
        byte[] trailing = utf8("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                + "\",\"config\":{},\"layers\":[]} x");
        assertThatThrownBy(() -> Manifests.parse(trailing, MediaTypes.OCI_MANIFEST))
                .isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        assertThat(Manifests.guessMimeType(trailing)).isEmpty();
        assertThatThrownBy(() -> Manifests.readTree(utf8("{} {}"), "config")).isInstanceOf(ImageException.class);
        // trailing white space is fine
        assertThat(Manifests.parse(utf8("{\"schemaVersion\":2,\"config\":{},\"layers\":[]}\n\t "),
                MediaTypes.OCI_MANIFEST)).isInstanceOf(OciManifest.class);
    }

    /** Go's encoding/json matches struct field names case-insensitively (the last matching key wins). */
    @Test
    void fieldNamesMatchCaseInsensitivelyAsInGo() throws ImageException {
        String d1 = "sha256:" + "1".repeat(64);
        String d2 = "sha256:" + "2".repeat(64);
        byte[] m = utf8("{\"SchemaVersion\":2,\"MediaType\":\"" + MediaTypes.DOCKER_V2S2 + "\","
                + "\"Config\":{\"MEDIATYPE\":\"" + MediaTypes.DOCKER_CONFIG + "\",\"Size\":7,\"Digest\":\"" + d1 + "\"},"
                + "\"LAYERS\":[{\"mediaType\":\"" + MediaTypes.DOCKER_LAYER_GZIP + "\",\"size\":3,\"digest\":\"" + d2 + "\"}]}");
        assertThat(Manifests.guessMimeType(m)).isEqualTo(MediaTypes.DOCKER_V2S2);
        Schema2Manifest s = (Schema2Manifest) Manifests.parse(m, MediaTypes.DOCKER_V2S2);
        assertThat(s.config().digest()).hasToString(d1);
        assertThat(s.config().size()).isEqualTo(7);
        assertThat(s.layers()).extracting(d -> d.digest().toString()).containsExactly(d2);
        // the last of several case variants wins
        OciManifest o = (OciManifest) Manifests.parse(utf8("{\"schemaVersion\":2,\"config\":{},"
                + "\"layers\":[{\"digest\":\"" + d1 + "\"}],\"Layers\":[{\"digest\":\"" + d2 + "\"}]}"),
                MediaTypes.OCI_MANIFEST);
        assertThat(o.layers()).extracting(d -> d.digest().toString()).containsExactly(d2);
        // and the ambiguity check sees case variants too (containers/image says so explicitly)
        assertThatThrownBy(() -> Manifests.parse(utf8("{\"schemaVersion\":2,\"config\":{},\"layers\":[],"
                + "\"Manifests\":[]}"), MediaTypes.OCI_MANIFEST)).isInstanceOf(ImageException.class)
                .hasMessage("rejecting ambiguous manifest, unexpected fields []string{\"manifests\"} in supposedly "
                        + MediaTypes.OCI_MANIFEST);
        Schema1Manifest s1 = (Schema1Manifest) Manifests.parse(utf8("{\"SCHEMAVERSION\":1,\"Tag\":\"t\","
                + "\"FSLayers\":[{\"BlobSum\":\"" + d1 + "\"}],\"History\":[{\"V1Compatibility\":\"{\\\"id\\\":\\\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\\\"}\"}]}"),
                MediaTypes.DOCKER_V2S1);
        assertThat(s1.tag()).isEqualTo("t");
        assertThat(s1.fsLayersTopFirst()).extracting(Object::toString).containsExactly(d1);
        OciIndex i = (OciIndex) Manifests.parse(utf8("{\"schemaVersion\":2,\"MANIFESTS\":[{\"digest\":\"" + d1
                + "\",\"Platform\":{\"OS\":\"linux\",\"Architecture\":\"arm\",\"Variant\":\"v7\"}}]}"),
                MediaTypes.OCI_INDEX);
        assertThat(i.instances().get(0).platform().toString()).isEqualTo("linux/arm/v7");
    }

    @Test
    void unknownMimeTypesParseAsSchema1() {
        // NormalizedMIMEType maps unknown types to signed schema1; a schema2 body then fails as schema1 would.
        assertThatThrownBy(() -> Manifests.parse(utf8("{\"schemaVersion\":2,\"config\":{},\"layers\":[]}"),
                "text/plain")).isInstanceOf(ImageException.class).hasMessage("unsupported schema version 2");
    }

    @Test
    void effectiveMimeType() throws IOException {
        byte[] oci = fixture("ociv1.manifest.json");
        assertThat(Manifests.effectiveMimeType(oci, null)).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(Manifests.effectiveMimeType(oci, "")).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(Manifests.effectiveMimeType(oci, MediaTypes.DOCKER_V2S2 + "; charset=utf-8"))
                .isEqualTo(MediaTypes.DOCKER_V2S2);
    }
}
