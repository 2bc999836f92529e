package dev.kopi.copy;

import dev.kopi.digest.Digest;

/**
 * The outcome of a copy: the top-level manifest as written and its digest.
 *
 * @param manifest the manifest (or manifest list) bytes written to the destination
 * @param mediaType its MIME type
 * @param manifestDigest its digest, what {@code --digestfile} writes
 */
public record CopyResult(byte[] manifest, String mediaType, Digest manifestDigest) {
    /** Copies the manifest bytes. */
    public CopyResult {
        manifest = manifest.clone();
    }

    /** A copy of the manifest bytes. */
    @Override
    public byte[] manifest() {
        return manifest.clone();
    }
}
