package dev.kopi.signature.sigstore;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kopi.config.PemKeys;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.json.GoJson;
import dev.kopi.signature.Signature;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Sigstore (cosign) signatures with public keys, as containers/image creates and verifies them: the payload
 * ({@code critical.identity.docker-reference}, {@code critical.image.docker-manifest-digest},
 * {@code critical.type: cosign container image signature}, {@code optional}), its signature in the
 * {@code dev.cosignproject.cosign/signature} annotation, and cosign's key files.
 */
public final class Sigstore {
    /** {@code critical.type} of a cosign image signature payload. */
    public static final String SIGNATURE_TYPE = "cosign container image signature";
    /** The PEM type containers/image (and skopeo's generate-sigstore-key) writes for a private key. */
    public static final String COSIGN_PRIVATE_KEY_PEM_TYPE = "ENCRYPTED COSIGN PRIVATE KEY";
    /** The PEM type newer cosign writes for a private key; read as well. */
    public static final String SIGSTORE_PRIVATE_KEY_PEM_TYPE = "ENCRYPTED SIGSTORE PRIVATE KEY";

    private static final ObjectMapper STRICT = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private Sigstore() {
    }

    /** What a verified sigstore signature claims: the payload's docker-reference and docker-manifest-digest. */
    public record Payload(String dockerReference, Digest dockerManifestDigest) {
    }

    /** A new key pair's files: the encrypted private key (PEM) and the public key (PEM). */
    public record KeyPairFiles(byte[] privateKeyPem, byte[] publicKeyPem) {
        public KeyPairFiles {
            privateKeyPem = privateKeyPem.clone();
            publicKeyPem = publicKeyPem.clone();
        }

        @Override
        public byte[] privateKeyPem() {
            return privateKeyPem.clone();
        }

        @Override
        public byte[] publicKeyPem() {
            return publicKeyPem.clone();
        }
    }

    // ---- keys ----

    /**
     * Parses the public key in {@code pem} as sigstore's {@code cryptoutils.UnmarshalPEMToPublicKey} does: the first
     * PEM block, {@code PUBLIC KEY} (PKIX: ECDSA, RSA, Ed25519) or {@code RSA PUBLIC KEY} (PKCS#1). The list has
     * that one key (containers/image reads one key per file or keyData entry).
     *
     * @throws ImageException INVALID_INPUT when there is no usable key
     */
    public static List<PublicKey> parsePublicKeys(byte[] pem) throws ImageException {
        List<PemKeys.Block> blocks = PemKeys.blocks(pem);
        if (blocks.isEmpty()) {
            throw ImageException.invalid("PEM decoding failed");
        }
        PemKeys.Block b = blocks.get(0);
        switch (b.type()) {
            case "PUBLIC KEY":
                return List.of(parsePkix(b.bytes()));
            case "RSA PUBLIC KEY":
                return List.of(parsePkcs1(b.bytes()));
            default:
                throw ImageException.invalid("unknown Public key PEM file type: " + b.type()
                        + ". Are you passing the correct public key?");
        }
    }

    private static PublicKey parsePkix(byte[] der) throws ImageException {
        for (String alg : List.of("EC", "RSA", "Ed25519")) {
            try {
                return KeyFactory.getInstance(alg).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException | RuntimeException e) {
                // try the next algorithm
            }
        }
        throw ImageException.invalid("x509: failed to parse public key (unknown or malformed key)");
    }

    private static PublicKey parsePkcs1(byte[] der) throws ImageException {
        try {
            // SEQUENCE { INTEGER n, INTEGER e }
            var in = new org.bouncycastle.asn1.ASN1InputStream(der);
            var seq = org.bouncycastle.asn1.ASN1Sequence.getInstance(in.readObject());
            BigInteger n = org.bouncycastle.asn1.ASN1Integer.getInstance(seq.getObjectAt(0)).getValue();
            BigInteger e = org.bouncycastle.asn1.ASN1Integer.getInstance(seq.getObjectAt(1)).getValue();
            return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw ImageException.invalid("x509: malformed PKCS#1 public key", e);
        }
    }

