package dev.kopi.encryption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.OAEPParameterSpec;
import javax.crypto.spec.PSource;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code jwe} key wrapper: the private options encrypted as a JWE (RFC 7516) in JSON serialization, content
 * encryption A256GCM, the content key wrapped for each RSA recipient with RSA-OAEP, as go-jose writes it for
 * ocicrypt (one recipient: the flattened form with {@code alg} in the protected header; several: the general form
 * with per-recipient headers). Reading accepts both forms, RSA-OAEP and RSA-OAEP-256, and A128/192/256GCM.
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
            for (PublicKey k : recipients) {
                if (!(k instanceof RSAKey)) {
                    throw new IOException("kopi wraps JWE keys for RSA keys only (" + k.getAlgorithm()
                            + " keys are not supported yet)");
                }
                Cipher rsa = Cipher.getInstance("RSA/ECB/OAEPWithSHA-1AndMGF1Padding");
                rsa.init(Cipher.ENCRYPT_MODE, k);
                wrapped.add(B64.encodeToString(rsa.doFinal(cek)));
            }
            ObjectNode protectedHeader = JSON.createObjectNode();
            if (recipients.size() == 1) {
                protectedHeader.put("alg", "RSA-OAEP");
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
                for (String w : wrapped) {
                    ObjectNode r = list.addObject();
                    r.putObject("header").put("alg", "RSA-OAEP");
                    r.put("encrypted_key", w);
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
        String protectedB64;
        List<JsonNode> recipients = new ArrayList<>();
        byte[] iv;
        byte[] ct;
        byte[] tag;
        try {
            n = JSON.readTree(jwe);
            protectedB64 = n.path("protected").asText("");
            if (!protectedB64.isEmpty()) {
                fields(JSON.readTree(D64.decode(protectedB64)), shared);
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
                try {
                    byte[] cek = unwrapKey(h.get("alg"), key, D64.decode(r.path("encrypted_key").asText("")));
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

    private static byte[] unwrapKey(String alg, PrivateKey key, byte[] wrapped) throws GeneralSecurityException {
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
