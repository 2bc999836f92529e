package dev.kopi.transport;

import dev.kopi.digest.Digest;
import java.io.IOException;

/**
 * A destination that can store artifacts attached to a manifest (a capability an {@link ImageDestination} may have,
 * found with {@code instanceof}). Called after the blobs the manifest references were stored, before
 * {@link ImageDestination#commit()}.
 */
public interface ReferrerDestination {
    /**
     * Stores {@code manifest}, whose {@code subject} is {@code subject}, by its digest, and makes it findable as a
     * referrer of {@code subject} (a registry without the Referrers API gets the tag schema's index updated).
     */
    void putReferrer(byte[] manifest, String mediaType, Digest subject) throws IOException;

    /** Stores {@code manifest} under the tag {@code tag} (next to the image this destination writes). */
    void putTaggedManifest(byte[] manifest, String mediaType, String tag) throws IOException;
}