    /** The PKIX {@code PUBLIC KEY} PEM of {@code key}, as cryptoutils.MarshalPublicKeyToPEM writes it. */
    public static byte[] publicKeyPem(PublicKey key) {
        return EncryptedKeys.pem("PUBLIC KEY", key.getEncoded());
    }

    /**
     * A new ECDSA P-256 key pair (what cosign's signature spec requires), the private key encrypted with
     * {@code passphrase} in cosign's format, PEM type {@link #SIGSTORE_PRIVATE_KEY_PEM_TYPE} as cosign 2 writes it
     * (containers/image writes {@link #COSIGN_PRIVATE_KEY_PEM_TYPE}; both read either, as kopi does).
     */
    public static KeyPairFiles generateKeyPair(byte[] passphrase) throws ImageException {
        KeyPair kp;
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            kp = g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new ImageException(ErrorCode.IO, "generating an ECDSA P-256 key: " + e.getMessage(), e);
        }
        byte[] pkcs8 = goPkcs8((java.security.interfaces.ECPrivateKey) kp.getPrivate(), (ECPublicKey) kp.getPublic());
        byte[] encrypted = EncryptedKeys.encrypt(pkcs8, passphrase);
        return new KeyPairFiles(EncryptedKeys.pem(SIGSTORE_PRIVATE_KEY_PEM_TYPE, encrypted), publicKeyPem(kp.getPublic()));
    }

    /**
     * The PKCS#8 form Go's {@code x509.MarshalPKCS8PrivateKey} writes for a P-256 key: the curve in the algorithm
     * identifier, and an SEC 1 ECPrivateKey with the 32-byte scalar and the public point (the JDK leaves the point
     * out).
     */
    static byte[] goPkcs8(java.security.interfaces.ECPrivateKey priv, ECPublicKey pub) throws ImageException {
        try {
            byte[] point = new byte[65];
            point[0] = 4;
            copyPadded(pub.getW().getAffineX(), point, 1, 32);
            copyPadded(pub.getW().getAffineY(), point, 33, 32);
            var ec = new org.bouncycastle.asn1.sec.ECPrivateKey(256, priv.getS(),
                    new org.bouncycastle.asn1.DERBitString(point), null);
            var alg = new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                    org.bouncycastle.asn1.x9.X9ObjectIdentifiers.id_ecPublicKey,
                    org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1);
            return new org.bouncycastle.asn1.pkcs.PrivateKeyInfo(alg, ec).getEncoded("DER");
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "x509 encoding private key: " + e.getMessage(), e);
        }
    }

    private static void copyPadded(BigInteger v, byte[] out, int off, int len) {
        byte[] b = v.toByteArray();
        int start = Math.max(0, b.length - len);
        int n = b.length - start;
        System.arraycopy(b, start, out, off + len - n, n);
    }

    // ---- payloads ----

    /**
     * The payload containers/image signs: Go's json.Marshal of the map (keys sorted) with {@code critical} and
     * {@code optional} ({@code creator}, {@code timestamp} in Unix seconds).
     */
    public static byte[] payload(Digest manifestDigest, String dockerReference, String creator, long timestamp) {
        Map<String, Object> identity = new LinkedHashMap<>();
        identity.put("docker-reference", dockerReference);
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("docker-manifest-digest", manifestDigest.toString());
        Map<String, Object> critical = new LinkedHashMap<>();
        critical.put("identity", identity);
        critical.put("image", image);
        critical.put("type", SIGNATURE_TYPE);
        Map<String, Object> optional = new LinkedHashMap<>();
        if (creator != null) {
            optional.put("creator", creator);
        }
        optional.put("timestamp", timestamp);
        Map<String, Object> sig = new LinkedHashMap<>();
        sig.put("critical", critical);
        sig.put("optional", optional);
        return GoJson.marshal(sig);
    }

    /**
     * Parses an untrusted payload with containers/image's strict rules (exactly the known fields in
     * {@code critical}; {@code optional} may be null and hold anything, but {@code creator} must be a string and
     * {@code timestamp} an integer).
     *
     * @throws ImageException POLICY_REJECTED (an invalid signature) when the payload does not follow them
     */
    public static Payload parsePayload(byte[] untrustedPayload) throws ImageException {
        JsonNode root = readStrict(untrustedPayload);
        exactFields(root, "critical", "optional");
        JsonNode optional = root.get("optional");
        if (!optional.isNull()) {
            if (!optional.isObject()) {
                throw invalidSignature("JSON object expected, got " + kind(optional));
            }
            JsonNode creator = optional.get("creator");
            if (creator != null && !creator.isTextual()) {
                throw invalidSignature("json: cannot unmarshal " + kind(creator) + " into Go value of type string");
            }
            JsonNode ts = optional.get("timestamp");
            if (ts != null) {
                if (!ts.isNumber()) {
                    throw invalidSignature("json: cannot unmarshal " + kind(ts) + " into Go value of type float64");
                }
                double d = ts.asDouble();
                if ((double) (long) d != d) {
                    throw invalidSignature("Field optional.timestamp is not an integer");
                }
            }
        }
        JsonNode critical = root.get("critical");
        exactFields(critical, "type", "image", "identity");
        String type = string(critical.get("type"));
        if (!type.equals(SIGNATURE_TYPE)) {
            throw invalidSignature("Unrecognized signature type " + type);
        }
        JsonNode image = critical.get("image");
        exactFields(image, "docker-manifest-digest");
        String digest = string(image.get("docker-manifest-digest"));
        Digest d;
        try {
            d = Digest.parse(digest);
        } catch (ImageException e) {
            throw invalidSignature("invalid docker-manifest-digest value " + GoStrconv.quote(digest) + ": "
                    + e.getMessage());
        }
        JsonNode identity = critical.get("identity");
        exactFields(identity, "docker-reference");
        return new Payload(string(identity.get("docker-reference")), d);
    }

    private static JsonNode readStrict(byte[] json) throws ImageException {
        try (JsonParser p = STRICT.getFactory().createParser(json)) {
            JsonNode n = STRICT.readTree(p);
            if (p.nextToken() != null) {
                throw invalidSignature("Unexpected data after JSON object");
            }
            if (n == null || !n.isObject()) {
                throw invalidSignature("JSON object expected, got " + (n == null ? "nothing" : kind(n)));
            }
            return n;
        } catch (JsonProcessingException e) {
            String m = e.getOriginalMessage();
            if (m != null && m.startsWith("Duplicate field '")) {
                String key = m.substring("Duplicate field '".length(), m.lastIndexOf('\''));
                throw invalidSignature("Duplicate key " + GoStrconv.quote(key));
            }
            throw invalidSignature(m);
        } catch (IOException e) {
            throw invalidSignature(e.getMessage());
        }
    }

    private static void exactFields(JsonNode n, String... names) throws ImageException {
        if (!n.isObject()) {
            throw invalidSignature("JSON object expected, got " + kind(n));
        }
        Set<String> want = new HashSet<>(List.of(names));
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!want.contains(k)) {
                throw invalidSignature("Unknown key " + GoStrconv.quote(k));
            }
        }
        for (String k : names) {
            if (!n.has(k)) {
                throw invalidSignature("Key " + GoStrconv.quote(k) + " missing in a JSON object");
            }
        }
    }

    private static String string(JsonNode n) throws ImageException {
        if (!n.isTextual()) {
            throw invalidSignature("json: cannot unmarshal " + kind(n) + " into Go value of type string");
        }
        return n.asText();
    }

    private static String kind(JsonNode v) {
        if (v.isNumber()) {
            return "number";
        }
        if (v.isBoolean()) {
            return "bool";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isObject()) {
            return "object";
        }
        if (v.isNull()) {
            return "null";
        }
        return "string";
    }

    private static ImageException invalidSignature(String message) {
        return new ImageException(ErrorCode.POLICY_REJECTED, message);
    }

    // ---- verification ----

    /**
     * Verifies {@code signature} (containers/image's sigstore blob: NUL, {@code sigstore-json}, newline, JSON) with
     * any of {@code keys} and returns its payload; the caller matches the digest and identity. As containers/image,
     * the signature (the {@code dev.cosignproject.cosign/signature} annotation, base64) is checked over the exact
     * payload bytes with SHA-256 (ECDSA in ASN.1 or IEEE P1363 form, RSA PKCS#1 v1.5, Ed25519), then the payload is
     * parsed strictly.
     *
     * @throws ImageException POLICY_REJECTED when no key verifies it or the payload is invalid, INVALID_INPUT when
     *     it is not a sigstore blob
     */
    public static Payload verify(Signature signature, List<PublicKey> keys) throws ImageException {
        SigstoreSignature sig = SigstoreSignature.from(signature).orElseThrow(
                () -> ImageException.invalid("not a sigstore signature"));
        String b64 = sig.annotations().get(SigstoreSignature.SIGNATURE_ANNOTATION);
        if (b64 == null) {
            throw invalidSignature("missing " + SigstoreSignature.SIGNATURE_ANNOTATION + " annotation");
        }
        return verifyPayload(keys, sig.untrustedPayload(), b64);
    }

    /** containers/image's VerifySigstorePayload without the acceptance rules (the caller applies them). */
    public static Payload verifyPayload(List<PublicKey> keys, byte[] untrustedPayload, String untrustedBase64Signature)
            throws ImageException {
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(untrustedBase64Signature);
        } catch (IllegalArgumentException e) {
            throw invalidSignature("base64 decoding: " + e.getMessage());
        }
        if (keys.isEmpty()) {
            throw new ImageException(ErrorCode.POLICY_REJECTED,
                    "Need at least one public key to verify the sigstore payload, but got 0");
        }
        List<String> failures = new ArrayList<>();
        for (PublicKey k : keys) {
            String failure = verifyOne(k, untrustedPayload, sig);
            if (failure == null) {
                return parsePayload(untrustedPayload);
            }
            failures.add(failure);
        }
        throw invalidSignature("cryptographic signature verification failed: " + String.join(", ", failures));
    }

    /** Null when {@code sig} is a valid signature of {@code payload} by {@code key}, else sigstore's error text. */
    static String verifyOne(PublicKey key, byte[] payload, byte[] sig) throws ImageException {
        try {
            if (key instanceof ECPublicKey) {
                if (isDerEcdsa(sig)) {
                    java.security.Signature v = java.security.Signature.getInstance("SHA256withECDSA");
                    v.initVerify(key);
                    v.update(payload);
                    return verifies(v, sig) ? null : "invalid signature when validating ASN.1 encoded signature";
                }
                if (sig.length == 0 || sig.length > 132 || sig.length % 2 != 0) {
                    return "ecdsa: Invalid IEEE_P1363 encoded bytes";
                }
                java.security.Signature v = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
                v.initVerify(key);
                v.update(payload);
                return verifies(v, sig) ? null : "invalid signature when validating IEEE_P1363 encoded signature";
            }
            if (key instanceof RSAPublicKey) {
                java.security.Signature v = java.security.Signature.getInstance("SHA256withRSA");
                v.initVerify(key);
                v.update(payload);
                return verifies(v, sig) ? null : "crypto/rsa: verification error";
            }
            if (key.getAlgorithm().equals("EdDSA") || key.getAlgorithm().equals("Ed25519")) {
                java.security.Signature v = java.security.Signature.getInstance("Ed25519");
                v.initVerify(key);
                v.update(payload);
                return verifies(v, sig) ? null : "failed to verify signature";
            }
        } catch (GeneralSecurityException e) {
            throw new ImageException(ErrorCode.POLICY_REJECTED, e.getMessage(), e);
        }
        throw new ImageException(ErrorCode.POLICY_REJECTED, "unsupported public key type");
    }

    private static boolean verifies(java.security.Signature v, byte[] sig) {
        try {
            return v.verify(sig);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    /** Whether {@code sig} starts with a DER SEQUENCE of two INTEGERs (Go's asn1.Unmarshal into {R, S}). */
    private static boolean isDerEcdsa(byte[] sig) {
        try {
            var seq = org.bouncycastle.asn1.ASN1Sequence.getInstance(
                    new org.bouncycastle.asn1.ASN1InputStream(sig).readObject());
            return seq != null && seq.size() == 2
                    && seq.getObjectAt(0) instanceof org.bouncycastle.asn1.ASN1Integer
                    && seq.getObjectAt(1) instanceof org.bouncycastle.asn1.ASN1Integer;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
