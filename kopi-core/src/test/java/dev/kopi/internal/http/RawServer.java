package dev.kopi.internal.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A loopback TCP server that runs a script per accepted connection, for protocol edge cases. */
final class RawServer implements AutoCloseable {
    /** What to do with one connection; {@code index} counts connections from 0. */
    interface Script {
        void run(Socket s, int index) throws Exception;
    }

    private final ServerSocket server;
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    final List<String> requestHeads = new CopyOnWriteArrayList<>();

    RawServer(Script script) throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    sockets.add(s);
                    int idx = connections.getAndIncrement();
                    Thread h = new Thread(() -> {
                        try {
                            script.run(s, idx);
                        } catch (Exception ignored) {
                            // the test asserts on the client side
                        }
                    }, "raw-conn-" + idx);
                    h.setDaemon(true);
                    h.start();
                } catch (IOException e) {
                    return;
                }
            }
        }, "raw-accept");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String url(String path) {
        return "http://127.0.0.1:" + port() + path;
    }

    int connections() {
        return connections.get();
    }

    /** Reads one request head (up to the empty line), records it and returns it. */
    String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            buf.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                String head = buf.toString(StandardCharsets.ISO_8859_1);
                requestHeads.add(head);
                return head;
            }
        }
        return null;
    }

    static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : new ArrayList<>(sockets)) {
            s.close();
        }
    }
}
