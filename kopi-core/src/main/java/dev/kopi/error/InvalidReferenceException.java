package dev.kopi.error;

/** An image name or reference that does not parse. */
public class InvalidReferenceException extends ImageException {
    private static final long serialVersionUID = 1L;

    public InvalidReferenceException(String message) {
        super(ErrorCode.INVALID_REFERENCE, message);
    }

    public InvalidReferenceException(String message, Throwable cause) {
        super(ErrorCode.INVALID_REFERENCE, message, cause);
    }
}
