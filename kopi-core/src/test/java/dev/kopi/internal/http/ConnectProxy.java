package dev.kopi.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A tiny HTTP proxy for tests, loopback only: {@code CONNECT 127.0.0.1:port} opens a tunnel (to loopback targets
 * only); an absolute-form request is answered by the proxy itself, echoing what it received. With
 * {@code refuse}, every CONNECT gets 403.
 */
final class ConnectProxy implements AutoCloseable {
    final List<String> heads = new CopyOnWriteArrayList<>();
    private final RawServer server;

    ConnectProxy(boolean refuse) throws IOException {
        RawServer[] self = new RawServer[1];
        server = new RawServer((client, i) -> {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            String head = self[0].readHead(in);
            if (head == null) {
                return;
            }
            heads.add(head);
            String requestLine = head.substring(0, head.indexOf("\r\n"));
            if (requestLine.startsWith("CONNECT ")) {
                if (refuse) {
                    RawServer.write(out, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
                    client.close();
                    return;
                }
                String target = requestLine.split(" ")[1];
                int colon = target.lastIndexOf(':');
                String host = target.substring(0, colon);
                if (!InetAddress.getByName(host).isLoopbackAddress()) {
                    RawServer.write(out, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
                    client.close();
                    return;
                }
                Socket upstream = new Socket(InetAddress.getByName(host), Integer.parseInt(target.substring(colon + 1)));
                RawServer.write(out, "HTTP/1.1 200 Connection established\r\n\r\n");
                Thread up = new Thread(() -> pump(in, upstreamOut(upstream), client, upstream), "proxy-up");
                up.setDaemon(true);
                up.start();
                pump(upstream.getInputStream(), out, client, upstream);
                return;
            }
            String body = "proxied " + requestLine;
            RawServer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            // Keep answering on the same connection.
            while ((head = self[0].readHead(in)) != null) {
                heads.add(head);
                body = "proxied " + head.substring(0, head.indexOf("\r\n"));
                RawServer.write(out, "HTTP/1.1 200 OK\r\nContent-Length: " + body.length() + "\r\n\r\n" + body);
            }
        });
        self[0] = server;
    }

    private static OutputStream upstreamOut(Socket s) {
        try {
            return s.getOutputStream();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void pump(InputStream from, OutputStream to, Socket a, Socket b) {
        byte[] buf = new byte[65536];
        try {
            int n;
            while ((n = from.read(buf)) >= 0) {
                to.write(buf, 0, n);
                to.flush();
            }
        } catch (IOException ignored) {
            // one side went away
        } finally {
            try {
                a.close();
                b.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }

    int port() {
        return server.port();
    }

    int connections() {
        return server.connections();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
