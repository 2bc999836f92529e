package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GPG simple signing with real gpg, skopeo 1.9.3 as the oracle both ways: what kopi signs (copy --sign-by to dir:,
 * standalone-sign) skopeo verifies (standalone-verify, copy under a signedBy policy), and what skopeo signs kopi
 * verifies.
 */
class SigningIT {
    static final String ID = "localhost:5000/ns/app:v1";

    @TempDir
    Path tmp;
    Sandbox sb;
    Gpg gpg;
    String fpr;
    Path keys;

    @BeforeEach
    void keys() {
        sb = new Sandbox(tmp);
        gpg = new Gpg(sb);
        fpr = gpg.generateKey("Kopi Test <kopi@example.com>", "");
        keys = gpg.export("trusted.gpg", false, fpr);
    }

    @AfterEach
    void stopAgent() {
        gpg.close();
    }

    private Path policy(String name, String json) throws IOException {
        Path p = sb.path(name);
        Files.writeString(p, json);
        return p;
    }

    /** A policy: dir: images must be signed by {@code keyFile} as {@link #ID}; everything else is rejected. */
    private Path signedByPolicy(Path keyFile) throws IOException {
        return policy("signed-by.json", "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"dir\":{\"\":["
                + "{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\",\"keyPath\":\"" + keyFile + "\","
                + "\"signedIdentity\":{\"type\":\"exactReference\",\"dockerReference\":\"" + ID + "\"}}]}}}");
    }

    @Test
    void kopiSignsOnCopyAndSkopeoAccepts() throws IOException {
        Path signed = sb.path("signed");
        CommandResult r = sb.kopi("--insecure-policy", "copy", "--sign-by", fpr, "--sign-identity", ID,
                TestImage.MULTI.ociRef(), "dir:" + signed).assertSuccess();
        assertThat(r.stdout()).contains("Storing signatures");
        assertThat(signed.resolve("signature-1")).exists();
        assertThat(signed.resolve("signature-2")).doesNotExist();

        assertThat(sb.skopeo("standalone-verify", signed.resolve("manifest.json").toString(), ID, fpr,
                signed.resolve("signature-1").toString()).assertSuccess().stdout()).startsWith("Signature verified");
        Path policy = signedByPolicy(keys);
        sb.skopeo("--policy", policy.toString(), "copy", "dir:" + signed, "dir:" + sb.path("by-skopeo"))
                .assertSuccess();
        assertThat(sb.path("by-skopeo").resolve("signature-1")).hasSameBinaryContentAs(signed.resolve("signature-1"));
        sb.kopi("--policy", policy.toString(), "copy", "dir:" + signed, "dir:" + sb.path("by-kopi")).assertSuccess();
        assertThat(sb.path("by-kopi").resolve("signature-1")).hasSameBinaryContentAs(signed.resolve("signature-1"));
    }

    @Test
    @Tag("newest-skopeo")
    void copyPrintsTheNewestProgressLine() {
        CommandResult r = sb.kopi("--insecure-policy", "copy", "--sign-by", fpr, "--sign-identity", ID,
                TestImage.SINGLE.ociRef(), "dir:" + sb.path("s")).assertSuccess();
        assertThat(r.stdout()).contains("Writing manifest to image destination\n"
                + "Creating signature: Signing image using simple signing\nStoring signatures\n");
    }

