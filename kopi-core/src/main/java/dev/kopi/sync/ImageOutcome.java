package dev.kopi.sync;

import dev.kopi.digest.Digest;

/**
 * What became of one image of a sync.
 *
 * @param source {@code transport:reference} of the source
 * @param destination {@code transport:reference} of the destination
 * @param status copied, skipped (the destination already had it), failed, or planned only ({@code --dry-run})
 * @param digest the manifest digest at the destination; null when failed or planned
 * @param bytes blob bytes moved for this image (blobs the destination had are not counted)
 * @param error the failure's message; null unless failed
 */
public record ImageOutcome(String source, String destination, Status status, Digest digest, long bytes,
        String error) {
    /** The outcome kinds. */
    public enum Status { COPIED, SKIPPED, FAILED, DRY_RUN }
}
