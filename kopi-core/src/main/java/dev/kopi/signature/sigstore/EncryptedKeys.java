package dev.kopi.signature.sigstore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.json.GoJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.generators.SCrypt;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * The encrypted private key format of cosign (go-securesystemslib's {@code encrypted} package): JSON
 * {@code {"kdf":{"name":"scrypt","params":{"N":…,"r":8,"p":1},"salt":…},"cipher":{"name":"nacl/secretbox",
 * "nonce":…},"ciphertext":…}} with base64 byte fields, the key derived with scrypt (32-byte salt, a 32-byte key)
 * and the plaintext sealed with NaCl secretbox (XSalsa20-Poly1305, 24-byte nonce).
 */
final class EncryptedKeys {
    /** go-securesystemslib's "standard" scrypt parameters, the default for encrypting. */
    static final int[] STANDARD = {65536, 8, 1};
    private static final int[][] ACCEPTED = {{32768, 8, 1}, {65536, 8, 1}, {131072, 8, 1}};
    private static final int SALT_SIZE = 32;
    private static final int KEY_SIZE = 32;
    private static final int NONCE_SIZE = 24;
    private static final int TAG_SIZE = 16;
    private static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final SecureRandom RANDOM = new SecureRandom();

    private EncryptedKeys() {
    }

    /** Encrypts {@code plaintext} with {@code passphrase}, as go-securesystemslib's {@code encrypted.Encrypt}. */
    static byte[] encrypt(byte[] plaintext, byte[] passphrase) {
        byte[] salt = new byte[SALT_SIZE];
        RANDOM.nextBytes(salt);
        byte[] nonce = new byte[NONCE_SIZE];
        RANDOM.nextBytes(nonce);
        byte[] key = SCrypt.generate(passphrase, salt, STANDARD[0], STANDARD[1], STANDARD[2], KEY_SIZE);
        byte[] box = secretboxSeal(plaintext, nonce, key);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("N", STANDARD[0]);
        params.put("r", STANDARD[1]);
        params.put("p", STANDARD[2]);
        Map<String, Object> kdf = new LinkedHashMap<>();
        kdf.put("name", "scrypt");
        kdf.put("params", params);
        kdf.put("salt", b64(salt));
        Map<String, Object> cipher = new LinkedHashMap<>();
        cipher.put("name", "nacl/secretbox");
        cipher.put("nonce", b64(nonce));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("kdf", kdf);
        data.put("cipher", cipher);
        data.put("ciphertext", b64(box));
        return GoJson.marshal(data);
    }

    /** Decrypts go-securesystemslib's encrypted JSON, with its checks and error texts. */
    static byte[] decrypt(byte[] json, byte[] passphrase) throws ImageException {
        JsonNode n;
        try {
            n = JSON.readTree(json);
        } catch (IOException e) {
            throw ImageException.invalid("invalid character in encrypted key: "
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
                            : e.getMessage()), e);
        }
        if (n == null || !n.isObject()) {
            throw ImageException.invalid("json: cannot unmarshal into Go value of type encrypted.data");
        }
        JsonNode kdf = field(n, "kdf");
        JsonNode cipher = field(n, "cipher");
        String kdfName = text(field(kdf, "name"));
        String cipherName = text(field(cipher, "name"));
        if (!kdfName.equals("scrypt")) {
            throw ImageException.invalid("encrypted: unknown kdf name " + GoStrconv.quote(kdfName));
        }
        if (!cipherName.equals("nacl/secretbox")) {
            throw ImageException.invalid("encrypted: unknown cipher name " + GoStrconv.quote(cipherName));
        }
        JsonNode params = field(kdf, "params");
        int[] p = {field(params, "N").asInt(0), field(params, "r").asInt(0), field(params, "p").asInt(0)};
        boolean ok = false;
        for (int[] a : ACCEPTED) {
            ok |= Arrays.equals(a, p);
        }
        if (!ok) {
            throw ImageException.invalid("unsupported scrypt parameters");
        }
        byte[] salt = bytes(field(kdf, "salt"));
        byte[] nonce = bytes(field(cipher, "nonce"));
        byte[] box = bytes(field(n, "ciphertext"));
        byte[] key = SCrypt.generate(passphrase, salt, p[0], p[1], p[2], KEY_SIZE);
        if (nonce.length != NONCE_SIZE) {
            throw ImageException.invalid("encrypted: incorrect nonce size");
        }
        byte[] plain = secretboxOpen(box, nonce, key);
        if (plain == null) {
            throw ImageException.invalid("encrypted: decryption failed");
        }
        return plain;
    }

    /** NaCl {@code secretbox.Seal}: the Poly1305 tag, then the XSalsa20 ciphertext. */
    static byte[] secretboxSeal(byte[] message, byte[] nonce, byte[] key) {
        XSalsa20Engine x = new XSalsa20Engine();
        x.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
        byte[] polyKey = new byte[32];
        x.processBytes(new byte[32], 0, 32, polyKey, 0);
        byte[] out = new byte[TAG_SIZE + message.length];
        x.processBytes(message, 0, message.length, out, TAG_SIZE);
        byte[] tag = poly1305(polyKey, out, TAG_SIZE, message.length);
        System.arraycopy(tag, 0, out, 0, TAG_SIZE);
        return out;
    }

    /** NaCl {@code secretbox.Open}; null when the tag does not match. */
    static byte[] secretboxOpen(byte[] box, byte[] nonce, byte[] key) {
        if (box.length < TAG_SIZE) {
            return null;
        }
        XSalsa20Engine x = new XSalsa20Engine();
        x.init(false, new ParametersWithIV(new KeyParameter(key), nonce));
        byte[] polyKey = new byte[32];
        x.processBytes(new byte[32], 0, 32, polyKey, 0);
        byte[] tag = poly1305(polyKey, box, TAG_SIZE, box.length - TAG_SIZE);
        if (!MessageDigest.isEqual(tag, Arrays.copyOf(box, TAG_SIZE))) {
            return null;
        }
        byte[] out = new byte[box.length - TAG_SIZE];
        x.processBytes(box, TAG_SIZE, out.length, out, 0);
        return out;
    }

    private static byte[] poly1305(byte[] key, byte[] data, int off, int len) {
        Poly1305 mac = new Poly1305();
        mac.init(new KeyParameter(key));
        mac.update(data, off, len);
        byte[] tag = new byte[TAG_SIZE];
        mac.doFinal(tag, 0);
        return tag;
    }

    /** A field matched case-insensitively, as Go's json.Unmarshal matches struct fields; a missing node if absent. */
    private static JsonNode field(JsonNode n, String name) {
        if (n == null || !n.isObject()) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
        JsonNode exact = n.get(name);
        if (exact != null) {
            return exact;
        }
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (f.equalsIgnoreCase(name)) {
                return n.get(f);
            }
        }
        return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
    }

    private static String text(JsonNode n) {
        return n.isTextual() ? n.asText() : "";
    }

    private static byte[] bytes(JsonNode n) throws ImageException {
        if (!n.isTextual()) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(n.asText());
        } catch (IllegalArgumentException e) {
            throw ImageException.invalid("illegal base64 data in encrypted key", e);
        }
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    /** Go's {@code pem.EncodeToMemory} for a block without headers. */
    static byte[] pem(String type, byte[] der) {
        StringBuilder sb = new StringBuilder();
        sb.append("-----BEGIN ").append(type).append("-----\n");
        String b = Base64.getEncoder().encodeToString(der);
        for (int i = 0; i < b.length(); i += 64) {
            sb.append(b, i, Math.min(b.length(), i + 64)).append('\n');
        }
        sb.append("-----END ").append(type).append("-----\n");
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
