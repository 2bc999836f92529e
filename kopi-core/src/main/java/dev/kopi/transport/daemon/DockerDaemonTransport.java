package dev.kopi.transport.daemon;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageTransport;

/**
 * The {@code docker-daemon:} transport: images in a Docker engine, named {@code NAME:TAG}, {@code NAME@DIGEST} or by
 * image ID {@code sha256:HEX} (containers/image {@code docker/daemon/daemon_transport.go}).
 */
public final class DockerDaemonTransport implements ImageTransport {
    public static final DockerDaemonTransport INSTANCE = new DockerDaemonTransport();

    /** go-digest's canonical algorithm: the only one accepted for image IDs. */
    private static final String CANONICAL_ALGORITHM = "sha256";

    private DockerDaemonTransport() {
    }

    @Override
    public String name() {
        return "docker-daemon";
    }

    /**
     * Parses an image ID ({@code sha256:<64 hex>}) or a normalized name with a tag or a digest. No default tag is
     * added; short IDs, unprefixed hex IDs and other digest algorithms are refused as ambiguous.
     */
    @Override
    public DaemonImageReference parseReference(String withinTransport) throws InvalidReferenceException {
        // algo:hex has the shape of repo:tag; anything go-digest accepts as a digest is taken as an image ID.
        if (Digest.isValid(withinTransport)) {
            if (!withinTransport.startsWith(CANONICAL_ALGORITHM + ":")) {
                throw new InvalidReferenceException("Invalid docker-daemon: reference " + withinTransport
                        + ": only digest algorithm " + CANONICAL_ALGORITHM + " accepted");
            }
            try {
                return DaemonImageReference.ofId(Digest.parse(withinTransport));
            } catch (InvalidReferenceException e) {
                throw e;
            } catch (ImageException e) {
                throw new InvalidReferenceException(e.getMessage(), e); // cannot happen: Digest.isValid accepted it
            }
        }
        DockerReference ref = DockerReference.parseNormalized(withinTransport); // also refuses bare 64-hex IDs
        if (ref.familiarName().equals(CANONICAL_ALGORITHM)) {
            throw new InvalidReferenceException("Invalid docker-daemon: reference " + withinTransport + ": The "
                    + CANONICAL_ALGORITHM + " repository name is reserved for (non-shortened) digest references");
        }
        return DaemonImageReference.ofName(ref);
    }

    /** Refuses {@code algo:hex} scopes: image IDs cannot be namespaced. Everything else is accepted. */
    @Override
    public void validatePolicyConfigurationScope(String scope) throws InvalidReferenceException {
        if (Digest.isValid(scope)) {
            throw new InvalidReferenceException(
                    "docker-daemon: can not use algo:digest value " + scope + " as a namespace");
        }
    }
}
