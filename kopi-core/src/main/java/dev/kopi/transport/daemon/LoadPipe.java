package dev.kopi.transport.daemon;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A bounded in-memory pipe from the thread writing a docker-save stream to the thread sending it to the daemon,
 * with Go's {@code io.Pipe} error semantics in both directions: {@link #closeReader(IOException)} makes every later
 * write fail with that error (the daemon gave up), and {@link #abortWriter(IOException)} makes the reader fail
 * (the upload is abandoned, so the request body ends without its final chunk). Writes are gathered into chunks of
 * {@value #CHUNK} bytes; at most {@value #DEPTH} chunks wait, so memory stays bounded whatever the image size.
 */
final class LoadPipe {
    static final int CHUNK = 64 * 1024;
    static final int DEPTH = 16;
    private static final byte[] EOF = new byte[0];

    private final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(DEPTH);
    private volatile IOException readerError; // set once the reader is closed; writes then fail
    private volatile IOException writerError; // set when the writer aborts; reads then fail
    private final Sink sink = new Sink();
    private final Source source = new Source();

    /** The writing end; {@link OutputStream#close()} ends the stream normally. */
    OutputStream sink() {
        return sink;
    }

    /** The reading end. */
    InputStream source() {
        return source;
    }

    /** Closes the reading end: later and blocked writes fail with {@code error} (null: "read/write on closed pipe"). */
    void closeReader(IOException error) {
        readerError = error != null ? error : new IOException("io: read/write on closed pipe");
        queue.clear(); // unblocks a writer waiting for room
    }

    /** Abandons the stream: the reader fails with {@code error} once it has read what was queued before. */
    void abortWriter(IOException error) {
        if (writerError == null) {
            writerError = error;
        }
        queue.clear();
        queue.offer(EOF);
    }

    private final class Sink extends OutputStream {
        private byte[] buf = new byte[CHUNK];
        private int n;
        private boolean closed;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            checkOpen();
            while (len > 0) {
                int k = Math.min(len, buf.length - n);
                System.arraycopy(b, off, buf, n, k);
                n += k;
                off += k;
                len -= k;
                if (n == buf.length) {
                    push();
                }
            }
        }

        @Override
        public void flush() throws IOException {
            checkOpen();
            if (n > 0) {
                push();
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            flush();
            closed = true;
            put(EOF);
        }

        private void checkOpen() throws IOException {
            if (closed) {
                throw new IOException("io: read/write on closed pipe");
            }
            failIfReaderClosed();
        }

        private void push() throws IOException {
            byte[] chunk = n == buf.length ? buf : Arrays.copyOf(buf, n);
            put(chunk);
            if (chunk == buf) {
                buf = new byte[CHUNK];
            }
            n = 0;
        }

        private void put(byte[] chunk) throws IOException {
            try {
                // Once queued, the data is the reader's: a reader closing right after (the load finished) is fine.
                while (!queue.offer(chunk, 50, TimeUnit.MILLISECONDS)) {
                    failIfReaderClosed();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while writing to the docker engine");
            }
        }

        private void failIfReaderClosed() throws IOException {
            IOException e = readerError;
            if (e != null) {
                // A fresh exception per failing call: the daemon's error is the cause.
                ErrorCode code = e instanceof ImageException ie ? ie.code() : ErrorCode.IO;
                throw new ImageException(code, String.valueOf(e.getMessage()), e);
            }
        }
    }

    private final class Source extends InputStream {
        private byte[] cur = new byte[0];
        private int pos;
        private boolean eof;

        private boolean fill() throws IOException {
            while (pos >= cur.length) {
                if (eof) {
                    failIfAborted();
                    return false;
                }
                if (readerError != null) {
                    throw new IOException("io: read/write on closed pipe");
                }
                byte[] next;
                try {
                    next = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading the image stream");
                }
                if (next == EOF) {
                    eof = true;
                    continue;
                }
                cur = next;
                pos = 0;
            }
            return true;
        }

        private void failIfAborted() throws IOException {
            IOException e = writerError;
            if (e != null) {
                throw new IOException(e.getMessage(), e);
            }
        }

        @Override
        public int read() throws IOException {
            if (!fill()) {
                return -1;
            }
            return cur[pos++] & 0xff;
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

        /**
         * The HTTP client closes the body once it has sent it or failed. Nothing happens here: the thread that ran
         * the request calls {@link #closeReader} with its outcome right after, so writers see the daemon's error
         * rather than a bare "closed pipe".
         */
        @Override
        public void close() {
        }
    }
}
