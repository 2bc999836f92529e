package dev.kopi.transport.dockerarchive;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageTransport;
import dev.kopi.transport.tarball.GoCompat;

/**
 * The {@code docker-archive:} transport: a {@code docker save} formatted tar file,
 * {@code docker-archive:PATH[:DOCKER-REFERENCE|:@INDEX]} (containers/image's {@code docker/archive}).
 */
public final class DockerArchiveTransport implements ImageTransport {
    public static final DockerArchiveTransport INSTANCE = new DockerArchiveTransport();

    private DockerArchiveTransport() {
    }

    @Override
    public String name() {
        return "docker-archive";
    }

    /**
     * Parses {@code PATH[:REF|:@INDEX]}: the path ends at the first colon; a reference must be a tagged name
     * ({@code :latest} is added to a bare name) without digest; an index must be a non-negative integer.
     */
    @Override
    public ImageReference parseReference(String s) throws InvalidReferenceException {
        if (s.isEmpty()) {
            throw new InvalidReferenceException("docker-archive reference " + s
                    + " isn't of the form <path>[:<reference>]");
        }
        int colon = s.indexOf(':');
        if (colon < 0) {
            return DockerArchiveReference.of(s, null, -1);
        }
        String path = s.substring(0, colon);
        String rest = s.substring(colon + 1);
        if (rest.startsWith("@")) {
            long i;
            try {
                i = GoCompat.atoi(rest.substring(1));
            } catch (NumberFormatException e) {
                throw new InvalidReferenceException("Invalid source index " + rest + ": " + e.getMessage(), e);
            }
            if (i < 0) {
                throw new InvalidReferenceException("Invalid source index @" + i + ": must not be negative");
            }
            return DockerArchiveReference.of(path, null, i);
        }
        DockerReference ref;
        try {
            ref = DockerReference.parseNormalized(rest);
        } catch (InvalidReferenceException e) {
            throw new InvalidReferenceException("docker-archive parsing reference: " + e.getMessage(), e);
        }
        ref = ref.tagNameOnly();
        if (ref.tag().isEmpty()) {
            throw new InvalidReferenceException("reference does not include a tag: " + ref);
        }
        return DockerArchiveReference.of(path, ref, -1);
    }

    /** containers/image accepts no scope but the default "" one for this transport. */
    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
        throw new InvalidReferenceException("docker-archive: does not support any scopes except the default \"\" one");
    }
}
