package dev.kopi.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.Descriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OciCryptTest {
    private static KeyPair rsa;
    private static KeyPair other;
    private static X509Certificate cert;

    @BeforeAll
    static void keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        rsa = g.generateKeyPair();
        other = g.generateKeyPair();
        cert = new JcaX509CertificateConverter().getCertificate(new JcaX509v3CertificateBuilder(
                new X500Name("CN=kopi-test"), BigInteger.TEN, new Date(System.currentTimeMillis() - 60_000),
                new Date(System.currentTimeMillis() + 86_400_000L), new X500Name("CN=kopi-test"), rsa.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withRSA").build(rsa.getPrivate())));
    }

    private static byte[] data(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }

    @ParameterizedTest(name = "{0} bytes")
    @CsvSource({"0", "1", "15", "16", "17", "65536", "200001"})
    void aesCtrHmacRoundTripsAndKeepsTheSize(int n) throws IOException {
        byte[] key = AesCtrHmac.random(32);
        byte[] nonce = AesCtrHmac.random(16);
        AesCtrHmac.Encrypting enc = AesCtrHmac.encrypt(new ByteArrayInputStream(data(n)), key, nonce);
        byte[] ct = enc.readAllBytes();
        assertThat(ct).hasSize(n);
        if (n > 16) {
            assertThat(ct).isNotEqualTo(data(n));
        }
        byte[] hmac = enc.hmac();
        assertThat(AesCtrHmac.decrypt(new ByteArrayInputStream(ct), key, nonce, hmac).readAllBytes())
                .isEqualTo(data(n));
    }

    @Test
    void aTamperedLayerFailsAtItsEnd() throws IOException {
        byte[] key = AesCtrHmac.random(32);
        byte[] nonce = AesCtrHmac.random(16);
        AesCtrHmac.Encrypting enc = AesCtrHmac.encrypt(new ByteArrayInputStream(data(1000)), key, nonce);
        byte[] ct = enc.readAllBytes();
        byte[] hmac = enc.hmac();
        ct[500] ^= 1;
        InputStream d = AesCtrHmac.decrypt(new ByteArrayInputStream(ct), key, nonce, hmac);
        assertThatThrownBy(d::readAllBytes).hasMessageStartingWith("could not properly decrypt byte stream");
        assertThatThrownBy(() -> AesCtrHmac.decrypt(new ByteArrayInputStream(ct), key, nonce, new byte[0]))
                .hasMessage("HMAC is not provided for decryption process");
    }

    @Test
    void jweRoundTripsForEachRecipient() throws IOException {
        byte[] opts = "{\"symkey\":\"x\"}".getBytes(StandardCharsets.UTF_8);
        byte[] one = JweWrapper.wrap(List.of(rsa.getPublic()), opts);
        assertThat(new String(one, StandardCharsets.UTF_8)).contains("\"encrypted_key\"").doesNotContain("recipients");
        assertThat(JweWrapper.unwrap(one, List.of(other.getPrivate(), rsa.getPrivate()))).isEqualTo(opts);
        byte[] two = JweWrapper.wrap(List.of(other.getPublic(), rsa.getPublic()), opts);
        assertThat(new String(two, StandardCharsets.UTF_8)).contains("\"recipients\"");
        assertThat(JweWrapper.unwrap(two, List.of(rsa.getPrivate()))).isEqualTo(opts);
        assertThatThrownBy(() -> JweWrapper.unwrap(one, List.of(other.getPrivate())))
                .hasMessage("JWE: No suitable private key found for decryption");
        assertThatThrownBy(() -> JweWrapper.unwrap("nope".getBytes(), List.of(rsa.getPrivate())))
                .hasMessage("jose.ParseEncrypted failed");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"secp256r1", "secp384r1", "secp521r1"})
    void jweWithEcKeysUsesEcdhEs(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new java.security.spec.ECGenParameterSpec(curve));
        KeyPair ec = g.generateKeyPair();
        KeyPair ec2 = g.generateKeyPair();
        byte[] opts = "{\"symkey\":\"z\"}".getBytes(StandardCharsets.UTF_8);
        byte[] jwe = JweWrapper.wrap(List.of(ec.getPublic()), opts);
        String header = new String(Base64.getUrlDecoder().decode(new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(jwe).path("protected").asText()), StandardCharsets.UTF_8);
        assertThat(header).contains("\"alg\":\"ECDH-ES+A256KW\"").contains("\"epk\":{\"kty\":\"EC\"");
        assertThat(JweWrapper.unwrap(jwe, List.of(rsa.getPrivate(), ec.getPrivate()))).isEqualTo(opts);
        assertThatThrownBy(() -> JweWrapper.unwrap(jwe, List.of(ec2.getPrivate())))
                .hasMessage("JWE: No suitable private key found for decryption");
        byte[] mixed = JweWrapper.wrap(List.of(rsa.getPublic(), ec.getPublic()), opts);
        assertThat(JweWrapper.unwrap(mixed, List.of(ec.getPrivate()))).isEqualTo(opts);
        assertThat(JweWrapper.unwrap(mixed, List.of(rsa.getPrivate()))).isEqualTo(opts);
    }

    @Test
    void pkcs7RoundTrips() throws IOException {
        byte[] opts = "{\"symkey\":\"y\"}".getBytes(StandardCharsets.UTF_8);
        byte[] env = Pkcs7Wrapper.wrap(List.of(cert), opts);
        assertThat(Pkcs7Wrapper.unwrap(env, List.of(cert), List.of(rsa.getPrivate()))).isEqualTo(opts);
        assertThatThrownBy(() -> Pkcs7Wrapper.unwrap(env, List.of(cert), List.of(other.getPrivate())))
                .hasMessage("PKCS7: No suitable private key found for decryption");
    }

    @Test
    void aLayerRoundTripsThroughTheAnnotations() throws IOException {
        OciCrypt enc = new OciCrypt(new OciCrypt.Recipients(List.of(rsa.getPublic()), List.of(), List.of(cert)), List.of(),
                null);
        Descriptor src = new Descriptor("application/vnd.oci.image.layer.v1.tar+gzip", Digest.sha256(data(5000)),
                5000);
        LayerCrypto.Encryption e = enc.encrypt(src, new ByteArrayInputStream(data(5000)));
        byte[] ct = e.stream().readAllBytes();
        Map<String, String> a = e.finish();
        assertThat(a).containsOnlyKeys("org.opencontainers.image.enc.keys.jwe",
                "org.opencontainers.image.enc.keys.pkcs7", "org.opencontainers.image.enc.pubopts");
        assertThat(new String(Base64.getDecoder().decode(a.get(OciCrypt.PUBOPTS)), StandardCharsets.UTF_8))
                .matches("\\{\"cipher\":\"AES_256_CTR_HMAC_SHA256\",\"hmac\":\"[A-Za-z0-9+/=]{44}\",\"cipheroptions\":\\{}}");
        Descriptor encrypted = new Descriptor(OciCrypt.encryptedMediaType(src.mediaType()), Digest.sha256(ct),
                ct.length).withAnnotations(a);
        OciCrypt dec = new OciCrypt(null, null, new OciCrypt.Keys(List.of(rsa.getPrivate()), List.of(), List.of()));
        assertThat(dec.decrypts(encrypted)).isTrue();
        assertThat(dec.decrypts(src)).isFalse();
        assertThat(dec.decrypt(encrypted, new ByteArrayInputStream(ct)).readAllBytes()).isEqualTo(data(5000));
        OciCrypt wrong = new OciCrypt(null, null, new OciCrypt.Keys(List.of(other.getPrivate()), List.of(), List.of()));
        assertThatThrownBy(() -> wrong.decrypt(encrypted, new ByteArrayInputStream(ct)))
                .isInstanceOf(ImageException.class)
                .hasMessageStartingWith("decrypting layer " + encrypted.digest() + ": no suitable key unwrapper found "
                        + "or none of the private keys could be used for decryption:\n")
                .hasMessageContaining("- JWE: No suitable private key found for decryption");
        OciCrypt none = new OciCrypt(null, null, new OciCrypt.Keys(List.of(), List.of(), List.of()));
        assertThatThrownBy(() -> none.decrypt(encrypted, new ByteArrayInputStream(ct)))
                .hasMessage("decrypting layer " + encrypted.digest() + ": missing private key needed for decryption:\n");
    }

    @ParameterizedTest(name = "{0} of {1}")
    @CsvSource(delimiter = '|', value = {"''|3|0,1,2", "0|3|0", "-1|3|2", "0,-1|3|0,2", "-3|3|0", "2,2|3|2",
        "3|3|when choosing layers to encrypt, layer index 3 out of range (3 layers exist)",
        "-4|3|when choosing layers to encrypt, layer index -4 out of range (3 layers exist)"})
    void layerIndices(String given, int count, String want) throws ImageException {
        List<Integer> layers = given.isEmpty() ? List.of()
                : java.util.Arrays.stream(given.split(",")).map(Integer::valueOf).toList();
        OciCrypt c = new OciCrypt(new OciCrypt.Recipients(List.of(rsa.getPublic()), List.of(), List.of()), layers, null);
        if (want.startsWith("when")) {
            assertThatThrownBy(() -> c.layersToEncrypt(count)).hasMessage(want);
        } else {
            assertThat(c.layersToEncrypt(count)).containsExactlyInAnyOrderElementsOf(
                    java.util.Arrays.stream(want.split(",")).map(Integer::valueOf).toList());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "application/vnd.oci.image.layer.v1.tar+gzip|application/vnd.oci.image.layer.v1.tar+gzip+encrypted",
        "application/vnd.oci.image.layer.v1.tar|application/vnd.oci.image.layer.v1.tar+encrypted",
        "application/vnd.oci.image.layer.v1.tar+zstd|application/vnd.oci.image.layer.v1.tar+zstd+encrypted"})
    void mediaTypes(String plain, String encrypted) throws ImageException {
        assertThat(OciCrypt.encryptedMediaType(plain)).isEqualTo(encrypted);
        assertThat(OciCrypt.decryptedMediaType(encrypted)).isEqualTo(plain);
        assertThatThrownBy(() -> OciCrypt.encryptedMediaType(encrypted)).hasMessage("unsupported mediaType: \""
                + encrypted + "\" already encrypted");
    }
}
