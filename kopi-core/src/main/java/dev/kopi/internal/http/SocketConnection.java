package dev.kopi.internal.http;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;

/** A TCP connection, possibly wrapped in TLS (the socket is then an SSLSocket, typed as Socket on purpose). */
final class SocketConnection extends Connection {
    private final Socket socket;
    private int readTimeout = -1;

    SocketConnection(PoolKey key, Socket socket) throws IOException {
        super(key, "tcp", describe(socket));
        this.socket = socket;
        initStreams(new SocketErrorsIn(socket.getInputStream()), new SocketErrorsOut(socket.getOutputStream()));
    }

    /**
     * The socket is a channel's (see Dialer), whose streams report a reset or a broken pipe as a plain
     * IOException; a plain Socket reports a SocketException, which callers (retry decisions) rely on. Plain
     * IOExceptions become SocketExceptions with the same message; the rest (timeouts, interruption) pass as they are.
     */
    static IOException asSocketError(IOException e) {
        if (e.getClass() != IOException.class) {
            return e;
        }
        java.net.SocketException s = new java.net.SocketException(e.getMessage());
        s.initCause(e);
        return s;
    }

    private static final class SocketErrorsIn extends java.io.FilterInputStream {
        SocketErrorsIn(java.io.InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (IOException e) {
                throw asSocketError(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (IOException e) {
                throw asSocketError(e);
            }
        }
    }

    private static final class SocketErrorsOut extends java.io.FilterOutputStream {
        SocketErrorsOut(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (IOException e) {
                throw asSocketError(e);
            }
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (IOException e) {
                throw asSocketError(e);
            }
        }

        @Override
        public void flush() throws IOException {
            try {
                out.flush();
            } catch (IOException e) {
                throw asSocketError(e);
            }
        }
    }

    private static String describe(Socket s) {
        return PoolKey.joinHostPort(s.getLocalAddress().getHostAddress(), s.getLocalPort()) + "->"
                + PoolKey.joinHostPort(s.getInetAddress().getHostAddress(), s.getPort());
    }

    @Override
    void setReadTimeout(int millis) throws IOException {
        if (millis != readTimeout) {
            socket.setSoTimeout(millis);
            readTimeout = millis;
        }
    }

    @Override
    boolean isStale() {
        try {
            if (in.available() > 0) {
                return true;
            }
            setReadTimeout(1);
            in.mark(1);
            // -1: the peer closed; a byte: the peer sent something unasked. Either way the connection is unusable.
            in.read();
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    void closeTransport() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a socket we give up on
        }
    }
}
