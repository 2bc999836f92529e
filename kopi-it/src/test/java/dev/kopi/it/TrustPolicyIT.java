package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Rejections of a trust policy (issue acceptance 3): kopi and skopeo 1.9.3 both refuse each copy, kopi with the
 * message of containers/image (the same line as skopeo where skopeo's is deterministic; skopeo 1.9.3 verifies with
 * gpgme, whose failures print Go structs), and nothing is written at the destination.
 */
class TrustPolicyIT {
    static final String ID = "localhost:5000/ns/app:v1";
    static final AtomicInteger N = new AtomicInteger();

    @TempDir
    static Path tmp;
    static Sandbox sb;
    static Gpg gpg;
    static String trusted;
    static String other;
    static Path trustedKeys;
    static Path unsigned;
    static Path signed;
    static Path signedByOther;
    static Path otherDigest;
    static Path tampered;

    @BeforeAll
    static void images() throws IOException {
        sb = new Sandbox(tmp);
        gpg = new Gpg(sb);
        trusted = gpg.generateKey("Trusted <trusted@example.com>", "");
        other = gpg.generateKey("Other <other@example.com>", "");
        trustedKeys = gpg.export("trusted.gpg", false, trusted);
        unsigned = sb.path("unsigned");
        sb.skopeo("--insecure-policy", "copy", TestImage.SINGLE.ociRef(), "dir:" + unsigned).assertSuccess();
        signed = sb.path("signed");
        sb.skopeo("--insecure-policy", "copy", "--sign-by", trusted, "--sign-identity", ID, "dir:" + unsigned,
                "dir:" + signed).assertSuccess();
        signedByOther = sb.path("signed-by-other");
        sb.skopeo("--insecure-policy", "copy", "--sign-by", other, "--sign-identity", ID, "dir:" + unsigned,
                "dir:" + signedByOther).assertSuccess();
        // a good signature by the trusted key, but of another manifest
        Path multi = sb.path("multi");
        sb.skopeo("--insecure-policy", "copy", TestImage.MULTI.ociRef(), "dir:" + multi).assertSuccess();
        otherDigest = sb.path("other-digest");
        sb.skopeo("--insecure-policy", "copy", "dir:" + unsigned, "dir:" + otherDigest).assertSuccess();
        sb.skopeo("standalone-sign", multi.resolve("manifest.json").toString(), ID, trusted, "-o",
                otherDigest.resolve("signature-1").toString()).assertSuccess();
        tampered = sb.path("tampered");
        sb.skopeo("--insecure-policy", "copy", "dir:" + signed, "dir:" + tampered).assertSuccess();
        byte[] sig = Files.readAllBytes(tampered.resolve("signature-1"));
        sig[sig.length / 2] ^= 0x40;
        Files.write(tampered.resolve("signature-1"), sig);
    }

    @AfterAll
    static void stopAgent() {
        gpg.close();
    }

    static Path policy(String json) throws IOException {
        Path p = sb.path("policy-" + N.incrementAndGet() + ".json");
        Files.writeString(p, json);
        return p;
    }

    static String signedBy(String identity) {
        return "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"dir\":{\"\":[{\"type\":\"signedBy\","
                + "\"keyType\":\"GPGKeys\",\"keyPath\":\"" + trustedKeys + "\",\"signedIdentity\":" + identity
                + "}]}}}";
    }

    static final String EXACT_ID = "{\"type\":\"exactReference\",\"dockerReference\":\"" + ID + "\"}";

