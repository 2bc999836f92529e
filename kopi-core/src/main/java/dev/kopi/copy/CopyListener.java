package dev.kopi.copy;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;

/**
 * Progress events of a copy, in the order skopeo prints its lines: "Getting image source signatures", then per
 * blob "Copying blob ..." (started, progress, done or skipped), "Copying config ...", "Writing manifest to image
 * destination", "Storing signatures". Every method has an empty default, so a listener overrides only what it
 * needs. The command line renders these events as skopeo's lines or bars, or as JSON lines
 * ({@code --progress json}).
 *
 * <p>Methods may be called concurrently, from the copy's worker threads (layers are copied in parallel), and must
 * return quickly: {@link #blobProgress} is called for every block read. An exception thrown by a listener fails
 * the copy.
 */
public interface CopyListener {
    /** A listener that ignores every event. */
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

    /**
     * A blob is about to be copied (or found to exist already); {@code info.size()} may be -1.
     *
     * @param isConfig true for the config blob, false for a layer
     */
    default void blobStarted(BlobInfo info, boolean isConfig) {
    }

    /**
     * Bytes of a blob read from the source so far (before any compression change, so at most
     * {@code info.size()}). Called often; the same blob's events come in order.
     */
    default void blobProgress(BlobInfo info, long bytesDone) {
    }

    /** A blob was written to the destination and verified. */
    default void blobDone(BlobInfo info, boolean isConfig) {
    }

    /** The destination already has the blob; nothing was copied ("skipped: already exists"). */
    default void blobSkipped(BlobInfo info, boolean isConfig) {
    }

    /** The manifest of an image is being written ("Writing manifest to image destination"). */
    default void writingManifest() {
    }

    /** The manifest list is being written ("Writing manifest list to image destination"). */
    default void writingManifestList() {
    }

    /**
     * A signer starts signing the manifest just written ("Creating signature: MESSAGE", or with {@code index} of
     * {@code count} when there are several signers).
     */
    default void creatingSignature(String message, int index, int count) {
    }

    /** Signatures are being written ("Storing signatures"). */
    default void storingSignatures() {
    }

    /** The list's signatures are stored (reported even when there are none, as containers/image does). */
    default void storingListSignatures() {
    }

    /** A referrer of a copied manifest is being copied ({@code --referrers}). */
    default void copyingReferrer(Digest referrer, Digest subject) {
    }

    /** A cosign digest tag of a copied manifest is being copied ({@code --digest-tags}). */
    default void copyingDigestTag(String tag, Digest manifest) {
    }

    /**
     * The copy is complete and committed; the last event. Sent by {@link dev.kopi.Kopi#copy} (not by the bare
     * {@link Copier}).
     */
    default void copyDone(CopyResult result) {
    }

    /**
     * The copy failed, or was cancelled, and is about to throw {@code error}; the last event. Sent by
     * {@link dev.kopi.Kopi#copy} (not by the bare {@link Copier}).
     */
    default void copyFailed(Exception error) {
    }
}
