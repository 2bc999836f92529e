package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.it.Tools;
import dev.kopi.it.Trees;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import dev.kopi.signature.sigstore.SigstoreSigner;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signature storage of {@code docker://} images (issue 5): sigstore attachments ({@code sha256-<hex>.sig}) and
 * registries.d lookaside storage, against a real registry, with openssl and skopeo as oracles (the Debian skopeo is
 * built without sigstore support, so sigstore is checked through its formats).
 */
class SignatureStorageIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** registries.d in the sandbox's $HOME (read by kopi and skopeo alike). */
    private static Path registriesD(Sandbox sb, String yaml) throws IOException {
        Path d = Files.createDirectories(sb.home().resolve(".config/containers/registries.d"));
        Files.writeString(d.resolve("kopi-test.yaml"), yaml);
        return d;
    }

    private static Path passphraseFile(Sandbox sb, String passphrase) throws IOException {
        Path p = sb.path("passphrase");
        Files.writeString(p, passphrase + "\nsecond line is ignored\n");
        return p;
    }

    private static String openssl(Sandbox sb, String... args) {
        List<String> cmd = new java.util.ArrayList<>();
        cmd.add(Tools.require("openssl", "openssl").toString());
        cmd.addAll(List.of(args));
        return sb.run(cmd, Sandbox.TIMEOUT).assertSuccess().stdout();
    }

    /**
     * generate-sigstore-key writes a cosign-format encrypted private key (mode 0600) and a PEM public key (0644) that
     * openssl reads as a P-256 key, prints skopeo's line, refuses to overwrite, and refuses to prompt without a TTY.
     */
    @Test
    @Tag("newest-skopeo")
    void generateSigstoreKey() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path prefix = sb.path("mykey");
        CommandResult r = sb.kopi("generate-sigstore-key", "--output-prefix", prefix.toString(), "--passphrase-file",
                passphraseFile(sb, "pw").toString()).assertSuccess();
        assertThat(r.stdout()).isEqualTo("Key written to \"" + prefix + ".private\" and \"" + prefix + ".pub\"\n");
        Path priv = Path.of(prefix + ".private");
        Path pub = Path.of(prefix + ".pub");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(priv))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pub))).isEqualTo("rw-r--r--");

        String pem = Files.readString(priv);
        assertThat(pem).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
                .endsWith("\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
        String body = pem.replaceAll("-----[A-Z ]+-----", "").replace("\n", "");
        JsonNode enc = JSON.readTree(Base64.getDecoder().decode(body));
        assertThat(enc.path("kdf").path("name").asText()).isEqualTo("scrypt");
        assertThat(enc.path("kdf").path("params").toString()).isEqualTo("{\"N\":65536,\"r\":8,\"p\":1}");
        assertThat(Base64.getDecoder().decode(enc.path("kdf").path("salt").asText())).hasSize(32);
        assertThat(enc.path("cipher").path("name").asText()).isEqualTo("nacl/secretbox");
        assertThat(Base64.getDecoder().decode(enc.path("cipher").path("nonce").asText())).hasSize(24);
        // secretbox overhead (16) + a PKCS#8 P-256 key (138 bytes, as Go's x509 marshals it)
        assertThat(Base64.getDecoder().decode(enc.path("ciphertext").asText())).hasSize(138 + 16);

        openssl(sb, "pkey", "-pubin", "-in", pub.toString(), "-noout");
        assertThat(openssl(sb, "pkey", "-pubin", "-in", pub.toString(), "-noout", "-text"))
                .containsAnyOf("NIST CURVE: P-256", "prime256v1");

        String again = sb.kopi("generate-sigstore-key", "--output-prefix", prefix.toString(), "--passphrase-file",
                passphraseFile(sb, "pw").toString()).assertExit(1).assertOneFatalLine();
        assertThat(again).isEqualTo("Refusing to overwrite existing \\\"" + prefix + ".pub\\\"");
        String noTty = sb.kopi("generate-sigstore-key", "--output-prefix", sb.path("other").toString())
                .assertExit(1).assertOneFatalLine();
        assertThat(noTty).isEqualTo("Cannot prompt for a passphrase for key " + sb.path("other")
                + ".private, standard input is not a TTY");
        assertThat(sb.path("other.pub")).doesNotExist();
        assertThat(sb.kopi("generate-sigstore-key").assertExit(1).assertOneFatalLine())
                .isEqualTo("Usage: generate-sigstore-key --output-prefix PREFIX");
    }

    /** The attachment manifest of {@code digest} in {@code repo}. */
    private static JsonNode attachment(String repo, String digest) throws IOException {
        String tag = digest.replace(":", "-") + ".sig";
        HttpResponse<byte[]> r = REGISTRY.api("GET", "/v2/" + repo + "/manifests/" + tag);
        assertThat(r.statusCode()).as("attachment %s:%s", repo, tag).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).contains("application/vnd.oci.image.manifest.v1+json");
        return JSON.readTree(r.body());
    }

    private static byte[] blob(String repo, String digest) {
        HttpResponse<byte[]> r = REGISTRY.api("GET", "/v2/" + repo + "/blobs/" + digest);
        if (r.statusCode() == 307) {
            throw new AssertionError("blob redirect not expected from the test registry");
        }
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    /**
     * The layer of a sigstore attachment: cosign's simple-signing payload naming {@code digest}, and its
     * {@code dev.cosignproject.cosign/signature} annotation verifies with {@code openssl dgst -verify}.
     */
    private void assertCosignLayer(Sandbox sb, String repo, JsonNode layer, String digest, String identity, Path pub)
            throws IOException {
        assertThat(layer.path("mediaType").asText()).isEqualTo("application/vnd.dev.cosign.simplesigning.v1+json");
        byte[] payload = blob(repo, layer.path("digest").asText());
        JsonNode p = JSON.readTree(payload);
        assertThat(p.path("critical").path("type").asText()).isEqualTo("cosign container image signature");
        assertThat(p.path("critical").path("image").path("docker-manifest-digest").asText()).isEqualTo(digest);
        assertThat(p.path("critical").path("identity").path("docker-reference").asText()).isEqualTo(identity);
        Path payloadFile = Files.write(sb.path("payload-" + layer.path("digest").asText().substring(7)), payload);
        Path sigFile = Files.write(sb.path("sig-" + layer.path("digest").asText().substring(7)), Base64.getDecoder()
                .decode(layer.path("annotations").path("dev.cosignproject.cosign/signature").asText()));
        assertThat(openssl(sb, "dgst", "-sha256", "-verify", pub.toString(), "-signature", sigFile.toString(),
                payloadFile.toString())).contains("Verified OK");
    }

    /**
     * A dir: image carrying a sigstore signature (made with kopi's signer) is pushed with
     * {@code use-sigstore-attachments: true}: the signature lands as a layer of the {@code sha256-<hex>.sig}
     * manifest, verifiable with openssl; pushing again does not duplicate it; pulling it back to dir: gives the same
     * signature-1 file. With attachments disabled, the push is refused with containers/image's text.
     */
    @Test
    void sigstoreSignatureTravelsAsAttachment() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        Path prefix = sb.path("key");
        sb.kopi("generate-sigstore-key", "--output-prefix", prefix.toString(), "--passphrase-file",
                passphraseFile(sb, "secret").toString()).assertSuccess();
        Path src = sb.path("src");
        sb.kopi("copy", TestImage.SINGLE.ociRef(), "dir:" + src).assertSuccess();
        byte[] manifest = Files.readAllBytes(src.resolve("manifest.json"));
        String digest = "sha256:" + Trees.sha256(manifest);
        String identity = REGISTRY.hostPort() + "/sig/attached:v1";
        Signature sig = SigstoreSigner.fromPrivateKeyFile(Path.of(prefix + ".private"),
                "secret".getBytes(StandardCharsets.UTF_8)).sign(manifest, DockerReference.parseNormalized(identity));
        Files.write(src.resolve("signature-1"), sig.blob());

        registriesD(sb, "default-docker:\n  lookaside: file://" + sb.path("lookaside")
                + "\n  use-sigstore-attachments: true\n");
        sb.kopi(args("copy", REGISTRY.destArgs(), "dir:" + src, REGISTRY.ref("sig/attached:v1"))).assertSuccess();
        JsonNode att = attachment("sig/attached", digest);
        assertThat(att.path("layers")).hasSize(1);
        assertCosignLayer(sb, "sig/attached", att.path("layers").get(0), digest, identity, Path.of(prefix + ".pub"));
        JsonNode config = JSON.readTree(blob("sig/attached", att.path("config").path("digest").asText()));
        assertThat(config.path("rootfs").path("diff_ids").get(0).asText())
                .isEqualTo(att.path("layers").get(0).path("digest").asText());
        assertThat(sb.path("lookaside")).as("no simple signatures to store").doesNotExist();

        // the same signature again: the attachment keeps one layer
        sb.kopi(args("copy", REGISTRY.destArgs(), "dir:" + src, REGISTRY.ref("sig/attached:v1"))).assertSuccess();
        assertThat(attachment("sig/attached", digest).path("layers")).hasSize(1);

        Path back = sb.path("back");
        sb.kopi(args("copy", REGISTRY.srcArgs(), REGISTRY.ref("sig/attached:v1"), "dir:" + back)).assertSuccess();
        assertThat(back.resolve("signature-1")).hasBinaryContent(sig.blob());
        assertThat(back.resolve("signature-2")).doesNotExist();

        registriesD(sb, "default-docker:\n  lookaside: file://" + sb.path("lookaside") + "\n");
        String refused = sb.kopi(args("copy", REGISTRY.destArgs(), "dir:" + src, REGISTRY.ref("sig/refused:v1")))
                .assertExit(1).assertOneFatalLine();
        assertThat(refused).endsWith("writing sigstore attachments is disabled by configuration");

        // the global --registries.d DIR replaces $HOME's directory
        Path explicit = Files.createDirectories(sb.path("explicit-registries.d"));
        Files.writeString(explicit.resolve("a.yaml"), "docker:\n  " + REGISTRY.hostPort() + "/sig/explicit:\n"
                + "    use-sigstore-attachments: true\n");
        sb.kopi(args("--registries.d", explicit, "copy", REGISTRY.destArgs(), "dir:" + src,
                REGISTRY.ref("sig/explicit:v1"))).assertSuccess();
        assertThat(attachment("sig/explicit", digest).path("layers")).hasSize(1);
    }

    /**
     * {@code copy --sign-by-sigstore-private-key} to a registry with {@code use-sigstore-attachments: true}: the
     * pushed {@code sha256-<hex>.sig} attachment has cosign's payload naming the image digest, and its signature
     * verifies with openssl and the generated public key.
     */
    @Test
    void copySignBySigstorePrivateKey() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        Path prefix = sb.path("key");
        Path pass = passphraseFile(sb, "secret");
        sb.kopi("generate-sigstore-key", "--output-prefix", prefix.toString(), "--passphrase-file", pass.toString())
                .assertSuccess();
        registriesD(sb, "docker:\n  " + REGISTRY.hostPort() + "/signed:\n    use-sigstore-attachments: true\n"
                + "default-docker:\n  lookaside: file://" + sb.path("lookaside") + "\n");
        Path digestFile = sb.path("digest");
        CommandResult r = sb.kopi(args("copy", REGISTRY.destArgs(), "--sign-by-sigstore-private-key",
                prefix + ".private", "--sign-passphrase-file", pass, "--digestfile", digestFile,
                TestImage.SINGLE.ociRef(), REGISTRY.ref("signed/img:v1"))).assertSuccess();
        assertThat(r.stdout()).contains("Creating signature: Signing image using a sigstore signature\n");
        String digest = Files.readString(digestFile);
        JsonNode att = attachment("signed/img", digest);
        assertThat(att.path("layers")).hasSize(1);
        assertCosignLayer(sb, "signed/img", att.path("layers").get(0), digest,
                REGISTRY.hostPort() + "/signed/img:v1", Path.of(prefix + ".pub"));

        // the same key through a --sign-by-sigstore parameter file
        Path params = Files.writeString(sb.path("params.yaml"), "privateKeyFile: " + prefix + ".private\n"
                + "privateKeyPassphraseFile: " + pass + "\n");
        Path digestFile2 = sb.path("digest2");
        sb.kopi(args("copy", REGISTRY.destArgs(), "--sign-by-sigstore", params, "--digestfile", digestFile2,
                TestImage.MULTI.ociRef(), REGISTRY.ref("signed/img:v3"))).assertSuccess();
        String digest2 = Files.readString(digestFile2);
        JsonNode att2 = attachment("signed/img", digest2);
        assertThat(att2.path("layers")).hasSize(1);
        assertCosignLayer(sb, "signed/img", att2.path("layers").get(0), digest2,
                REGISTRY.hostPort() + "/signed/img:v3", Path.of(prefix + ".pub"));

        String wrong = sb.kopi(args("copy", REGISTRY.destArgs(), "--sign-by-sigstore-private-key",
                prefix + ".private", "--sign-passphrase-file", passphraseFile(sb, "wrong"),
                TestImage.SINGLE.ociRef(), REGISTRY.ref("signed/img:v2"))).assertExit(1).assertOneFatalLine();
        assertThat(wrong).endsWith("initializing private key: decrypt: encrypted: decryption failed");
        assertThat(REGISTRY.hasManifest("signed/img", "v2")).isFalse();
    }

    /** Signing options that cannot work fail before anything is written, with the reason. */
    @Test
    void unusableSigstoreSigningIsRefusedUpFront() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        Path fulcio = Files.writeString(sb.path("fulcio.yaml"), "fulcio:\n  fulcioURL: https://fulcio.invalid\n"
                + "  oidcMode: interactive\n");
        String msg = sb.kopi(args("copy", REGISTRY.destArgs(), "--sign-by-sigstore", fulcio, TestImage.SINGLE.ociRef(),
                REGISTRY.ref("refused/img:v1"))).assertExit(1).assertOneFatalLine();
        assertThat(msg).startsWith("Error using --sign-by-sigstore: Fulcio and Rekor");
        Path unknown = Files.writeString(sb.path("unknown.yaml"), "privateKey: x\n");
        msg = sb.kopi(args("copy", REGISTRY.destArgs(), "--sign-by-sigstore", unknown, TestImage.SINGLE.ociRef(),
                REGISTRY.ref("refused/img:v1"))).assertExit(1).assertOneFatalLine();
        assertThat(msg).startsWith("Error using --sign-by-sigstore: setting up signing using parameter file \\\""
                + unknown + "\\\": parsing \\\"" + unknown + "\\\": yaml: unmarshal errors:");
        msg = sb.kopi(args("copy", REGISTRY.destArgs(), "--sign-by-sigstore-private-key", sb.path("missing.private"),
                TestImage.SINGLE.ociRef(), REGISTRY.ref("refused/img:v1"))).assertExit(1).assertOneFatalLine();
        assertThat(msg).isEqualTo("Cannot prompt for a passphrase for key " + sb.path("missing.private")
                + ", standard input is not a TTY");
        assertThat(REGISTRY.tags("refused/img")).isEmpty();
    }

    /**
     * Lookaside storage, with skopeo as the oracle: skopeo signs (GPG) while pushing, writing to the file://
     * lookaside-staging; kopi pulls the image to dir: and the signature comes along byte for byte; kopi pushes that
     * dir: to another repository, writing the signature where skopeo reads it back.
     */
    @Test
    void lookasideSignaturesInteroperateWithSkopeo() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        Path gpg = Tools.gpg();
        sb.run(List.of(gpg.toString(), "--batch", "--passphrase", "", "--quick-gen-key", "kopi-test@example.com"),
                Sandbox.TIMEOUT).assertSuccess();
        try {
            String fpr = sb.run(List.of(gpg.toString(), "--list-keys", "--with-colons"), Sandbox.TIMEOUT)
                    .assertSuccess().stdout().lines().filter(l -> l.startsWith("fpr:")).findFirst().orElseThrow()
                    .split(":")[9];
            Path staging = sb.path("staging");
            registriesD(sb, "default-docker:\n  lookaside: file://" + staging + "\n  lookaside-staging: file://"
                    + staging + "\n");
            Path digestFile = sb.path("digest");
            sb.skopeo(args("copy", REGISTRY.destArgs(), "--sign-by", fpr, "--digestfile", digestFile,
                    TestImage.SINGLE.ociRef(), REGISTRY.ref("look/signed:v1"))).assertSuccess();
            String digest = Files.readString(digestFile);
            Path skopeoSig = staging.resolve("look/signed@" + digest.replace(":", "=") + "/signature-1");
            assertThat(skopeoSig).exists();

            Path pulled = sb.path("pulled");
            sb.kopi(args("copy", REGISTRY.srcArgs(), REGISTRY.ref("look/signed:v1"), "dir:" + pulled))
                    .assertSuccess();
            assertThat(pulled.resolve("signature-1")).hasSameBinaryContentAs(skopeoSig);
            assertThat(pulled.resolve("signature-2")).doesNotExist();

            sb.kopi(args("copy", REGISTRY.destArgs(), "dir:" + pulled, REGISTRY.ref("look/copied:v1")))
                    .assertSuccess();
            Path kopiSig = staging.resolve("look/copied@" + digest.replace(":", "=") + "/signature-1");
            assertThat(kopiSig).hasSameBinaryContentAs(skopeoSig);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kopiSig))).isEqualTo("rw-r--r--");

            Path bySkopeo = sb.path("by-skopeo");
            sb.skopeo(args("copy", REGISTRY.srcArgs(), REGISTRY.ref("look/copied:v1"), "dir:" + bySkopeo))
                    .assertSuccess();
            assertThat(bySkopeo.resolve("signature-1")).hasSameBinaryContentAs(skopeoSig);

            // delete removes the image's lookaside signatures, for kopi as for skopeo
            sb.skopeo(args("delete", REGISTRY.tlsArgs(), REGISTRY.ref("look/signed:v1"))).assertSuccess();
            assertThat(skopeoSig).doesNotExist();
            sb.kopi(args("delete", REGISTRY.tlsArgs(), REGISTRY.ref("look/copied:v1"))).assertSuccess();
            assertThat(kopiSig).doesNotExist();

        } finally {
            sb.run(List.of("gpgconf", "--kill", "gpg-agent"), Sandbox.TIMEOUT);
        }
    }
}
