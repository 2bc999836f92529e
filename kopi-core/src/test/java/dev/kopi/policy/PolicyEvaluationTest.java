package dev.kopi.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.assertThatCode;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.Manifests;
import dev.kopi.signature.Signature;
import dev.kopi.signature.simple.SimpleSigningPayload;
import dev.kopi.signature.sigstore.Sigstore;
import dev.kopi.testkit.PgpTestKeys;
import dev.kopi.transport.Transports;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** signedBy and sigstoreSigned evaluated on images (reference, manifest, signatures), as containers/image does. */
class PolicyEvaluationTest {
    @TempDir
    static Path tmp;
    static PgpTestKeys trusted;
    static PgpTestKeys other;
    static Path trustedKeys;
    static final byte[] MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
            .getBytes(StandardCharsets.UTF_8);
    static Digest digest;

    @BeforeAll
    static void keys() throws Exception {
        trusted = PgpTestKeys.generate("Trusted <t@example.com>");
        other = PgpTestKeys.generate("Other <o@example.com>");
        trustedKeys = tmp.resolve("trusted.gpg");
        Files.write(trustedKeys, trusted.publicKeyring());
        digest = Manifests.digest(MANIFEST);
    }

    private static Signature sig(PgpTestKeys k, Digest d, String ref) throws ImageException {
        return new Signature(k.sign(new SimpleSigningPayload(ref, d, "test", 1L).toJson()));
    }

    private static PolicyContext policy(String requirement) throws Exception {
        return PolicyContext.parse(("{\"default\":[" + requirement + "]}").getBytes(StandardCharsets.UTF_8));
    }

    private static String signedBy(String identity) {
        return "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + trustedKeys + "\""
                + (identity == null ? "" : ",\"signedIdentity\":" + identity) + "}";
    }

