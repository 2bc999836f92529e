package dev.kopi.error;

import java.io.IOException;

/**
 * The root of kopi's exception hierarchy. Every message names the action and the object
 * ("reading blob sha256:... from oci:/x: ..."), and the code tells callers what kind of failure it is.
 */
public class ImageException extends IOException {
    private static final long serialVersionUID = 1L;
    private final ErrorCode code;

    /** A failure of kind {@code code}; the message names the action and the object. */
    public ImageException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    /** A failure of kind {@code code} caused by {@code cause}. */
    public ImageException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    /** What kind of failure this is. */
    public ErrorCode code() {
        return code;
    }

    /** True when {@code t} or any of its causes is an {@link ImageException} with the given code. */
    public static boolean hasCode(Throwable t, ErrorCode code) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ImageException ie && ie.code == code) {
                return true;
            }
        }
        return false;
    }

    /** {@code prefix: message}, keeping the code of {@code e} (IO for plain IOExceptions) and chaining it. */
    public static ImageException wrap(String prefix, IOException e) {
        ErrorCode code = e instanceof ImageException ie ? ie.code : ErrorCode.IO;
        String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ImageException(code, prefix + ": " + msg, e);
    }

    /** A {@link ErrorCode#NOT_FOUND} failure. */
    public static ImageException notFound(String message) {
        return new ImageException(ErrorCode.NOT_FOUND, message);
    }

    /** A {@link ErrorCode#NOT_FOUND} failure with a cause. */
    public static ImageException notFound(String message, Throwable cause) {
        return new ImageException(ErrorCode.NOT_FOUND, message, cause);
    }

    /** An {@link ErrorCode#INVALID_INPUT} failure. */
    public static ImageException invalid(String message) {
        return new ImageException(ErrorCode.INVALID_INPUT, message);
    }

    /** An {@link ErrorCode#INVALID_INPUT} failure with a cause. */
    public static ImageException invalid(String message, Throwable cause) {
        return new ImageException(ErrorCode.INVALID_INPUT, message, cause);
    }

    /** An {@link ErrorCode#UNSUPPORTED} failure. */
    public static ImageException unsupported(String message) {
        return new ImageException(ErrorCode.UNSUPPORTED, message);
    }
}
