package dev.kopi.signature;

import dev.kopi.error.ImageException;
import dev.kopi.reference.DockerReference;

/**
 * Makes one signature for a manifest, as {@code copy --sign-by} (GPG simple signing) and
 * {@code --sign-by-sigstore-private-key} do. The copy calls it once per signed manifest, after the manifest is
 * final (converted if needed) and before the destination commits.
 */
public interface Signer extends AutoCloseable {
    /**
     * Signs {@code manifest} (the exact bytes the destination stores) as the image named {@code identity}.
     *
     * @return the signature in containers/image's signature blob format
     */
    Signature sign(byte[] manifest, DockerReference identity) throws ImageException;

    /**
     * What the copy prints while this signer works, after {@code Creating signature: } (containers/image's
     * {@code ProgressMessage}, e.g. {@code Signing image using simple signing}).
     */
    default String progressMessage() {
        return "Signing image";
    }

    /** Releases keys or agents this signer holds. */
    @Override
    default void close() {
    }
}
