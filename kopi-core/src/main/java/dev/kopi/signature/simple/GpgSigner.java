package dev.kopi.signature.simple;

import dev.kopi.error.ImageException;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import dev.kopi.signature.Signer;

/**
 * {@code copy --sign-by FINGERPRINT}: simple signing with a key of the user's GnuPG (containers/image's
 * {@code simplesigning.NewSigner}).
 */
public final class GpgSigner implements Signer {
    private final String keyFingerprint;
    private final String passphrase;

    private GpgSigner(String keyFingerprint, String passphrase) {
        this.keyFingerprint = keyFingerprint;
        this.passphrase = passphrase;
    }

    /**
     * A signer with {@code keyFingerprint} (any key identity gpg accepts); {@code passphrase} null or empty lets
     * gpg's agent ask for it. Fails when gpg is not available or the passphrase has a line break.
     */
    public static GpgSigner create(String keyFingerprint, String passphrase) throws ImageException {
        Gpg.executable();
        if (passphrase != null && passphrase.contains("\n")) {
            throw ImageException.invalid("invalid passphrase: must not contain a line break");
        }
        if (keyFingerprint == null || keyFingerprint.isEmpty()) {
            throw ImageException.invalid("no key identity provided for simple signing");
        }
        return new GpgSigner(keyFingerprint, passphrase);
    }

    @Override
    public String progressMessage() {
        return "Signing image using simple signing";
    }

    @Override
    public Signature sign(byte[] manifest, DockerReference identity) throws ImageException {
        if (identity.isNameOnly()) {
            throw ImageException.invalid("reference " + identity + " can\u2019t be signed, it has neither a tag nor a digest");
        }
        return new Signature(SimpleSigning.signDockerManifest(manifest, identity.toString(), keyFingerprint,
                passphrase));
    }
}
