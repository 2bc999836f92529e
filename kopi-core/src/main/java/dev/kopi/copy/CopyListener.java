package dev.kopi.copy;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;

/** Progress events of a copy; the CLI renders them as skopeo's lines or bars. All methods may be called concurrently. */
public interface CopyListener {
    CopyListener NONE = new CopyListener() {
    };

    /** Reading the source image's signatures (not reported with {@code --remove-signatures}). */
    default void gettingSignatures() {
    }

    /** Reading the source list's signatures (not reported with {@code --remove-signatures}). */
    default void gettingListSignatures() {
    }

    /** The source has signatures: checking the destination can store them ({@code list}: the list's). */
    default void checkingSignatureSupport(boolean list) {
    }

    /** A list copy: {@code count} images of the list's {@code total} (0 for {@code --multi-arch index-only}). */
    default void copyingImages(int count, int total) {
    }

    /** Starting instance {@code index} (1-based) of {@code count}. */
    default void copyingImage(Digest instance, int index, int count) {
    }

    /** A blob is about to be copied (or found to exist already); {@code info.size()} may be -1. */
    default void blobStarted(BlobInfo info, boolean isConfig) {
    }

    default void blobProgress(BlobInfo info, long bytesDone) {
    }

    default void blobDone(BlobInfo info, boolean isConfig) {
    }

    /** The destination already has the blob. */
    default void blobSkipped(BlobInfo info, boolean isConfig) {
    }

    default void writingManifest() {
    }

    default void writingManifestList() {
    }

    default void storingSignatures() {
    }

    /** The list's signatures are stored (reported even when there are none, as containers/image does). */
    default void storingListSignatures() {
    }
}
