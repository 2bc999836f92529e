package dev.kopi.it.registry;

import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.it.Tools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real docker-distribution registry ({@code /usr/bin/docker-registry}, Debian's 2.8.2) on a free
 * {@code 127.0.0.1} port, for one test class:
 *
 * <pre>{@code
 * @RegisterExtension
 * static final RegistryServer REGISTRY = RegistryServer.tls();   // or plain(), htpasswd(), token(), builder()...
 *
 * sb.skopeo("copy", REGISTRY.destArgs()..., "oci:...", REGISTRY.ref("app:1"));
 * }</pre>
 *
 * As a static {@code @RegisterExtension} field it starts before the class's tests and stops after them; it also
 * starts on first use, and {@link #stop()} stops it outside JUnit. It is deliberately not {@link AutoCloseable}:
 * JUnit closes AutoCloseable arguments of a {@code @ParameterizedTest} after each invocation, and registries are
 * often such arguments. Storage has {@code delete: enabled: true}.
 *
 * <p>Everything lives in {@code target/it-registry/<TestClass>-<n>/}: {@code config.yml}, {@code registry.log} (kept
 * after the run, for debugging), {@code ca/} (the per-run test CA, server and token-signing certificates),
 * {@code htpasswd}, {@code certs.d/127.0.0.1:PORT/ca.crt}, and {@code storage/} (deleted on close unless
 * {@code -Dkopi.it.keepRegistryStorage=true}).
 */
public final class RegistryServer implements RegistryEndpoint, BeforeAllCallback, AfterAllCallback {
    /** The four standard setups of the registry tests. */
    public enum Variant {
        PLAIN, TLS, HTPASSWD, TOKEN;

        public RegistryServer create() {
            return switch (this) {
                case PLAIN -> plain();
                case TLS -> tls();
                case HTPASSWD -> htpasswd();
                case TOKEN -> token();
            };
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AtomicInteger SEQ = new AtomicInteger();
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();
    private static final Pattern API_REPO = Pattern.compile("^/v2/(.+?)/(?:manifests|blobs|tags)/.*");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly),
                "registry-cleanup"));
    }

    private final Builder config;
    private String name;
    private Path dir;
    private TestCa ca;
    private TokenServer tokenServer;
    private Process process;
    private int port;
    private HttpClient client;
    private boolean closed;

    private RegistryServer(Builder config) {
        this.config = config;
        this.name = config.name;
    }

    /** Plain HTTP, no authentication (clients need {@code --tls-verify=false}). */
    public static RegistryServer plain() {
        return builder().build();
    }

    /** HTTPS with a per-run test CA, no authentication (clients need {@code --cert-dir} or certs.d). */
    public static RegistryServer tls() {
        return builder().tls().build();
    }

    /** Plain HTTP with htpasswd Basic auth for {@link Credentials#ALICE} and {@link Credentials#BOB}. */
    public static RegistryServer htpasswd() {
        return builder().htpasswd(Credentials.ALICE, Credentials.BOB).build();
    }

    /** Plain HTTP with token auth through a {@link TokenServer} with {@link TokenServer#defaults()}. */
    public static RegistryServer token() {
        return builder().token(TokenServer.defaults()).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    // ---- lifecycle ------------------------------------------------------------------------------------------------

    @Override
    public void beforeAll(ExtensionContext context) {
        if (name == null) {
            name = context.getRequiredTestClass().getSimpleName();
        }
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    /** Starts the registry (once); later calls return at once. Fails the test when it cannot start. */
    public synchronized RegistryServer start() {
        if (process != null) {
            return this;
        }
        if (closed) {
            throw new IllegalStateException("registry " + dir + " was already stopped");
        }
        Path registry = Tools.registry();
        try {
            Path base = Path.of(System.getProperty("kopi.it.target", "target")).toAbsolutePath()
                    .resolve("it-registry");
            dir = Files.createDirectories(base.resolve((name == null ? "registry" : name) + "-"
                    + ProcessHandle.current().pid() + "-" + SEQ.incrementAndGet()));
            Files.createDirectories(dir.resolve("storage"));
            TestCa.Issued serverCert = null;
            if (config.tls || config.token != null) {
                ca = TestCa.create(dir.resolve("ca"));
            }
            if (config.tls) {
                serverCert = ca.issueServer("registry");
            }
            if (!config.htpasswdUsers.isEmpty()) {
                StringBuilder sb = new StringBuilder();
                for (Credentials c : config.htpasswdUsers) {
                    sb.append(c.username()).append(':').append(Bcrypt.hash(c.password(), 4)).append('\n');
                }
                Files.writeString(dir.resolve("htpasswd"), sb.toString());
            }
            if (config.token != null) {
                tokenServer = config.token.start(ca);
            }
            String lastLog = "";
            for (int attempt = 1; attempt <= 3; attempt++) {
                port = freePort();
                Files.writeString(dir.resolve("config.yml"), configYaml(serverCert));
                Path log = dir.resolve("registry.log");
                Files.writeString(log, "=== attempt " + attempt + " on port " + port + "\n",
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                ProcessBuilder pb = new ProcessBuilder(registry.toString(), "serve", dir.resolve("config.yml")
                        .toString()).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().clear(); // REGISTRY_* variables would override config.yml
                pb.environment().put("PATH", "/usr/bin:/bin");
                process = pb.start();
                RUNNING.add(process);
                if (awaitReady()) {
                    if (config.tls) {
                        Path hostDir = Files.createDirectories(dir.resolve("certs.d").resolve(hostPort()));
                        Files.copy(ca.certificate(), hostDir.resolve("ca.crt"));
                    }
                    return this;
                }
                stopProcess();
                lastLog = Files.readString(log);
            }
            fail("docker-registry did not become ready on 127.0.0.1 (3 attempts); log " + dir.resolve("registry.log")
                    + ":\n" + tail(lastLog));
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException("starting docker-registry in " + dir, e);
        }
    }

    /**
     * Kills the registry process (SIGKILL, as a crash would) and starts it again on the same port with the same
     * storage and configuration: uploads in flight are lost, committed blobs and manifests stay.
     */
    public synchronized void killAndRestart() {
        Process p = process;
        if (p == null) {
            throw new IllegalStateException("registry " + dir + " is not running");
        }
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
            RUNNING.remove(p);
            Path log = dir.resolve("registry.log");
            Files.writeString(log, "=== killed; restarting on port " + port + "\n",
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            for (int attempt = 1; attempt <= 3; attempt++) {
                ProcessBuilder pb = new ProcessBuilder(Tools.registry().toString(), "serve",
                        dir.resolve("config.yml").toString()).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
                pb.environment().clear();
                pb.environment().put("PATH", "/usr/bin:/bin");
                process = pb.start();
                RUNNING.add(process);
                if (awaitReady()) {
                    return;
                }
                stopProcess();
                Thread.sleep(200); // the port may still be held by the killed process for a moment
            }
        } catch (IOException e) {
            throw new UncheckedIOException("restarting docker-registry in " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        fail("docker-registry did not come back on port " + port + " after a kill; log " + dir.resolve("registry.log"));
    }

    /** Stops the registry process and the token server; deletes the storage (keeps logs and certificates). */
    public synchronized void stop() {
        if (closed) {
            return;
        }
        closed = true;
        stopProcess();
        if (tokenServer != null) {
            tokenServer.close();
        }
        if (dir != null && !Boolean.getBoolean("kopi.it.keepRegistryStorage")) {
            deleteTree(dir.resolve("storage"));
        }
    }

    private void stopProcess() {
        Process p = process;
        process = null;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
        RUNNING.remove(p);
    }

    /** Polls {@code GET /v2/} until the registry answers 200 or 401; false when the process died or 15 s passed. */
    private boolean awaitReady() {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        HttpRequest ping = HttpRequest.newBuilder(uri("/v2/")).timeout(Duration.ofSeconds(2)).GET().build();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                return false;
            }
            try {
                int status = httpClient().send(ping, HttpResponse.BodyHandlers.discarding()).statusCode();
                if (status == 200 || status == 401) {
                    return true;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    private String configYaml(TestCa.Issued serverCert) {
        StringBuilder y = new StringBuilder();
        y.append("version: 0.1\n");
        y.append("log:\n  level: ").append(config.logLevel).append("\n  formatter: text\n");
        y.append("  accesslog:\n    disabled: false\n");
        y.append("storage:\n  filesystem:\n    rootdirectory: ").append(q(dir.resolve("storage"))).append('\n');
        y.append("  delete:\n    enabled: true\n");
        y.append("  maintenance:\n    uploadpurging:\n      enabled: false\n");
        y.append("http:\n  addr: 127.0.0.1:").append(port).append('\n');
        y.append("  secret: kopi-test-http-secret\n");
        y.append("  headers:\n    X-Content-Type-Options: [nosniff]\n");
        if (serverCert != null) {
            y.append("  tls:\n    certificate: ").append(q(serverCert.certificate())).append('\n');
            y.append("    key: ").append(q(serverCert.key())).append('\n');
        }
        y.append("health:\n  storagedriver:\n    enabled: false\n");
        if (!config.htpasswdUsers.isEmpty()) {
            y.append("auth:\n  htpasswd:\n    realm: kopi-test-registry\n    path: ").append(q(dir.resolve("htpasswd")))
                    .append('\n');
        } else if (tokenServer != null) {
            y.append("auth:\n  token:\n");
            y.append("    realm: ").append(q(tokenServer.realm())).append('\n');
            y.append("    service: ").append(q(tokenServer.service())).append('\n');
            y.append("    issuer: ").append(q(tokenServer.issuer())).append('\n');
            y.append("    rootcertbundle: ").append(q(ca.certificate())).append('\n');
        }
        return y.toString();
    }

    private static String q(Object o) {
        return "\"" + o.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    // ---- addresses and client arguments ---------------------------------------------------------------------------

    @Override
    public String hostPort() {
        start();
        return "127.0.0.1:" + port;
    }

    public int port() {
        start();
        return port;
    }

    @Override
    public boolean isTls() {
        return config.tls;
    }

    @Override
    public boolean requiresAuth() {
        return !config.htpasswdUsers.isEmpty() || config.token != null;
    }

    /** The per-run test CA's certificate (PEM); null for plain HTTP without token auth. */
    public Path caCertificate() {
        start();
        return ca == null ? null : ca.certificate();
    }

    /** The test CA (TLS and token setups), e.g. to issue more certificates; null otherwise. */
    public TestCa ca() {
        start();
        return ca;
    }

    /** A {@code --cert-dir} for this registry: {@code certs.d/127.0.0.1:PORT}, holding {@code ca.crt}. */
    @Override
    public Path certDir() {
        requireTls();
        return dir.resolve("certs.d").resolve(hostPort());
    }

    /** The certs.d root holding {@code 127.0.0.1:PORT/ca.crt}. */
    public Path certsD() {
        requireTls();
        return dir.resolve("certs.d");
    }

    /**
     * Copies {@code 127.0.0.1:PORT/ca.crt} into the certs.d root {@code root}, e.g.
     * {@code sandbox.home().resolve(".config/containers/certs.d")}, which containers/image reads before
     * {@code /etc/containers/certs.d} and {@code /etc/docker/certs.d}. Returns the host directory.
     */
    public Path installCertsD(Path root) {
        requireTls();
        try {
            Path hostDir = Files.createDirectories(root.resolve(hostPort()));
            Files.copy(ca.certificate(), hostDir.resolve("ca.crt"),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            return hostDir;
        } catch (IOException e) {
            throw new UncheckedIOException("installing certs.d for " + hostPort() + " under " + root, e);
        }
    }

    /** The htpasswd users, or the token server's users. */
    public List<Credentials> users() {
        return config.token != null ? config.token.users() : List.copyOf(config.htpasswdUsers);
    }

    /** The token server of a token setup; fails the test for other setups. */
    public TokenServer tokenServer() {
        start();
        if (tokenServer == null) {
            fail("registry " + hostPort() + " has no token server (not built with token(...))");
        }
        return tokenServer;
    }

    // ---- direct API access (an oracle independent of the client under test) ---------------------------------------

    /** {@code http(s)://127.0.0.1:PORT<path>}. */
    public URI uri(String path) {
        return URI.create((isTls() ? "https" : "http") + "://127.0.0.1:" + port + path);
    }

    /** A JDK HTTP client trusting the test CA (HTTP/1.1, no redirects). */
    public synchronized HttpClient httpClient() {
        if (client == null) {
            HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5)).followRedirects(HttpClient.Redirect.NEVER);
            if (isTls()) {
                b.sslContext(ca.clientContext());
            }
            client = b.build();
        }
        return client;
    }

    /**
     * Sends {@code method path} straight to the registry as the admin: Basic auth for htpasswd, a freshly minted
     * token with {@code *} on the path's repository (and the catalog) for token auth.
     */
    public HttpResponse<byte[]> api(String method, String path) {
        start();
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .header("Accept", String.join(",", List.of("application/vnd.oci.image.manifest.v1+json",
                        "application/vnd.oci.image.index.v1+json",
                        "application/vnd.docker.distribution.manifest.v2+json",
                        "application/vnd.docker.distribution.manifest.list.v2+json",
                        "application/vnd.docker.distribution.manifest.v1+prettyjws", "application/json")));
        if (!config.htpasswdUsers.isEmpty()) {
            b.header("Authorization", admin().basicAuthorization());
        } else if (tokenServer != null) {
            List<TokenServer.Scope> scopes = new ArrayList<>();
            scopes.add(new TokenServer.Scope("registry", "catalog", List.of("*")));
            Matcher m = API_REPO.matcher(path);
            if (m.matches()) {
                scopes.add(TokenServer.Scope.repository(m.group(1), "*"));
            }
            b.header("Authorization", "Bearer " + tokenServer.mintToken(admin().username(), scopes));
        }
        try {
            return httpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + uri(path), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + method + " " + uri(path), e);
        }
    }

    /** Whether the registry has manifest {@code reference} (tag or digest) in {@code repo}. */
    public boolean hasManifest(String repo, String reference) {
        return api("HEAD", "/v2/" + repo + "/manifests/" + reference).statusCode() == 200;
    }

    /** Whether the registry has blob {@code digest} in {@code repo}. */
    public boolean hasBlob(String repo, String digest) {
        return api("HEAD", "/v2/" + repo + "/blobs/" + digest).statusCode() == 200;
    }

    /**
     * The digests that manifest {@code reference} of {@code repo} refers to but the registry does not have: its
     * config and layers, and for an index each child manifest and, recursively, that child's blobs. Empty when the
     * image is complete; fails when {@code reference} itself is missing.
     */
    public List<String> missingBlobs(String repo, String reference) {
        HttpResponse<byte[]> r = api("GET", "/v2/" + repo + "/manifests/" + reference);
        if (r.statusCode() != 200) {
            fail("manifest " + repo + ":" + reference + " is not in registry " + hostPort() + " (HTTP "
                    + r.statusCode() + ")");
        }
        List<String> missing = new ArrayList<>();
        try {
            JsonNode m = JSON.readTree(r.body());
            for (JsonNode child : m.path("manifests")) {
                String d = child.path("digest").asText();
                if (hasManifest(repo, d)) {
                    missing.addAll(missingBlobs(repo, d));
                } else {
                    missing.add(d);
                }
            }
            List<JsonNode> blobs = new ArrayList<>();
            if (m.has("config")) {
                blobs.add(m.path("config"));
            }
            m.path("layers").forEach(blobs::add);
            m.path("fsLayers").forEach(blobs::add); // schema 1
            for (JsonNode b : blobs) {
                String d = b.has("digest") ? b.path("digest").asText() : b.path("blobSum").asText();
                if (!hasBlob(repo, d)) {
                    missing.add(d);
                }
            }
        } catch (IOException e) {
            fail("manifest " + repo + ":" + reference + " in registry " + hostPort() + " is not JSON: " + e);
        }
        return missing;
    }

    /** The tags of {@code repo} (empty when the repository does not exist). */
    public List<String> tags(String repo) {
        HttpResponse<byte[]> r = api("GET", "/v2/" + repo + "/tags/list");
        if (r.statusCode() == 404) {
            return List.of();
        }
        return strings(r, "tags");
    }

    /** The repositories in the registry ({@code /v2/_catalog}). */
    public List<String> catalog() {
        return strings(api("GET", "/v2/_catalog"), "repositories");
    }

    private static List<String> strings(HttpResponse<byte[]> r, String field) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.request().uri() + " answered " + r.statusCode() + ": "
                    + new String(r.body(), java.nio.charset.StandardCharsets.UTF_8));
        }
        try {
            JsonNode list = JSON.readTree(r.body()).path(field);
            List<String> out = new ArrayList<>();
            list.forEach(n -> out.add(n.asText()));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- files ----------------------------------------------------------------------------------------------------

    /** This registry's directory under {@code target/it-registry/}. */
    public Path directory() {
        start();
        return dir;
    }

    /** The registry's filesystem storage root. */
    public Path storage() {
        return directory().resolve("storage");
    }

    /** The registry's log (stdout and stderr, with access logs). */
    public Path logFile() {
        return directory().resolve("registry.log");
    }

    /** The registry log so far (for assertion messages). */
    public String log() {
        try {
            return Files.readString(logFile());
        } catch (IOException e) {
            return "(cannot read " + logFile() + ": " + e + ")";
        }
    }

    @Override
    public String toString() {
        return "RegistryServer[" + (config.tls ? "tls" : "http") + (config.htpasswdUsers.isEmpty() ? "" : "+htpasswd")
                + (config.token != null ? "+token" : "") + (process != null ? " " + "127.0.0.1:" + port : "") + "]";
    }

    private void requireTls() {
        start();
        if (!isTls()) {
            fail("registry " + hostPort() + " is plain HTTP: it has no CA or certs.d");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return s.getLocalPort();
        }
    }

    private static String tail(String s) {
        return s.length() > 4000 ? "..." + s.substring(s.length() - 4000) : s;
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            System.err.println("kopi-it: could not delete " + root + ": " + e);
        }
    }

    /** Registry settings. */
    public static final class Builder {
        private boolean tls;
        private final List<Credentials> htpasswdUsers = new ArrayList<>();
        private TokenServer.Builder token;
        private String name;
        private String logLevel = "info";

        private Builder() {
        }

        /** Serve HTTPS with a server certificate of a per-run test CA. */
        public Builder tls() {
            this.tls = true;
            return this;
        }

        /** htpasswd Basic auth with these users (bcrypt hashes made by {@link Bcrypt}). */
        public Builder htpasswd(Credentials... users) {
            if (token != null) {
                throw new IllegalStateException("a registry has one auth setup: htpasswd or token");
            }
            htpasswdUsers.addAll(List.of(users));
            return this;
        }

        /** Token auth through a {@link TokenServer} started with these settings. */
        public Builder token(TokenServer.Builder settings) {
            if (!htpasswdUsers.isEmpty()) {
                throw new IllegalStateException("a registry has one auth setup: htpasswd or token");
            }
            this.token = settings;
            return this;
        }

        /** The directory name under {@code target/it-registry/} (default: the test class's simple name). */
        public Builder name(String n) {
            this.name = n;
            return this;
        }

        /** The registry's log level (default {@code info}; {@code debug} for more detail). */
        public Builder logLevel(String level) {
            this.logLevel = level;
            return this;
        }

        public RegistryServer build() {
            return new RegistryServer(this);
        }
    }
}
