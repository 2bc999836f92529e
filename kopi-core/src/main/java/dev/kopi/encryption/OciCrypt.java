package dev.kopi.encryption;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoJson;
import dev.kopi.manifest.Descriptor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.bouncycastle.openpgp.PGPPublicKey;

/**
 * ocicrypt's layer encryption and decryption for a copy: {@link #forEncryption} with the recipients of
 * {@code --encryption-key} and the {@code --encrypt-layer} indices, or {@link #forDecryption} with the keys of
 * {@code --decryption-key} (see {@link CryptoKeys} for how those flags are read).
 */
public final class OciCrypt implements LayerCrypto {
    /** The annotation holding the base64 public options (cipher and HMAC). */
    public static final String PUBOPTS = "org.opencontainers.image.enc.pubopts";
    /** The prefix of every annotation ocicrypt writes. */
    public static final String ANNOTATION_PREFIX = "org.opencontainers.image.enc.";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Recipients to wrap layer keys for. */
    record Recipients(List<PublicKey> jwe, List<PGPPublicKey> pgp, List<X509Certificate> pkcs7) {
        Recipients {
            jwe = List.copyOf(jwe);
            pgp = List.copyOf(pgp);
            pkcs7 = List.copyOf(pkcs7);
        }
    }

    /** Keys to unwrap layer keys with: JWE/PKCS#7 private keys, OpenPGP secret keyrings, PKCS#7 certificates. */
    record Keys(List<PrivateKey> privateKeys, List<PgpWrapper.SecretRing> pgp, List<X509Certificate> certificates) {
        Keys {
            privateKeys = List.copyOf(privateKeys);
            pgp = List.copyOf(pgp);
            certificates = List.copyOf(certificates);
        }
    }

    private final Recipients recipients;
    private final List<Integer> layers;
    private final Keys keys;

    OciCrypt(Recipients recipients, List<Integer> layers, Keys keys) {
        this.recipients = recipients;
        this.layers = layers == null ? null : List.copyOf(layers);
        this.keys = keys;
    }

    /**
     * Encryption for {@code --encryption-key PROTOCOL:KEY...} ({@code jwe:PUBKEY.pem}, {@code pgp:RECIPIENT},
     * {@code pkcs7:CERT.pem}) and {@code --encrypt-layer} indices (empty: every layer).
     *
     * @param env the environment for {@code gpg} (GNUPGHOME), which lists the public keyring for {@code pgp:}
     * @throws ImageException {@code Invalid encryption keys: ...}
     */
    public static OciCrypt forEncryption(List<String> encryptionKeys, List<Integer> layers, Map<String, String> env)
            throws ImageException {
        return new OciCrypt(CryptoKeys.recipients(encryptionKeys, env), layers, null);
    }

    /**
     * Decryption with the keys of {@code --decryption-key FILE[:PASSPHRASE]...}: PEM or DER private keys (JWE,
     * PKCS#7), X.509 certificates (PKCS#7), OpenPGP secret keyrings ({@code gpg --export-secret-keys}).
     *
     * @throws ImageException {@code Invalid decryption keys: ...}
     */
    public static OciCrypt forDecryption(List<String> decryptionKeys) throws ImageException {
        return new OciCrypt(null, null, CryptoKeys.keys(decryptionKeys));
    }

    @Override
    public boolean encrypting() {
        return recipients != null;
    }

    @Override
    public Set<Integer> layersToEncrypt(int layerCount) throws ImageException {
        Set<Integer> out = new LinkedHashSet<>();
        if (recipients == null) {
            return out;
        }
        for (int l : layers) {
            if (l >= 0 && l < layerCount) {
                out.add(l);
            } else if (l < 0 && l + layerCount >= 0) {
                out.add(l + layerCount);
            } else {
                throw ImageException.invalid("when choosing layers to encrypt, layer index " + l
                        + " out of range (" + layerCount + " layers exist)");
            }
        }
        if (layers.isEmpty()) {
            for (int i = 0; i < layerCount; i++) {
                out.add(i);
            }
        }
        return out;
    }

    /** Whether a media type is an encrypted one ({@code +encrypted}). */
    public static boolean isEncrypted(String mediaType) {
        return mediaType != null && mediaType.endsWith("+encrypted");
    }

