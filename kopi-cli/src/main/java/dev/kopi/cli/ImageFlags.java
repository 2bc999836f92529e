package dev.kopi.cli;

import dev.kopi.transport.ImageContext;
import java.nio.file.Path;
import java.util.Optional;

/** The per-side image flags of skopeo ({@code --src-*}, {@code --dest-*}, or unprefixed for inspect etc.). */
abstract class ImageFlags {
    abstract String authfile();

    abstract String creds();

    abstract String username();

    abstract String password();

    abstract String registryToken();

    abstract String certDir();

    abstract Boolean tlsVerify();

    abstract boolean noCreds();

    abstract String sharedBlobDir();

    abstract String daemonHost();

    /** The context for this side, on top of the global options. */
    ImageContext.Builder toContext(GlobalOptions global, String sharedAuthfile) throws dev.kopi.error.ImageException {
        ImageContext.Builder b = global.baseContext();
        String auth = authfile() != null ? authfile() : sharedAuthfile;
        if (auth != null && !auth.isEmpty()) {
            b.authFile(Path.of(auth));
        }
        if (creds() != null && (username() != null || password() != null)) {
            throw dev.kopi.error.ImageException.invalid("creds and username/password are mutually exclusive");
        }
        if (creds() != null) {
            b.credentials(creds());
        } else if (username() != null || password() != null) {
            if (username() == null || password() == null) {
                throw dev.kopi.error.ImageException.invalid("credentials need both username and password");
            }
            b.credentials(username() + ":" + password());
        }
        b.registryToken(registryToken());
        if (certDir() != null && !certDir().isEmpty()) {
            b.certDir(Path.of(certDir()));
        }
        b.tlsVerify(Optional.ofNullable(tlsVerify()));
        b.noCredentials(noCreds());
        if (sharedBlobDir() != null && !sharedBlobDir().isEmpty()) {
            b.ociSharedBlobDir(Path.of(sharedBlobDir()));
        }
        b.daemonHost(daemonHost());
        return b;
    }
}
