package dev.kopi.internal.http;

import java.io.IOException;

/**
 * Carries a failure of the caller's request-body stream through the send path, so it reaches the caller
 * unchanged (a digest mismatch must stay a digest mismatch) instead of being reported as a network error.
 */
final class BodySourceException extends IOException {
    private static final long serialVersionUID = 1L;

    BodySourceException(IOException cause) {
        super(cause.getMessage(), cause);
    }

    IOException original() {
        return (IOException) getCause();
    }
}