    private static void check(PolicyContext p, String image, List<Signature> sigs, String rejection)
            throws Exception {
        PolicyImage img = PolicyImage.of(Transports.parseImageName(image), MANIFEST, sigs);
        if (rejection == null) {
            assertThatCode(() -> p.requireAllowed(img)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> p.requireAllowed(img)).isInstanceOf(ImageException.class)
                    .hasMessage(rejection)
                    .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.POLICY_REJECTED));
        }
    }

    @Test
    void signedByAcceptsAGoodSignatureAndRejectsTheOthers() throws Exception {
        PolicyContext p = policy(signedBy(null));
        String img = "docker://quay.io/ns/repo:v1";
        check(p, img, List.of(sig(trusted, digest, "quay.io/ns/repo:v1")), null);
        check(p, img, List.of(), "A signature was required, but no signature exists");
        Signature byOther = sig(other, digest, "quay.io/ns/repo:v1");
        check(p, img, List.of(byOther), "Key not found for key ID "
                + other.fingerprint().substring(24).toLowerCase().replaceFirst("^0+", "") + " in signature");
        Digest wrong = Digest.of("sha256:" + "0".repeat(64));
        check(p, img, List.of(sig(trusted, wrong, "quay.io/ns/repo:v1")),
                "Signature for digest " + wrong + " does not match");
        check(p, img, List.of(sig(trusted, digest, "quay.io/ns/repo:v2")),
                "Signature for identity \"quay.io/ns/repo:v2\" is not accepted");
        // one good signature among bad ones is enough
        check(p, img, List.of(byOther, sig(trusted, digest, "quay.io/ns/repo:v1")), null);
        check(p, img, List.of(sig(trusted, wrong, "quay.io/ns/repo:v1"), sig(trusted, digest, "quay.io/ns/repo:v2")),
                "None of the signatures were accepted, reasons: Signature for digest " + wrong
                        + " does not match; Signature for identity \"quay.io/ns/repo:v2\" is not accepted");
    }

    @Test
    void tamperedAndUnrecognizedSignatures() throws Exception {
        PolicyContext p = policy(signedBy(null));
        byte[] good = sig(trusted, digest, "quay.io/ns/repo:v1").blob();
        byte[] t = good.clone();
        t[t.length - 1] ^= 1;
        PolicyImage img = PolicyImage.of(Transports.parseImageName("docker://quay.io/ns/repo:v1"), MANIFEST,
                List.of(new Signature(t)));
        assertThatThrownBy(() -> p.requireAllowed(img)).isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.POLICY_REJECTED));
        check(p, "docker://quay.io/ns/repo:v1", List.of(new Signature("garbage".getBytes())),
                "unrecognized signature format, starting with binary 0x67");
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"matchExact\"}|docker://quay.io/ns/repo:v1|quay.io/ns/repo:v1|",
        "{\"type\":\"matchExact\"}|docker://quay.io/ns/repo:v1|quay.io/ns/repo:v2|Signature for identity \"quay.io/ns/repo:v2\" is not accepted",
        "{\"type\":\"matchRepoDigestOrExact\"}|docker://quay.io/ns/repo:v1|quay.io/ns/repo:v9|Signature for identity \"quay.io/ns/repo:v9\" is not accepted",
        "{\"type\":\"matchRepository\"}|docker://quay.io/ns/repo:v1|quay.io/ns/repo:v9|",
        "{\"type\":\"matchRepository\"}|docker://quay.io/ns/repo:v1|quay.io/ns/other:v1|Signature for identity \"quay.io/ns/other:v1\" is not accepted",
        "{\"type\":\"exactReference\",\"dockerReference\":\"quay.io/ns/repo:v1\"}|dir:/some/dir|quay.io/ns/repo:v1|",
        "{\"type\":\"exactReference\",\"dockerReference\":\"quay.io/ns/repo:v1\"}|dir:/some/dir|quay.io/ns/repo:v2|Signature for identity \"quay.io/ns/repo:v2\" is not accepted",
        "{\"type\":\"exactRepository\",\"dockerRepository\":\"quay.io/ns/repo\"}|dir:/some/dir|quay.io/ns/repo:v7|",
        "{\"type\":\"exactRepository\",\"dockerRepository\":\"quay.io/ns/repo\"}|dir:/some/dir|quay.io/ns/x:v7|Signature for identity \"quay.io/ns/x:v7\" is not accepted",
        "{\"type\":\"remapIdentity\",\"prefix\":\"localhost:5000/m\",\"signedPrefix\":\"quay.io/ns\"}|docker://localhost:5000/m/repo:v1|quay.io/ns/repo:v1|",
        "{\"type\":\"remapIdentity\",\"prefix\":\"localhost:5000/m\",\"signedPrefix\":\"quay.io/ns\"}|docker://localhost:5000/m/repo:v1|localhost:5000/m/repo:v1|Signature for identity \"localhost:5000/m/repo:v1\" is not accepted",
        "{\"type\":\"matchExact\"}|dir:/some/dir|quay.io/ns/repo:v1|Signature for identity \"quay.io/ns/repo:v1\" is not accepted",
    })
    void everySignedIdentityKind(String identity, String image, String signed, String rejection) throws Exception {
        check(policy(signedBy(identity)), image, List.of(sig(trusted, digest, signed)), rejection);
    }

    @Test
    void keySources() throws Exception {
        Signature s = sig(trusted, digest, "quay.io/ns/repo:v1");
        String img = "docker://quay.io/ns/repo:v1";
        Path otherKeys = tmp.resolve("other.gpg");
        Files.write(otherKeys, other.publicKeyring());
        check(policy("{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPaths\":[\"" + otherKeys + "\",\""
                + trustedKeys + "\"]}"), img, List.of(s), null);
        check(policy("{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyData\":\""
                + Base64.getEncoder().encodeToString(trusted.publicKeyring()) + "\"}"), img, List.of(s), null);
        Path missing = tmp.resolve("missing.gpg");
        check(policy("{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + missing + "\"}"), img,
                List.of(s), "open " + missing + ": no such file or directory");
        check(policy("{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyData\":\"AAAA\"}"), img, List.of(s),
                "No public keys imported");
        check(policy("{\"type\":\"signedBy\",\"keyType\":\"X509Certificates\",\"keyPath\":\"" + trustedKeys + "\"}"),
                img, List.of(s), "Unimplemented \"keyType\" value \"X509Certificates\"");
    }

    @Test
    void requireSignedNeedsAVerifyingRequirement() throws Exception {
        String img = "docker://quay.io/ns/repo:v1";
        check(policy("{\"type\":\"insecureAcceptAnything\"}").requiringSignatures(), img, List.of(),
                "No signature verification policy found for image docker:quay.io/ns/repo:v1");
        check(policy(signedBy(null)).requiringSignatures(), img, List.of(sig(trusted, digest, "quay.io/ns/repo:v1")),
                null);
        check(PolicyContext.insecureAcceptAnything(), img, List.of(), null);
    }

    @Test
    void signedBaseLayerNeverAllows() throws Exception {
        check(policy("{\"type\":\"signedBaseLayer\",\"baseLayerIdentity\":{\"type\":\"matchRepository\"}}"),
                "dir:/x", List.of(), "signedBaseLayer not implemented yet!");
    }

    // ---- sigstoreSigned: the crypto is dev.kopi.signature.sigstore.Sigstore (its own tests); here a fake stands
    // in for it, to test what the policy does with its answer (digest and identity rules, counting). ----

    private static Signature sigstoreBlob(String mimeType) {
        String json = "{\"mimeType\":\"" + mimeType + "\",\"payload\":\"e30=\",\"annotations\":{}}";
        byte[] head = "\0sigstore-json\n".getBytes(StandardCharsets.US_ASCII);
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] b = new byte[head.length + body.length];
        System.arraycopy(head, 0, b, 0, head.length);
        System.arraycopy(body, 0, b, head.length, body.length);
        return new Signature(b);
    }

    private static PolicyContext.SigstoreCrypto fake(String ref, Digest d, String failure) {
        return new PolicyContext.SigstoreCrypto() {
            public List<PublicKey> parsePublicKeys(byte[] pem) {
                return List.of(new PublicKey() {
                    public String getAlgorithm() {
                        return "fake";
                    }

                    public String getFormat() {
                        return null;
                    }

                    public byte[] getEncoded() {
                        return pem;
                    }
                });
            }

            public Sigstore.Payload verify(Signature s, List<PublicKey> keys) throws ImageException {
                if (failure != null) {
                    throw new ImageException(ErrorCode.POLICY_REJECTED, failure);
                }
                return new Sigstore.Payload(ref, d);
            }
        };
    }

    @Test
    void sigstoreSignedUsesTheVerifiedPayload() throws Exception {
        String req = "{\"type\":\"sigstoreSigned\",\"keyData\":\"" + Base64.getEncoder().encodeToString("k".getBytes())
                + "\"}";
        String img = "docker://quay.io/ns/repo:v1";
        Signature ok = sigstoreBlob("application/vnd.dev.cosign.simplesigning.v1+json");
        check(policy(req).withSigstoreCrypto(fake("quay.io/ns/repo:v1", digest, null)), img, List.of(ok), null);
        check(policy(req).withSigstoreCrypto(fake("quay.io/ns/repo:v2", digest, null)), img, List.of(ok),
                "Signature for identity \"quay.io/ns/repo:v2\" is not accepted");
        Digest wrong = Digest.of("sha256:" + "1".repeat(64));
        check(policy(req).withSigstoreCrypto(fake("quay.io/ns/repo:v1", wrong, null)), img, List.of(ok),
                "Signature for digest " + wrong + " does not match");
        check(policy(req).withSigstoreCrypto(fake(null, null, "cryptographic signature verification failed: x")),
                img, List.of(ok), "cryptographic signature verification failed: x");
        check(policy(req).withSigstoreCrypto(fake("quay.io/ns/repo:v1", digest, null)), img,
                List.of(sig(trusted, digest, "quay.io/ns/repo:v1"), sigstoreBlob("application/other")),
                "A signature was required, but no signature exists (1 non-sigstore signatures, 1 sigstore "
                        + "non-signature attachments)");
        check(policy(req).withSigstoreCrypto(fake("quay.io/ns/repo:v1", digest, null)), img, List.of(),
                "A signature was required, but no signature exists");
    }
}
