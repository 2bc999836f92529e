package dev.kopi.signature.simple;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.testkit.PgpTestKeys;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SimpleSigningPayloadTest {
    private static final Digest D = Digest.of("sha256:962b1ae83825c37b6eb3ee98dbe587461074a338cc0b838a635d274e2844096d");

    @Test
    void marshalsAsContainersImageDoes() throws Exception {
        // byte for byte what skopeo 1.9.3 signed (gpg --decrypt of its standalone-sign output), creator aside
        byte[] json = new SimpleSigningPayload("docker.io/library/busybox:latest", D, "atomic 5.23.1", 1795763987L)
                .toJson();
        assertThat(new String(json, StandardCharsets.UTF_8)).isEqualTo("{\"critical\":{\"identity\":"
                + "{\"docker-reference\":\"docker.io/library/busybox:latest\"},\"image\":{\"docker-manifest-digest\":"
                + "\"sha256:962b1ae83825c37b6eb3ee98dbe587461074a338cc0b838a635d274e2844096d\"},"
                + "\"type\":\"atomic container signature\"},\"optional\":{\"creator\":\"atomic 5.23.1\","
                + "\"timestamp\":1795763987}}");
        assertThat(SimpleSigningPayload.parseUntrusted(json))
                .isEqualTo(new SimpleSigningPayload("docker.io/library/busybox:latest", D, "atomic 5.23.1",
                        1795763987L));
    }

    @Test
    void goEscapingAndNoOptionals() throws Exception {
        byte[] json = new SimpleSigningPayload("example.com/a<b>&c:t", D, null, null).toJson();
        assertThat(new String(json, StandardCharsets.UTF_8)).contains("a\\u003cb\\u003e\\u0026c:t")
                .endsWith("\"optional\":{}}");
        assertThatThrownBy(() -> new SimpleSigningPayload("", D, null, null).toJson())
                .hasMessage("Unexpected empty signature content");
    }

    private static final String GOOD_CRITICAL = "{\"type\":\"atomic container signature\",\"image\":"
            + "{\"docker-manifest-digest\":\"sha256:962b1ae83825c37b6eb3ee98dbe587461074a338cc0b838a635d274e2844096d\"},"
            + "\"identity\":{\"docker-reference\":\"busybox\"}}";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{}|Key \"critical\" missing in a JSON object",
        "{\"critical\":{},\"optional\":{},\"x\":1}|Unknown key \"x\"",
        "{\"critical\":" + GOOD_CRITICAL + "}|Key \"optional\" missing in a JSON object",
        "{\"critical\":" + GOOD_CRITICAL + ",\"optional\":{\"timestamp\":1.5}}|Field optional.timestamp is not an integer",
        "{\"critical\":" + GOOD_CRITICAL + ",\"optional\":{\"creator\":1}}|json: cannot unmarshal number into Go value of type string",
        "{\"critical\":{\"type\":\"other\",\"image\":{},\"identity\":{}},\"optional\":{}}|Unrecognized signature type other",
        "{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"sha256:12\"},\"identity\":{}},\"optional\":{}}"
                + "|invalid docker-manifest-digest value \"sha256:12\": invalid checksum digest length",
        "{\"critical\":{\"type\":\"atomic container signature\",\"image\":{\"docker-manifest-digest\":\"sha256:962b1ae83825c37b6eb3ee98dbe587461074a338cc0b838a635d274e2844096d\"},\"identity\":{}},\"optional\":{}}"
                + "|Key \"docker-reference\" missing in a JSON object",
        "{\"critical\":{\"type\":\"atomic container signature\",\"image\":{},\"identity\":{},\"extra\":1},\"optional\":{}}|Unknown key \"extra\"",
        "[]|JSON object expected, got \"[\"",
    })
    void strictParsing(String json, String message) {
        assertThatThrownBy(() -> SimpleSigningPayload.parseUntrusted(json.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ImageException.class).hasMessage(message);
    }

    @Test
    void unknownOptionalKeysAreIgnored() throws Exception {
        SimpleSigningPayload p = SimpleSigningPayload.parseUntrusted(("{\"critical\":" + GOOD_CRITICAL
                + ",\"optional\":{\"future\":[1,2]}}").getBytes(StandardCharsets.UTF_8));
        assertThat(p.dockerReference()).isEqualTo("busybox");
        assertThat(p.creator()).isNull();
    }

    @Test
    void verifiesWithTheRightKeyOnly() throws Exception {
        PgpTestKeys trusted = PgpTestKeys.generate("Trusted <t@example.com>");
        PgpTestKeys other = PgpTestKeys.generate("Other <o@example.com>");
        byte[] manifest = "{\"schemaVersion\":2}".getBytes(StandardCharsets.UTF_8);
        Digest d = dev.kopi.manifest.Manifests.digest(manifest);
        byte[] payload = new SimpleSigningPayload("docker.io/library/busybox:latest", d, "c", 1L).toJson();
        byte[] sig = trusted.sign(payload);
        OpenPgp.Keyring keys = OpenPgp.importKeys(trusted.publicKeyring());
        assertThat(keys.fingerprints()).containsExactly(trusted.fingerprint());

        SimpleSigning.Verified v = SimpleSigning.verifyDockerManifestSignature(sig, manifest, "busybox:latest", keys,
                List.of(trusted.fingerprint()));
        assertThat(v.keyFingerprint()).isEqualTo(trusted.fingerprint());
        assertThat(v.manifestDigest()).isEqualTo(d);

        assertThatThrownBy(() -> SimpleSigning.verifyDockerManifestSignature(sig, manifest, "busybox:latest", keys,
                List.of("0000")))
                .hasMessage("signature by key " + trusted.fingerprint() + " is not accepted");
        byte[] byOther = other.sign(payload);
        assertThatThrownBy(() -> SimpleSigning.verifyDockerManifestSignature(byOther, manifest, "busybox:latest",
                keys, List.of(trusted.fingerprint())))
                .hasMessageStartingWith("Key not found for key ID ");
        assertThatThrownBy(() -> SimpleSigning.verifyDockerManifestSignature(sig, "{}".getBytes(), "busybox:latest",
                keys, List.of(trusted.fingerprint())))
                .hasMessage("Signature for docker digest \"" + d + "\" does not match");
        assertThatThrownBy(() -> SimpleSigning.verifyDockerManifestSignature(sig, manifest, "busybox:other", keys,
                List.of(trusted.fingerprint())))
                .hasMessage("Docker reference \"docker.io/library/busybox:latest\" does not match \"busybox:other\"");

        SimpleSigning.UntrustedInfo info = SimpleSigning.untrustedInformation(byOther);
        assertThat(info.untrustedShortKeyIdentifier()).isEqualTo(other.fingerprint().substring(24));
        assertThat(info.untrustedDockerReference()).isEqualTo("docker.io/library/busybox:latest");
        assertThat(info.untrustedTimestamp()).isEqualTo(java.time.Instant.ofEpochSecond(1));
    }

    @Test
    void aTamperedSignatureIsRejected() throws Exception {
        PgpTestKeys k = PgpTestKeys.generate("K <k@example.com>");
        byte[] payload = new SimpleSigningPayload("docker.io/library/busybox:latest", D, null, null).toJson();
        byte[] sig = k.sign(payload);
        OpenPgp.Keyring keys = OpenPgp.importKeys(k.publicKeyring());
        int rejected = 0;
        for (int i = 0; i < sig.length; i++) {
            byte[] t = sig.clone();
            t[i] ^= 0x01;
            // a flipped bit either fails verification or (in fields the signature does not cover, such as the
            // literal packet's date) still verifies the very same content: never other content
            try {
                assertThat(OpenPgp.verify(t, keys).content()).as("byte %d flipped", i).isEqualTo(payload);
            } catch (ImageException e) {
                rejected++;
            }
        }
        assertThat(rejected).isGreaterThan(sig.length / 2);
        byte[] lastByte = sig.clone();
        lastByte[lastByte.length - 1] ^= 0x01;
        assertThatThrownBy(() -> OpenPgp.verify(lastByte, keys)).isInstanceOf(ImageException.class);
        assertThatThrownBy(() -> OpenPgp.verify("not a signature".getBytes(), keys))
                .isInstanceOf(ImageException.class);
    }

    @Test
    void armoredKeyringsAreRead() throws Exception {
        PgpTestKeys a = PgpTestKeys.generate("A <a@example.com>");
        PgpTestKeys b = PgpTestKeys.generate("B <b@example.com>");
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (PgpTestKeys k : List.of(a, b)) {
            try (var arm = new org.bouncycastle.bcpg.ArmoredOutputStream(out)) {
                arm.write(k.publicKeyring());
            }
        }
        assertThat(OpenPgp.importKeys(out.toByteArray()).fingerprints()).containsExactly(a.fingerprint(),
                b.fingerprint());
        byte[] both = new byte[a.publicKeyring().length + b.publicKeyring().length];
        System.arraycopy(a.publicKeyring(), 0, both, 0, a.publicKeyring().length);
        System.arraycopy(b.publicKeyring(), 0, both, a.publicKeyring().length, b.publicKeyring().length);
        assertThat(OpenPgp.importKeys(both).fingerprints()).containsExactly(a.fingerprint(), b.fingerprint());
        assertThat(OpenPgp.importKeys("garbage".getBytes()).fingerprints()).isEmpty();
    }
}
