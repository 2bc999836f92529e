package dev.kopi.copy;

import static dev.kopi.copy.CopyTesting.options;
import static dev.kopi.copy.CopyTesting.ref;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.Manifests;
import dev.kopi.policy.PolicyContext;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import dev.kopi.signature.Signer;
import dev.kopi.signature.simple.SimpleSigningPayload;
import dev.kopi.testkit.PgpTestKeys;
import dev.kopi.testkit.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The copy calls its signers once per written manifest and stores their signatures with the copied ones. */
class CopierSigningTest {
    @TempDir
    Path tmp;
    Path layout;
    PgpTestKeys key;

    @BeforeEach
    void image() throws Exception {
        layout = tmp.resolve("src");
        TestImages.multiLayer(layout, "t", 301);
        key = PgpTestKeys.generate("Copier <c@example.com>");
    }

    /** Signs with an in-process OpenPGP key and records what it was asked to sign. */
    final class RecordingSigner implements Signer {
        final List<byte[]> manifests = new ArrayList<>();
        final List<DockerReference> identities = new ArrayList<>();
        final List<String> events = new ArrayList<>();

        @Override
        public Signature sign(byte[] manifest, DockerReference identity) throws ImageException {
            manifests.add(manifest);
            identities.add(identity);
            return new Signature(key.sign(new SimpleSigningPayload(identity.toString(), Manifests.digest(manifest),
                    "test", 1L).toJson()));
        }

        @Override
        public String progressMessage() {
            return "Signing image using a test key";
        }
    }

    private CopyOptions opts(Signer s, String identity) throws Exception {
        List<String> lines = new ArrayList<>();
        return options(tmp).build().withSigners(List.of(s))
                .withSignIdentity(identity == null ? null : DockerReference.parseNamed(identity));
    }

    @Test
    void signsTheWrittenManifestAsTheSignIdentity() throws Exception {
        RecordingSigner s = new RecordingSigner();
        List<String> lines = new ArrayList<>();
        CopyOptions o = opts(s, "quay.io/ns/repo:v1").withListener(new CopyListener() {
            @Override
            public void creatingSignature(String message, int index, int count) {
                lines.add(message + " " + index + "/" + count);
            }
        });
        Path dest = tmp.resolve("d");
        CopyResult r = Copier.copy(ref("oci:" + layout + ":t"), ref("dir:" + dest), o);
        assertThat(s.manifests).hasSize(1);
        assertThat(s.manifests.get(0)).isEqualTo(Files.readAllBytes(dest.resolve("manifest.json")));
        assertThat(s.identities).containsExactly(DockerReference.parseNamed("quay.io/ns/repo:v1"));
        assertThat(lines).containsExactly("Signing image using a test key 1/1");
        assertThat(Files.exists(dest.resolve("signature-1"))).isTrue();
        assertThat(Files.exists(dest.resolve("signature-2"))).isFalse();

        // the copy then passes a signedBy policy, and the next copy keeps the signature and adds its own
        Path keys = tmp.resolve("keys.gpg");
        Files.write(keys, key.publicKeyring());
        PolicyContext p = PolicyContext.parse(("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\","
                + "\"keyPath\":\"" + keys + "\",\"signedIdentity\":{\"type\":\"exactReference\","
                + "\"dockerReference\":\"quay.io/ns/repo:v1\"}}]}").getBytes(StandardCharsets.UTF_8));
        Path again = tmp.resolve("again");
        Copier.copy(ref("dir:" + dest), ref("dir:" + again), opts(new RecordingSigner(), "quay.io/ns/repo:v2")
                .withPolicy(p));
        assertThat(Files.readAllBytes(again.resolve("signature-1")))
                .isEqualTo(Files.readAllBytes(dest.resolve("signature-1")));
        assertThat(Files.exists(again.resolve("signature-2"))).isTrue();
        assertThat(r.manifestDigest()).isEqualTo(Digest.sha256(Files.readAllBytes(dest.resolve("manifest.json"))));
    }

    @Test
    void identityErrors() throws Exception {
        RecordingSigner s = new RecordingSigner();
        Path dest = tmp.resolve("d");
        assertThatThrownBy(() -> Copier.copy(ref("oci:" + layout + ":t"), ref("dir:" + dest), opts(s, null)))
                .isInstanceOf(ImageException.class)
                .hasMessage("Cannot determine canonical Docker reference for destination dir:" + dest);
        assertThatThrownBy(() -> Copier.copy(ref("oci:" + layout + ":t"), ref("dir:" + dest),
                options(tmp).build().withSigners(List.of(s)).withSignIdentity(DockerReference.parseNamed(
                        "quay.io/ns/repo"))))
                .hasMessage("Sign identity must be a fully specified reference quay.io/ns/repo");
        assertThat(Files.exists(dest.resolve("manifest.json"))).isFalse();
        // a failing signer fails the copy, and nothing is committed
        Signer failing = (m, id) -> {
            throw new ImageException(ErrorCode.INVALID_INPUT, "key \"X\" not found");
        };
        assertThatThrownBy(() -> Copier.copy(ref("oci:" + layout + ":t"), ref("dir:" + dest),
                options(tmp).build().withSigners(List.of(failing)).withSignIdentity(
                        DockerReference.parseNamed("quay.io/a/b:c"))))
                .hasMessage("creating signature: key \"X\" not found");
        assertThat(Files.exists(dest.resolve("manifest.json"))).as("not committed").isFalse();
    }

    @Test
    void removeSignaturesDropsTheSourceOnesButKeepsNewOnes() throws Exception {
        Path signed = tmp.resolve("signed");
        Copier.copy(ref("oci:" + layout + ":t"), ref("dir:" + signed), opts(new RecordingSigner(), "quay.io/a/b:c"));
        Path out = tmp.resolve("out");
        CopyOptions o = opts(new RecordingSigner(), "quay.io/a/b:d");
        o = new CopyOptions(o.sourceContext(), o.destinationContext(), null, null, true, false, null, null, 0, null,
                null, o.signers(), o.signIdentity());
        Copier.copy(ref("dir:" + signed), ref("dir:" + out), o);
        byte[] only = Files.readAllBytes(out.resolve("signature-1"));
        assertThat(only).isNotEqualTo(Files.readAllBytes(signed.resolve("signature-1")));
        assertThat(Files.exists(out.resolve("signature-2"))).isFalse();
    }

    @Test
    void listsAreSignedPerInstanceAndAsAList() throws Exception {
        Path index = tmp.resolve("index");
        TestImages.multiPlatform(index, "t", 302);
        RecordingSigner s = new RecordingSigner();
        Copier.copy(ref("oci:" + index + ":t"), ref("dir:" + tmp.resolve("o")),
                opts(s, "quay.io/ns/repo:v1").withMultiArch(MultiArch.ALL));
        // three instances, then the index
        assertThat(s.manifests).hasSize(4);
        assertThat(Manifests.guessMimeType(s.manifests.get(3))).isEqualTo(dev.kopi.manifest.MediaTypes.OCI_INDEX);
    }
}