    /** The encrypted form of a layer media type. */
    public static String encryptedMediaType(String mediaType) throws ImageException {
        String[] parts = mediaType.split("\\+");
        for (int i = 1; i < parts.length; i++) {
            if (parts[i].equals("encrypted")) {
                throw ImageException.invalid("unsupported mediaType: \"" + mediaType + "\" already encrypted");
            }
        }
        return mediaType + "+encrypted";
    }

    /** The plain form of an encrypted layer media type. */
    public static String decryptedMediaType(String mediaType) throws ImageException {
        if (!isEncrypted(mediaType)) {
            throw ImageException.invalid("error preparing updated manifest: decryption specified but original "
                    + "mediatype is not encrypted: \"" + mediaType + "\"");
        }
        return mediaType.substring(0, mediaType.length() - "+encrypted".length());
    }

    /** Annotations without ocicrypt's. */
    public static Map<String, String> withoutEncryptionAnnotations(Map<String, String> annotations) {
        Map<String, String> out = new TreeMap<>();
        annotations.forEach((k, v) -> {
            if (!k.startsWith(ANNOTATION_PREFIX)) {
                out.put(k, v);
            }
        });
        return out;
    }

    @Override
    public boolean decrypts(Descriptor layer) {
        return keys != null && isEncrypted(layer.mediaType());
    }

