package dev.kopi.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/**
 * A response body as it arrives: fixed length, chunked, or until the peer closes. Reading the last byte hands
 * the connection back (to the pool when the exchange allows keep-alive); closing before that drops it. Read
 * failures become {@link HttpException}s naming the request.
 */
final class BodyStream extends InputStream {
    enum Framing { NONE, FIXED, CHUNKED, UNTIL_CLOSE }

    /** What to do with the connection when the body ends. */
    interface Owner {
        /** The body was read to its end; the connection may be reused if {@code reusable}. */
        void finished(Connection c, boolean reusable);
    }

    private static final int MAX_CHUNK_LINE = 4096;

    private final Connection conn;
    private final InputStream in;
    private final Framing framing;
    private final boolean reusable;
    private final Owner owner;
    private final String method;
    private final URI uri;
    /** FIXED: bytes left. CHUNKED: bytes left in the current chunk, -1 before the first chunk header. */
    private long remaining;
    private boolean done;
    private boolean closed;
    private HttpException failure;

    BodyStream(Connection conn, Framing framing, long length, boolean reusable, Owner owner, String method, URI uri) {
        this.conn = conn;
        this.in = conn.in;
        this.framing = framing;
        this.reusable = reusable && framing != Framing.UNTIL_CLOSE;
        this.owner = owner;
        this.method = method;
        this.uri = uri;
        this.remaining = framing == Framing.CHUNKED ? -1 : length;
        if (framing == Framing.NONE || (framing == Framing.FIXED && length == 0)) {
            finish();
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (failure != null) {
            throw failure;
        }
        if (done) {
            return -1;
        }
        if (closed) {
            throw new IOException("reading a closed response body of " + HttpException.urlErrorOp(method) + " "
                    + HttpException.goQuote(uri.toString()));
        }
        if (len == 0) {
            return 0;
        }
        try {
            switch (framing) {
                case FIXED: {
                    int n = in.read(b, off, (int) Math.min(len, remaining));
                    if (n < 0) {
                        throw new WireException(HttpException.Kind.CONNECTION, "unexpected EOF");
                    }
                    remaining -= n;
                    if (remaining == 0) {
                        finish();
                    }
                    return n;
                }
                case CHUNKED: {
                    if (remaining <= 0 && !nextChunk()) {
                        return -1;
                    }
                    int n = in.read(b, off, (int) Math.min(len, remaining));
                    if (n < 0) {
                        throw new WireException(HttpException.Kind.CONNECTION, "unexpected EOF");
                    }
                    remaining -= n;
                    return n;
                }
                case UNTIL_CLOSE: {
                    int n = in.read(b, off, len);
                    if (n < 0) {
                        finish();
                    }
                    return n;
                }
                default:
                    return -1;
            }
        } catch (IOException e) {
            throw fail(e);
        }
    }

    /** Reads the CRLF after a chunk and the next size line; false (and finished) at the last chunk. */
    private boolean nextChunk() throws IOException {
        int[] budget = {MAX_CHUNK_LINE};
        if (remaining == 0) {
            String crlf = Wire.readLine(in, -2, budget);
            if (crlf == null) {
                throw new WireException(HttpException.Kind.CONNECTION, "unexpected EOF");
            }
            if (!crlf.isEmpty()) {
                throw new WireException(HttpException.Kind.PROTOCOL, "malformed chunked encoding");
            }
            budget[0] = MAX_CHUNK_LINE;
        }
        String line = Wire.readLine(in, -2, budget);
        if (line == null) {
            throw new WireException(HttpException.Kind.CONNECTION, "unexpected EOF");
        }
        int semi = line.indexOf(';');
        String hex = (semi >= 0 ? line.substring(0, semi) : line).strip();
        if (hex.isEmpty() || hex.length() > 15) {
            throw new WireException(HttpException.Kind.PROTOCOL, "invalid byte in chunk length");
        }
        long size = 0;
        for (int i = 0; i < hex.length(); i++) {
            int d = Character.digit(hex.charAt(i), 16);
            if (d < 0) {
                throw new WireException(HttpException.Kind.PROTOCOL, "invalid byte in chunk length");
            }
            size = size * 16 + d;
        }
        if (size > 0) {
            remaining = size;
            return true;
        }
        // Last chunk: skip trailer fields up to the empty line.
        int[] trailerBudget = {Wire.MAX_HEAD_BYTES};
        while (true) {
            String t = Wire.readLine(in, -2, trailerBudget);
            if (t == null) {
                throw new WireException(HttpException.Kind.CONNECTION, "unexpected EOF");
            }
            if (t.isEmpty()) {
                break;
            }
        }
        remaining = 0;
        finish();
        return false;
    }

    @Override
    public int available() throws IOException {
        if (done || closed || failure != null) {
            return 0;
        }
        try {
            int avail = in.available();
            if (framing == Framing.UNTIL_CLOSE) {
                return avail;
            }
            return (int) Math.min(avail, Math.max(remaining, 0));
        } catch (IOException e) {
            return 0;
        }
    }

    private void finish() {
        if (!done) {
            done = true;
            owner.finished(conn, reusable);
        }
    }

    private HttpException fail(IOException e) {
        WireException w = conn.readFailure(e);
        failure = new HttpException(w.kind, method, uri, w.getMessage(), e);
        conn.close();
        return failure;
    }

    /** True once the body was read to its end. */
    boolean isDone() {
        return done;
    }

    /**
     * Reads and drops up to {@code limit} more bytes so a short redirect or error body can free its connection;
     * closes the stream either way.
     */
    void drainAndClose(long limit) {
        if (!done && !closed && failure == null && framing != Framing.UNTIL_CLOSE) {
            byte[] buf = new byte[8192];
            long left = limit;
            try {
                while (!done && left > 0) {
                    int n = read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        break;
                    }
                    left -= n;
                }
            } catch (IOException ignored) {
                // the connection is dropped below
            }
        }
        close();
    }

    /** Before the end: drops the connection (its unread bytes make it unusable). After the end: nothing. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (!done) {
                conn.close();
            }
        }
    }
}
