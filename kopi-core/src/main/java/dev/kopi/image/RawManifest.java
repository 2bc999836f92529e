package dev.kopi.image;

import dev.kopi.digest.Digest;
import java.util.Arrays;

/**
 * A manifest's exact bytes (the truth: digests are computed over them) and the MIME type the transport gave,
 * which may be null when it recorded none.
 */
public record RawManifest(byte[] bytes, String mediaType) {
    /** Copies the bytes. */
    public RawManifest {
        bytes = bytes.clone();
    }

    @Override
    /** A copy of the manifest bytes. */
    public byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawManifest m && Arrays.equals(bytes, m.bytes)
                && java.util.Objects.equals(mediaType, m.mediaType);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "RawManifest[" + mediaType + ", " + bytes.length + " bytes]";
    }

    /** The sha256 digest of the bytes (schema1 signatures are NOT stripped; see ManifestDigests). */
    public Digest sha256() {
        return Digest.sha256(bytes);
    }
}
