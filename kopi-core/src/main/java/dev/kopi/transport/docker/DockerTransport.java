package dev.kopi.transport.docker;

import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageTransport;

/**
 * The {@code docker:} transport: images in a container registry, named {@code docker://[host/]repo[:tag|@digest]}
 * (containers/image {@code docker/docker_transport.go}).
 */
public final class DockerTransport implements ImageTransport {
    public static final DockerTransport INSTANCE = new DockerTransport();

    /**
     * Appended to a name-only reference ({@code docker://host/repo@@unknown-digest@@}) to push an image without a
     * tag or digest.
     */
    public static final String UNKNOWN_DIGEST_SUFFIX = "@@unknown-digest@@";

    private DockerTransport() {
    }

    @Override
    public String name() {
        return "docker";
    }

    /**
     * Parses {@code //name[:tag|@digest]}: normalized, with {@code :latest} added when neither a tag nor a digest is
     * given, or {@code //name@@unknown-digest@@}.
     */
    @Override
    public DockerImageReference parseReference(String withinTransport) throws InvalidReferenceException {
        if (!withinTransport.startsWith("//")) {
            throw new InvalidReferenceException(
                    "docker: image reference " + withinTransport + " does not start with //");
        }
        String s = withinTransport.substring(2);
        boolean unknownDigest = s.endsWith(UNKNOWN_DIGEST_SUFFIX);
        if (unknownDigest) {
            s = s.substring(0, s.length() - UNKNOWN_DIGEST_SUFFIX.length());
        }
        DockerReference ref = DockerReference.parseNormalized(s);
        if (unknownDigest) {
            if (!ref.isNameOnly()) {
                throw new InvalidReferenceException("docker: image reference " + GoStrconv.quote(ref + UNKNOWN_DIGEST_SUFFIX)
                        + " has unknown digest set but it contains either a tag or digest");
            }
            return DockerImageReference.ofUnknownDigest(ref);
        }
        return DockerImageReference.of(ref.tagNameOnly());
    }

    /** Any scope is accepted: upstream does not check the character set or lengths of docker scopes. */
    @Override
    public void validatePolicyConfigurationScope(String scope) {
    }
}