    @Test
    void passphraseProtectedKeyWithPassphraseFile() throws IOException {
        String locked = gpg.generateKey("Locked <locked@example.com>", "s3cret pass");
        Path pf = sb.path("pass");
        Files.writeString(pf, "s3cret pass\nsecond line is ignored\n");
        Path signed = sb.path("signed");
        sb.kopi("--insecure-policy", "copy", "--sign-by", locked, "--sign-passphrase-file", pf.toString(),
                "--sign-identity", ID, TestImage.SINGLE.ociRef(), "dir:" + signed).assertSuccess();
        sb.skopeo("standalone-verify", signed.resolve("manifest.json").toString(), ID, locked,
                signed.resolve("signature-1").toString()).assertSuccess();
        Files.writeString(pf, "wrong\n");
        gpg.close(); // the agent caches the passphrase it was given; a new agent has nothing cached
        CommandResult bad = sb.kopi("--insecure-policy", "copy", "--sign-by", locked, "--sign-passphrase-file",
                pf.toString(), "--sign-identity", ID, TestImage.SINGLE.ociRef(), "dir:" + sb.path("bad")).assertExit(1);
        assertThat(bad.assertOneFatalLine()).startsWith("creating signature: ");
        assertThat(sb.path("bad").resolve("manifest.json")).doesNotExist();
    }

    @Test
    void kopiStandaloneSignSkopeoVerifies() throws IOException {
        Path m = sb.path("m.json");
        Files.copy(signedCopy().resolve("manifest.json"), m);
        Path sig = sb.path("standalone.sig");
        sb.kopi("standalone-sign", m.toString(), ID, fpr, "-o", sig.toString()).assertSuccess();
        CommandResult v = sb.skopeo("standalone-verify", m.toString(), ID, fpr, sig.toString()).assertSuccess();
        String digest = sb.skopeo("manifest-digest", m.toString()).assertSuccess().stdout().strip();
        assertThat(v.stdout()).contains(digest);
        // and skopeo dumps it as kopi does (creator aside)
        String dumpK = sb.kopi("untrusted-signature-dump-without-verification", sig.toString()).assertSuccess().stdout();
        String dumpS = sb.skopeo("untrusted-signature-dump-without-verification", sig.toString()).assertSuccess()
                .stdout();
        assertThat(dumpK).isEqualTo(dumpS);
    }

    private Path signedCopy() {
        Path p = sb.path("plain");
        if (!Files.exists(p)) {
            sb.kopi("--insecure-policy", "copy", TestImage.SINGLE.ociRef(), "dir:" + p).assertSuccess();
        }
        return p;
    }

    @Test
    void kopiVerifiesWhatSkopeoSigned() throws IOException {
        Path signed = sb.path("skopeo-signed");
        sb.skopeo("--insecure-policy", "copy", "--sign-by", fpr, "--sign-identity", ID, TestImage.MULTI.ociRef(),
                "dir:" + signed).assertSuccess();
        String digest = sb.skopeo("manifest-digest", signed.resolve("manifest.json").toString()).assertSuccess()
                .stdout().strip();
        assertThat(sb.kopi("standalone-verify", signed.resolve("manifest.json").toString(), ID, fpr,
                signed.resolve("signature-1").toString()).assertSuccess().stdout())
                .isEqualTo("Signature verified using fingerprint " + fpr + ", digest " + digest + "\n");
        Path policy = signedByPolicy(keys);
        sb.kopi("--policy", policy.toString(), "copy", "dir:" + signed, "dir:" + sb.path("out")).assertSuccess();
        assertThat(sb.path("out").resolve("signature-1")).hasSameBinaryContentAs(signed.resolve("signature-1"));

        Path m = signed.resolve("manifest.json");
        Path sig = sb.path("skopeo.sig");
        sb.skopeo("standalone-sign", m.toString(), ID, fpr, "-o", sig.toString()).assertSuccess();
        Path armored = gpg.export("trusted.asc", true, fpr);
        for (Path keyFile : List.of(keys, armored)) {
            assertThat(sb.kopi("standalone-verify", "--public-key-file", keyFile.toString(), m.toString(), ID, "any",
                    sig.toString()).assertSuccess().stdout()).startsWith("Signature verified using fingerprint " + fpr);
        }
        assertThat(sb.kopi("untrusted-signature-dump-without-verification", sig.toString()).assertSuccess().stdout())
                .isEqualTo(sb.skopeo("untrusted-signature-dump-without-verification", sig.toString()).stdout());
    }

