package dev.kopi.copy;

import dev.kopi.digest.Digest;

/** The outcome of a copy: the top-level manifest as written and its digest. */
public record CopyResult(byte[] manifest, String mediaType, Digest manifestDigest) {
    public CopyResult {
        manifest = manifest.clone();
    }

    @Override
    public byte[] manifest() {
        return manifest.clone();
    }
}
