package dev.kopi.copy;

import dev.kopi.blob.Compression;
import dev.kopi.blob.CompressionAlgorithm;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.error.ImageException;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Computes a layer's DiffID (the SHA-256 of its uncompressed content) while the layer is copied: every chunk read
 * through this stream is also handed, through a small bounded queue, to a task on the transform pool that detects
 * the compression, decompresses and digests. Nothing is buffered beyond the queue, so the copy and the digest run
 * side by side. containers/image does the same with a pipe into {@code diffIDComputationGoroutine}.
 *
 * <p>Read the stream to its end, then call {@link #diffId()}; call {@link #abort()} when the copy fails.
 */
final class DiffIdTee extends FilterInputStream {
    private static final byte[] END = new byte[0];
    private static final int QUEUE_CHUNKS = 16;

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(QUEUE_CHUNKS);
    private final Future<Digest> result;
    private volatile boolean consumerDone;
    private boolean ended;

    DiffIdTee(InputStream in, ExecutorService pool) {
        super(in);
        this.result = pool.submit(this::consume);
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            end();
        } else {
            hand(new byte[] {(byte) b});
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            end();
        } else if (n > 0) {
            hand(java.util.Arrays.copyOfRange(b, off, off + n));
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        // Skipped bytes would be missing from the digest: read them instead.
        byte[] buf = new byte[(int) Math.min(n, 65536)];
        int r = read(buf, 0, buf.length);
        return Math.max(r, 0);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    /** The DiffID, once the stream has been read to its end. */
    Digest diffId() throws IOException {
        if (!ended) {
            throw new IllegalStateException("the layer stream was not read to its end");
        }
        try {
            return result.get();
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            String msg = c.getMessage() == null ? c.toString() : c.getMessage();
            if (c instanceof ImageException ie) {
                throw new ImageException(ie.code(), "computing layer DiffID: " + msg, c);
            }
            throw new IOException("computing layer DiffID: " + msg, c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while computing a layer DiffID");
        } catch (CancellationException e) {
            throw new IOException("computing layer DiffID: cancelled", e);
        }
    }

    /** Stops the digest task (the copy failed). */
    void abort() {
        consumerDone = true;
        result.cancel(true);
    }

    private void end() throws IOException {
        if (!ended) {
            ended = true;
            hand(END);
        }
    }

    private void hand(byte[] chunk) throws IOException {
        try {
            while (!consumerDone && !queue.offer(chunk, 50, TimeUnit.MILLISECONDS)) {
                // wait for the digest task, unless it has stopped
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while copying a layer");
        }
    }

    private Digest consume() throws IOException {
        try {
            BufferedInputStream raw = new BufferedInputStream(new QueueInput(), 65536);
            Optional<CompressionAlgorithm> alg = Compression.detect(raw);
            InputStream plain = alg.isPresent() ? Compression.decompress(raw, alg.get()) : raw;
            MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
            byte[] buf = new byte[65536];
            int n;
            while ((n = plain.read(buf)) >= 0) {
                md.update(buf, 0, n);
            }
            return Digest.of(DigestAlgorithm.SHA256, md.digest());
        } finally {
            consumerDone = true;
        }
    }

    /** The chunks handed over, as a stream. */
    private final class QueueInput extends InputStream {
        private byte[] cur = new byte[0];
        private int pos;
        private boolean eof;

        private boolean fill() throws IOException {
            while (pos >= cur.length) {
                if (eof) {
                    return false;
                }
                byte[] next;
                try {
                    next = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("DiffID computation stopped");
                }
                if (next == END) {
                    eof = true;
                    return false;
                }
                cur = next;
                pos = 0;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            return fill() ? cur[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int k = Math.min(len, cur.length - pos);
            System.arraycopy(cur, pos, b, off, k);
            pos += k;
            return k;
        }
    }
}
