package dev.kopi.internal.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * The JDK's HttpServer (or HttpsServer) on loopback with the handlers the tests use. Counts distinct client
 * connections by remote port and records every request line.
 *
 * <ul>
 *   <li>{@code /echo}: answers "METHOD path?query len=N sha=HEX te=... cl=... auth=... host=... ua=...".
 *   <li>{@code /big?size=N&seed=S[&chunked]}: N pattern bytes, fixed length or chunked.
 *   <li>{@code /redirect?code=C&to=URL}: a redirect.
 *   <li>{@code /status?code=C}: an empty response with that status.
 * </ul>
 */
final class TestHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-http");
        t.setDaemon(true);
        return t;
    });
    private final Set<Integer> remotePorts = ConcurrentHashMap.newKeySet();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final boolean https;

    private TestHttpServer(HttpServer server, boolean https) {
        this.server = server;
        this.https = https;
        server.setExecutor(pool);
        server.createContext("/", this::handle);
        server.start();
    }

    static TestHttpServer http() throws IOException {
        return new TestHttpServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50),
                false);
    }

    static TestHttpServer https(SSLContext ctx, boolean needClientAuth) throws IOException {
        HttpsServer s = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
        s.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                var p = ctx.getDefaultSSLParameters();
                p.setNeedClientAuth(needClientAuth);
                params.setSSLParameters(p);
            }
        });
        return new TestHttpServer(s, true);
    }

    int port() {
        return server.getAddress().getPort();
    }

    URI uri(String pathAndQuery) {
        return URI.create((https ? "https" : "http") + "://127.0.0.1:" + port() + pathAndQuery);
    }

    URI uri(String host, String pathAndQuery) {
        return URI.create((https ? "https" : "http") + "://" + host + ":" + port() + pathAndQuery);
    }

    /** Distinct client connections seen so far. */
    int connections() {
        return remotePorts.size();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            remotePorts.add(ex.getRemoteAddress().getPort());
            URI u = ex.getRequestURI();
            requests.add(ex.getRequestMethod() + " " + u);
            Map<String, String> q = query(u.getRawQuery());
            switch (u.getPath()) {
                case "/echo" -> echo(ex);
                case "/big" -> big(ex, Long.parseLong(q.get("size")), Long.parseLong(q.getOrDefault("seed", "1")),
                        q.containsKey("chunked"));
                case "/redirect" -> {
                    drain(ex.getRequestBody());
                    ex.getResponseHeaders().set("Location", q.get("to"));
                    ex.sendResponseHeaders(Integer.parseInt(q.getOrDefault("code", "302")), -1);
                }
                case "/status" -> {
                    drain(ex.getRequestBody());
                    int code = Integer.parseInt(q.get("code"));
                    ex.getResponseHeaders().add("X-Multi", "one");
                    ex.getResponseHeaders().add("x-multi", "two");
                    ex.sendResponseHeaders(code, -1);
                }
                default -> {
                    drain(ex.getRequestBody());
                    ex.sendResponseHeaders(404, -1);
                }
            }
        }
    }

    private static void echo(HttpExchange ex) throws IOException {
        String lenSha = PatternStream.countAndHash(ex.getRequestBody());
        String[] parts = lenSha.split(":");
        var h = ex.getRequestHeaders();
        String text = ex.getRequestMethod() + " " + ex.getRequestURI() + " len=" + parts[0] + " sha=" + parts[1]
                + " te=" + h.getFirst("Transfer-Encoding") + " cl=" + h.getFirst("Content-Length")
                + " auth=" + h.getFirst("Authorization") + " host=" + h.getFirst("Host")
                + " ua=" + h.getFirst("User-Agent") + " x=" + h.get("X-Test");
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, body.length);
        ex.getResponseBody().write(body);
    }

    private static void big(HttpExchange ex, long size, long seed, boolean chunked) throws IOException {
        drain(ex.getRequestBody());
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().set("Content-Length", Long.toString(size));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, chunked ? 0 : (size == 0 ? -1 : size));
        try (OutputStream out = ex.getResponseBody()) {
            PatternStream.copy(size, seed, out);
        } catch (IOException clientWentAway) {
            // a test closed its response early
        }
    }

    private static void drain(InputStream in) throws IOException {
        in.transferTo(OutputStream.nullOutputStream());
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> m = new HashMap<>();
        if (raw == null) {
            return m;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            String k = eq < 0 ? kv : kv.substring(0, eq);
            String v = eq < 0 ? "" : java.net.URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
            m.put(k, v);
        }
        return m;
    }

    @Override
    public void close() {
        server.stop(0);
        pool.shutdownNow();
    }
}
