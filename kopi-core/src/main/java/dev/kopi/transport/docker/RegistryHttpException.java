package dev.kopi.transport.docker;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.util.Optional;
import java.util.Set;

/**
 * A registry's non-success response, classified as containers/image classifies it ({@code
 * registryHTTPResponseToError}): an unexpected status (5xx and others outside 4xx), an error code of the
 * distribution spec (from the body or a bearer {@code WWW-Authenticate} challenge), or a 4xx body that is no error
 * document. {@link #retryable()} is containers/common's {@code retry.IsErrorRetryable} for it.
 */
public final class RegistryHttpException extends ImageException {
    private static final long serialVersionUID = 1L;
    private static final Set<String> NOT_RETRYABLE_CODES = Set.of("UNAUTHORIZED", "DENIED", "NAME_UNKNOWN",
            "MANIFEST_UNKNOWN");

    /** How the response was read. */
    public enum Kind {
        /** A status outside 4xx: {@code received unexpected HTTP status: 500 Internal Server Error}. */
        UNEXPECTED_STATUS,
        /** An error code with a message or detail (Go's {@code errcode.Error}). */
        ERROR,
        /** A bare error code: no detail, and the message empty or the code's default (Go's {@code errcode.ErrorCode}). */
        BARE_CODE,
        /** A 4xx body that is not an error document: {@code StatusCode: 404, "..."}. */
        UNPARSED
    }

    private final int status;
    private final Kind kind;
    private final String registryCode;

    RegistryHttpException(ErrorCode code, String message, int status, Kind kind, String registryCode) {
        super(code, message);
        this.status = status;
        this.kind = kind;
        this.registryCode = registryCode;
    }

    /** The HTTP status of the response. */
    public int status() {
        return status;
    }

    public Kind kind() {
        return kind;
    }

    /** The distribution-spec error code ({@code MANIFEST_UNKNOWN}, {@code UNAUTHORIZED}, ...), when there is one. */
    public Optional<String> registryCode() {
        return Optional.ofNullable(registryCode);
    }

    /**
     * Whether {@code --retry-times} retries this failure, as containers/common does: 502 to 504, and error codes
     * other than UNAUTHORIZED, DENIED, NAME_UNKNOWN and MANIFEST_UNKNOWN (but not bare codes, which its
     * classification does not recognise).
     */
    public boolean retryable() {
        return switch (kind) {
            case UNEXPECTED_STATUS -> status >= 502 && status <= 504;
            case ERROR -> !NOT_RETRYABLE_CODES.contains(registryCode);
            case BARE_CODE, UNPARSED -> false;
        };
    }
}
