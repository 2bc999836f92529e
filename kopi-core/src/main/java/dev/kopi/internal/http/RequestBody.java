package dev.kopi.internal.http;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The body of a {@link Request}: a byte array (replayable, so the request may be retried or redirected) or a
 * stream sent once. A stream with a known length goes out with {@code Content-Length}; one of length {@code -1}
 * with {@code Transfer-Encoding: chunked}. The client reads a stream to its end (so a verifying stream gets to
 * check what it saw) and closes it, whether the request succeeds or not.
 */
public final class RequestBody {
    private final byte[] bytes;
    private final InputStream stream;
    private final long length;
    private final AtomicBoolean used = new AtomicBoolean();

    private RequestBody(byte[] bytes, InputStream stream, long length) {
        this.bytes = bytes;
        this.stream = stream;
        this.length = length;
    }

    /** A replayable body holding a copy of {@code bytes}. */
    public static RequestBody of(byte[] bytes) {
        byte[] copy = bytes.clone();
        return new RequestBody(copy, null, copy.length);
    }

    /**
     * A one-shot streaming body. {@code length} is the exact number of bytes {@code in} yields, or {@code -1}
     * when unknown (sent chunked). A stream shorter or longer than a declared length fails the request.
     */
    public static RequestBody ofStream(InputStream in, long length) {
        Objects.requireNonNull(in, "in");
        if (length < -1) {
            throw new IllegalArgumentException("invalid body length " + length);
        }
        return new RequestBody(null, in, length);
    }

    /** The byte count, or {@code -1} when unknown (chunked). */
    public long length() {
        return length;
    }

    /** True when the body can be sent again (a byte array). */
    public boolean replayable() {
        return bytes != null;
    }

    /** The stream to send; a streaming body can be opened once only. */
    InputStream open() {
        if (bytes != null) {
            return new ByteArrayInputStream(bytes);
        }
        if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException("the streaming request body was already sent");
        }
        return stream;
    }

    /** Closes the stream of a streaming body that was never opened (a request that failed early). */
    void discard() {
        if (bytes == null && used.compareAndSet(false, true)) {
            try {
                stream.close();
            } catch (java.io.IOException ignored) {
                // nothing to report: the request already failed
            }
        }
    }

    @Override
    public String toString() {
        return (bytes != null ? "bytes" : "stream") + "(" + length + ")";
    }
}
