package dev.kopi.internal.http;

import java.nio.file.Path;

/**
 * Which connections are interchangeable: same scheme, host, port and proxy, or the same unix socket.
 * {@code proxy} and {@code unixSocket} may be null.
 */
record PoolKey(String scheme, String host, int port, HttpProxy proxy, Path unixSocket) {
    /** {@code host:port} with IPv6 hosts bracketed, as Go prints addresses. */
    String hostPort() {
        return joinHostPort(host, port);
    }

    static String joinHostPort(String host, int port) {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