    @Override
    public InputStream decrypt(Descriptor layer, InputStream encrypted) throws IOException {
        try {
            byte[] privOpts = unwrapOptions(layer.annotations());
            JsonNode priv;
            try {
                priv = JSON.readTree(privOpts);
            } catch (IOException e) {
                throw ImageException.invalid("could not JSON unmarshal privOptsData: " + e.getMessage());
            }
            JsonNode pub = JSON.createObjectNode();
            String pubB64 = layer.annotations().get(PUBOPTS);
            if (pubB64 != null && !pubB64.isEmpty()) {
                try {
                    pub = JSON.readTree(Base64.getDecoder().decode(pubB64));
                } catch (IOException | IllegalArgumentException e) {
                    throw ImageException.invalid("could not JSON unmarshal pubOptsData: " + e.getMessage());
                }
            }
            String cipher = pub.path("cipher").asText("");
            if (cipher.isEmpty()) {
                throw ImageException.invalid("no cipher type provided");
            }
            if (!cipher.equals(AesCtrHmac.CIPHER)) {
                throw ImageException.unsupported("unsupported cipher type: " + cipher);
            }
            byte[] key = bytes(priv.path("symkey"));
            byte[] nonce = bytes(option(pub, priv, "nonce"));
            byte[] hmac = bytes(pub.path("hmac"));
            return AesCtrHmac.decrypt(encrypted, key, nonce, hmac);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "decrypting layer " + layer.digest() + ": " + e.getMessage(), e);
        }
    }

    private static JsonNode option(JsonNode pub, JsonNode priv, String name) {
        JsonNode v = pub.path("cipheroptions").get(name);
        return v != null ? v : priv.path("cipheroptions").path(name);
    }

    private static byte[] bytes(JsonNode n) throws ImageException {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return new byte[0];
        }
        try {
            return Base64.getDecoder().decode(n.asText());
        } catch (IllegalArgumentException e) {
            throw ImageException.invalid("could not JSON unmarshal privOptsData: illegal base64 data");
        }
    }

    /** ocicrypt's decryptLayerKeyOptsData: the private options, from the first wrapper whose keys open them. */
    private byte[] unwrapOptions(Map<String, String> annotations) throws ImageException {
        boolean privKeyGiven = false;
        StringBuilder errs = new StringBuilder();
        for (String id : List.of(JweWrapper.ANNOTATION, Pkcs7Wrapper.ANNOTATION, PgpWrapper.ANNOTATION)) {
            String b64 = annotations.get(id);
            if (b64 == null || b64.isEmpty()) {
                continue;
            }
            boolean possible = id.equals(PgpWrapper.ANNOTATION) ? !keys.pgp().isEmpty() : !keys.privateKeys().isEmpty();
            if (!possible) {
                continue;
            }
            privKeyGiven = true;
            StringBuilder tried = new StringBuilder();
            for (String part : b64.split(",", -1)) {
                byte[] wrapped;
                try {
                    wrapped = Base64.getDecoder().decode(part);
                } catch (IllegalArgumentException e) {
                    errs.append("could not base64 decode the annotation\n");
                    tried = null;
                    break;
                }
                try {
                    return unwrap(id, wrapped);
                } catch (IOException e) {
                    tried.append("- ").append(e.getMessage()).append('\n');
                }
            }
            if (tried != null) {
                errs.append("no suitable key found for decrypting layer key:\n").append(tried).append('\n');
            }
        }
        if (!privKeyGiven) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "missing private key needed for decryption:\n" + errs);
        }
        throw new ImageException(ErrorCode.INVALID_INPUT, "no suitable key unwrapper found or none of the private "
                + "keys could be used for decryption:\n" + errs);
    }

    private byte[] unwrap(String id, byte[] wrapped) throws IOException {
        switch (id) {
            case JweWrapper.ANNOTATION:
                return JweWrapper.unwrap(wrapped, keys.privateKeys());
            case Pkcs7Wrapper.ANNOTATION:
                return Pkcs7Wrapper.unwrap(wrapped, keys.certificates(), keys.privateKeys());
            default:
                return PgpWrapper.unwrap(wrapped, keys.pgp());
        }
    }

    @Override
    public Encryption encrypt(Descriptor source, InputStream plain) throws IOException {
        byte[] key = AesCtrHmac.random(AesCtrHmac.KEY_BYTES);
        byte[] nonce = AesCtrHmac.random(AesCtrHmac.NONCE_BYTES);
        AesCtrHmac.Encrypting enc = AesCtrHmac.encrypt(plain, key, nonce);
        Digest digest = source.digest();
        Map<String, String> existing = source.annotations();
        return new Encryption() {
            @Override
            public InputStream stream() {
                return enc;
            }

            @Override
            public Map<String, String> finish() throws IOException {
                try {
                    return annotations(key, nonce, enc.hmac(), digest, existing);
                } catch (IOException e) {
                    throw new ImageException(ImageException.hasCode(e, ErrorCode.INVALID_INPUT)
                            ? ErrorCode.INVALID_INPUT : ErrorCode.IO, "Unable to finalize encryption: "
                            + e.getMessage(), e);
                }
            }
        };
    }

    private Map<String, String> annotations(byte[] key, byte[] nonce, byte[] hmac, Digest digest,
            Map<String, String> existing) throws IOException {
        Map<String, Object> privOpts = new LinkedHashMap<>();
        privOpts.put("symkey", Base64.getEncoder().encodeToString(key));
        privOpts.put("digest", digest == null ? "" : digest.toString());
        privOpts.put("cipheroptions", new TreeMap<>(Map.of("nonce", Base64.getEncoder().encodeToString(nonce))));
        Map<String, Object> pubOpts = new LinkedHashMap<>();
        pubOpts.put("cipher", AesCtrHmac.CIPHER);
        pubOpts.put("hmac", Base64.getEncoder().encodeToString(hmac));
        pubOpts.put("cipheroptions", new TreeMap<>());
        byte[] privData = GoJson.marshal(privOpts);
        Map<String, String> out = new TreeMap<>();
        List<String[]> wrapped = new ArrayList<>();
        if (!recipients.jwe().isEmpty()) {
            wrapped.add(new String[] {JweWrapper.ANNOTATION, b64(JweWrapper.wrap(recipients.jwe(), privData))});
        }
        if (!recipients.pkcs7().isEmpty()) {
            wrapped.add(new String[] {Pkcs7Wrapper.ANNOTATION,
                b64(Pkcs7Wrapper.wrap(recipients.pkcs7(), privData))});
        }
        if (!recipients.pgp().isEmpty()) {
            wrapped.add(new String[] {PgpWrapper.ANNOTATION, b64(PgpWrapper.wrap(recipients.pgp(), privData))});
        }
        if (wrapped.isEmpty()) {
            throw ImageException.invalid("no wrapped keys produced by encryption");
        }
        for (String[] w : wrapped) {
            String old = existing.get(w[0]);
            out.put(w[0], old == null || old.isEmpty() ? w[1] : old + "," + w[1]);
        }
        out.put(PUBOPTS, b64(GoJson.marshal(pubOpts)));
        return out;
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
