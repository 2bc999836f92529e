package dev.kopi.signature.sigstore;

import dev.kopi.config.PemKeys;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.Manifests;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import dev.kopi.signature.Signer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * Creates sigstore signatures with a private key ({@code copy --sign-by-sigstore-private-key}), as containers/image's
 * sigstore signer: the payload names the manifest digest and the destination reference, the signature (SHA-256;
 * ECDSA in ASN.1 form, RSA PKCS#1 v1.5 or Ed25519) goes base64 into the
 * {@code dev.cosignproject.cosign/signature} annotation, and the result is a sigstore signature blob with the
 * cosign simple-signing MIME type.
 */
public final class SigstoreSigner implements Signer {
    private final PrivateKey key;
    private final String creator;

    private SigstoreSigner(PrivateKey key, String creator) {
        this.key = key;
        this.creator = creator;
    }

    /**
     * A signer for the cosign-format encrypted private key in {@code file} (PEM {@code ENCRYPTED COSIGN PRIVATE KEY}
     * or {@code ENCRYPTED SIGSTORE PRIVATE KEY}), decrypted with {@code passphrase} (containers/image's
     * {@code WithPrivateKeyFile}, with its error texts).
     *
     * @param passphrase the passphrase; null is "not provided" (an empty one is a valid passphrase)
     */
    public static SigstoreSigner fromPrivateKeyFile(Path file, byte[] passphrase) throws ImageException {
        if (passphrase == null) {
            throw ImageException.invalid("private key passphrase not provided");
        }
        byte[] pem;
        try {
            pem = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ImageException(ErrorCode.NOT_FOUND, "reading private key from " + file + ": open " + file
                    + ": no such file or directory", e);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "reading private key from " + file + ": " + e.getMessage(), e);
        }
        try {
            return new SigstoreSigner(loadPrivateKey(pem, passphrase), "kopi");
        } catch (ImageException e) {
            throw new ImageException(e.code(), "initializing private key: " + e.getMessage(), e);
        }
    }

    /** cosign's loadPrivateKey: the first PEM block, of one of the two encrypted types, PKCS#8 inside. */
    static PrivateKey loadPrivateKey(byte[] pem, byte[] passphrase) throws ImageException {
        List<PemKeys.Block> blocks = PemKeys.blocks(pem);
        if (blocks.isEmpty()) {
            throw ImageException.invalid("invalid pem block");
        }
        PemKeys.Block b = blocks.get(0);
        if (!b.type().equals(Sigstore.SIGSTORE_PRIVATE_KEY_PEM_TYPE)
                && !b.type().equals(Sigstore.COSIGN_PRIVATE_KEY_PEM_TYPE)) {
            throw ImageException.invalid("unsupported pem type: " + b.type());
        }
        byte[] der;
        try {
            der = EncryptedKeys.decrypt(b.bytes(), passphrase);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "decrypt: " + e.getMessage(), e);
        }
        try {
            PrivateKey k = PemKeys.parsePrivateKey(der);
            if (k instanceof ECPrivateKey || k instanceof RSAPrivateKey || k.getAlgorithm().equals("Ed25519")
                    || k.getAlgorithm().equals("EdDSA")) {
                return k;
            }
            throw ImageException.invalid("unsupported key type");
        } catch (GeneralSecurityException e) {
            throw ImageException.invalid("parsing private key: x509: failed to parse private key", e);
        }
    }

    /** The line the copy prints before creating the signature. */
    public String progressMessage() {
        return "Signing image using a sigstore signature";
    }

    @Override
    public Signature sign(byte[] manifest, DockerReference identity) throws ImageException {
        if (identity.isNameOnly()) {
            throw ImageException.invalid("reference " + identity + " can’t be signed, it has neither a tag nor a"
                    + " digest");
        }
        Digest digest = Manifests.digest(manifest);
        byte[] payload = Sigstore.payload(digest, identity.toString(), creator, System.currentTimeMillis() / 1000);
        byte[] sig;
        try {
            java.security.Signature s = java.security.Signature.getInstance(algorithm());
            s.initSign(key);
            s.update(payload);
            sig = s.sign();
        } catch (GeneralSecurityException e) {
            throw new ImageException(ErrorCode.IO, "creating signature: " + e.getMessage(), e);
        }
        return new SigstoreSignature(SigstoreSignature.SIGNATURE_MIME_TYPE, payload,
                Map.of(SigstoreSignature.SIGNATURE_ANNOTATION, Base64.getEncoder().encodeToString(sig)))
                .toSignature();
    }

    private String algorithm() {
        if (key instanceof ECPrivateKey) {
            return "SHA256withECDSA";
        }
        if (key instanceof RSAPrivateKey) {
            return "SHA256withRSA";
        }
        return "Ed25519";
    }
}
