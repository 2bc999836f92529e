package dev.kopi.internal.http;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.util.Locale;

/**
 * One open transport connection (TCP, TLS over TCP, or a unix socket) with buffered streams. Used by one
 * exchange at a time; between exchanges it sits in the pool.
 */
abstract class Connection implements Closeable {
    static final int BUFFER = 64 * 1024;

    final PoolKey key;
    /** {@code tcp} or {@code unix}, for Go-style messages. */
    private final String net;
    /** {@code 127.0.0.1:5000->127.0.0.1:8080} or {@code @->/run/podman.sock}. */
    private final String ends;
    BufferedInputStream in;
    BufferedOutputStream out;
    /** When it was last put back into the pool ({@link System#nanoTime()}). */
    long idleSince;
    /** Set once the current exchange has read a byte of the response. */
    boolean responseStarted;
    private volatile boolean closed;

    Connection(PoolKey key, String net, String ends) {
        this.key = key;
        this.net = net;
        this.ends = ends;
    }

    void initStreams(InputStream rawIn, OutputStream rawOut) {
        this.in = new BufferedInputStream(rawIn, BUFFER);
        this.out = new BufferedOutputStream(rawOut, BUFFER);
    }

    /** Sets the idle-read timeout; 0 means none. */
    abstract void setReadTimeout(int millis) throws IOException;

    /**
     * True when this idle connection can no longer be used: the peer closed it, it holds unread bytes, or it
     * cannot be probed. Called only for pooled connections.
     */
    abstract boolean isStale();

    /** Closes the transport. Idempotent. */
    @Override
    public final void close() {
        if (!closed) {
            closed = true;
            closeTransport();
        }
    }

    abstract void closeTransport();

    boolean isClosed() {
        return closed;
    }

    /** A read failure in Go's words: {@code read tcp a->b: i/o timeout}, or {@code unexpected EOF} mid-body. */
    WireException readFailure(IOException e) {
        if (e instanceof WireException we) {
            return we;
        }
        if (e instanceof SocketTimeoutException) {
            return new WireException(HttpException.Kind.TIMEOUT, "read " + net + " " + ends + ": i/o timeout", e);
        }
        if (e instanceof EOFException) {
            return new WireException(HttpException.Kind.CONNECTION, "unexpected EOF", e);
        }
        if (isTlsFailure(e)) {
            return new WireException(HttpException.Kind.TLS, "tls: " + lowerFirst(String.valueOf(e.getMessage())), e);
        }
        return new WireException(HttpException.Kind.CONNECTION, "read " + net + " " + ends + ": read: " + errno(e), e);
    }

    /** A write failure in Go's words: {@code write tcp a->b: write: broken pipe}. */
    WireException writeFailure(IOException e) {
        if (e instanceof WireException we) {
            return we;
        }
        if (e instanceof SocketTimeoutException) {
            return new WireException(HttpException.Kind.TIMEOUT, "write " + net + " " + ends + ": i/o timeout", e);
        }
        if (isTlsFailure(e)) {
            return new WireException(HttpException.Kind.TLS, "tls: " + lowerFirst(String.valueOf(e.getMessage())), e);
        }
        return new WireException(HttpException.Kind.CONNECTION, "write " + net + " " + ends + ": write: " + errno(e), e);
    }

    /** Checks by name, so that plain-http paths never load an SSL class. */
    static boolean isTlsFailure(Throwable e) {
        return e.getClass().getName().startsWith("javax.net.ssl.");
    }

    /**
     * The errno text Go would print for a JDK socket message: "Connection refused" → "connection refused",
     * "Connection reset" → "connection reset by peer", "Broken pipe (Write failed)" → "broken pipe".
     */
    static String errno(IOException e) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        int paren = m.indexOf(" (");
        if (paren > 0) {
            m = m.substring(0, paren);
        }
        String lower = m.toLowerCase(Locale.ROOT).strip();
        if (lower.equals("connection reset")) {
            return "connection reset by peer";
        }
        if (lower.equals("socket closed") || lower.equals("socket is closed")) {
            return "use of closed network connection";
        }
        return lowerFirst(m);
    }

    static String lowerFirst(String s) {
        if (s.isEmpty() || !Character.isUpperCase(s.charAt(0))
                || (s.length() > 1 && Character.isUpperCase(s.charAt(1)))) {
            return s;
        }
        return Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }

    @Override
    public String toString() {
        return net + " " + ends;
    }
}
