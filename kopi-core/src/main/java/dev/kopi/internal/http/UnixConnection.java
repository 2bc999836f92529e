package dev.kopi.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;

/**
 * A connection over a unix-domain socket. The JDK offers no stream adaptor with timeouts for these channels, so
 * the channel runs non-blocking and waits in its own selector.
 */
final class UnixConnection extends Connection {
    private final SocketChannel channel;
    private final Selector selector;
    private final SelectionKey selectionKey;
    private volatile int readTimeout;

    UnixConnection(PoolKey key, SocketChannel channel) throws IOException {
        super(key, "unix", "@->" + key.unixSocket());
        this.channel = channel;
        channel.configureBlocking(false);
        this.selector = Selector.open();
        this.selectionKey = channel.register(selector, 0);
        initStreams(new ChannelIn(), new ChannelOut());
    }

    @Override
    void setReadTimeout(int millis) {
        readTimeout = millis;
    }

    @Override
    boolean isStale() {
        try {
            if (in.available() > 0) {
                return true;
            }
            return channel.read(ByteBuffer.allocate(1)) != 0;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    void closeTransport() {
        try {
            selector.close();
        } catch (IOException ignored) {
            // best effort
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    /** Waits until the channel is ready for {@code ops}; false when {@code timeoutMillis} (0 = none) expired. */
    private boolean await(int ops, long deadlineNanos) throws IOException {
        selectionKey.interestOps(ops);
        long wait = 0;
        if (deadlineNanos != 0) {
            wait = Math.max(1, (deadlineNanos - System.nanoTime()) / 1_000_000);
            if (deadlineNanos - System.nanoTime() <= 0) {
                return false;
            }
        }
        selector.select(wait);
        selector.selectedKeys().clear();
        return true;
    }

    private final class ChannelIn extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            int timeout = readTimeout;
            long deadline = timeout > 0 ? System.nanoTime() + timeout * 1_000_000L : 0;
            while (true) {
                int n = channel.read(bb);
                if (n != 0) {
                    return n;
                }
                if (!await(SelectionKey.OP_READ, deadline)) {
                    throw new SocketTimeoutException("Read timed out");
                }
            }
        }

        @Override
        public int available() throws IOException {
            return 0;
        }
    }

    private final class ChannelOut extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ByteBuffer bb = ByteBuffer.wrap(b, off, len);
            while (bb.hasRemaining()) {
                if (channel.write(bb) == 0) {
                    await(SelectionKey.OP_WRITE, 0);
                }
            }
        }
    }
}
