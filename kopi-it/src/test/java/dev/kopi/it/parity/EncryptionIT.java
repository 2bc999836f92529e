package dev.kopi.it.parity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.it.Tools;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Layer encryption (ocicrypt) against skopeo 1.9.3, with keys made here: RSA and EC (P-256) key pairs by openssl
 * for {@code jwe:}, and an RSA OpenPGP key by gpg in the sandbox's own {@code ~/.gnupg} for {@code pgp:}. skopeo
 * decrypts what kopi encrypted and kopi what skopeo encrypted; the decrypted layers are the original blobs byte for
 * byte. A wrong key fails clearly and leaves no destination behind.
 */
class EncryptionIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path keysDir;

    private static Sandbox sb;

    @TempDir
    Path tmp;

    @BeforeAll
    static void keys() throws IOException {
        sb = new Sandbox(keysDir.resolve("sandbox"));
        Path openssl = Tools.require("openssl", "openssl");
        for (String name : List.of("priv", "wrong")) {
            sb.run(List.of(openssl.toString(), "genrsa", "-out", path(name + ".pem"), "2048"), Sandbox.TIMEOUT)
                    .assertSuccess();
        }
        sb.run(List.of(openssl.toString(), "rsa", "-in", path("priv.pem"), "-pubout", "-out", path("pub.pem")),
                Sandbox.TIMEOUT).assertSuccess();
        for (String name : List.of("ec", "ecwrong")) {
            sb.run(List.of(openssl.toString(), "ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out",
                    path(name + ".pem")), Sandbox.TIMEOUT).assertSuccess();
        }
        sb.run(List.of(openssl.toString(), "ec", "-in", path("ec.pem"), "-pubout", "-out", path("ecpub.pem")),
                Sandbox.TIMEOUT).assertSuccess();
        // skopeo 1.9.3 reads EC private keys only as PKCS#8 (kopi also reads the SEC1 form openssl ecparam writes)
        sb.run(List.of(openssl.toString(), "pkcs8", "-topk8", "-nocrypt", "-in", path("ec.pem"), "-out",
                path("ec8.pem")), Sandbox.TIMEOUT).assertSuccess();
        Path gnupg = Files.createDirectories(sb.home().resolve(".gnupg"));
        Files.setPosixFilePermissions(gnupg, java.nio.file.attribute.PosixFilePermissions.fromString("rwx------"));
        genPgpKey("Kopi Test", "kopi@example.test");
        genPgpKey("Wrong Key", "wrong@example.test");
        export("kopi@example.test", "secring.gpg");
        export("wrong@example.test", "wrong.gpg");
    }

    private static void genPgpKey(String name, String email) throws IOException {
        Path params = keysDir.resolve(email + ".params");
        Files.writeString(params, "%no-protection\nKey-Type: RSA\nKey-Length: 2048\nSubkey-Type: RSA\n"
                + "Subkey-Length: 2048\nName-Real: " + name + "\nName-Email: " + email + "\nExpire-Date: 0\n%commit\n");
        sb.run(List.of(Tools.gpg().toString(), "--batch", "--gen-key", params.toString()), Sandbox.TIMEOUT)
                .assertSuccess();
    }

    private static void export(String who, String file) throws IOException {
        CommandResult r = sb.run(List.of(Tools.gpg().toString(), "--batch", "--export-secret-keys", who),
                Sandbox.TIMEOUT).assertSuccess();
        Files.write(keysDir.resolve(file), r.stdoutBytes());
    }

    @AfterAll
    static void stopAgent() {
        // gpg started an agent for the sandbox's ~/.gnupg: stop it
        sb.run(List.of("gpgconf", "--kill", "gpg-agent"), Sandbox.TIMEOUT);
    }

    private static String path(String name) {
        return keysDir.resolve(name).toString();
    }

    private static String encryptionKey(String protocol) {
        return switch (protocol) {
            case "jwe" -> "jwe:" + path("pub.pem");
            case "jwe-ec" -> "jwe:" + path("ecpub.pem");
            default -> "pgp:kopi@example.test";
        };
    }

    private static String decryptionKey(String protocol, boolean right) {
        if (protocol.equals("jwe")) {
            return path(right ? "priv.pem" : "wrong.pem");
        }
        if (protocol.equals("jwe-ec")) {
            return path(right ? "ec8.pem" : "ecwrong.pem");
        }
        return path(right ? "secring.gpg" : "wrong.gpg");
    }

    private String oci(String name) {
        return "oci:" + tmp.resolve(name) + ":latest";
    }

    private CommandResult run(String tool, String... args) {
        return tool.equals("kopi") ? sb.kopi(args) : sb.skopeo(args);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jwe", "jwe-ec", "pgp"})
    void skopeoDecryptsWhatKopiEncrypted(String protocol) throws IOException {
        roundTrip("kopi", "skopeo", protocol);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jwe", "jwe-ec", "pgp"})
    void kopiDecryptsWhatSkopeoEncrypted(String protocol) throws IOException {
        roundTrip("skopeo", "kopi", protocol);
    }

    private void roundTrip(String encryptor, String decryptor, String protocol) throws IOException {
        run(encryptor, "copy", "--encryption-key", encryptionKey(protocol), TestImage.MULTI.ociRef(), oci("enc"))
                .assertSuccess();
        JsonNode original = manifest(TestImage.MULTI.ociRef());
        JsonNode encrypted = manifest(oci("enc"));
        assertThat(encrypted.path("config")).isEqualTo(original.path("config"));
        assertThat(encrypted.path("layers")).hasSize(3);
        for (int i = 0; i < 3; i++) {
            JsonNode l = encrypted.path("layers").get(i);
            JsonNode o = original.path("layers").get(i);
            assertThat(l.path("mediaType").asText()).isEqualTo(o.path("mediaType").asText() + "+encrypted");
            assertThat(l.path("digest")).isNotEqualTo(o.path("digest"));
            assertThat(l.path("size")).as("CTR keeps the size").isEqualTo(o.path("size"));
            JsonNode a = l.path("annotations");
            assertThat(a.has("org.opencontainers.image.enc.keys." + protocol.replace("-ec", ""))).as("%s", a)
                    .isTrue();
            JsonNode pub = JSON.readTree(Base64.getDecoder().decode(a.path("org.opencontainers.image.enc.pubopts")
                    .asText()));
            assertThat(pub.path("cipher").asText()).isEqualTo("AES_256_CTR_HMAC_SHA256");
            assertThat(Base64.getDecoder().decode(pub.path("hmac").asText())).hasSize(32);
        }
        run(decryptor, "copy", "--decryption-key", decryptionKey(protocol, true), oci("enc"), oci("dec"))
                .assertSuccess();
        JsonNode decrypted = manifest(oci("dec"));
        assertThat(decrypted).as("the decrypted image is the original").isEqualTo(original);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"jwe", "jwe-ec", "pgp"})
    void aWrongKeyFailsClearlyAndWritesNothing(String protocol) {
        sb.skopeo("copy", "--encryption-key", encryptionKey(protocol), TestImage.SINGLE.ociRef(), oci("enc"))
                .assertSuccess();
        CommandResult r = sb.kopi("copy", "--decryption-key", decryptionKey(protocol, false), oci("enc"),
                "oci:" + tmp.resolve("out") + ":latest");
        r.assertExit(1);
        String msg = fatal(r);
        assertThat(msg).contains("decrypting layer sha256:")
                .contains("no suitable key unwrapper found or none of the private keys could be used for decryption");
        assertThat(tmp.resolve("out")).doesNotExist();
        CommandResult d = sb.kopi("copy", "--decryption-key", decryptionKey(protocol, false), oci("enc"),
                "dir:" + tmp.resolve("outdir"));
        d.assertExit(1);
        assertThat(tmp.resolve("outdir")).doesNotExist();
    }

    /** A Docker schema2 image is converted to OCI to be encrypted (the annotations need OCI descriptors). */
    @Test
    void aDockerImageIsEncryptedAsOci() throws IOException {
        String v2s2 = "dir:" + tmp.resolve("v2s2");
        sb.skopeo("copy", "--format", "v2s2", TestImage.MULTI.ociRef(), v2s2).assertSuccess();
        sb.kopi("copy", "--encryption-key", encryptionKey("jwe"), v2s2, oci("enc")).assertSuccess();
        JsonNode enc = manifest(oci("enc"));
        assertThat(enc.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        for (JsonNode l : enc.path("layers")) {
            assertThat(l.path("mediaType").asText()).endsWith("+encrypted");
            assertThat(l.path("annotations").has("org.opencontainers.image.enc.pubopts")).isTrue();
        }
        sb.skopeo("copy", "--decryption-key", decryptionKey("jwe", true), oci("enc"), oci("dec")).assertSuccess();
        List<String> decrypted = new ArrayList<>();
        manifest(oci("dec")).path("layers").forEach(l -> decrypted.add(l.path("digest").asText()));
        List<String> original = new ArrayList<>();
        manifest(v2s2).path("layers").forEach(l -> original.add(l.path("digest").asText()));
        assertThat(decrypted).isEqualTo(original).hasSize(3);
    }

    @Test
    void encryptLayerIndicesAsSkopeo() throws IOException {
        for (String tool : List.of("kopi", "skopeo")) {
            run(tool, "copy", "--encryption-key", encryptionKey("jwe"), "--encrypt-layer", "0", "--encrypt-layer",
                    "-1", TestImage.MULTI.ociRef(), oci(tool)).assertSuccess();
        }
        assertThat(encryptedIndices(oci("kopi"))).containsExactly(0, 2).isEqualTo(encryptedIndices(oci("skopeo")));
    }

    @Test
    @Tag("newest-skopeo")
    void anIndexOutOfRangeIsAnError() {
        CommandResult r = sb.kopi("copy", "--encryption-key", encryptionKey("jwe"), "--encrypt-layer", "3",
                TestImage.MULTI.ociRef(), oci("x"));
        r.assertExit(1);
        assertThat(fatal(r)).contains("when choosing layers to encrypt, layer index 3 out of range (3 layers exist)");
        assertThat(tmp.resolve("x")).doesNotExist();
    }

    @Test
    void flagErrorsAreSkopeos() {
        List<String[]> cases = new ArrayList<>();
        cases.add(new String[] {"copy", "--encryption-key", encryptionKey("jwe"), "--decryption-key",
            path("priv.pem"), TestImage.SINGLE.ociRef(), oci("a")});
        cases.add(new String[] {"copy", "--encrypt-layer", "0", TestImage.SINGLE.ociRef(), oci("b")});
        cases.add(new String[] {"copy", "--encryption-key", "nocolon", TestImage.SINGLE.ociRef(), oci("c")});
        cases.add(new String[] {"copy", "--encryption-key", "foo:bar", TestImage.SINGLE.ociRef(), oci("d")});
        cases.add(new String[] {"copy", "--encryption-key", "jwe:" + path("priv.pem.nosuch"),
            TestImage.SINGLE.ociRef(), oci("e")});
        cases.add(new String[] {"copy", "--encryption-key", "jwe:" + path("secring.gpg"), TestImage.SINGLE.ociRef(),
            oci("f")});
        for (String[] c : cases) {
            CommandResult k = sb.kopi(c);
            CommandResult s = sb.skopeo(c);
            assertThat(k.exitCode()).as("%s", k).isEqualTo(s.exitCode()).isEqualTo(1);
            assertThat(fatal(k)).as("%s", String.join(" ", c)).isEqualTo(fatal(s));
        }
    }

    private List<Integer> encryptedIndices(String ref) throws IOException {
        List<Integer> out = new ArrayList<>();
        JsonNode layers = manifest(ref).path("layers");
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i).path("mediaType").asText().endsWith("+encrypted")) {
                out.add(i);
            }
        }
        return out;
    }

    private JsonNode manifest(String ref) throws IOException {
        return JSON.readTree(sb.skopeo("inspect", "--raw", ref).assertSuccess().stdoutBytes());
    }

    private static String fatal(CommandResult r) {
        List<String> lines = r.stderrLines();
        var m = CommandResult.FATAL_LINE.matcher(lines.get(lines.size() - 1));
        assertThat(m.matches()).as("last stderr line of %s", r).isTrue();
        return m.group(1);
    }
}
