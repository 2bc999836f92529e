package dev.kopi.internal.http;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run in a child JVM by {@link LazyTlsTest}: plain-http and unix-socket requests through {@link HttpClient}, so
 * the test can check which classes got loaded. Servers use raw sockets (no TLS-capable server classes either).
 */
public final class LazyTlsProbe {
    private static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

    private LazyTlsProbe() {
    }

    public static void main(String[] args) throws Exception {
        ServerSocket tcp = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            try (Socket s = tcp.accept()) {
                answer(s.getInputStream(), s.getOutputStream());
            } catch (Exception ignored) {
                // probe ends
            }
        });
        t.setDaemon(true);
        t.start();
        Path dir = Files.createTempDirectory("lazy-tls");
        Path sock = dir.resolve("s.sock");
        ServerSocketChannel unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        unix.bind(UnixDomainSocketAddress.of(sock));
        Thread u = new Thread(() -> {
            try (SocketChannel ch = unix.accept()) {
                answer(Channels.newInputStream(ch), Channels.newOutputStream(ch));
            } catch (Exception ignored) {
                // probe ends
            }
        });
        u.setDaemon(true);
        u.start();
        StringBuilder result = new StringBuilder();
        try (HttpClient c = HttpClient.builder().build()) {
            try (Response r = c.send(Request.get(URI.create("http://127.0.0.1:" + tcp.getLocalPort() + "/")))) {
                result.append(new String(r.body().readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
        try (HttpClient c = HttpClient.unixSocket(sock)) {
            try (Response r = c.send(Request.get(URI.create("http://d/_ping")))) {
                result.append(new String(r.body().readAllBytes(), StandardCharsets.US_ASCII));
            }
        }
        unix.close();
        Files.deleteIfExists(sock);
        Files.deleteIfExists(dir);
        System.out.println("PROBE " + result);
    }

    private static void answer(InputStream in, java.io.OutputStream out) throws Exception {
        int matched = 0;
        int b;
        while (matched < 4 && (b = in.read()) >= 0) {
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        out.write(OK);
        out.flush();
    }
}
