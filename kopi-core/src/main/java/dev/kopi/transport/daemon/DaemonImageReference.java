package dev.kopi.transport.daemon;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.reference.DockerPolicyScopes;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code docker-daemon:} image reference: exactly one of an image ID (config digest) or a normalized Docker name
 * with a tag or a digest (not both). A destination needs a tagged name; that is checked when it is opened.
 */
public final class DaemonImageReference implements ImageReference {
    private final Digest id;
    private final DockerReference ref;

    private DaemonImageReference(Digest id, DockerReference ref) {
        this.id = id;
        this.ref = ref;
    }

    /** A reference to an image by its ID. */
    public static DaemonImageReference ofId(Digest id) throws InvalidReferenceException {
        if (id == null) {
            throw new InvalidReferenceException(
                    "docker-daemon: reference must have at least one of an image ID and a reference string");
        }
        return new DaemonImageReference(id, null);
    }

    /** A reference to an image by name, which must have a tag or a digest but not both. */
    public static DaemonImageReference ofName(DockerReference ref) throws InvalidReferenceException {
        if (ref == null) {
            throw new InvalidReferenceException(
                    "docker-daemon: reference must have at least one of an image ID and a reference string");
        }
        if (ref.isNameOnly()) {
            throw new InvalidReferenceException(
                    "docker-daemon: reference " + ref.familiarString() + " has neither a tag nor a digest");
        }
        if (ref.hasTagAndDigest()) {
            throw new InvalidReferenceException(
                    "docker-daemon: references with both a tag and digest are currently not supported");
        }
        return new DaemonImageReference(null, ref);
    }

    @Override
    public DockerDaemonTransport transport() {
        return DockerDaemonTransport.INSTANCE;
    }

    /** The image ID, when the image is named by ID. */
    public Optional<Digest> id() {
        return Optional.ofNullable(id);
    }

    @Override
    public String stringWithinTransport() {
        return id != null ? id.toString() : ref.familiarString();
    }

    @Override
    public Optional<DockerReference> dockerReference() {
        return Optional.ofNullable(ref);
    }

    /** Named images use the docker namespacing; images named by ID all fall into the root ("") scope. */
    @Override
    public String policyConfigurationIdentity() {
        return id != null ? "" : DockerPolicyScopes.identity(ref);
    }

    @Override
    public List<String> policyConfigurationNamespaces() {
        return id != null ? List.of() : DockerPolicyScopes.namespaces(ref);
    }

    /**
     * Reads the image from the engine at the context's daemon host ({@code docker save}, spooled to a temporary
     * file under the context's tmp dir).
     */
    @Override
    public ImageSource newImageSource(ImageContext ctx) throws IOException {
        return DaemonImageSource.open(this, ctx);
    }

    /** Streams the image into the engine ({@code docker load}) as it is copied; the reference must be name:tag. */
    @Override
    public ImageDestination newImageDestination(ImageContext ctx) throws IOException {
        return DaemonImageDestination.open(this, ctx);
    }

    /** Never supported: untagging or removing daemon images is left to {@code docker rmi}, as upstream does. */
    @Override
    public void deleteImage(ImageContext ctx) throws IOException {
        throw ImageException.unsupported("Deleting images not implemented for docker-daemon: images");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DaemonImageReference r && Objects.equals(r.id, id) && Objects.equals(r.ref, ref);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, ref);
    }

    @Override
    public String toString() {
        return imageName();
    }
}
