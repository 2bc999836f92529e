package dev.kopi.transport;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.signature.Signature;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Writes one image. The call order is a contract: capability queries; then {@link #tryReusingBlob} /
 * {@link #putBlob} for every layer and the config; then {@link #putManifest} (for lists: each instance's
 * manifest, then the list); then {@link #putSignatures}; then {@link #commit()}. Closing without commit
 * abandons the write and leaves what the user had untouched.
 */
public interface ImageDestination extends Closeable {
    ImageReference reference();

    DestinationCapabilities capabilities();

    /**
     * If the destination already has this blob (by digest), returns its info without any upload;
     * empty otherwise. Must not write anything.
     */
    default Optional<BlobInfo> tryReusingBlob(BlobInfo info) throws IOException {
        return Optional.empty();
    }

    /**
     * Stores a blob. The stream is already verified by the caller (it fails at EOF on a digest mismatch), so
     * the destination must only make the blob visible once the stream ended without error.
     *
     * @param info the expected digest and size; digest may be null, size -1, when the caller transforms data
     * @return the digest and size actually stored
     */
    BlobInfo putBlob(InputStream stream, BlobInfo info, PutBlobOptions options) throws IOException;

    /** Stores a manifest: the image's when {@code instance} is empty, else a list instance's. */
    void putManifest(byte[] manifest, String mediaType, Optional<Digest> instance) throws IOException;

    void putSignatures(List<Signature> signatures, Optional<Digest> instance) throws IOException;

    /**
     * Fails, with the transport's own reason, when this destination cannot store signatures (containers/image's
     * {@code SupportsSignatures}); the copy asks before it copies anything of a signed image.
     */
    default void checkSignaturesSupported() throws IOException {
        if (!capabilities().supportsSignatures()) {
            throw new dev.kopi.error.ImageException(dev.kopi.error.ErrorCode.UNSUPPORTED,
                    "Pushing signatures for this destination is not supported");
        }
    }

    /** Makes everything written visible, atomically where the transport allows. */
    void commit() throws IOException;

    /** Options of one putBlob call. */
    record PutBlobOptions(boolean isConfig, int layerIndex) {
        public static final PutBlobOptions CONFIG = new PutBlobOptions(true, -1);

        public static PutBlobOptions layer(int index) {
            return new PutBlobOptions(false, index);
        }
    }
}