    @Test
    void standaloneVerifyFailures() throws IOException {
        Path signed = sb.path("s");
        sb.skopeo("--insecure-policy", "copy", "--sign-by", fpr, "--sign-identity", ID, TestImage.SINGLE.ociRef(),
                "dir:" + signed).assertSuccess();
        String m = signed.resolve("manifest.json").toString();
        String s = signed.resolve("signature-1").toString();
        assertThat(sb.kopi("standalone-verify", m, "busybox:latest", fpr, s).assertExit(1).assertOneFatalLine())
                .isEqualTo("Error verifying signature: Docker reference \\\"" + ID
                        + "\\\" does not match \\\"busybox:latest\\\"");
        assertThat(sb.kopi("standalone-verify", m, ID, "0000", s).assertExit(1).assertOneFatalLine())
                .isEqualTo("Error verifying signature: signature by key " + fpr + " is not accepted");
        assertThat(sb.kopi("standalone-verify", m, ID, "any", s).assertExit(1).assertOneFatalLine())
                .isEqualTo("Cannot use any fingerprint without a public key file");
        assertThat(sb.kopi("standalone-verify", m, ID, fpr).assertExit(1).assertOneFatalLine())
                .isEqualTo("Usage: skopeo standalone-verify manifest docker-reference key-fingerprint signature");
        sb.skopeo("standalone-verify", m, "busybox:latest", fpr, s).assertExit(1);
        assertThat(sb.kopi("standalone-sign", m, ID, "DEADBEEF", "-o", sb.path("x").toString()).assertExit(1)
                .assertOneFatalLine()).isEqualTo(sb.skopeo("standalone-sign", m, ID, "DEADBEEF", "-o",
                        sb.path("x").toString()).assertExit(1).assertOneFatalLine());
    }

    @Test
    @Tag("newest-skopeo")
    void signaturesByASigningSubkey() throws IOException {
        gpg.gpg("--passphrase", "", "--pinentry-mode", "loopback", "--quick-add-key", fpr, "ed25519", "sign", "never")
                .assertSuccess();
        Path subKeys = gpg.export("with-subkey.gpg", false, fpr);
        Path signed = sb.path("sub-signed");
        sb.kopi("--insecure-policy", "copy", "--sign-by", fpr, "--sign-identity", ID, TestImage.SINGLE.ociRef(),
                "dir:" + signed).assertSuccess();
        String keyId = sb.kopi("untrusted-signature-dump-without-verification", signed.resolve("signature-1").toString())
                .assertSuccess().stdout();
        assertThat(keyId).as("gpg signed with the newer subkey").doesNotContain(fpr.substring(24));
        String m = signed.resolve("manifest.json").toString();
        String sig = signed.resolve("signature-1").toString();
        String subkey = null;
        for (String line : gpg.gpg("--with-colons", "--list-keys", fpr).assertSuccess().stdout().split("\n")) {
            if (line.startsWith("fpr:") && !line.contains(fpr)) {
                subkey = line.split(":")[9];
            }
        }
        assertThat(subkey).isNotNull();
        // the subkey's fingerprint is accepted as such (skopeo 1.9.3 and newest) ...
        sb.skopeo("standalone-verify", m, ID, subkey, sig).assertSuccess();
        assertThat(sb.kopi("standalone-verify", m, ID, subkey, sig).assertSuccess().stdout())
                .startsWith("Signature verified using fingerprint " + subkey + ",");
        // ... and, as newest containers/image does (not 1.9.3), the primary key's too
        assertThat(sb.kopi("standalone-verify", m, ID, fpr, sig).assertSuccess().stdout())
                .startsWith("Signature verified using fingerprint " + fpr + ",");
        Path policy = signedByPolicy(subKeys);
        sb.kopi("--policy", policy.toString(), "copy", "dir:" + signed, "dir:" + sb.path("k")).assertSuccess();
        // skopeo 1.9.3 rejects it ("Signature by key SUBKEY is not accepted"): only newer containers/image maps a
        // signing subkey to its primary key (KNOWN_DIFFERENCES.md)
    }
}
