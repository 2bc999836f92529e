package dev.kopi.manifest;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * OCI 1.1 referrers and cosign digest tags as data: the names of the tags that hold them, and the descriptors that
 * list a referrer. Pure functions; the transports do the I/O.
 *
 * <p>Facts from the OCI distribution-spec 1.1 ("Listing Referrers", "Referrers Tag Schema", "Pushing Manifests with
 * Subject"): a referrer is a manifest whose {@code subject} names another manifest; a registry without the Referrers
 * API keeps their list as an OCI index under the tag {@code <alg>-<ref>}; each entry carries the referrer's media
 * type, digest, size, its {@code artifactType} (for an image manifest without one: its config's media type; for an
 * index without one: none) and its annotations.
 */
public final class Referrers {
    /** The cosign digest tag suffixes: signatures, attestations, SBOMs. */
    public static final List<String> COSIGN_SUFFIXES = List.of("sig", "att", "sbom");

    private Referrers() {
    }

    /**
     * The referrers tag schema's tag for {@code subject}: {@code <alg>-<ref>}, with any character a tag may not
     * hold replaced by {@code -}, the algorithm cut to 32 and the encoded digest to 64 characters.
     */
    public static String fallbackTag(Digest subject) {
        String alg = clean(subject.algorithm().prefix());
        String hex = clean(subject.encoded());
        return cut(alg, 32) + "-" + cut(hex, 64);
    }

    /** cosign's digest tags of {@code subject}: {@code <alg>-<hex>.sig}, {@code .att}, {@code .sbom}. */
    public static List<String> cosignTags(Digest subject) {
        List<String> out = new ArrayList<>();
        for (String s : COSIGN_SUFFIXES) {
            out.add(subject.algorithm().prefix() + "-" + subject.encoded() + "." + s);
        }
        return out;
    }

    private static String clean(String s) {
        return s.replaceAll("[^a-zA-Z0-9._-]", "-");
    }

    private static String cut(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }

    /** The subject a manifest names, if any (OCI image manifests and indexes only). */
    public static Optional<Descriptor> subjectOf(Manifest m) {
        if (m instanceof OciManifest om && om.subject() != null) {
            return Optional.of(om.subject());
        }
        if (m instanceof OciIndex oi && oi.subject() != null) {
            return Optional.of(oi.subject());
        }
        return Optional.empty();
    }

    /**
     * The descriptor that lists {@code manifest} (of MIME type {@code mediaType}) as a referrer: media type, digest,
     * size, artifact type and annotations, as the Referrers API and the tag schema's index hold it.
     */
    public static Descriptor descriptorFor(byte[] manifest, String mediaType) throws ImageException {
        Manifest m = Manifests.parse(manifest, mediaType);
        String artifactType = "";
        java.util.Map<String, String> annotations = java.util.Map.of();
        if (m instanceof OciManifest om) {
            artifactType = !om.artifactType().isEmpty() ? om.artifactType()
                    : om.config() == null ? "" : om.config().mediaType();
            annotations = om.annotations();
        } else if (m instanceof OciIndex oi) {
            artifactType = oi.artifactType();
            annotations = oi.annotations();
        }
        return new Descriptor(m.mediaType(), Manifests.digest(manifest), manifest.length, null, annotations, null,
                null, artifactType);
    }

    /** An empty referrers list, as a client starts one when the tag schema's tag does not exist. */
    public static OciIndex emptyIndex() {
        return new OciIndex(MediaTypes.OCI_INDEX, "", List.of(), null, null);
    }

    /**
     * {@code index} with {@code entry} appended, or empty when it already lists that digest (no duplicates).
     */
    public static Optional<OciIndex> withEntry(OciIndex index, Descriptor entry) {
        for (Descriptor d : index.instances()) {
            if (entry.digest().equals(d.digest())) {
                return Optional.empty();
            }
        }
        List<Descriptor> all = new ArrayList<>(index.instances());
        all.add(entry);
        return Optional.of(index.withInstances(all));
    }

    /**
     * The referrers list held under a tag of the tag schema: its manifest must be an OCI index (the spec says to
     * report anything else as a failure).
     */
    public static OciIndex parseIndex(byte[] manifest, String mediaType, String what) throws ImageException {
        String mt = Manifests.effectiveMimeType(manifest, mediaType);
        if (!MediaTypes.OCI_INDEX.equals(mt)) {
            throw ImageException.invalid(what + " is a " + mt + ", not an OCI image index");
        }
        return (OciIndex) Manifests.parse(manifest, MediaTypes.OCI_INDEX);
    }
}
