package dev.kopi.signature.sigstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SigstoreTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] MANIFEST = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\"}"
            .getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    /** NaCl's secretbox test vector (tests/secretbox.c): key, nonce, 131-byte message → tag + ciphertext. */
    @Test
    void secretboxMatchesNaclVector() {
        byte[] key = HEX.parseHex("1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
        byte[] nonce = HEX.parseHex("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37");
        byte[] msg = HEX.parseHex("be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffc"
                + "e5ecbaaf33bd751a1ac728d45e6c61296cdc3c01233561f41db66cce314adb31"
                + "0e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde"
                + "048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f93776384864" + "5e0705");
        String expected = "f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce"
                + "48332ea7164d96a4476fb8c531a1186ac0dfc17c98dce87b4da7f011ec48c972"
                + "71d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae"
                + "90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b3"
                + "7973f622a43d14a6599b1f654cb45a74e355a5";
        byte[] box = EncryptedKeys.secretboxSeal(msg, nonce, key);
        assertThat(HEX.formatHex(box)).isEqualTo(expected);
        assertThat(EncryptedKeys.secretboxOpen(box, nonce, key)).isEqualTo(msg);
        box[20] ^= 1;
        assertThat(EncryptedKeys.secretboxOpen(box, nonce, key)).isNull();
    }

    @Test
    void encryptedKeyJsonHasCosignShapeAndRoundTrips() throws Exception {
        byte[] json = EncryptedKeys.encrypt("secret".getBytes(StandardCharsets.UTF_8), "pw".getBytes(StandardCharsets.UTF_8));
        String s = new String(json, StandardCharsets.UTF_8);
        assertThat(s).matches(Pattern.compile("\\{\"kdf\":\\{\"name\":\"scrypt\",\"params\":\\{\"N\":65536,\"r\":8,\"p\":1\\},"
                + "\"salt\":\"[A-Za-z0-9+/=]{44}\"\\},\"cipher\":\\{\"name\":\"nacl/secretbox\",\"nonce\":\"[A-Za-z0-9+/=]{32}\"\\},"
                + "\"ciphertext\":\"[A-Za-z0-9+/=]+\"\\}"));
        assertThat(EncryptedKeys.decrypt(json, "pw".getBytes(StandardCharsets.UTF_8))).asString().isEqualTo("secret");
        assertThatThrownBy(() -> EncryptedKeys.decrypt(json, "other".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("encrypted: decryption failed");
        byte[] badParams = s.replace("\"N\":65536", "\"N\":1024").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> EncryptedKeys.decrypt(badParams, "pw".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("unsupported scrypt parameters");
        byte[] badKdf = s.replace("\"scrypt\"", "\"pbkdf2\"").getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> EncryptedKeys.decrypt(badKdf, "pw".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("encrypted: unknown kdf name \"pbkdf2\"");
    }

    @Test
    void generatedKeySignsAndVerifies() throws Exception {
        Sigstore.KeyPairFiles files = Sigstore.generateKeyPair("pass".getBytes(StandardCharsets.UTF_8));
        String priv = new String(files.privateKeyPem(), StandardCharsets.US_ASCII);
        assertThat(priv).startsWith("-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n")
                .endsWith("-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
        assertThat(new String(files.publicKeyPem(), StandardCharsets.US_ASCII)).startsWith("-----BEGIN PUBLIC KEY-----\n");
        byte[] pkcs8 = EncryptedKeys.decrypt(dev.kopi.config.PemKeys.blocks(files.privateKeyPem()).get(0).bytes(),
                "pass".getBytes(StandardCharsets.UTF_8));
        assertThat(pkcs8).as("Go's PKCS#8 form: with the public point").hasSize(138);
        assertThat(dev.kopi.config.PemKeys.parsePrivateKey(pkcs8).getAlgorithm()).isEqualTo("EC");
        Path keyFile = tmp.resolve("k.private");
        Files.write(keyFile, files.privateKeyPem());
        List<PublicKey> keys = Sigstore.parsePublicKeys(files.publicKeyPem());

        SigstoreSigner signer = SigstoreSigner.fromPrivateKeyFile(keyFile, "pass".getBytes(StandardCharsets.UTF_8));
        Signature sig = signer.sign(MANIFEST, DockerReference.parseNormalized("example.com/ns/repo:tag"));
        SigstoreSignature parsed = SigstoreSignature.fromBlob(sig.blob());
        assertThat(parsed.untrustedMimeType()).isEqualTo(SigstoreSignature.SIGNATURE_MIME_TYPE);
        assertThat(parsed.annotations()).containsOnlyKeys(SigstoreSignature.SIGNATURE_ANNOTATION);
        assertThat(new String(parsed.untrustedPayload(), StandardCharsets.UTF_8)).matches(
                "\\{\"critical\":\\{\"identity\":\\{\"docker-reference\":\"example.com/ns/repo:tag\"\\},"
                        + "\"image\":\\{\"docker-manifest-digest\":\"" + Digest.sha256(MANIFEST) + "\"\\},"
                        + "\"type\":\"cosign container image signature\"\\},\"optional\":\\{\"creator\":\"kopi\","
                        + "\"timestamp\":\\d+\\}\\}");

        Sigstore.Payload p = Sigstore.verify(sig, keys);
        assertThat(p).isEqualTo(new Sigstore.Payload("example.com/ns/repo:tag", Digest.sha256(MANIFEST)));

        // another key does not verify it
        List<PublicKey> other = Sigstore.parsePublicKeys(Sigstore.generateKeyPair(new byte[0]).publicKeyPem());
        assertThatThrownBy(() -> Sigstore.verify(sig, other))
                .isInstanceOfSatisfying(ImageException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.POLICY_REJECTED))
                .hasMessage("cryptographic signature verification failed: invalid signature when validating ASN.1 encoded signature");
        // either of two keys is enough
        assertThat(Sigstore.verify(sig, List.of(other.get(0), keys.get(0)))).isEqualTo(p);

        // the same key with the PEM type containers/image writes (ENCRYPTED COSIGN PRIVATE KEY) signs as well
        Path cosignTyped = tmp.resolve("cosign.private");
        Files.writeString(cosignTyped, priv.replace("ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY"));
        Signature sig2 = SigstoreSigner.fromPrivateKeyFile(cosignTyped, "pass".getBytes(StandardCharsets.UTF_8))
                .sign(MANIFEST, DockerReference.parseNormalized("example.com/ns/repo:tag"));
        assertThat(Sigstore.verify(sig2, keys)).isEqualTo(p);
    }

    @Test
    void wrongPassphraseAndWrongPemTypeAreRefused() throws Exception {
        Path keyFile = tmp.resolve("k.private");
        Files.write(keyFile, Sigstore.generateKeyPair("right".getBytes(StandardCharsets.UTF_8)).privateKeyPem());
        assertThatThrownBy(() -> SigstoreSigner.fromPrivateKeyFile(keyFile, "wrong".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("initializing private key: decrypt: encrypted: decryption failed");
        assertThatThrownBy(() -> SigstoreSigner.fromPrivateKeyFile(keyFile, null))
                .hasMessage("private key passphrase not provided");
        Path pub = tmp.resolve("k.pub");
        Files.write(pub, Sigstore.generateKeyPair(new byte[0]).publicKeyPem());
        assertThatThrownBy(() -> SigstoreSigner.fromPrivateKeyFile(pub, new byte[0]))
                .hasMessage("initializing private key: unsupported pem type: PUBLIC KEY");
        // the newer cosign PEM type is read too
        String sigstoreType = Files.readString(keyFile).replace("COSIGN", "SIGSTORE");
        Files.writeString(keyFile, sigstoreType);
        assertThat(SigstoreSigner.fromPrivateKeyFile(keyFile, "right".getBytes(StandardCharsets.UTF_8))).isNotNull();
    }

    /** A key pair and a signature made with openssl (the oracle), in cosign's layout, verify; tampering is rejected. */
    @ParameterizedTest
    @ValueSource(strings = {"payload", "signature", "none"})
    void opensslSignatureVerifies(String tamper) throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        Path key = tmp.resolve("key.pem");
        Path pub = tmp.resolve("pub.pem");
        Path payload = tmp.resolve("payload");
        Path sigFile = tmp.resolve("sig.der");
        run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
        run("openssl", "pkey", "-in", key.toString(), "-pubout", "-out", pub.toString());
        byte[] payloadBytes = Sigstore.payload(Digest.sha256(MANIFEST), "example.com/ns/repo:tag", null, 1700000000);
        Files.write(payload, payloadBytes);
        run("openssl", "dgst", "-sha256", "-sign", key.toString(), "-out", sigFile.toString(), payload.toString());
        byte[] der = Files.readAllBytes(sigFile);
        if (tamper.equals("signature")) {
            der[der.length - 1] ^= 1;
        }
        if (tamper.equals("payload")) {
            payloadBytes = new String(payloadBytes, StandardCharsets.UTF_8).replace("repo:tag", "repo:evil")
                    .getBytes(StandardCharsets.UTF_8);
        }
        Signature sig = new SigstoreSignature(SigstoreSignature.SIGNATURE_MIME_TYPE, payloadBytes,
                Map.of(SigstoreSignature.SIGNATURE_ANNOTATION, Base64.getEncoder().encodeToString(der))).toSignature();
        List<PublicKey> keys = Sigstore.parsePublicKeys(Files.readAllBytes(pub));
        if (tamper.equals("none")) {
            assertThat(Sigstore.verify(sig, keys))
                    .isEqualTo(new Sigstore.Payload("example.com/ns/repo:tag", Digest.sha256(MANIFEST)));
        } else {
            assertThatThrownBy(() -> Sigstore.verify(sig, keys))
                    .hasMessageStartingWith("cryptographic signature verification failed: ");
        }
    }

    /** A signature kopi makes verifies with openssl dgst -verify (the DER signature over the payload bytes). */
    @Test
    void kopiSignatureVerifiesWithOpenssl() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        Sigstore.KeyPairFiles files = Sigstore.generateKeyPair("p".getBytes(StandardCharsets.UTF_8));
        Path keyFile = tmp.resolve("k.private");
        Files.write(keyFile, files.privateKeyPem());
        Path pub = tmp.resolve("k.pub");
        Files.write(pub, files.publicKeyPem());
        Signature sig = SigstoreSigner.fromPrivateKeyFile(keyFile, "p".getBytes(StandardCharsets.UTF_8))
                .sign(MANIFEST, DockerReference.parseNormalized("busybox:latest"));
        SigstoreSignature s = SigstoreSignature.fromBlob(sig.blob());
        Files.write(tmp.resolve("payload"), s.untrustedPayload());
        Files.write(tmp.resolve("sig.der"), Base64.getDecoder().decode(s.annotations().get(SigstoreSignature.SIGNATURE_ANNOTATION)));
        String out = run("openssl", "dgst", "-sha256", "-verify", pub.toString(), "-signature",
                tmp.resolve("sig.der").toString(), tmp.resolve("payload").toString());
        assertThat(out).contains("Verified OK");
        // the decrypted private key is PKCS#8 openssl reads, and its public half is the .pub file
        byte[] pkcs8 = EncryptedKeys.decrypt(dev.kopi.config.PemKeys.blocks(files.privateKeyPem()).get(0).bytes(),
                "p".getBytes(StandardCharsets.UTF_8));
        Path der = Files.write(tmp.resolve("k.der"), pkcs8);
        assertThat(run("openssl", "pkey", "-inform", "DER", "-in", der.toString(), "-pubout"))
                .isEqualTo(new String(files.publicKeyPem(), StandardCharsets.US_ASCII));
        assertThat(new String(s.untrustedPayload(), StandardCharsets.UTF_8))
                .contains("\"docker-reference\":\"docker.io/library/busybox:latest\"");
    }

    @Test
    void blobFormatRoundTripsAsContainersImageWritesIt() throws Exception {
        SigstoreSignature s = new SigstoreSignature("text/x", "a<b".getBytes(StandardCharsets.UTF_8),
                Map.of("z", "1", "a", "<&>"));
        byte[] blob = s.toSignature().blob();
        assertThat(new String(blob, StandardCharsets.UTF_8)).isEqualTo(
                "\0sigstore-json\n{\"mimeType\":\"text/x\",\"payload\":\"YTxi\",\"annotations\":{\"a\":\"\\u003c\\u0026\\u003e\",\"z\":\"1\"}}");
        assertThat(SigstoreSignature.fromBlob(blob)).isEqualTo(s);
        assertThat(SigstoreSignature.from(new Signature(new byte[] {(byte) 0x89, 1}))).isEmpty();
        SigstoreSignature none = new SigstoreSignature("m", new byte[0], null);
        assertThat(new String(none.toSignature().blob(), StandardCharsets.UTF_8))
                .endsWith("{\"mimeType\":\"m\",\"payload\":\"\",\"annotations\":null}");
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{\"docker-manifest-digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"},\"identity\":{\"docker-reference\":\"a/b:c\"}},\"optional\":null}|OK",
        "{\"critical\":{\"type\":\"other\",\"image\":{\"docker-manifest-digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"},\"identity\":{\"docker-reference\":\"a/b:c\"}},\"optional\":null}|Unrecognized signature type other",
        "{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{\"docker-manifest-digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"},\"identity\":{\"docker-reference\":\"a/b:c\"},\"extra\":1},\"optional\":null}|Unknown key \"extra\"",
        "{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{\"docker-manifest-digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"}},\"optional\":null}|Key \"identity\" missing in a JSON object",
        "{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{\"docker-manifest-digest\":\"sha256:0000000000000000000000000000000000000000000000000000000000000000\"},\"identity\":{\"docker-reference\":\"a/b:c\"}},\"optional\":{\"timestamp\":1.5}}|Field optional.timestamp is not an integer",
        "{\"critical\":{\"type\":\"cosign container image signature\",\"type\":\"x\"},\"optional\":null}|Duplicate key \"type\"",
        "{\"critical\":{\"type\":\"cosign container image signature\",\"image\":{\"docker-manifest-digest\":\"sha256:00\"},\"identity\":{\"docker-reference\":\"a/b:c\"}},\"optional\":null}|invalid docker-manifest-digest value \"sha256:00\": invalid checksum digest length",
    })
    void payloadIsParsedStrictly(String row) throws Exception {
        String json = row.substring(0, row.lastIndexOf('|'));
        String want = row.substring(row.lastIndexOf('|') + 1);
        if (want.equals("OK")) {
            assertThat(Sigstore.parsePayload(json.getBytes(StandardCharsets.UTF_8)).dockerReference()).isEqualTo("a/b:c");
        } else {
            assertThatThrownBy(() -> Sigstore.parsePayload(json.getBytes(StandardCharsets.UTF_8))).hasMessage(want);
        }
    }

    @Test
    void publicKeyErrors() {
        assertThatThrownBy(() -> Sigstore.parsePublicKeys("nothing".getBytes(StandardCharsets.UTF_8)))
                .hasMessage("PEM decoding failed");
        assertThatThrownBy(() -> Sigstore.parsePublicKeys("-----BEGIN CERTIFICATE-----\nYQ==\n-----END CERTIFICATE-----\n"
                .getBytes(StandardCharsets.UTF_8)))
                .hasMessage("unknown Public key PEM file type: CERTIFICATE. Are you passing the correct public key?");
    }

    @Test
    void missingAnnotationIsRejected() throws Exception {
        Signature sig = new SigstoreSignature(SigstoreSignature.SIGNATURE_MIME_TYPE, new byte[1], Map.of()).toSignature();
        List<PublicKey> keys = Sigstore.parsePublicKeys(Sigstore.generateKeyPair(new byte[0]).publicKeyPem());
        assertThatThrownBy(() -> Sigstore.verify(sig, keys))
                .hasMessage("missing dev.cosignproject.cosign/signature annotation");
    }

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(String.join(" ", cmd) + ": " + out).isZero();
        return out;
    }
}
