package dev.kopi.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.Digest;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.testkit.OciLayoutWriter;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code copy --referrers} and {@code --digest-tags} between OCI layouts: the artifacts attached to the copied image
 * (referrers listed in index.json, a referrer of a referrer found through the tag schema's index, cosign's
 * {@code .sig} digest tag) arrive byte for byte, and nothing of them without the flags.
 */
class CopierReferrersTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMPTY = "{}";

    @TempDir
    Path tmp;
    private Path srcDir;
    private WrittenImage image;
    private byte[] sbom;
    private byte[] sigOfSbom;
    private byte[] cosignSig;
    private byte[] unrelated;

    @BeforeEach
    void layout() throws Exception {
        srcDir = tmp.resolve("src");
        image = TestImages.singleLayer(srcDir, "latest", 7);
        OciLayoutWriter w = new OciLayoutWriter(srcDir);
        Digest empty = w.putBlob(EMPTY.getBytes(StandardCharsets.UTF_8));
        Digest sbomBlob = w.putBlob("{\"spdxVersion\":\"SPDX-2.3\"}".getBytes(StandardCharsets.UTF_8));
        sbom = artifact("application/spdx+json", empty, sbomBlob, 26, image.manifestDigest(), image.manifest().length,
                MediaTypes.OCI_MANIFEST);
        Digest sbomDigest = w.putBlob(sbom);
        w.tag(null, MediaTypes.OCI_MANIFEST, sbomDigest, sbom.length); // listed untagged, as oras does

        Digest sigBlob = w.putBlob("signature-bytes".getBytes(StandardCharsets.UTF_8));
        sigOfSbom = artifact("application/vnd.example.signature", empty, sigBlob, 15, sbomDigest, sbom.length,
                MediaTypes.OCI_MANIFEST);
        Digest sigDigest = w.putBlob(sigOfSbom);
        // the referrer of the referrer is found through the tag schema's index, not by a scan
        String entry = "{\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + sigDigest + "\",\"size\":"
                + sigOfSbom.length + ",\"artifactType\":\"application/vnd.example.signature\"}";
        byte[] fallbackIndex = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_INDEX
                + "\",\"manifests\":[" + entry + "]}").getBytes(StandardCharsets.UTF_8);
        Digest fi = w.putBlob(fallbackIndex);
        w.tag("sha256-" + sbomDigest.encoded(), MediaTypes.OCI_INDEX, fi, fallbackIndex.length);

        Digest cosignLayer = w.putBlob("{\"critical\":{}}".getBytes(StandardCharsets.UTF_8));
        cosignSig = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + empty + "\",\"size\":2},\"layers\":"
                + "[{\"mediaType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"digest\":\"" + cosignLayer
                + "\",\"size\":15}]}").getBytes(StandardCharsets.UTF_8);
        Digest cosignDigest = w.putBlob(cosignSig);
        w.tag("sha256-" + image.manifestDigest().encoded() + ".sig", MediaTypes.OCI_MANIFEST, cosignDigest,
                cosignSig.length);

        // an artifact about some other manifest stays behind
        unrelated = artifact("application/vnd.example.other", empty, sigBlob, 15,
                Digest.of("sha256:" + "99".repeat(32)), 10, MediaTypes.OCI_MANIFEST);
        Digest u = w.putBlob(unrelated);
        w.tag(null, MediaTypes.OCI_MANIFEST, u, unrelated.length);
    }

    private static byte[] artifact(String type, Digest config, Digest layer, long layerSize, Digest subject,
            long subjectSize, String subjectType) {
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"artifactType\":\"" + type
                + "\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + config
                + "\",\"size\":2},\"layers\":[{\"mediaType\":\"" + type + "\",\"digest\":\"" + layer + "\",\"size\":"
                + layerSize + "}],\"subject\":{\"mediaType\":\"" + subjectType + "\",\"digest\":\"" + subject
                + "\",\"size\":" + subjectSize + "},\"annotations\":{\"org.example.kind\":\"" + type + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    private CopyResult copy(Path dest, AttachedArtifacts attached) throws Exception {
        CopyOptions o = CopyTesting.options(tmp).build().withAttached(attached);
        return Copier.copy(CopyTesting.ref("oci:" + srcDir + ":latest"), CopyTesting.ref("oci:" + dest + ":v1"), o);
    }

    /** index.json entries: digest -> ref name ("" when untagged). */
    private static Map<String, String> entries(Path layout) throws Exception {
        JsonNode n = JSON.readTree(Files.readAllBytes(layout.resolve("index.json")));
        Map<String, String> out = new HashMap<>();
        for (JsonNode m : n.path("manifests")) {
            out.put(m.path("digest").asText(), m.path("annotations").path(OciLayoutWriter.REF_NAME).asText(""));
        }
        return out;
    }

    private static byte[] blob(Path layout, Digest d) throws Exception {
        return Files.readAllBytes(layout.resolve("blobs").resolve("sha256").resolve(d.encoded()));
    }

    @Test
    void referrersAndDigestTagsArriveByteForByte() throws Exception {
        Path dest = tmp.resolve("dest");
        List<String> events = new ArrayList<>();
        CopyOptions o = CopyTesting.options(tmp).build().withReferrers(true).withDigestTags(true)
                .withListener(new CopyListener() {
                    @Override
                    public void copyingReferrer(Digest referrer, Digest subject) {
                        events.add("referrer " + referrer + " of " + subject);
                    }

                    @Override
                    public void copyingDigestTag(String tag, Digest manifest) {
                        events.add("tag " + tag);
                    }
                });
        CopyResult r = Copier.copy(CopyTesting.ref("oci:" + srcDir + ":latest"),
                CopyTesting.ref("oci:" + dest + ":v1"), o);
        assertThat(r.manifestDigest()).isEqualTo(image.manifestDigest());

        Digest sbomD = Digest.sha256(sbom);
        Digest sigD = Digest.sha256(sigOfSbom);
        Digest cosignD = Digest.sha256(cosignSig);
        Map<String, String> idx = entries(dest);
        assertThat(idx).containsEntry(image.manifestDigest().toString(), "v1")
                .containsEntry(sbomD.toString(), "")
                .containsEntry(sigD.toString(), "")
                .containsEntry(cosignD.toString(), "sha256-" + image.manifestDigest().encoded() + ".sig")
                .doesNotContainKey(Digest.sha256(unrelated).toString());
        assertThat(blob(dest, sbomD)).isEqualTo(sbom);
        assertThat(blob(dest, sigD)).isEqualTo(sigOfSbom);
        assertThat(blob(dest, cosignD)).isEqualTo(cosignSig);
        // their blobs came along
        JsonNode s = JSON.readTree(sbom);
        assertThat(blob(dest, Digest.parse(s.path("layers").get(0).path("digest").asText())))
                .asString(StandardCharsets.UTF_8).contains("SPDX-2.3");
        assertThat(events).containsExactly("referrer " + sbomD + " of " + image.manifestDigest(),
                "referrer " + sigD + " of " + sbomD, "tag sha256-" + image.manifestDigest().encoded() + ".sig");

        // the copy's own index.json entry lists the referrer with its artifact type, as the Referrers API would
        JsonNode n = JSON.readTree(Files.readAllBytes(dest.resolve("index.json")));
        for (JsonNode m : n.path("manifests")) {
            if (m.path("digest").asText().equals(sbomD.toString())) {
                assertThat(m.path("artifactType").asText()).isEqualTo("application/spdx+json");
            }
        }

        // and copying again changes nothing (no duplicates)
        Copier.copy(CopyTesting.ref("oci:" + srcDir + ":latest"), CopyTesting.ref("oci:" + dest + ":v1"), o);
        JsonNode again = JSON.readTree(Files.readAllBytes(dest.resolve("index.json")));
        assertThat(again.path("manifests")).hasSize(n.path("manifests").size());
    }

    @Test
    void withoutTheFlagsOnlyTheImageIsCopied() throws Exception {
        Path dest = tmp.resolve("plain");
        copy(dest, AttachedArtifacts.NONE);
        assertThat(entries(dest)).containsOnlyKeys(image.manifestDigest().toString());
        assertThat(Files.exists(dest.resolve("blobs/sha256").resolve(Digest.sha256(sbom).encoded()))).isFalse();
    }

    @Test
    void digestTagsAloneLeaveTheReferrersBehind() throws Exception {
        Path dest = tmp.resolve("tags");
        copy(dest, new AttachedArtifacts(false, true));
        assertThat(entries(dest)).containsOnlyKeys(image.manifestDigest().toString(),
                Digest.sha256(cosignSig).toString());
    }

    @Test
    void aDestinationThatCannotHoldThemFailsBeforeCopying() throws Exception {
        Path dir = tmp.resolve("dir");
        CopyOptions o = CopyTesting.options(tmp).build().withReferrers(true);
        assertThatThrownBy(() -> Copier.copy(CopyTesting.ref("oci:" + srcDir + ":latest"),
                CopyTesting.ref("dir:" + dir), o))
                .hasMessageContaining("copying referrers and digest tags: destination transport \"dir\"");
        assertThat(Files.exists(dir.resolve("manifest.json"))).isFalse();
    }

    @Test
    void anOciArchiveCarriesThemToo() throws Exception {
        Path archive = tmp.resolve("a.tar");
        CopyOptions o = CopyTesting.options(tmp).build().withReferrers(true).withDigestTags(true);
        Copier.copy(CopyTesting.ref("oci:" + srcDir + ":latest"), CopyTesting.ref("oci-archive:" + archive + ":v1"), o);
        Path back = tmp.resolve("back");
        Copier.copy(CopyTesting.ref("oci-archive:" + archive + ":v1"), CopyTesting.ref("oci:" + back + ":v1"), o);
        assertThat(entries(back)).containsKeys(image.manifestDigest().toString(), Digest.sha256(sbom).toString(),
                Digest.sha256(sigOfSbom).toString(), Digest.sha256(cosignSig).toString());
        assertThat(blob(back, Digest.sha256(sigOfSbom))).isEqualTo(sigOfSbom);
    }

    /** For an index copied with --all: the referrers of the index and of each instance. */
    @Test
    void anIndexBringsTheReferrersOfItsInstances() throws Exception {
        Path multi = tmp.resolve("multi");
        dev.kopi.testkit.WrittenIndex idx = TestImages.multiPlatform(multi, "latest", 3);
        OciLayoutWriter w = new OciLayoutWriter(multi);
        Digest empty = w.putBlob(EMPTY.getBytes(StandardCharsets.UTF_8));
        Digest layer = w.putBlob("x".getBytes(StandardCharsets.UTF_8));
        WrittenImage second = idx.instances().get(1);
        byte[] ofInstance = artifact("application/vnd.example.a", empty, layer, 1, second.manifestDigest(),
                second.manifest().length, MediaTypes.OCI_MANIFEST);
        byte[] ofIndex = artifact("application/vnd.example.b", empty, layer, 1, idx.indexDigest(), idx.index().length,
                MediaTypes.OCI_INDEX);
        w.tag(null, MediaTypes.OCI_MANIFEST, w.putBlob(ofInstance), ofInstance.length);
        w.tag(null, MediaTypes.OCI_MANIFEST, w.putBlob(ofIndex), ofIndex.length);
        Path dest = tmp.resolve("multi-dest");
        CopyOptions o = CopyTesting.options(tmp).build().withMultiArch(MultiArch.ALL).withReferrers(true);
        Copier.copy(CopyTesting.ref("oci:" + multi + ":latest"), CopyTesting.ref("oci:" + dest + ":v1"), o);
        assertThat(entries(dest)).containsOnlyKeys(idx.indexDigest().toString(), Digest.sha256(ofInstance).toString(),
                Digest.sha256(ofIndex).toString());

        // with the system's image only, the index is not copied: its referrer stays behind
        Path one = tmp.resolve("one");
        CopyOptions sys = CopyTesting.options(tmp).build().withReferrers(true)
                .withContexts(dev.kopi.transport.ImageContext.builder().tmpDir(tmp).overrideOs("linux")
                        .overrideArch("arm64").build(), CopyTesting.ctx(tmp));
        Copier.copy(CopyTesting.ref("oci:" + multi + ":latest"), CopyTesting.ref("oci:" + one + ":v1"), sys);
        assertThat(entries(one)).containsOnlyKeys(second.manifestDigest().toString(),
                Digest.sha256(ofInstance).toString());
    }
}
