package dev.kopi.manifest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Schema1SignaturesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static byte[] resource(String name) throws IOException {
        try (InputStream in = Schema1SignaturesTest.class.getResourceAsStream("/dev/kopi/schema1/" + name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return in.readAllBytes();
        }
    }

    private static byte[] b64(String s) {
        return Base64.getUrlDecoder().decode(s);
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static ECPublicKey publicKey(JsonNode jwk) throws Exception {
        AlgorithmParameters p = AlgorithmParameters.getInstance("EC");
        p.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = p.getParameterSpec(ECParameterSpec.class);
        ECPoint w = new ECPoint(new BigInteger(1, b64(jwk.get("x").asText())),
                new BigInteger(1, b64(jwk.get("y").asText())));
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec));
    }

    /** Checks a pretty-signed manifest as a registry would: the JWS over protected.payload, with the JWK's key. */
    private static void assertValidSignature(byte[] signed, byte[] expectedPayload) throws Exception {
        JsonNode sig = JSON.readTree(signed).get("signatures").get(0);
        JsonNode prot = JSON.readTree(b64(sig.get("protected").asText()));
        int formatLength = prot.get("formatLength").asInt();
        byte[] tail = b64(prot.get("formatTail").asText());
        byte[] payload = new byte[formatLength + tail.length];
        System.arraycopy(signed, 0, payload, 0, formatLength);
        System.arraycopy(tail, 0, payload, formatLength, tail.length);
        assertThat(new String(payload, StandardCharsets.UTF_8)).isEqualTo(new String(expectedPayload,
                StandardCharsets.UTF_8));

        JsonNode jwk = sig.get("header").get("jwk");
        assertThat(sig.get("header").get("alg").asText()).isEqualTo("ES256");
        ECPublicKey key = publicKey(jwk);
        assertThat(Schema1Signatures.keyId(key)).as("kid").isEqualTo(jwk.get("kid").asText());
        Signature v = Signature.getInstance("SHA256withECDSAinP1363Format");
        v.initVerify(key);
        v.update((sig.get("protected").asText() + "." + b64(payload)).getBytes(StandardCharsets.US_ASCII));
        assertThat(v.verify(b64(sig.get("signature").asText()))).as("signature verifies").isTrue();
    }

    @Test
    void skopeosSignatureVerifiesUnderTheSameRules() throws Exception {
        // Proves the format is understood: key ID, signing input and raw R||S signature of a manifest skopeo signed.
        assertValidSignature(resource("skopeo-v2s1-signed.json"), resource("skopeo-v2s1-payload.json"));
    }

    @Test
    void signsLikeLibtrust() throws Exception {
        byte[] payload = resource("skopeo-v2s1-payload.json");
        KeyPair key = Schema1Signatures.newKey();
        Clock clock = Clock.fixed(Instant.parse("2024-05-06T07:08:09.987Z"), ZoneOffset.UTC);
        byte[] signed = Schema1Signatures.addDummySignature(payload, key, clock);

        assertValidSignature(signed, payload);
        String s = new String(signed, StandardCharsets.UTF_8);
        String head = new String(payload, 0, payload.length - 1, StandardCharsets.UTF_8);
        assertThat(s).startsWith(head + ",\"signatures\":[{\"header\":{\"jwk\":{\"crv\":\"P-256\",\"kid\":\"")
                .endsWith("\"}]}")
                .matches("(?s).*\"kty\":\"EC\",\"x\":\"[A-Za-z0-9_-]{43}\",\"y\":\"[A-Za-z0-9_-]{43}\"},"
                        + "\"alg\":\"ES256\"},\"signature\":\"[A-Za-z0-9_-]{86}\",\"protected\":\"[A-Za-z0-9_-]+\"}]}");
        JsonNode sig = JSON.readTree(signed).get("signatures").get(0);
        assertThat(new String(b64(sig.get("protected").asText()), StandardCharsets.UTF_8))
                .isEqualTo("{\"formatLength\":" + (payload.length - 1) + ",\"formatTail\":\"fQ\","
                        + "\"time\":\"2024-05-06T07:08:09Z\"}");
        assertThat(sig.get("header").get("jwk").get("kid").asText()).matches("([A-Z2-7]{4}:){11}[A-Z2-7]{4}");

        assertThat(Manifests.guessMimeType(signed)).isEqualTo(MediaTypes.DOCKER_V2S1_SIGNED);
        assertThat(Manifests.digest(signed)).isEqualTo(Digest.sha256(payload));
    }

    @Test
    void eachSignatureUsesAFreshKeyButTheDigestStays() throws Exception {
        byte[] payload = resource("skopeo-v2s1-payload.json");
        byte[] a = Schema1Signatures.addDummySignature(payload);
        byte[] b = Schema1Signatures.addDummySignature(payload);
        assertThat(a).isNotEqualTo(b);
        assertThat(Manifests.digest(a)).isEqualTo(Manifests.digest(b)).isEqualTo(Digest.sha256(payload));
    }

    @Test
    void keepsTrailingWhitespaceInTheTail() throws Exception {
        byte[] payload = "{\"schemaVersion\":1} \n".getBytes(StandardCharsets.UTF_8);
        byte[] signed = Schema1Signatures.addDummySignature(payload);
        assertThat(new String(signed, StandardCharsets.UTF_8)).startsWith("{\"schemaVersion\":1,\"signatures\":[");
        assertValidSignature(signed, payload);
        assertThat(Manifests.digest(signed)).isEqualTo(Digest.sha256(payload));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"[1,2]", "{\"a\":1,}", "x", "{\n  \"a\": 1\n}"})
    void refusesWhatLibtrustCannotSign(String content) {
        assertThatThrownBy(() -> Schema1Signatures.addDummySignature(content.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @CsvSource({"'',''", "f,MY", "fo,MZXQ", "foo,MZXW6", "foob,MZXW6YQ", "fooba,MZXW6YTB", "foobar,MZXW6YTBOI"})
    void base32AsRfc4648WithoutPadding(String in, String out) {
        assertThat(Schema1Signatures.base32(in.getBytes(StandardCharsets.US_ASCII))).isEqualTo(out);
    }

    @Test
    void keyIdIsTwelveGroupsOfTheKeysDerHash() throws Exception {
        JsonNode jwk = JSON.readTree(resource("skopeo-v2s1-signed.json")).get("signatures").get(0).get("header")
                .get("jwk");
        ECPublicKey key = publicKey(jwk);
        assertThat(Schema1Signatures.keyId(key)).isEqualTo(jwk.get("kid").asText());
        // A different key gives a different ID.
        ECPublicKey other = (ECPublicKey) Schema1Signatures.newKey().getPublic();
        assertThat(Schema1Signatures.keyId(other)).isNotEqualTo(jwk.get("kid").asText());
        assertThat(Arrays.asList(Schema1Signatures.keyId(other).split(":"))).hasSize(12);
    }
}
