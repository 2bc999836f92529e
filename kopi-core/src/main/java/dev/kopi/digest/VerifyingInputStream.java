package dev.kopi.digest;

import dev.kopi.error.DigestMismatchException;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Passes data through while digesting it, and fails the read that reaches end of data when the digest or
 * the size is not the expected one, so that corrupt data can never be committed silently. It also fails as
 * soon as more bytes than the expected size arrive.
 */
public final class VerifyingInputStream extends DigestingInputStream {
    private final Digest expected;
    private final long expectedSize;
    private boolean verified;

    /** @param expectedSize the exact size, or -1 when unknown */
    public VerifyingInputStream(InputStream in, Digest expected, long expectedSize) {
        super(in, expected.algorithm());
        this.expected = expected;
        this.expectedSize = expectedSize;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, len);
        if (expectedSize >= 0 && count() > expectedSize) {
            throw new ImageException(ErrorCode.SIZE_MISMATCH,
                    "blob " + expected + " is larger than its expected size " + expectedSize);
        }
        return n;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (expectedSize >= 0 && count() > expectedSize) {
            throw new ImageException(ErrorCode.SIZE_MISMATCH,
                    "blob " + expected + " is larger than its expected size " + expectedSize);
        }
        return b;
    }

    @Override
    protected void atEof() throws IOException {
        if (verified) {
            return;
        }
        if (expectedSize >= 0 && count() != expectedSize) {
            throw new ImageException(ErrorCode.SIZE_MISMATCH, "blob " + expected + " size mismatch: expected "
                    + expectedSize + " bytes, got " + count());
        }
        Digest actual = digest();
        if (!actual.equals(expected)) {
            throw new DigestMismatchException(expected, actual);
        }
        verified = true;
    }

    /** Reads to the end (so that verification happens) without keeping the data. */
    public void drain() throws IOException {
        if (verified) {
            return; // already read to the end (possibly by a consumer that then closed the stream)
        }
        byte[] buf = new byte[65536];
        while (read(buf, 0, buf.length) >= 0) {
            // discard
        }
    }

    public boolean verified() {
        return verified;
    }
}
