package dev.kopi.internal.http;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.util.function.Function;

/** Opens connections: TCP (each resolved address in turn), through a proxy, with TLS, or to a unix socket. */
final class Dialer {
    /** Go's {@code http.Transport.TLSHandshakeTimeout} as containers/image (and the Docker client) set it. */
    static final int TLS_HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final int connectTimeoutMillis;
    private final String userAgent;
    private final Function<String, TlsSettings> tls;

    Dialer(int connectTimeoutMillis, String userAgent, Function<String, TlsSettings> tls) {
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.userAgent = userAgent;
        this.tls = tls;
    }

    Connection dial(PoolKey key) throws IOException {
        if (key.unixSocket() != null) {
            return dialUnix(key);
        }
        boolean https = key.scheme().equals("https");
        Socket socket;
        HttpProxy proxy = key.proxy();
        if (proxy != null) {
            try {
                socket = connectTcp(proxy.host(), proxy.port());
            } catch (WireException e) {
                throw new WireException(e.kind, "proxyconnect tcp: " + e.getMessage(), e.getCause());
            }
            if (https) {
                tunnel(socket, key);
            }
        } else {
            socket = connectTcp(key.host(), key.port());
        }
        if (https) {
            socket = TlsConnector.handshake(socket, key.host(), key.port(), tls, TLS_HANDSHAKE_TIMEOUT_MILLIS);
        }
        try {
            return new SocketConnection(key, socket);
        } catch (IOException e) {
            socket.close();
            throw new WireException(HttpException.Kind.CONNECTION, Connection.errno(e), e);
        }
    }

    /** Connects to each address of {@code host} in turn; the first failure is reported, as Go does. */
    private Socket connectTcp(String host, int port) throws WireException {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new WireException(HttpException.Kind.DIAL, "dial tcp: lookup " + host + ": no such host", e);
        }
        WireException first = null;
        for (InetAddress a : addresses) {
            String where = "dial tcp " + PoolKey.joinHostPort(a.getHostAddress(), port);
            // A channel's socket, not a plain Socket: a thread blocked reading or writing it stops when it is
            // interrupted (the channel is closed under it), so a cancelled copy or an expired --command-timeout
            // does not wait for a stalled server (a plain Socket ignores interrupts).
            Socket s;
            try {
                s = SocketChannel.open().socket();
            } catch (IOException e) {
                throw new WireException(HttpException.Kind.DIAL, where + ": socket: " + Connection.errno(e), e);
            }
            try {
                s.setTcpNoDelay(true);
                s.setKeepAlive(true);
                s.connect(new InetSocketAddress(a, port), connectTimeoutMillis);
                return s;
            } catch (SocketTimeoutException e) {
                closeQuietly(s);
                first = first != null ? first
                        : new WireException(HttpException.Kind.TIMEOUT, where + ": i/o timeout", e);
            } catch (IOException e) {
                closeQuietly(s);
                first = first != null ? first
                        : new WireException(HttpException.Kind.DIAL, where + ": connect: " + Connection.errno(e), e);
            }
        }
        throw first != null ? first
                : new WireException(HttpException.Kind.DIAL, "dial tcp: lookup " + host + ": no such host");
    }

    /** Asks the proxy for a tunnel to the target with {@code CONNECT host:port}. */
    private void tunnel(Socket socket, PoolKey key) throws IOException {
        String target = key.hostPort();
        try {
            socket.setSoTimeout(connectTimeoutMillis);
            StringBuilder sb = new StringBuilder(128);
            sb.append("CONNECT ").append(target).append(" HTTP/1.1\r\n");
            Wire.line(sb, "Host", target);
            if (userAgent != null) {
                Wire.line(sb, "User-Agent", userAgent);
            }
            key.proxy().authorization().ifPresent(a -> Wire.line(sb, "Proxy-Authorization", a));
            sb.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(Wire.bytes(sb));
            out.flush();
            // Unbuffered on purpose: nothing after the head may be consumed, the TLS handshake follows.
            Wire.ResponseHead head = Wire.readOneHead(socket.getInputStream(), () -> { });
            if (head.status() / 100 != 2) {
                throw new WireException(HttpException.Kind.PROXY, "proxyconnect tcp: proxy refused CONNECT to "
                        + target + ": " + head.status() + (head.reason().isEmpty() ? "" : " " + head.reason()));
            }
            socket.setSoTimeout(0);
        } catch (WireException e) {
            closeQuietly(socket);
            throw e.getMessage().startsWith("proxyconnect") ? e
                    : new WireException(e.kind, "proxyconnect tcp: " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            closeQuietly(socket);
            throw new WireException(HttpException.Kind.TIMEOUT, "proxyconnect tcp: i/o timeout", e);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new WireException(HttpException.Kind.CONNECTION, "proxyconnect tcp: " + Connection.errno(e), e);
        }
    }

    private static Connection dialUnix(PoolKey key) throws IOException {
        SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            ch.connect(UnixDomainSocketAddress.of(key.unixSocket()));
            return new UnixConnection(key, ch);
        } catch (IOException e) {
            ch.close();
            throw new WireException(HttpException.Kind.DIAL,
                    "dial unix " + key.unixSocket() + ": connect: " + Connection.errno(e), e);
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already failing
        }
    }
}
