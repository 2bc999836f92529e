package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Fixtures;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.testkit.WrittenImage;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 item 2: {@code copy --referrers} and {@code --digest-tags} against the real docker-registry 2.8, which has
 * no Referrers API (it answers 404), so referrers are found and written through the referrers tag schema
 * ({@code sha256-<hex>} holding an OCI index). An SBOM refers to the image and a signature to the SBOM (both
 * listed in tag schema indexes), and a cosign-style {@code .sig} digest tag sits next to the image. skopeo's copy
 * brings none of them; kopi's brings each byte for byte, registry to registry, registry to oci and oci to registry.
 */
@Tag("beyond-skopeo")
class KopiReferrersIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";

    @TempDir
    Path tmp;
    private Sandbox sb;
    private Path layout;
    private WrittenImage image;
    private String imageDigest;
    private byte[] sbom;
    private byte[] signature;
    private byte[] cosignSig;

    private static String sha256(byte[] b) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(String digest) {
        return digest.substring("sha256:".length());
    }

    private String blob(byte[] b) throws IOException {
        String d = sha256(b);
        Files.write(layout.resolve("blobs/sha256/" + hex(d)), b);
        return d;
    }

    private static String desc(String mediaType, String digest, int size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    private static String tagged(String mediaType, String digest, int size, String tag) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size
                + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}";
    }

    /** A referrers tag schema index listing one referrer, as oras or notation push it to a registry without the API. */
    private static byte[] referrersIndex(String digest, int size, String artifactType) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
                + OCI_MANIFEST + "\",\"digest\":\"" + digest + "\",\"size\":" + size + ",\"artifactType\":\""
                + artifactType + "\"}]}").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] artifact(String artifactType, String emptyDigest, String layerType, String layerDigest,
            int layerSize, String subject, int subjectSize) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"artifactType\":\"" + artifactType
                + "\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + emptyDigest
                + "\",\"size\":2,\"data\":\"e30=\"},\"layers\":[" + desc(layerType, layerDigest, layerSize)
                + "],\"subject\":" + desc(OCI_MANIFEST, subject, subjectSize)
                + ",\"annotations\":{\"org.opencontainers.image.created\":\"2024-01-01T00:00:00Z\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Pushes the test image to {@code refs/app:v1} and, in an oci layout built here, the artifacts attached to it;
     * kopi then pushes those as plain manifests (no --referrers): an index copied with --all brings its entries.
     */
    @BeforeEach
    void setUp() throws IOException {
        sb = new Sandbox(tmp.resolve("sb"));
        image = Fixtures.single();
        imageDigest = image.manifestDigest().toString();
        layout = tmp.resolve("attached");
        Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        String empty = blob("{}".getBytes(StandardCharsets.UTF_8));
        byte[] spdx = "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"app\"}".getBytes(StandardCharsets.UTF_8);
        sbom = artifact("application/spdx+json", empty, "application/spdx+json", blob(spdx), spdx.length, imageDigest,
                image.manifest().length);
        String sbomDigest = blob(sbom);
        byte[] sigBytes = "not-really-a-signature".getBytes(StandardCharsets.UTF_8);
        signature = artifact("application/vnd.example.signature", empty, "application/octet-stream", blob(sigBytes),
                sigBytes.length, sbomDigest, sbom.length);
        String signatureDigest = blob(signature);
        byte[] sbomIndex = referrersIndex(sbomDigest, sbom.length, "application/spdx+json");
        byte[] sigIndex = referrersIndex(signatureDigest, signature.length, "application/vnd.example.signature");
        byte[] payload = ("{\"critical\":{\"image\":{\"docker-manifest-digest\":\"" + imageDigest + "\"}}}")
                .getBytes(StandardCharsets.UTF_8);
        byte[] cosignConfig = "{\"architecture\":\"\",\"os\":\"\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"
                .getBytes(StandardCharsets.UTF_8);
        cosignSig = ("{\"schemaVersion\":2,\"mediaType\":\"" + OCI_MANIFEST + "\",\"config\":"
                + desc("application/vnd.oci.image.config.v1+json", blob(cosignConfig), cosignConfig.length)
                + ",\"layers\":[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"digest\":\""
                + blob(payload) + "\",\"size\":" + payload.length + ",\"annotations\":{\"dev.cosignproject.cosign/"
                + "signature\":\"MEUCIQDfake\"}}]}").getBytes(StandardCharsets.UTF_8);
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":["
                + tagged(OCI_INDEX, blob(sbomIndex), sbomIndex.length, "image-referrers") + ","
                + tagged(OCI_INDEX, blob(sigIndex), sigIndex.length, "sbom-referrers") + ","
                + tagged(OCI_MANIFEST, blob(cosignSig), cosignSig.length, "sig") + "]}");

        sb.kopi(args("copy", REGISTRY.destArgs(), TestImage.SINGLE.ociRef(), REGISTRY.ref("refs/app:v1")))
                .assertSuccess();
        sb.kopi(args("copy", "--all", REGISTRY.destArgs(), "oci:" + layout + ":image-referrers",
                REGISTRY.ref("refs/app:sha256-" + hex(imageDigest)))).assertSuccess();
        sb.kopi(args("copy", "--all", REGISTRY.destArgs(), "oci:" + layout + ":sbom-referrers",
                REGISTRY.ref("refs/app:sha256-" + hex(sbomDigest)))).assertSuccess();
        sb.kopi(args("copy", REGISTRY.destArgs(), "oci:" + layout + ":sig",
                REGISTRY.ref("refs/app:sha256-" + hex(imageDigest) + ".sig"))).assertSuccess();
        assertThat(REGISTRY.hasManifest("refs/app", sbomDigest)).isTrue();
        assertThat(REGISTRY.api("GET", "/v2/refs/app/referrers/" + imageDigest).statusCode())
                .as("docker-registry 2.8 has no Referrers API").isEqualTo(404);
    }

    private byte[] rawManifest(String repo, String reference) {
        HttpResponse<byte[]> r = REGISTRY.api("GET", "/v2/" + repo + "/manifests/" + reference);
        assertThat(r.statusCode()).as(repo + ":" + reference).isEqualTo(200);
        return r.body();
    }

    /** The digests a referrers tag schema index in {@code repo} lists for {@code subject}. */
    private List<String> listedReferrers(String repo, String subject) throws IOException {
        JsonNode idx = JSON.readTree(rawManifest(repo, "sha256-" + hex(subject)));
        assertThat(idx.path("mediaType").asText()).isEqualTo(OCI_INDEX);
        List<String> out = new ArrayList<>();
        idx.path("manifests").forEach(m -> out.add(m.path("digest").asText()));
        return out;
    }

    @Test
    void referrersCopyRegistryToRegistryThroughTheTagSchema() throws IOException {
        String sbomDigest = sha256(sbom);
        String signatureDigest = sha256(signature);

        sb.skopeo(args("copy", REGISTRY.srcArgs(), REGISTRY.destArgs(), REGISTRY.ref("refs/app:v1"),
                REGISTRY.ref("refs-skopeo/app:v1"))).assertSuccess();
        assertThat(REGISTRY.hasManifest("refs-skopeo/app", sbomDigest)).as("skopeo leaves the SBOM behind").isFalse();
        assertThat(REGISTRY.tags("refs-skopeo/app")).containsExactly("v1");

        CommandResult r = sb.kopi(args("copy", "--referrers", REGISTRY.srcArgs(), REGISTRY.destArgs(),
                REGISTRY.ref("refs/app:v1"), REGISTRY.ref("refs-kopi/app:v1"))).assertSuccess();
        assertThat(r.stdout()).contains("Copying referrer " + sbomDigest + " of " + imageDigest,
                "Copying referrer " + signatureDigest + " of " + sbomDigest);
        assertThat(rawManifest("refs-kopi/app", sbomDigest)).isEqualTo(sbom);
        assertThat(rawManifest("refs-kopi/app", signatureDigest)).isEqualTo(signature);
        assertThat(REGISTRY.missingBlobs("refs-kopi/app", sbomDigest)).isEmpty();
        assertThat(REGISTRY.missingBlobs("refs-kopi/app", signatureDigest)).isEmpty();
        assertThat(listedReferrers("refs-kopi/app", imageDigest)).containsExactly(sbomDigest);
        assertThat(listedReferrers("refs-kopi/app", sbomDigest)).containsExactly(signatureDigest);
        JsonNode entry = JSON.readTree(rawManifest("refs-kopi/app", "sha256-" + hex(imageDigest)))
                .path("manifests").get(0);
        assertThat(entry.path("artifactType").asText()).isEqualTo("application/spdx+json");
        assertThat(entry.path("size").asInt()).isEqualTo(sbom.length);
        assertThat(entry.path("annotations").path("org.opencontainers.image.created").asText())
                .isEqualTo("2024-01-01T00:00:00Z");
        // without --digest-tags the .sig tag stays behind
        assertThat(REGISTRY.tags("refs-kopi/app")).doesNotContain("sha256-" + hex(imageDigest) + ".sig");

        // a second run finds everything listed already: no duplicate entries
        sb.kopi(args("copy", "--referrers", REGISTRY.srcArgs(), REGISTRY.destArgs(), REGISTRY.ref("refs/app:v1"),
                REGISTRY.ref("refs-kopi/app:v1"))).assertSuccess();
        assertThat(listedReferrers("refs-kopi/app", imageDigest)).containsExactly(sbomDigest);
    }

    @Test
    void referrersCopyRegistryToOciAndBack() throws IOException {
        String sbomDigest = sha256(sbom);
        String signatureDigest = sha256(signature);
        Path oci = sb.path("oci-with-referrers");
        sb.kopi(args("copy", "--referrers", REGISTRY.srcArgs(), REGISTRY.ref("refs/app:v1"), "oci:" + oci + ":v1"))
                .assertSuccess();
        assertThat(oci.resolve("blobs/sha256/" + hex(sbomDigest))).hasBinaryContent(sbom);
        assertThat(oci.resolve("blobs/sha256/" + hex(signatureDigest))).hasBinaryContent(signature);
        JsonNode index = JSON.readTree(oci.resolve("index.json").toFile());
        List<String> listed = new ArrayList<>();
        index.path("manifests").forEach(m -> listed.add(m.path("digest").asText()));
        assertThat(listed).containsExactlyInAnyOrder(imageDigest, sbomDigest, signatureDigest);
        // skopeo still reads the image by its tag
        assertThat(sb.skopeo("inspect", "--raw", "oci:" + oci + ":v1").assertSuccess().stdoutBytes())
                .isEqualTo(image.manifest());

        sb.kopi(args("copy", "--referrers", REGISTRY.destArgs(), "oci:" + oci + ":v1",
                REGISTRY.ref("refs-fromoci/app:v1"))).assertSuccess();
        assertThat(rawManifest("refs-fromoci/app", sbomDigest)).isEqualTo(sbom);
        assertThat(rawManifest("refs-fromoci/app", signatureDigest)).isEqualTo(signature);
        assertThat(listedReferrers("refs-fromoci/app", imageDigest)).containsExactly(sbomDigest);
        assertThat(listedReferrers("refs-fromoci/app", sbomDigest)).containsExactly(signatureDigest);
    }

    /** A copy that changes the image's digest (here {@code --format v2s2}) leaves its artifacts behind, warning. */
    @Test
    void aConvertedImageKeepsNoReferrers() {
        CommandResult r = sb.kopi(args("copy", "--referrers", "--digest-tags", "--format", "v2s2",
                REGISTRY.srcArgs(), REGISTRY.destArgs(), REGISTRY.ref("refs/app:v1"), REGISTRY.ref("refs-v2s2/app:v1")))
                .assertSuccess();
        assertThat(r.stderr()).contains("level=warning", "Not copying the artifacts attached to " + imageDigest);
        assertThat(REGISTRY.hasManifest("refs-v2s2/app", sha256(sbom))).isFalse();
        assertThat(REGISTRY.tags("refs-v2s2/app")).containsExactly("v1");
    }

    @Test
    void digestTagsCopyCosignsSigTag() throws IOException {
        String sigTag = "sha256-" + hex(imageDigest) + ".sig";
        sb.skopeo(args("copy", REGISTRY.srcArgs(), REGISTRY.destArgs(), REGISTRY.ref("refs/app:v1"),
                REGISTRY.ref("tags-skopeo/app:v1"))).assertSuccess();
        assertThat(REGISTRY.tags("tags-skopeo/app")).as("skopeo leaves the .sig tag behind").containsExactly("v1");

        CommandResult r = sb.kopi(args("copy", "--digest-tags", REGISTRY.srcArgs(), REGISTRY.destArgs(),
                REGISTRY.ref("refs/app:v1"), REGISTRY.ref("tags-kopi/app:v1"))).assertSuccess();
        assertThat(r.stdout()).contains("Copying digest tag " + sigTag);
        assertThat(REGISTRY.tags("tags-kopi/app")).containsExactlyInAnyOrder("v1", sigTag);
        assertThat(rawManifest("tags-kopi/app", sigTag)).isEqualTo(cosignSig);
        assertThat(REGISTRY.missingBlobs("tags-kopi/app", sigTag)).isEmpty();
        assertThat(REGISTRY.hasManifest("tags-kopi/app", sha256(sbom))).as("no referrers without --referrers")
                .isFalse();
    }

    /**
     * A {@code .sig} tag made by kopi's own sigstore signing travels with {@code --digest-tags} byte for byte; a copy
     * that signs the image itself keeps its freshly written attachment instead of the source's (with a warning).
     */
    @Test
    void digestTagsCarryAKopiSigstoreSignature() throws IOException {
        Path prefix = sb.path("key");
        Path pass = Files.writeString(sb.path("passphrase"), "secret\n");
        sb.kopi("generate-sigstore-key", "--output-prefix", prefix.toString(), "--passphrase-file", pass.toString())
                .assertSuccess();
        Path registriesD = Files.createDirectories(sb.home().resolve(".config/containers/registries.d"));
        Files.writeString(registriesD.resolve("kopi-test.yaml"), "docker:\n  " + REGISTRY.hostPort()
                + "/signed-src:\n    use-sigstore-attachments: true\n  " + REGISTRY.hostPort()
                + "/signed-again:\n    use-sigstore-attachments: true\n");
        Path digestFile = sb.path("digest");
        sb.kopi(args("copy", REGISTRY.destArgs(), "--sign-by-sigstore-private-key", prefix + ".private",
                "--sign-passphrase-file", pass, "--digestfile", digestFile, TestImage.SINGLE.ociRef(),
                REGISTRY.ref("signed-src/app:v1"))).assertSuccess();
        String digest = Files.readString(digestFile);
        String sigTag = "sha256-" + hex(digest) + ".sig";
        byte[] sig = rawManifest("signed-src/app", sigTag);

        sb.kopi(args("copy", "--digest-tags", "--remove-signatures", REGISTRY.srcArgs(), REGISTRY.destArgs(),
                REGISTRY.ref("signed-src/app:v1"), REGISTRY.ref("signed-copy/app:v1"))).assertSuccess();
        assertThat(rawManifest("signed-copy/app", sigTag)).isEqualTo(sig);
        assertThat(REGISTRY.missingBlobs("signed-copy/app", sigTag)).isEmpty();

        CommandResult again = sb.kopi(args("copy", "--digest-tags", "--sign-by-sigstore-private-key",
                prefix + ".private", "--sign-passphrase-file", pass, REGISTRY.srcArgs(), REGISTRY.destArgs(),
                REGISTRY.ref("signed-src/app:v1"), REGISTRY.ref("signed-again/app:v1"))).assertSuccess();
        assertThat(again.stderr()).contains("Not copying digest tag " + sigTag);
        JsonNode att = JSON.readTree(rawManifest("signed-again/app", sigTag));
        assertThat(att.path("layers")).as("the source's signature and the new one").hasSize(2);
    }
}
