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
        initStreams(socket.getInputStream(), socket.getOutputStream());
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
