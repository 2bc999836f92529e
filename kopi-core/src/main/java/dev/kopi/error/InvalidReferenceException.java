package dev.kopi.error;

/** An image name or reference that does not parse. */
public class InvalidReferenceException extends ImageException {
    private static final long serialVersionUID = 1L;

    /** An {@link ErrorCode#INVALID_REFERENCE} failure. */
    public InvalidReferenceException(String message) {
        super(ErrorCode.INVALID_REFERENCE, message);
    }

    /** An {@link ErrorCode#INVALID_REFERENCE} failure with a cause. */
    public InvalidReferenceException(String message, Throwable cause) {
        super(ErrorCode.INVALID_REFERENCE, message, cause);
    }
}
