package dev.kopi.transport.docker;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.kopi.internal.http.TlsSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * A scripted registry for unit tests: the JDK's HttpServer on loopback running one handler, and RegistryClients for
 * it. The clients have no TLS settings, so their https attempt fails at once and they fall back to plain http (the
 * HttpServer would otherwise sit on the TLS client hello until the handshake timed out).
 */
final class ScriptedRegistry implements AutoCloseable {
    private final HttpServer server;

    ScriptedRegistry(HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        server.createContext("/", handler);
        server.start();
    }

    String hostPort() {
        return "127.0.0.1:" + server.getAddress().getPort();
    }

    /** A client for {@code repo} with the given token scope actions (e.g. {@code "pull,push"}). */
    RegistryClient client(String repo, String actions) {
        return new RegistryClient(hostPort(), repo, actions, null, null, ScriptedRegistry::noTls, true, "kopi-test");
    }

    static TlsSettings noTls() {
        throw new UncheckedIOException(new IOException("no TLS in this test"));
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
