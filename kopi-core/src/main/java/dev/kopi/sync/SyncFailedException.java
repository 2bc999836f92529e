package dev.kopi.sync;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;

/** A sync that did not complete: the first failure (without keep-going) or the summary of failures, with what was done. */
public final class SyncFailedException extends ImageException {
    private final transient SyncResult result;

    public SyncFailedException(ErrorCode code, String message, Throwable cause, SyncResult result) {
        super(code, message, cause);
        this.result = result;
    }

    /** What the run did before it stopped (or, with keep-going, all of it). */
    public SyncResult result() {
        return result;
    }
}
