package dev.kopi.error;

/** A destination that does not accept a manifest of this MIME type; the copy tries the next planned type. */
public class ManifestTypeRejectedException extends ImageException {
    private static final long serialVersionUID = 1L;

    public ManifestTypeRejectedException(String message) {
        super(ErrorCode.MANIFEST_TYPE_REJECTED, message);
    }
}
