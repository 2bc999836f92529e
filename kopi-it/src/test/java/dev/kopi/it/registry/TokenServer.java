package dev.kopi.it.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A Docker-token-spec authorization server on loopback (JDK {@code HttpServer}), for a registry configured with
 * {@code auth: token:} (see {@link RegistryServer.Builder#token}).
 *
 * <p>Endpoint {@code /token}:
 * <ul>
 *   <li>{@code GET ?service=&scope=...&account=&offline_token=} with HTTP Basic credentials or anonymous, answering
 *       {@code {"token","access_token","expires_in","issued_at"}} (+ {@code refresh_token} for an authenticated
 *       {@code offline_token=true}); wrong credentials give 401 with a Basic challenge and an
 *       {@code UNAUTHORIZED} error body.</li>
 *   <li>{@code POST} form (OAuth2): {@code grant_type=password} (username, password; {@code access_type=offline}
 *       adds a refresh token) or {@code grant_type=refresh_token}; {@code service} and {@code client_id} required;
 *       answers {@code {"access_token","scope","expires_in","issued_at"[,"refresh_token"]}}.</li>
 * </ul>
 * Tokens are JWTs signed RS256 or ES256 by a key whose certificate (issued by the registry's test CA) is in the JWT's
 * {@code x5c} header followed by the CA certificate; distribution 2.8 verifies that chain against its
 * {@code rootcertbundle} (the CA), and checks {@code iss}, {@code aud} (a single string in 2.8), {@code exp} and
 * {@code nbf} (60 s leeway) and the {@code access} claims. Granted actions are the requested ones the {@link Grant}s
 * allow; a request for {@code *} (skopeo's delete) gets every action allowed.
 */
public final class TokenServer implements AutoCloseable {
    /** JWT signature algorithms. */
    public enum Algorithm {
        RS256("SHA256withRSA", TestCa.KeyType.RSA_2048),
        ES256("SHA256withECDSAinP1363Format", TestCa.KeyType.EC_P256);

        private final String jca;
        private final TestCa.KeyType keyType;

        Algorithm(String jca, TestCa.KeyType keyType) {
            this.jca = jca;
            this.keyType = keyType;
        }
    }

    /** Grant account meaning "every client, anonymous or not". */
    public static final String EVERYONE = "";
    /** Grant account meaning "every authenticated user". */
    public static final String ANY_USER = "*";

    /**
     * Permission: {@code account} ({@link #EVERYONE}, {@link #ANY_USER} or a user name) may do {@code actions} on
     * resources of {@code type} whose name matches the glob {@code name} ({@code *} matches anything, slashes
     * included). An action {@code *} allows every action.
     */
    public record Grant(String account, String type, String name, Set<String> actions) {
        public Grant {
            actions = Set.copyOf(actions);
        }

        boolean appliesTo(String user, Scope scope) {
            boolean who = account.equals(EVERYONE) || (user != null && (account.equals(ANY_USER)
                    || account.equals(user)));
            return who && type.equals(scope.type()) && glob(name).matcher(scope.name()).matches();
        }

        private static Pattern glob(String g) {
            StringBuilder re = new StringBuilder();
            String[] parts = g.split("\\*", -1);
            for (int i = 0; i < parts.length; i++) {
                if (i > 0) {
                    re.append(".*");
                }
                re.append(Pattern.quote(parts[i]));
            }
            return Pattern.compile(re.toString());
        }
    }

    /**
     * One resource scope, {@code type:name:action[,action...]} as in {@code WWW-Authenticate} and token requests.
     */
    public record Scope(String type, String name, List<String> actions) {
        public Scope {
            actions = List.copyOf(actions);
        }

        /** Parses {@code repository:some/repo:pull,push}; the name may itself contain colons. */
        public static Scope parse(String s) {
            int first = s.indexOf(':');
            int last = s.lastIndexOf(':');
            if (first < 0 || last == first) {
                throw new IllegalArgumentException("malformed scope: " + s);
            }
            String acts = s.substring(last + 1);
            return new Scope(s.substring(0, first), s.substring(first + 1, last),
                    acts.isEmpty() ? List.of() : List.of(acts.split(",")));
        }

        public static Scope repository(String name, String... actions) {
            return new Scope("repository", name, List.of(actions));
        }

        @Override
        public String toString() {
            return type + ":" + name + ":" + String.join(",", actions);
        }
    }

    /**
     * One request the token server answered.
     *
     * @param method GET or POST
     * @param grantType {@code basic} (GET with credentials), {@code anonymous} (GET without), {@code password} or
     *     {@code refresh_token} (POST)
     * @param user the authenticated user, or null (anonymous, or authentication failed)
     * @param account the {@code account} query parameter (GET), or null
     * @param service the {@code service} parameter
     * @param clientId the {@code client_id} parameter, or null
     * @param requested the scopes asked for
     * @param granted the scopes put into the token (empty when refused)
     * @param status the HTTP status answered
     * @param refreshTokenIssued whether the answer carried a refresh token
     */
    public record TokenRequest(String method, String grantType, String user, String account, String service,
            String clientId, List<Scope> requested, List<Scope> granted, int status, boolean refreshTokenIssued) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Builder config;
    private final TestCa ca;
    private final TestCa.Issued signer;
    private final HttpServer server;
    private final ExecutorService executor;
    private final String realm;
    private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
    private final Set<String> issued = ConcurrentHashMap.newKeySet();
    private final Map<String, String> refreshTokens = new ConcurrentHashMap<>(); // token -> user
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile int failureStatus = 503;

    private TokenServer(Builder config, TestCa ca) {
        this.config = config;
        this.ca = ca;
        this.signer = ca.issueSigner("token-signer-" + config.algorithm.name().toLowerCase(), config.algorithm.keyType);
        try {
            InetSocketAddress addr = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            if (config.https) {
                HttpsServer https = HttpsServer.create(addr, 0);
                https.setHttpsConfigurator(new HttpsConfigurator(ca.serverContext(ca.issueServer("token-server"))));
                server = https;
            } else {
                server = HttpServer.create(addr, 0);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("starting the test token server", e);
        }
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "token-server");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/token", this::handle);
        server.start();
        realm = (config.https ? "https" : "http") + "://127.0.0.1:" + server.getAddress().getPort() + "/token";
    }

    /** A builder with no users and no grants; {@link #defaults()} has the standard test users. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The standard setup: {@link Credentials#ALICE} may do everything (every repository, the catalog),
     * {@link Credentials#BOB} may pull everything, and everyone (anonymous included) may pull {@code public/*}.
     */
    public static Builder defaults() {
        return builder().user(Credentials.ALICE).user(Credentials.BOB)
                .grant(Credentials.ALICE.username(), "*", "*")
                .grant(new Grant(Credentials.ALICE.username(), "registry", "catalog", Set.of("*")))
                .grant(Credentials.BOB.username(), "*", "pull")
                .grant(EVERYONE, "public/*", "pull");
    }

    /** The realm URL ({@code http://127.0.0.1:PORT/token}) the registry sends clients to. */
    public String realm() {
        return realm;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String service() {
        return config.service;
    }

    public String issuer() {
        return config.issuer;
    }

    public Algorithm algorithm() {
        return config.algorithm;
    }

    /** The signing certificate (its key signs the JWTs). */
    public TestCa.Issued signer() {
        return signer;
    }

    /** The users the server knows. */
    public List<Credentials> users() {
        return config.users();
    }

    /** Every request answered so far, in order. */
    public List<TokenRequest> requests() {
        return List.copyOf(requests);
    }

    /**
     * Every secret this server knows or handed out: the users' passwords, and each access and refresh token issued
     * (minted ones included), for tests asserting that no secret reaches a client's output or debug log.
     */
    public Set<String> secrets() {
        Set<String> out = new java.util.HashSet<>(issued);
        out.addAll(config.users.values());
        return Set.copyOf(out);
    }

    public void clearRequests() {
        requests.clear();
    }

    /** The next {@code count} requests get {@code status} with an error body (e.g. 500, 503) instead of a token. */
    public void failNext(int count, int status) {
        failureStatus = status;
        failuresLeft.set(count);
    }

    /**
     * A valid token for {@code subject} with exactly {@code access}, regardless of grants (for
     * {@code --registry-token} tests).
     */
    public String mintToken(String subject, List<Scope> access) {
        return jwt(subject, access);
    }

    /** A refresh token (an auth.json {@code identitytoken}) for {@code user}, as a password grant would issue. */
    public String refreshTokenFor(Credentials user) {
        if (!user.password().equals(config.users.get(user.username()))) {
            throw new IllegalArgumentException("unknown user or wrong password: " + user);
        }
        return newRefreshToken(user.username());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                requests.add(new TokenRequest(ex.getRequestMethod(), "failure", null, null, null, null, List.of(),
                        List.of(), failureStatus, false));
                error(ex, failureStatus, "UNAVAILABLE", "injected failure");
                return;
            }
            switch (ex.getRequestMethod()) {
                case "GET" -> handleGet(ex);
                case "POST" -> handlePost(ex);
                default -> error(ex, 405, "UNSUPPORTED", "method not allowed");
            }
        } catch (RuntimeException e) {
            error(ex, 500, "UNKNOWN", e.toString());
        }
    }

    private void handleGet(HttpExchange ex) throws IOException {
        Map<String, List<String>> q = parseForm(ex.getRequestURI().getRawQuery());
        String service = first(q, "service");
        String account = first(q, "account");
        List<Scope> requested = scopes(q.get("scope"));
        boolean offline = "true".equalsIgnoreCase(first(q, "offline_token"));
        String header = ex.getRequestHeaders().getFirst("Authorization");
        String user = null;
        String grantType = "anonymous";
        if (header != null) {
            grantType = "basic";
            user = basicUser(header);
            if (user == null) {
                requests.add(new TokenRequest("GET", grantType, null, account, service, first(q, "client_id"),
                        requested, List.of(), 401, false));
                ex.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"kopi test token server\"");
                error(ex, 401, "UNAUTHORIZED", "authentication required: incorrect username or password");
                return;
            }
        }
        if (!config.service.equals(service)) {
            requests.add(new TokenRequest("GET", grantType, user, account, service, first(q, "client_id"),
                    requested, List.of(), 400, false));
            error(ex, 400, "DENIED", "unknown service: " + service);
            return;
        }
        List<Scope> granted = grant(user, requested);
        ObjectNode body = tokenBody(user, granted);
        body.put("token", body.get("access_token").asText());
        boolean refresh = offline && user != null;
        if (refresh) {
            body.put("refresh_token", newRefreshToken(user));
        }
        requests.add(new TokenRequest("GET", grantType, user, account, service, first(q, "client_id"), requested,
                granted, 200, refresh));
        send(ex, 200, body);
    }

    private void handlePost(HttpExchange ex) throws IOException {
        String type = ex.getRequestHeaders().getFirst("Content-Type");
        Map<String, List<String>> form = parseForm(new String(ex.getRequestBody().readAllBytes(),
                StandardCharsets.UTF_8));
        String grantType = first(form, "grant_type");
        String service = first(form, "service");
        String clientId = first(form, "client_id");
        List<Scope> requested = scopes(form.get("scope"));
        String reason = null;
        if (type == null || !type.toLowerCase().startsWith("application/x-www-form-urlencoded")) {
            reason = "content type must be application/x-www-form-urlencoded";
        } else if (grantType == null) {
            reason = "missing grant_type value";
        } else if (service == null) {
            reason = "missing service value";
        } else if (clientId == null) {
            reason = "missing client_id value";
        } else if (!config.service.equals(service)) {
            reason = "unknown service: " + service;
        }
        if (reason != null) {
            requests.add(new TokenRequest("POST", grantType, null, null, service, clientId, requested, List.of(), 400,
                    false));
            error(ex, 400, "INVALID_REQUEST", reason);
            return;
        }
        String user;
        String refresh = null;
        switch (grantType) {
            case "password" -> {
                String name = first(form, "username");
                String pw = first(form, "password");
                user = name != null && pw != null && pw.equals(config.users.get(name)) ? name : null;
                if (user != null && "offline".equals(first(form, "access_type"))) {
                    refresh = newRefreshToken(user);
                }
            }
            case "refresh_token" -> {
                refresh = first(form, "refresh_token");
                user = refresh == null ? null : refreshTokens.get(refresh);
            }
            default -> {
                requests.add(new TokenRequest("POST", grantType, null, null, service, clientId, requested, List.of(),
                        400, false));
                error(ex, 400, "UNSUPPORTED", "unknown grant_type value");
                return;
            }
        }
        if (user == null) {
            requests.add(new TokenRequest("POST", grantType, null, null, service, clientId, requested, List.of(), 401,
                    false));
            error(ex, 401, "UNAUTHORIZED", grantType.equals("password") ? "invalid credentials"
                    : "invalid refresh token");
            return;
        }
        List<Scope> granted = grant(user, requested);
        ObjectNode body = tokenBody(user, granted);
        body.put("scope", String.join(" ", granted.stream().map(Scope::toString).toList()));
        if (refresh != null) {
            body.put("refresh_token", refresh);
        }
        requests.add(new TokenRequest("POST", grantType, user, null, service, clientId, requested, granted, 200,
                refresh != null));
        send(ex, 200, body);
    }

    private ObjectNode tokenBody(String user, List<Scope> granted) {
        ObjectNode body = JSON.createObjectNode();
        body.put("access_token", jwt(user == null ? "" : user, granted));
        body.put("expires_in", config.expiresIn.toSeconds());
        body.put("issued_at", Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
        return body;
    }

    /** The requested scopes cut down to what the grants allow; scopes with nothing allowed are left out. */
    List<Scope> grant(String user, List<Scope> requested) {
        List<Scope> out = new ArrayList<>();
        for (Scope s : requested) {
            Set<String> allowed = new LinkedHashSet<>();
            for (Grant g : config.grants) {
                if (g.appliesTo(user, s)) {
                    allowed.addAll(g.actions());
                }
            }
            Set<String> granted = new LinkedHashSet<>();
            for (String a : s.actions()) {
                if (allowed.contains("*") || allowed.contains(a)) {
                    granted.add(a);
                } else if (a.equals("*")) {
                    granted.addAll(allowed);
                }
            }
            if (!granted.isEmpty()) {
                out.add(new Scope(s.type(), s.name(), List.copyOf(granted)));
            }
        }
        return out;
    }

    private String jwt(String subject, List<Scope> access) {
        try {
            ObjectNode header = JSON.createObjectNode();
            header.put("typ", "JWT");
            header.put("alg", config.algorithm.name());
            ArrayNode x5c = header.putArray("x5c");
            x5c.add(Base64.getEncoder().encodeToString(signer.x509().getEncoded()));
            x5c.add(Base64.getEncoder().encodeToString(ca.x509().getEncoded()));
            long now = Instant.now().getEpochSecond();
            ObjectNode claims = JSON.createObjectNode();
            claims.put("iss", config.issuer);
            claims.put("sub", subject);
            claims.put("aud", config.service);
            claims.put("exp", now + config.expiresIn.toSeconds());
            claims.put("nbf", now - 1);
            claims.put("iat", now);
            claims.put("jti", HexFormat.of().formatHex(randomBytes(12)));
            ArrayNode list = claims.putArray("access");
            for (Scope s : access) {
                ObjectNode a = list.addObject();
                a.put("type", s.type());
                a.put("name", s.name());
                ArrayNode acts = a.putArray("actions");
                s.actions().forEach(acts::add);
            }
            Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
            String signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
                    + b64.encodeToString(JSON.writeValueAsBytes(claims));
            Signature sig = Signature.getInstance(config.algorithm.jca);
            sig.initSign(signer.privateKey());
            sig.update(signingInput.getBytes(StandardCharsets.US_ASCII));
            String token = signingInput + "." + b64.encodeToString(sig.sign());
            issued.add(token);
            return token;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("signing a test token", e);
        }
    }

    private String newRefreshToken(String user) {
        String token = "kopi-test-refresh-" + HexFormat.of().formatHex(randomBytes(16));
        refreshTokens.put(token, user);
        issued.add(token);
        return token;
    }

    /** The user of valid Basic credentials, or null. */
    private String basicUser(String header) {
        if (!header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return null;
        }
        String name = decoded.substring(0, colon);
        String pw = config.users.get(name);
        return pw != null && pw.equals(decoded.substring(colon + 1)) ? name : null;
    }

    private static List<Scope> scopes(List<String> values) {
        List<Scope> out = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                for (String one : v.trim().split("\\s+")) {
                    if (!one.isEmpty()) {
                        out.add(Scope.parse(one));
                    }
                }
            }
        }
        return out;
    }

    private static Map<String, List<String>> parseForm(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private static String first(Map<String, List<String>> m, String key) {
        List<String> v = m.get(key);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    private static void error(HttpExchange ex, int status, String code, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode e = body.putArray("errors").addObject();
        e.put("code", code);
        e.put("message", message);
        send(ex, status, body);
    }

    private static void send(HttpExchange ex, int status, ObjectNode body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** Token server settings. */
    public static final class Builder {
        private final Map<String, String> users = new LinkedHashMap<>();
        private final List<Grant> grants = new ArrayList<>();
        private Algorithm algorithm = Algorithm.RS256;
        private Duration expiresIn = Duration.ofMinutes(5);
        private String service = "kopi-test-registry";
        private String issuer = "kopi-test-token-issuer";
        private boolean https;

        private Builder() {
        }

        List<Credentials> users() {
            return users.entrySet().stream().map(e -> new Credentials(e.getKey(), e.getValue())).toList();
        }

        public Builder user(Credentials c) {
            users.put(c.username(), c.password());
            return this;
        }

        /** {@code account} may do {@code actions} on repositories matching {@code repositoryGlob}. */
        public Builder grant(String account, String repositoryGlob, String... actions) {
            return grant(new Grant(account, "repository", repositoryGlob, Set.of(actions)));
        }

        public Builder grant(Grant g) {
            grants.add(g);
            return this;
        }

        public Builder algorithm(Algorithm a) {
            this.algorithm = a;
            return this;
        }

        /** Token lifetime ({@code expires_in}); clients treat anything under 60 s as 60 s. */
        public Builder expiresIn(Duration d) {
            this.expiresIn = d;
            return this;
        }

        public Builder service(String s) {
            this.service = s;
            return this;
        }

        public Builder issuer(String s) {
            this.issuer = s;
            return this;
        }

        /** Serve the realm over HTTPS with a certificate of the registry's test CA. */
        public Builder https(boolean on) {
            this.https = on;
            return this;
        }

        /** Starts the server on a free loopback port, signing with a new certificate of {@code ca}. */
        public TokenServer start(TestCa ca) {
            return new TokenServer(this, ca);
        }
    }
}