    /** Runs the copy with kopi and skopeo; both must fail and write nothing; returns kopi's and skopeo's lines. */
    static String[] rejectBoth(Path policy, Path source) {
        Path kDest = sb.path("k-" + N.incrementAndGet());
        Path sDest = sb.path("s-" + N.incrementAndGet());
        CommandResult k = sb.kopi("--policy", policy.toString(), "copy", "dir:" + source, "dir:" + kDest);
        CommandResult s = sb.skopeo("--policy", policy.toString(), "copy", "dir:" + source, "dir:" + sDest);
        String kLine = k.assertExit(1).assertOneFatalLine();
        String sLine = s.assertExit(1).assertOneFatalLine();
        assertThat(kDest).as("kopi wrote nothing").doesNotExist();
        // skopeo opens the dir: destination first, which writes its "version" file; no image data
        if (Files.exists(sDest)) {
            try (var files = Files.list(sDest)) {
                assertThat(files.map(f -> f.getFileName().toString()).toList()).as("skopeo wrote no image data")
                        .containsExactly("version");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return new String[] {kLine, sLine};
    }

    @Test
    void theGoodCaseIsAccepted() throws IOException {
        Path p = policy(signedBy(EXACT_ID));
        sb.kopi("--policy", p.toString(), "copy", "dir:" + signed, "dir:" + sb.path("ok-k")).assertSuccess();
        sb.skopeo("--policy", p.toString(), "copy", "dir:" + signed, "dir:" + sb.path("ok-s")).assertSuccess();
    }

    @Test
    void unsignedImage() throws IOException {
        String[] l = rejectBoth(policy(signedBy(EXACT_ID)), unsigned);
        assertThat(l[0]).isEqualTo("Source image rejected: A signature was required, but no signature exists")
                .isEqualTo(l[1]);
    }

    @Test
    void signatureByAnotherKey() throws IOException {
        String[] l = rejectBoth(policy(signedBy(EXACT_ID)), signedByOther);
        String keyId = other.substring(24).toLowerCase(Locale.ROOT).replaceFirst("^0+", "");
        assertThat(l[0]).isEqualTo("Source image rejected: Key not found for key ID " + keyId + " in signature");
        assertThat(l[1]).startsWith("Source image rejected: ");
    }

    @Test
    void signatureOfAnotherDigest() throws IOException {
        String[] l = rejectBoth(policy(signedBy(EXACT_ID)), otherDigest);
        assertThat(l[0]).startsWith("Source image rejected: Signature for digest sha256:").endsWith(" does not match")
                .isEqualTo(l[1]);
    }

    @ParameterizedTest(name = "{0}")
    @org.junit.jupiter.api.Tag("newest-skopeo")
    @CsvSource(delimiter = '|', value = {
        "{\"type\":\"exactReference\",\"dockerReference\":\"localhost:5000/ns/app:v2\"}",
        "{\"type\":\"exactRepository\",\"dockerRepository\":\"localhost:5000/ns/other\"}",
        // dir: images have no Docker identity: every identity kind relative to the image rejects them
        "{\"type\":\"matchExact\"}",
        "{\"type\":\"matchRepoDigestOrExact\"}",
        "{\"type\":\"matchRepository\"}",
        "{\"type\":\"remapIdentity\",\"prefix\":\"localhost:5000/ns\",\"signedPrefix\":\"localhost:5000/ns\"}",
    })
    void identityMismatch(String identity) throws IOException {
        String[] l = rejectBoth(policy(signedBy(identity)), signed);
        // the newest containers/image quotes the identity (%q); skopeo 1.9.3 did not (KNOWN_DIFFERENCES.md)
        assertThat(l[0]).isEqualTo("Source image rejected: Signature for identity \\\"" + ID + "\\\" is not accepted");
        assertThat(l[1]).isEqualTo("Source image rejected: Signature for identity " + ID + " is not accepted");
    }

    @Test
    void identityMatchesAreAccepted() throws IOException {
        for (String identity : new String[] {EXACT_ID,
            "{\"type\":\"exactRepository\",\"dockerRepository\":\"localhost:5000/ns/app\"}"}) {
            Path p = policy(signedBy(identity));
            sb.kopi("--policy", p.toString(), "copy", "dir:" + signed, "dir:" + sb.path("a-" + N.incrementAndGet()))
                    .assertSuccess();
            sb.skopeo("--policy", p.toString(), "copy", "dir:" + signed, "dir:" + sb.path("a-" + N.incrementAndGet()))
                    .assertSuccess();
        }
    }

    @Test
    void rejectScope() throws IOException {
        Path p = policy("{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{\"dir\":{\""
                + signed + "\":[{\"type\":\"reject\"}]}}}");
        String[] l = rejectBoth(p, signed);
        assertThat(l[0]).isEqualTo("Source image rejected: Running image dir:" + signed + " is rejected by policy.")
                .isEqualTo(l[1]);
    }

    @Test
    void tamperedSignature() throws IOException {
        String[] l = rejectBoth(policy(signedBy(EXACT_ID)), tampered);
        assertThat(l[0]).startsWith("Source image rejected: ");
        assertThat(l[1]).startsWith("Source image rejected: ");
    }

    @Test
    void policyWithASyntaxError() throws IOException {
        Path p = policy("{\"default\":[{\"type\":\"reject\"}");
        String[] l = rejectBoth(p, signed);
        assertThat(l[0]).startsWith("Error loading trust policy: invalid policy in \\\"" + p + "\\\": ");
        assertThat(l[1]).startsWith("Error loading trust policy: invalid policy in \\\"" + p + "\\\": ");
    }

    @Test
    void missingKeyFile() throws IOException {
        Path missing = sb.path("missing.gpg");
        Path p = policy("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + missing
                + "\"}]}");
        String[] l = rejectBoth(p, signed);
        assertThat(l[0]).isEqualTo("Source image rejected: open " + missing + ": no such file or directory")
                .isEqualTo(l[1]);
    }
}
