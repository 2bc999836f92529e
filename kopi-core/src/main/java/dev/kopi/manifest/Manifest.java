package dev.kopi.manifest;

/** A parsed view of a manifest. The raw bytes stay the truth; {@link #serialize()} is used only after an edit. */
public sealed interface Manifest permits ImageManifest, ManifestList {
    /** The normalized MIME type of this manifest. */
    String mediaType();

    /** Go-compatible JSON encoding of this (possibly edited) manifest. */
    byte[] serialize();
}
