package dev.kopi.it.parity;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A forward HTTP proxy for tests, on a free loopback port, that records what clients ask of it: absolute-form
 * requests ({@code GET http://host:port/path}, what a client sends for http URLs) are forwarded in origin form with
 * {@code Connection: close} both ways; {@code CONNECT host:port} (https URLs) opens a tunnel. Whatever host a client
 * names, the proxy connects to {@code 127.0.0.1} on the named port, so only loopback is ever contacted and the
 * names need not resolve.
 */
final class ForwardProxy implements AutoCloseable {
    /** One request the proxy received: method, {@code host:port}, and the path (null for CONNECT). */
    record Seen(String method, String hostPort, String path) {
    }

    private final ServerSocket server;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    ForwardProxy() {
        try {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 50);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        daemon(this::acceptLoop, "forward-proxy-" + server.getLocalPort());
    }

    /** The {@code http://127.0.0.1:PORT} URL for HTTP_PROXY / HTTPS_PROXY. */
    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    List<Seen> seen() {
        return List.copyOf(seen);
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket s = server.accept();
                sockets.add(s);
                daemon(() -> serve(s), "forward-proxy-conn");
            } catch (IOException e) {
                return;
            }
        }
    }

    private void serve(Socket client) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            List<String> head = readHead(in);
            if (head.isEmpty()) {
                return;
            }
            String[] line = head.get(0).split(" ");
            if (line[0].equals("CONNECT")) {
                seen.add(new Seen("CONNECT", line[1], null));
                try (Socket up = connect(port(line[1], 443))) {
                    out.write("HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    OutputStream upOut = up.getOutputStream();
                    Thread t = daemon(() -> pump(in, upOut), "forward-proxy-up");
                    pump(up.getInputStream(), out);
                    t.join(1000);
                }
                return;
            }
            URI target = URI.create(line[1]);
            String hostPort = target.getRawAuthority();
            String path = target.getRawPath() + (target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
            seen.add(new Seen(line[0], hostPort, path));
            try (Socket up = connect(port(hostPort, 80))) {
                StringBuilder sb = new StringBuilder(line[0] + " " + path + " " + line[2] + "\r\n");
                for (String h : head.subList(1, head.size())) {
                    String name = h.substring(0, Math.max(0, h.indexOf(':'))).toLowerCase(Locale.ROOT);
                    if (!name.equals("connection") && !name.startsWith("proxy-")) {
                        sb.append(h).append("\r\n");
                    }
                }
                sb.append("Connection: close\r\n\r\n");
                OutputStream upOut = up.getOutputStream();
                upOut.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
                upOut.flush();
                daemon(() -> pump(in, upOut), "forward-proxy-body");
                InputStream upIn = up.getInputStream();
                List<String> resp = readHead(upIn);
                StringBuilder rb = new StringBuilder();
                for (String h : resp) {
                    if (!h.toLowerCase(Locale.ROOT).startsWith("connection:")) {
                        rb.append(h).append("\r\n");
                    }
                }
                rb.append("Connection: close\r\n\r\n");
                out.write(rb.toString().getBytes(StandardCharsets.ISO_8859_1));
                pump(upIn, out);
            }
        } catch (IOException | InterruptedException e) {
            // the client or the upstream went away
        } finally {
            sockets.remove(client);
        }
    }

    private static int port(String hostPort, int dflt) {
        int colon = hostPort.lastIndexOf(':');
        return colon < 0 || hostPort.endsWith("]") ? dflt : Integer.parseInt(hostPort.substring(colon + 1));
    }

    private Socket connect(int port) throws IOException {
        Socket s = new Socket(InetAddress.getByName("127.0.0.1"), port);
        sockets.add(s);
        return s;
    }

    /** Reads a request or response head up to the empty line; empty at end of data. */
    private static List<String> readHead(InputStream in) throws IOException {
        List<String> lines = new java.util.ArrayList<>();
        ByteArrayOutputStream cur = new ByteArrayOutputStream();
        int prev = -1;
        while (true) {
            int b = in.read();
            if (b < 0) {
                return List.of();
            }
            if (b == '\n' && prev == '\r') {
                byte[] l = cur.toByteArray();
                String s = new String(l, 0, l.length - 1, StandardCharsets.ISO_8859_1);
                if (s.isEmpty()) {
                    return lines;
                }
                lines.add(s);
                cur.reset();
                prev = -1;
                continue;
            }
            cur.write(b);
            prev = b;
        }
    }

    private static void pump(InputStream in, OutputStream out) {
        byte[] buf = new byte[65536];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException e) {
            // one side closed
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
