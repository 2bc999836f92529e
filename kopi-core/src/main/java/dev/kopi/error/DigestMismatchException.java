package dev.kopi.error;

import dev.kopi.digest.Digest;

/** Data whose digest is not the expected one. Thrown from {@code InputStream.read}, hence an IOException. */
public class DigestMismatchException extends ImageException {
    private static final long serialVersionUID = 1L;
    private final transient Digest expected;
    private final transient Digest actual;

    public DigestMismatchException(Digest expected, Digest actual) {
        super(ErrorCode.DIGEST_MISMATCH, "Digest did not match, expected " + expected + ", got " + actual);
        this.expected = expected;
        this.actual = actual;
    }

    public Digest expected() {
        return expected;
    }

    public Digest actual() {
        return actual;
    }
}
