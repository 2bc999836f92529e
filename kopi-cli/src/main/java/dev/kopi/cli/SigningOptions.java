package dev.kopi.cli;

import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.signature.Passphrases;
import dev.kopi.signature.Signer;
import dev.kopi.signature.simple.GpgSigner;
import dev.kopi.signature.sigstore.SigningParameters;
import dev.kopi.signature.sigstore.SigstoreSigner;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The signing flags {@code copy} and {@code sync} share (skopeo's sharedCopyOptions), and the signers they make, in
 * skopeo's order: the {@code --sign-by-sigstore} parameter file first, then GPG ({@code --sign-by}), then the
 * sigstore private key.
 */
final class SigningOptions {
    @Option(names = "--sign-by", paramLabel = "FINGERPRINT", description = "Sign the image using a GPG key with the specified FINGERPRINT")
    String signBy;
    @Option(names = "--sign-by-sq-fingerprint", paramLabel = "FINGERPRINT", description = "Sign the image using a Sequoia-PGP key with the specified FINGERPRINT")
    String signBySequoia;
    @Option(names = "--sign-by-sigstore", paramLabel = "PATH", description = "Sign the image using a sigstore parameter file at PATH")
    String signBySigstoreParamFile;
    @Option(names = "--sign-by-sigstore-private-key", paramLabel = "PATH", description = "Sign the image using a sigstore private key at PATH")
    String signBySigstorePrivateKey;
    @Option(names = "--sign-passphrase-file", paramLabel = "PATH", description = "Read a passphrase for signing an image from PATH")
    String signPassphraseFile;

    private static boolean set(String s) {
        return s != null && !s.isEmpty();
    }

    /** The signers these flags ask for (none when no signing flag is given); checked before anything is copied. */
    List<Signer> signers() throws ImageException {
        if (set(signPassphraseFile)) {
            int count = (set(signBy) ? 1 : 0) + (set(signBySequoia) ? 1 : 0) + (set(signBySigstorePrivateKey) ? 1 : 0);
            if (count > 1) {
                throw ImageException.invalid("Only one of --sign-by, --sign-by-sq-fingerprint and "
                        + "--sign-by-sigstore-private-key can be used with --sign-passphrase-file");
            }
        }
        if (set(signBySequoia)) {
            throw ImageException.unsupported("Error using --sign-by-sq-fingerprint: Sequoia-PGP signing is not "
                    + "supported by kopi; use --sign-by with a GnuPG key");
        }
        // An empty passphrase file is a valid (empty) passphrase for sigstore keys: keep "given" apart from "empty".
        String passphrase = null;
        if (set(signPassphraseFile)) {
            passphrase = Passphrases.readFile(signPassphraseFile);
        } else if (set(signBySigstorePrivateKey)) {
            passphrase = PassphrasePrompt.prompt(signBySigstorePrivateKey);
        }
        List<Signer> signers = new ArrayList<>();
        if (set(signBySigstoreParamFile)) {
            signers.add(paramFileSigner());
        }
        if (set(signBy)) {
            signers.add(GpgSigner.create(signBy, passphrase == null ? "" : passphrase));
        }
        if (set(signBySigstorePrivateKey)) {
            signers.add(SigstoreSigner.fromPrivateKeyFile(Path.of(signBySigstorePrivateKey),
                    passphrase.getBytes(StandardCharsets.UTF_8)));
        }
        return signers;
    }

    /**
     * {@code --sign-by-sigstore}: a parameter file with {@code privateKeyFile} (and {@code privateKeyPassphraseFile},
     * else a prompt). Fulcio and Rekor need services kopi does not talk to, and are refused.
     */
    private Signer paramFileSigner() throws ImageException {
        try {
            SigningParameters p;
            try {
                p = SigningParameters.parseFile(Path.of(signBySigstoreParamFile));
            } catch (ImageException e) {
                throw new ImageException(e.code(), "setting up signing using parameter file "
                        + GoStrconv.quote(signBySigstoreParamFile) + ": " + e.getMessage(), e);
            }
            if (p.fulcio() || !p.rekorUrl().isEmpty()) {
                throw ImageException.unsupported("Fulcio and Rekor (\"fulcio\", \"rekorURL\") are not supported by"
                        + " kopi; sign with a private key (\"privateKeyFile\")");
            }
            if (p.privateKeyFile().isEmpty()) {
                throw ImageException.invalid("no private key source provided (neither a private key nor Fulcio) when"
                        + " preparing to create sigstore signatures");
            }
            String passphrase = !p.privateKeyPassphraseFile().isEmpty()
                    ? Passphrases.readFile(p.privateKeyPassphraseFile()) : PassphrasePrompt.prompt(p.privateKeyFile());
            return SigstoreSigner.fromPrivateKeyFile(Path.of(p.privateKeyFile()),
                    passphrase.getBytes(StandardCharsets.UTF_8));
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Error using --sign-by-sigstore: " + e.getMessage(), e);
        }
    }
}
