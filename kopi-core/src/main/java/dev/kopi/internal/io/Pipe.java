package dev.kopi.internal.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A bounded in-memory pipe between a producer task (run on a transform pool) and the reading side. A failure of
 * the producer surfaces as the reader's IOException; closing the reader stops the producer and waits for it.
 */
public final class Pipe {
    private static final byte[] EOF = new byte[0];
    private static final int CHUNK = 65536;

    /** Writes into the pipe; the producer. */
    @FunctionalInterface
    public interface Producer {
        void writeTo(OutputStream out) throws IOException;
    }

    private Pipe() {
    }

    /** Starts {@code producer} on {@code pool} and returns the stream it produces. */
    public static InputStream start(ExecutorService pool, Producer producer) {
        State st = new State();
        pool.execute(() -> {
            try (OutputStream out = new ChunkOut(st)) {
                producer.writeTo(out);
            } catch (Throwable t) {
                st.error = t;
            } finally {
                st.put(EOF);
                st.done.countDown();
            }
        });
        return new In(st);
    }

    private static final class State {
        final BlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(16);
        /** Chunks the reader has consumed, for the producer to reuse (keeps garbage, and so the heap, small). */
        final BlockingQueue<byte[]> free = new ArrayBlockingQueue<>(20);
        volatile Throwable error;
        volatile boolean readerClosed;
        final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

        void put(byte[] b) {
            try {
                while (!queue.offer(b, 100, TimeUnit.MILLISECONDS)) {
                    if (readerClosed) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static final class ChunkOut extends OutputStream {
        private final State st;
        private byte[] buf = new byte[CHUNK];
        private int n;

        ChunkOut(State st) {
            this.st = st;
        }

        @Override
        public void write(int b) throws IOException {
            if (n == buf.length) {
                flush();
            }
            buf[n++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                if (st.readerClosed) {
                    throw new IOException("pipe reader closed");
                }
                int k = Math.min(len, buf.length - n);
                System.arraycopy(b, off, buf, n, k);
                n += k;
                off += k;
                len -= k;
                if (n == buf.length) {
                    flush();
                }
            }
        }

        @Override
        public void flush() throws IOException {
            if (n > 0) {
                if (st.readerClosed) {
                    throw new IOException("pipe reader closed");
                }
                st.put(n == buf.length ? buf : java.util.Arrays.copyOf(buf, n));
                byte[] recycled = st.free.poll();
                buf = recycled != null ? recycled : new byte[CHUNK];
                n = 0;
            }
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }

    private static final class In extends InputStream {
        private final State st;
        private byte[] cur = new byte[0];
        private int pos;
        private boolean eof;

        In(State st) {
            this.st = st;
        }

        private boolean fill() throws IOException {
            while (pos >= cur.length) {
                if (eof) {
                    return false;
                }
                byte[] next;
                try {
                    next = st.queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while reading a pipe");
                }
                if (next == EOF) {
                    eof = true;
                    Throwable t = st.error;
                    if (t != null) {
                        if (t instanceof IOException io) {
                            throw io;
                        }
                        throw new IOException(t.getMessage(), t);
                    }
                    return false;
                }
                if (cur.length == CHUNK) {
                    st.free.offer(cur);
                }
                cur = next;
                pos = 0;
            }
            return true;
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

        /** Stops the producer and waits until it has finished, so that nobody reads its input any more. */
        @Override
        public void close() throws IOException {
            st.readerClosed = true;
            st.queue.clear();
            try {
                while (!st.done.await(50, TimeUnit.MILLISECONDS)) {
                    st.queue.clear();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while stopping a pipe");
            }
        }
    }
}
