package dev.kopi.transport.dockerarchive;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.ImageTransport;
import dev.kopi.transport.tarball.ArchiveReader;
import dev.kopi.transport.tarball.TarballSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A {@code docker-archive:} reference: a path, plus either a tag (which names the image to read, and tags the image
 * written) or a zero-based index of the image to read, or neither (the only image; an untagged image when writing).
 */
public final class DockerArchiveReference implements ImageReference {
    private final String path;
    private final DockerReference ref;
    private final long sourceIndex;

    private DockerArchiveReference(String path, DockerReference ref, long sourceIndex) {
        this.path = path;
        this.ref = ref;
        this.sourceIndex = sourceIndex;
    }

    /**
     * Builds a reference with containers/image's checks.
     *
     * @param ref a tagged reference without digest, or null
     * @param sourceIndex a zero-based image index, or -1
     */
    public static DockerArchiveReference of(String path, DockerReference ref, long sourceIndex)
            throws InvalidReferenceException {
        if (path.contains(":")) {
            throw new InvalidReferenceException("Invalid docker-archive: reference: colon in path \"" + path
                    + "\" is not supported");
        }
        if (ref != null && sourceIndex != -1) {
            throw new InvalidReferenceException(
                    "Invalid docker-archive: reference: cannot use both a tag and a source index");
        }
        if (ref != null && ref.digest().isPresent()) {
            throw new InvalidReferenceException("docker-archive doesn't support digest references: " + ref);
        }
        if (ref != null && ref.tag().isEmpty()) {
            throw new InvalidReferenceException("reference does not include a tag: " + ref);
        }
        if (sourceIndex < -1) {
            throw new InvalidReferenceException("Invalid docker-archive: reference: index @" + sourceIndex
                    + " must not be negative");
        }
        return new DockerArchiveReference(path, ref, sourceIndex);
    }

    /** The archive's path as given. */
    public String path() {
        return path;
    }

    /** The zero-based image index, or -1. */
    public long sourceIndex() {
        return sourceIndex;
    }

    @Override
    public ImageTransport transport() {
        return DockerArchiveTransport.INSTANCE;
    }

    @Override
    public String stringWithinTransport() {
        if (ref != null) {
            return path + ":" + ref;
        }
        if (sourceIndex != -1) {
            return path + ":@" + sourceIndex;
        }
        return path;
    }

    @Override
    public Optional<DockerReference> dockerReference() {
        return Optional.ofNullable(ref);
    }

    /** Empty: containers/image gives no policy identity to archives (only the default "" scope applies). */
    @Override
    public String policyConfigurationIdentity() {
        return "";
    }

    @Override
    public List<String> policyConfigurationNamespaces() {
        return List.of();
    }

    @Override
    public ImageSource newImageSource(ImageContext ctx) throws IOException {
        ArchiveReader archive = ArchiveReader.open(dev.kopi.internal.path.LocalPaths.of(path), ctx.tmpDir());
        return new TarballSource(this, archive, true, ref, sourceIndex);
    }

    @Override
    public ImageDestination newImageDestination(ImageContext ctx) throws IOException {
        if (sourceIndex != -1) {
            throw new ImageException(ErrorCode.INVALID_REFERENCE,
                    "Destination reference must not contain a manifest index @" + sourceIndex);
        }
        return DockerArchiveDestination.open(this, ref, ctx);
    }

    @Override
    public void deleteImage(ImageContext ctx) throws IOException {
        throw new ImageException(ErrorCode.UNSUPPORTED, "Deleting images not implemented for docker-archive: images");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DockerArchiveReference r && r.path.equals(path) && Objects.equals(r.ref, ref)
                && r.sourceIndex == sourceIndex;
    }

    @Override
    public int hashCode() {
        return Objects.hash(path, ref, sourceIndex);
    }

    @Override
    public String toString() {
        return imageName();
    }
}
