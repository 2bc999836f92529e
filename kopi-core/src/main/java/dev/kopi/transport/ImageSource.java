package dev.kopi.transport;

import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.image.RawManifest;
import dev.kopi.signature.Signature;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Raw, UNVERIFIED access to one image. Callers read manifests through {@link dev.kopi.image.UnparsedImage},
 * which checks them against the expected digest, and wrap blobs in a {@link dev.kopi.digest.VerifyingInputStream}.
 */
public interface ImageSource extends Closeable {
    /** The reference this source was opened from. */
    ImageReference reference();

    /**
     * The manifest of the image, or of the list instance {@code instance} when given. The MIME type may be null
     * when the transport does not record it (it is then guessed from the content).
     */
    RawManifest fetchManifest(Optional<Digest> instance) throws IOException;

    /** Opens a blob (layer or config) by its digest; the stream is not verified. */
    BlobStream openBlob(BlobInfo info) throws IOException;

    /** The signatures of the image (or of a list instance). */
    List<Signature> fetchSignatures(Optional<Digest> instance) throws IOException;

    /** Whether {@link #openBlob} may be called from several threads at once. */
    default boolean concurrentBlobReads() {
        return true;
    }

    /**
     * Compressed blobs this source knows to hold exactly {@code uncompressedLayer}'s content (digest, size and
     * compressed media type), e.g. the registry blob containers-storage pulled the layer from. A copy that would
     * compress the layer first asks the destination for these. Empty when unknown.
     */
    default List<BlobInfo> compressedVariants(BlobInfo uncompressedLayer) throws IOException {
        return List.of();
    }

    /**
     * Layer infos to use for copying instead of those in the manifest, when the transport knows better
     * (e.g. it stores layers uncompressed). Empty means "use the manifest's".
     */
    default Optional<List<BlobInfo>> layerInfosForCopy(Optional<Digest> instance) throws IOException {
        return Optional.empty();
    }
}
