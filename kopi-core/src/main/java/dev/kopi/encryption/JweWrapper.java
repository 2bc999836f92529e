package dev.kopi.encryption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.KeyAgreement;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.agreement.kdf.ConcatenationKDFGenerator;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.KDFParameters;

/**
 * The {@code jwe} key wrapper: the private options encrypted as a JWE (RFC 7516) in JSON serialization, content
 * encryption A256GCM, the content key wrapped for each recipient with RSA-OAEP (RSA keys) or ECDH-ES+A256KW (EC
 * keys: P-256, P-384, P-521), as go-jose writes it for
 * ocicrypt (one recipient: the flattened form with {@code alg} in the protected header; several: the general form
 * with per-recipient headers). Reading accepts both forms, RSA-OAEP, RSA-OAEP-256, ECDH-ES+A128/192/256KW, and
 * A128/192/256GCM.
 */
final class JweWrapper {
    static final String ANNOTATION = "org.opencontainers.image.enc.keys.jwe";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder D64 = Base64.getUrlDecoder();

    private JweWrapper() {
    }

    /** Encrypts {@code plaintext} to every key (RSA public keys). */
    static byte[] wrap(List<PublicKey> recipients, byte[] plaintext) throws IOException {
        try {
            byte[] cek = AesCtrHmac.random(32);
            List<String> wrapped = new ArrayList<>();
            List<ObjectNode> headers = new ArrayList<>();
            for (PublicKey k : recipients) {
                ObjectNode h = JSON.createObjectNode();
                if (k instanceof RSAKey) {
                    Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
                    rsa.init(Cipher.ENCRYPT_MODE, k);
                    wrapped.add(B64.encodeToString(rsa.doFinal(cek)));
                    h.put("alg", "RSA-OAEP");
                } else if (k instanceof ECPublicKey ec) {
                    // ECDH-ES+A256KW (RFC 7518 4.6): an ephemeral key on the recipient's curve, Concat KDF, AES key wrap
                    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                    g.initialize(ec.getParams());
                    KeyPair eph = g.generateKeyPair();
                    byte[] kek = ecdhKek(eph.getPrivate(), ec, "ECDH-ES+A256KW", 256, new byte[0], new byte[0]);
                    Cipher aesWrap = Cipher.getInstance("AESWrap");
                    aesWrap.init(Cipher.WRAP_MODE, new SecretKeySpec(kek, "AES"));
                    wrapped.add(B64.encodeToString(aesWrap.wrap(new SecretKeySpec(cek, "AES"))));
                    h.put("alg", "ECDH-ES+A256KW");
                    h.set("epk", jwk((ECPublicKey) eph.getPublic()));
                } else {
                    throw new IOException("kopi wraps JWE keys for RSA and EC keys only (not " + k.getAlgorithm()
                            + ")");
                }
                headers.add(h);
            }
            ObjectNode protectedHeader = JSON.createObjectNode();
            if (recipients.size() == 1) {
                protectedHeader.setAll(headers.get(0)); // go-jose moves a single recipient's header here
            }
            protectedHeader.put("enc", "A256GCM");
            String protectedB64 = B64.encodeToString(JSON.writeValueAsBytes(protectedHeader));
            byte[] iv = AesCtrHmac.random(12);
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, iv));
            gcm.updateAAD(protectedB64.getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = gcm.doFinal(plaintext);
            int ctLen = sealed.length - 16;
            ObjectNode out = JSON.createObjectNode();
            out.put("protected", protectedB64);
            if (recipients.size() == 1) {
                out.put("encrypted_key", wrapped.get(0));
            } else {
                var list = out.putArray("recipients");
                for (int i = 0; i < wrapped.size(); i++) {
                    ObjectNode r = list.addObject();
                    r.set("header", headers.get(i));
                    r.put("encrypted_key", wrapped.get(i));
                }
            }
            out.put("iv", B64.encodeToString(iv));
            out.put("ciphertext", B64.encodeToString(java.util.Arrays.copyOf(sealed, ctLen)));
            out.put("tag", B64.encodeToString(java.util.Arrays.copyOfRange(sealed, ctLen, sealed.length)));
            return JSON.writeValueAsBytes(out);
        } catch (GeneralSecurityException e) {
            throw new IOException("JWE Encrypt failed: " + e.getMessage(), e);
        }
    }

    /**
     * Decrypts with the first private key that opens one of the recipients.
     *
     * @throws IOException with ocicrypt's texts: {@code jose.ParseEncrypted failed}, {@code JWE: No suitable
     *     private key found for decryption}
     */
    static byte[] unwrap(byte[] jwe, List<PrivateKey> keys) throws IOException {
        JsonNode n;
        Map<String, String> shared = new java.util.HashMap<>();
        JsonNode sharedEpk = null;
        String protectedB64;
        List<JsonNode> recipients = new ArrayList<>();
        byte[] iv;
        byte[] ct;
        byte[] tag;
        try {
            n = JSON.readTree(jwe);
            protectedB64 = n.path("protected").asText("");
            if (!protectedB64.isEmpty()) {
                JsonNode ph = JSON.readTree(D64.decode(protectedB64));
                fields(ph, shared);
                sharedEpk = ph.get("epk");
            }
            fields(n.path("unprotected"), shared);
            if (n.has("recipients")) {
                n.get("recipients").forEach(recipients::add);
            } else {
                recipients.add(n);
            }
            iv = D64.decode(n.path("iv").asText());
            ct = D64.decode(n.path("ciphertext").asText());
            tag = D64.decode(n.path("tag").asText());
            if (n.has("aad")) {
                throw new IOException("JWE with aad");
            }
        } catch (IOException | IllegalArgumentException e) {
            throw new IOException("jose.ParseEncrypted failed", e);
        }
        if (keys.isEmpty()) {
            throw new IOException("No private keys found for JWE decryption");
        }
        for (PrivateKey key : keys) {
            for (JsonNode r : recipients) {
                Map<String, String> h = new java.util.HashMap<>(shared);
                fields(r.path("header"), h);
                JsonNode epk = r.path("header").has("epk") ? r.path("header").get("epk") : sharedEpk;
                try {
                    byte[] cek = unwrapKey(h, key, D64.decode(r.path("encrypted_key").asText("")), epk);
                    String enc = h.getOrDefault("enc", "");
                    if (!enc.matches("A(128|192|256)GCM") || cek.length * 8 != Integer.parseInt(enc.substring(1, 4))) {
                        continue;
                    }
                    Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
                    gcm.init(Cipher.DECRYPT_MODE, new SecretKeySpec(cek, "AES"), new GCMParameterSpec(128, iv));
                    gcm.updateAAD(protectedB64.getBytes(StandardCharsets.US_ASCII));
                    gcm.update(ct);
                    return gcm.doFinal(tag);
                } catch (GeneralSecurityException | IllegalArgumentException e) {
                    // not this key
                }
            }
        }
        throw new IOException("JWE: No suitable private key found for decryption");
    }

    private static byte[] unwrapKey(Map<String, String> h, PrivateKey key, byte[] wrapped, JsonNode epk)
            throws GeneralSecurityException {
        String alg = h.get("alg");
        if (alg != null && alg.matches("ECDH-ES\\+A(128|192|256)KW")) {
            if (!(key instanceof ECPrivateKey ec) || epk == null) {
                throw new GeneralSecurityException("not an EC key");
            }
            ECPublicKey eph = ecPublicKey(epk, ec.getParams());
            byte[] kek = ecdhKek(key, eph, alg, Integer.parseInt(alg.substring(9, 12)),
                    D64.decode(h.getOrDefault("apu", "")), D64.decode(h.getOrDefault("apv", "")));
            Cipher aesWrap = Cipher.getInstance("AESWrap");
            aesWrap.init(Cipher.UNWRAP_MODE, new SecretKeySpec(kek, "AES"));
            return aesWrap.unwrap(wrapped, "AES", Cipher.SECRET_KEY).getEncoded();
        }
        if (!(key instanceof RSAKey)) {
            throw new GeneralSecurityException("not an RSA key");
        }
        Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPPadding");
        if ("RSA-OAEP".equals(alg)) {
            rsa.init(Cipher.DECRYPT_MODE, key, new OAEPParameterSpec("SHA-1", "MGF1", MGF1ParameterSpec.SHA1,
                    PSource.PSpecified.DEFAULT));
        } else if ("RSA-OAEP-256".equals(alg)) {
            rsa.init(Cipher.DECRYPT_MODE, key, new OAEPParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256,
                    PSource.PSpecified.DEFAULT));
        } else {
            throw new GeneralSecurityException("unsupported alg " + alg);
        }
        return rsa.doFinal(wrapped);
    }

    /** The key-encryption key of ECDH-ES key agreement: the shared secret through the Concat KDF (SHA-256). */
    private static byte[] ecdhKek(PrivateKey mine, PublicKey theirs, String alg, int bits, byte[] apu, byte[] apv)
            throws GeneralSecurityException {
        KeyAgreement ka = KeyAgreement.getInstance("ECDH");
        ka.init(mine);
        ka.doPhase(theirs, true);
        byte[] z = ka.generateSecret();
        byte[] algId = alg.getBytes(StandardCharsets.US_ASCII);
        java.nio.ByteBuffer info = java.nio.ByteBuffer.allocate(4 + algId.length + 4 + apu.length + 4 + apv.length + 4);
        info.putInt(algId.length).put(algId).putInt(apu.length).put(apu).putInt(apv.length).put(apv).putInt(bits);
        ConcatenationKDFGenerator kdf = new ConcatenationKDFGenerator(new SHA256Digest());
        kdf.init(new KDFParameters(z, info.array()));
        byte[] kek = new byte[bits / 8];
        kdf.generateBytes(kek, 0, kek.length);
        return kek;
    }

    private static ObjectNode jwk(ECPublicKey k) throws GeneralSecurityException {
        int size = (k.getParams().getCurve().getField().getFieldSize() + 7) / 8;
        ObjectNode o = JSON.createObjectNode();
        o.put("kty", "EC");
        o.put("crv", curveName(size));
        o.put("x", B64.encodeToString(fixed(k.getW().getAffineX(), size)));
        o.put("y", B64.encodeToString(fixed(k.getW().getAffineY(), size)));
        return o;
    }

    private static String curveName(int size) throws GeneralSecurityException {
        switch (size) {
            case 32:
                return "P-256";
            case 48:
                return "P-384";
            case 66:
                return "P-521";
            default:
                throw new GeneralSecurityException("unsupported EC curve");
        }
    }

    private static byte[] fixed(java.math.BigInteger v, int size) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[size];
        int n = Math.min(b.length, size);
        System.arraycopy(b, b.length - n, out, size - n, n);
        return out;
    }

    private static ECPublicKey ecPublicKey(JsonNode epk, ECParameterSpec params) throws GeneralSecurityException {
        int size = (params.getCurve().getField().getFieldSize() + 7) / 8;
        if (!curveName(size).equals(epk.path("crv").asText())) {
            throw new GeneralSecurityException("curve mismatch");
        }
        ECPoint w = new ECPoint(new java.math.BigInteger(1, D64.decode(epk.path("x").asText())),
                new java.math.BigInteger(1, D64.decode(epk.path("y").asText())));
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, params));
    }

    private static void fields(JsonNode o, Map<String, String> into) {
        if (o == null || !o.isObject()) {
            return;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = o.fields(); it.hasNext();) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isTextual()) {
                into.put(e.getKey(), e.getValue().asText());
            }
        }
    }
}
