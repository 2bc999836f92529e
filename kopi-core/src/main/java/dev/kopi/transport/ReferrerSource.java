package dev.kopi.transport;

import dev.kopi.digest.Digest;
import dev.kopi.image.RawManifest;
import dev.kopi.manifest.Descriptor;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * A source that can find the artifacts attached to a manifest (a capability an {@link ImageSource} may have, found
 * with {@code instanceof}): OCI 1.1 referrers, and manifests under other tags of the same repository or layout
 * (cosign's digest tags). What it returns is UNVERIFIED: callers read each manifest by digest through
 * {@link ImageSource#fetchManifest} and check it.
 */
public interface ReferrerSource {
    /**
     * The manifests whose {@code subject} is {@code subject}, as descriptors (an OCI index's entries); empty when
     * there are none.
     */
    List<Descriptor> fetchReferrers(Digest subject) throws IOException;

    /** The manifest tagged {@code tag} next to this image, empty when there is no such tag. */
    Optional<RawManifest> fetchTaggedManifest(String tag) throws IOException;
}
