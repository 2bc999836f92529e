package dev.kopi.manifest;

import dev.kopi.json.GoJson;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The throwaway JWS signature containers/image puts on every schema1 manifest it writes
 * ({@code manifest.AddDummyV2S1Signature}): a fresh ECDSA P-256 key signs the manifest in libtrust's "pretty
 * signature" form. Nothing verifies it against a trusted key; registries only require one to be present. The
 * signature covers {@code protected + "." + base64url(manifest)}; the protected header records how to cut the
 * signatures off again ({@code formatLength}, {@code formatTail}), which {@link Manifests#digest} does.
 */
public final class Schema1Signatures {
    private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'");
    private static final int P256_OCTETS = 32;

    private Schema1Signatures() {
    }

    /** Signs a compact JSON object with a new random key, as containers/image does. */
    public static byte[] addDummySignature(byte[] manifest) {
        return addDummySignature(manifest, newKey(), Clock.systemUTC());
    }

    /** Signs with the given P-256 key pair and clock (for tests). */
    static byte[] addDummySignature(byte[] manifest, KeyPair key, Clock clock) {
        int close = lastNonSpace(manifest, manifest.length);
        if (manifest.length < 2 || manifest[0] != '{' || close < 0 || manifest[close] != '}') {
            throw new IllegalArgumentException("invalid json content");
        }
        if (manifest[1] == '\n') {
            throw new IllegalArgumentException("signing indented JSON is not supported");
        }
        int last = lastNonSpace(manifest, close);
        if (last < 0 || manifest[last] == ',') {
            throw new IllegalArgumentException("invalid json content");
        }
        int formatLength = last + 1;
        byte[] formatTail = Arrays.copyOfRange(manifest, formatLength, manifest.length);

        Map<String, Object> prot = new TreeMap<>();
        prot.put("formatLength", formatLength);
        prot.put("formatTail", B64URL.encodeToString(formatTail));
        prot.put("time", RFC3339.format(Instant.now(clock).truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC)));
        String protectedHeader = B64URL.encodeToString(GoJson.marshal(prot));
        byte[] signingInput = (protectedHeader + "." + B64URL.encodeToString(manifest))
                .getBytes(StandardCharsets.US_ASCII);

        byte[] rs;
        try {
            Signature s = Signature.getInstance("SHA256withECDSAinP1363Format");
            s.initSign(key.getPrivate());
            s.update(signingInput);
            rs = s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing a schema1 manifest: " + e.getMessage(), e);
        }

        Map<String, Object> header = new LinkedHashMap<>();
        header.put("jwk", jwk((ECPublicKey) key.getPublic()));
        header.put("alg", "ES256");
        Map<String, Object> sig = new LinkedHashMap<>();
        sig.put("header", header);
        sig.put("signature", B64URL.encodeToString(rs));
        sig.put("protected", protectedHeader);
        byte[] sigs = GoJson.marshal(List.of(sig));

        byte[] prefix = ",\"signatures\":".getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[formatLength + prefix.length + sigs.length + 1];
        System.arraycopy(manifest, 0, out, 0, formatLength);
        System.arraycopy(prefix, 0, out, formatLength, prefix.length);
        System.arraycopy(sigs, 0, out, formatLength + prefix.length, sigs.length);
        out[out.length - 1] = '}';
        return out;
    }

    /** A new ECDSA P-256 key pair. */
    static KeyPair newKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("generating an EC P-256 key: " + e.getMessage(), e);
        }
    }

    /** The public key as libtrust writes a JWK (a Go map, so keys sorted). */
    static Map<String, Object> jwk(ECPublicKey key) {
        BigInteger x = key.getW().getAffineX();
        BigInteger y = key.getW().getAffineY();
        Map<String, Object> m = new TreeMap<>();
        m.put("crv", "P-256");
        m.put("kid", keyId(key));
        m.put("kty", "EC");
        m.put("x", B64URL.encodeToString(fixed(x)));
        m.put("y", B64URL.encodeToString(fixed(y)));
        return m;
    }

    /**
     * libtrust's key ID: SHA-256 of the key's PKIX (X.509 SubjectPublicKeyInfo) DER encoding, the first 240 bits
     * in base32, in 12 groups of 4 joined by ':'.
     */
    static String keyId(ECPublicKey key) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        String b32 = base32(Arrays.copyOf(md.digest(key.getEncoded()), 30));
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < b32.length(); i += 4) {
            if (i > 0) {
                sb.append(':');
            }
            sb.append(b32, i, Math.min(i + 4, b32.length()));
        }
        return sb.toString();
    }

    private static byte[] minimal(BigInteger v) {
        byte[] b = v.toByteArray();
        int i = 0;
        while (i < b.length - 1 && b[i] == 0) {
            i++;
        }
        if (v.signum() == 0) {
            return new byte[0];
        }
        return Arrays.copyOfRange(b, i, b.length);
    }

    private static byte[] fixed(BigInteger v) {
        byte[] m = minimal(v);
        byte[] out = new byte[P256_OCTETS];
        System.arraycopy(m, 0, out, P256_OCTETS - m.length, m.length);
        return out;
    }

    /** RFC 4648 base32 (standard alphabet) without padding. */
    public static String base32(byte[] data) {
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder sb = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                sb.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            sb.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return sb.toString();
    }

    private static int lastNonSpace(byte[] b, int end) {
        for (int i = end - 1; i >= 0; i--) {
            byte c = b[i];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != 0x0b && c != 0x0c) {
                return i;
            }
        }
        return -1;
    }
}
