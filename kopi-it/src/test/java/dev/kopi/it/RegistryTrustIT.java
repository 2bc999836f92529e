package dev.kopi.it;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.it.registry.RegistryServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust end to end (issue 5, acceptance 1 and 2) where the signing and storage halves meet: kopi signs with GPG
 * while pushing to a registry whose signatures live in a registries.d file lookaside, and skopeo accepts the result
 * (standalone-verify and a copy under a signedBy policy); a cosign-format signature made with openssl alone is
 * accepted by kopi's sigstoreSigned policy, a tampered one and one by another key are rejected, and kopi's own
 * sigstore signatures pushed as attachments verify under the policy.
 */
class RegistryTrustIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();

    @TempDir
    Path tmp;

    private static void registriesD(Sandbox sb, String yaml) throws IOException {
        Path d = Files.createDirectories(sb.home().resolve(".config/containers/registries.d"));
        Files.writeString(d.resolve("kopi-test.yaml"), yaml);
    }

    private static Path policy(Sandbox sb, String name, String json) throws IOException {
        return Files.writeString(sb.path(name), json);
    }

    private static String openssl(Sandbox sb, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Tools.require("openssl", "openssl").toString());
        cmd.addAll(List.of(args));
        return sb.run(cmd, Sandbox.TIMEOUT).assertSuccess().stdout();
    }

    @Test
    void gpgSignaturesKopiWritesToARegistryLookasideAreAcceptedBySkopeo() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        try (Gpg gpg = new Gpg(sb)) {
            String fpr = gpg.generateKey("kopi-signer@example.com", "");
            String other = gpg.generateKey("someone-else@example.com", "");
            Path key = gpg.export("signer.gpg", false, fpr);
            Path otherKey = gpg.export("other.gpg", false, other);
            Path lookaside = sb.path("lookaside");
            registriesD(sb, "default-docker:\n  lookaside: file://" + lookaside + "\n  lookaside-staging: file://"
                    + lookaside + "\n");
            String ref = REGISTRY.ref("trust/gpg:v1");
            Path digestFile = sb.path("digest");
            sb.kopi(args("copy", REGISTRY.destArgs(), "--sign-by", fpr, "--digestfile", digestFile,
                    TestImage.SINGLE.ociRef(), ref)).assertSuccess();
            String digest = Files.readString(digestFile);
            Path sig = lookaside.resolve("trust/gpg@" + digest.replace(":", "=") + "/signature-1");
            assertThat(sig).exists();

            // skopeo standalone-verify accepts the signature kopi stored, for the manifest the registry serves
            Path manifest = sb.path("manifest.json");
            Files.write(manifest, sb.skopeo(args("inspect", "--raw", REGISTRY.tlsArgs(), ref)).assertSuccess()
                    .stdoutBytes());
            String identity = ref.substring("docker://".length());
            String verified = sb.skopeo("standalone-verify", manifest.toString(), identity, fpr, sig.toString())
                    .assertSuccess().stdout();
            assertThat(verified).contains(digest);

            // skopeo copies it under a signedBy policy (it reads the signature from the same lookaside)
            Path signedBy = policy(sb, "signed-by.json", "{\"default\":[{\"type\":\"reject\"}],\"transports\":"
                    + "{\"docker\":{\"" + REGISTRY.hostPort() + "/trust\":[{\"type\":\"signedBy\",\"keyType\":"
                    + "\"GPGKeys\",\"keyPath\":\"" + key + "\"}]}}}");
            sb.skopeo(args("--policy", signedBy, "copy", REGISTRY.srcArgs(), ref, "dir:" + sb.path("by-skopeo")))
                    .assertSuccess();
            sb.kopi(args("--policy", signedBy, "copy", REGISTRY.srcArgs(), ref, "dir:" + sb.path("by-kopi")))
                    .assertSuccess();
            assertThat(sb.path("by-kopi").resolve("signature-1")).hasSameBinaryContentAs(sig);

            // and both refuse it when the policy trusts another key, writing nothing
            Path wrongKey = policy(sb, "wrong-key.json", "{\"default\":[{\"type\":\"signedBy\",\"keyType\":"
                    + "\"GPGKeys\",\"keyPath\":\"" + otherKey + "\"}]}");
            sb.skopeo(args("--policy", wrongKey, "copy", REGISTRY.srcArgs(), ref, "dir:" + sb.path("no-skopeo")))
                    .assertExit(1);
            String msg = sb.kopi(args("--policy", wrongKey, "copy", REGISTRY.srcArgs(), ref,
                    "dir:" + sb.path("no-kopi"))).assertExit(1).assertOneFatalLine();
            assertThat(msg).contains("Source image rejected");
            assertThat(sb.path("no-kopi")).doesNotExist();
        }
    }

    /** A dir: image with one signature-1 file holding containers/image's sigstore blob for {@code payload}. */
    private static Path sigstoreSignedDir(Sandbox sb, String name, byte[] payload, byte[] derSignature)
            throws IOException {
        Path dir = sb.path(name);
        sb.kopi("copy", TestImage.SINGLE.ociRef(), "dir:" + dir).assertSuccess();
        String blob = "{\"mimeType\":\"application/vnd.dev.cosign.simplesigning.v1+json\",\"payload\":\""
                + Base64.getEncoder().encodeToString(payload) + "\",\"annotations\":{"
                + "\"dev.cosignproject.cosign/signature\":\"" + Base64.getEncoder().encodeToString(derSignature)
                + "\"}}";
        byte[] head = "\0sigstore-json\n".getBytes(StandardCharsets.UTF_8);
        byte[] body = blob.getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        Files.write(dir.resolve("signature-1"), all);
        return dir;
    }

    @Test
    void aCosignSignatureMadeWithOpensslIsAcceptedBySigstoreSignedAndATamperedOneIsNot() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        Path key = sb.path("cosign.key");
        Path pub = sb.path("cosign.pub");
        openssl(sb, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.toString());
        openssl(sb, "ec", "-in", key.toString(), "-pubout", "-out", pub.toString());
        Path otherKey = sb.path("other.key");
        Path otherPub = sb.path("other.pub");
        openssl(sb, "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", otherKey.toString());
        openssl(sb, "ec", "-in", otherKey.toString(), "-pubout", "-out", otherPub.toString());

        Path plain = sb.path("plain");
        sb.kopi("copy", TestImage.SINGLE.ociRef(), "dir:" + plain).assertSuccess();
        String digest = sb.kopi("manifest-digest", plain.resolve("manifest.json").toString()).assertSuccess()
                .stdout().strip();
        String identity = "registry.example/trust/app:v1";
        byte[] payload = ("{\"critical\":{\"identity\":{\"docker-reference\":\"" + identity + "\"},\"image\":{"
                + "\"docker-manifest-digest\":\"" + digest + "\"},\"type\":\"cosign container image signature\"},"
                + "\"optional\":null}").getBytes(StandardCharsets.UTF_8);
        Path payloadFile = Files.write(sb.path("payload.json"), payload);
        Path der = sb.path("payload.sig");
        openssl(sb, "dgst", "-sha256", "-sign", key.toString(), "-out", der.toString(), payloadFile.toString());
        byte[] signature = Files.readAllBytes(der);

        String requirement = "{\"type\":\"sigstoreSigned\",\"keyPath\":\"%s\",\"signedIdentity\":{\"type\":"
                + "\"exactReference\",\"dockerReference\":\"" + identity + "\"}}";
        Path trusts = policy(sb, "sigstore.json", "{\"default\":[" + String.format(requirement, pub) + "]}");
        Path trustsOther = policy(sb, "sigstore-other.json", "{\"default\":[" + String.format(requirement, otherPub)
                + "]}");

        Path good = sigstoreSignedDir(sb, "good", payload, signature);
        sb.kopi(args("--policy", trusts, "copy", "dir:" + good, "dir:" + sb.path("accepted"))).assertSuccess();
        assertThat(sb.path("accepted").resolve("signature-1")).hasSameBinaryContentAs(good.resolve("signature-1"));

        String other = sb.kopi(args("--policy", trustsOther, "copy", "dir:" + good, "dir:" + sb.path("other-key")))
                .assertExit(1).assertOneFatalLine();
        assertThat(other).contains("Source image rejected");
        assertThat(sb.path("other-key")).doesNotExist();

        byte[] tamperedPayload = new String(payload, StandardCharsets.UTF_8).replace(identity,
                "registry.example/trust/evil:v1").getBytes(StandardCharsets.UTF_8);
        Path tampered = sigstoreSignedDir(sb, "tampered", tamperedPayload, signature);
        String bad = sb.kopi(args("--policy", trusts, "copy", "dir:" + tampered, "dir:" + sb.path("tampered-out")))
                .assertExit(1).assertOneFatalLine();
        assertThat(bad).contains("Source image rejected");
        assertThat(sb.path("tampered-out")).doesNotExist();

        // a signature for another digest (a valid signature, but not of this manifest)
        byte[] otherDigest = new String(payload, StandardCharsets.UTF_8).replace(digest, "sha256:" + "0".repeat(64))
                .getBytes(StandardCharsets.UTF_8);
        Path otherPayload = Files.write(sb.path("payload2.json"), otherDigest);
        Path der2 = sb.path("payload2.sig");
        openssl(sb, "dgst", "-sha256", "-sign", key.toString(), "-out", der2.toString(), otherPayload.toString());
        Path wrongDigest = sigstoreSignedDir(sb, "wrong-digest", otherDigest, Files.readAllBytes(der2));
        String digestMsg = sb.kopi(args("--policy", trusts, "copy", "dir:" + wrongDigest,
                "dir:" + sb.path("wrong-digest-out"))).assertExit(1).assertOneFatalLine();
        assertThat(digestMsg).contains("Source image rejected");
    }

    @Test
    void sigstoreAttachmentsKopiPushesVerifyUnderSigstoreSigned() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        Path prefix = sb.path("key");
        Path pass = Files.writeString(sb.path("pass"), "secret\n");
        sb.kopi("generate-sigstore-key", "--output-prefix", prefix.toString(), "--passphrase-file", pass.toString())
                .assertSuccess();
        Path other = sb.path("other");
        sb.kopi("generate-sigstore-key", "--output-prefix", other.toString(), "--passphrase-file", pass.toString())
                .assertSuccess();
        registriesD(sb, "default-docker:\n  use-sigstore-attachments: true\n  lookaside: file://"
                + sb.path("lookaside") + "\n");
        String ref = REGISTRY.ref("trust/sigstore:v1");
        sb.kopi(args("copy", REGISTRY.destArgs(), "--sign-by-sigstore-private-key", prefix + ".private",
                "--sign-passphrase-file", pass, TestImage.MULTI.ociRef(), ref)).assertSuccess();

        String requirement = "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"%s\",\"signedIdentity\":"
                + "{\"type\":\"matchRepository\"}}]}";
        Path trusts = policy(sb, "trusts.json", String.format(requirement, prefix + ".pub"));
        Path trustsOther = policy(sb, "trusts-other.json", String.format(requirement, other + ".pub"));
        sb.kopi(args("--policy", trusts, "copy", REGISTRY.srcArgs(), ref, "dir:" + sb.path("ok"))).assertSuccess();
        String msg = sb.kopi(args("--policy", trustsOther, "copy", REGISTRY.srcArgs(), ref, "dir:" + sb.path("no")))
                .assertExit(1).assertOneFatalLine();
        assertThat(msg).contains("Source image rejected");
        assertThat(sb.path("no")).doesNotExist();
        // an unsigned image in the same repository is rejected too
        sb.kopi(args("copy", REGISTRY.destArgs(), TestImage.SINGLE.ociRef(), REGISTRY.ref("trust/sigstore:unsigned")))
                .assertSuccess();
        String unsigned = sb.kopi(args("--policy", trusts, "copy", REGISTRY.srcArgs(),
                REGISTRY.ref("trust/sigstore:unsigned"), "dir:" + sb.path("unsigned"))).assertExit(1)
                .assertOneFatalLine();
        assertThat(unsigned).contains("Source image rejected");
    }
}
