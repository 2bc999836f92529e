package dev.kopi.transport.daemon;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.config.Env;
import dev.kopi.config.PemKeys;
import dev.kopi.config.TlsConfigs;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.http.HttpClient;
import dev.kopi.internal.http.HttpException;
import dev.kopi.internal.http.Request;
import dev.kopi.internal.http.RequestBody;
import dev.kopi.internal.http.Response;
import dev.kopi.internal.http.TlsSettings;
import dev.kopi.transport.ImageContext;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A minimal Docker Engine API client for what {@code docker-daemon:} needs: the {@code /_ping} version negotiation,
 * {@code GET /images/get} ({@code docker save}) and {@code POST /images/load} ({@code docker load}), with the Docker
 * Go client's behaviour and error texts (github.com/moby/moby/client as vendored by the newest skopeo): the API
 * version starts at {@link #MAX_API_VERSION} and is lowered to the daemon's {@code Api-Version} before the first
 * request; a failed ping is ignored (the request itself then reports the problem); connection failures read
 * {@code Cannot connect to the Docker daemon at HOST. Is the docker daemon running?} and its siblings; error
 * responses read {@code Error response from daemon: MESSAGE}.
 *
 * <p>Not thread-safe; one client serves one image source or destination.
 */
final class EngineClient implements Closeable {
    /** The highest API version the client asks for (moby client 0.4). */
    static final String MAX_API_VERSION = "1.54";
    /** Daemons reporting an older version are not negotiated down to. */
    static final String MIN_API_VERSION = "1.40";
    /** The Host header sent over unix sockets. */
    static final String DUMMY_HOST = "api.moby.localhost";
    /** The cap on an error response body that is read (and quoted). */
    private static final int MAX_ERROR_BODY = 1 << 20;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Map<Integer, String> STATUS_TEXT = Map.ofEntries(Map.entry(400, "Bad Request"),
            Map.entry(401, "Unauthorized"), Map.entry(403, "Forbidden"), Map.entry(404, "Not Found"),
            Map.entry(405, "Method Not Allowed"), Map.entry(406, "Not Acceptable"), Map.entry(409, "Conflict"),
            Map.entry(413, "Request Entity Too Large"), Map.entry(415, "Unsupported Media Type"),
            Map.entry(500, "Internal Server Error"), Map.entry(501, "Not Implemented"),
            Map.entry(502, "Bad Gateway"), Map.entry(503, "Service Unavailable"));

    private final DaemonHost host;
    private final HttpClient http;
    private String version = MAX_API_VERSION;
    private boolean negotiated;

    EngineClient(DaemonHost host, HttpClient http) {
        this.host = host;
        this.http = http;
    }

    /**
     * A client for the context's {@code --*-daemon-host} (else {@link DaemonHost#DEFAULT}); TLS hosts use the
     * context's cert dir and {@code --*-tls-verify}. Errors are unwrapped; callers prefix
     * {@code initializing docker engine client}.
     */
    static EngineClient create(ImageContext ctx) throws ImageException {
        return create(DaemonHost.resolve(ctx.daemonHost()), ctx.certDir(), ctx.tlsVerify(), Env.system());
    }

    static EngineClient create(DaemonHost host, Path certDir, Optional<Boolean> tlsVerify, Env env)
            throws ImageException {
        HttpClient.Builder b = HttpClient.builder().connectTimeout(Duration.ofSeconds(30)).maxIdlePerHost(6)
                .idleTimeout(Duration.ofSeconds(30)).userAgent(null);
        if (host.isUnix()) {
            b.unixSocket(host.socketPath());
        } else if (host.usesTls()) {
            TlsSettings tls = tlsSettings(certDir, tlsVerify.isPresent() && !tlsVerify.get(), env);
            b.tls(hostPort -> tls);
        }
        return new EngineClient(host, b.build());
    }

    /**
     * TLS as containers/image sets it up for a daemon: {@code --tls-verify=false} trusts any server; otherwise a
     * cert dir's {@code ca.pem} (required) is added to the system roots. A cert dir's {@code cert.pem} and
     * {@code key.pem} (both required) are the client certificate, with or without verification.
     */
    static TlsSettings tlsSettings(Path certDir, boolean skipVerify, Env env) throws ImageException {
        List<X509Certificate> roots = List.of();
        boolean hasCa = false;
        if (!skipVerify && certDir != null) {
            Path ca = certDir.resolve("ca.pem");
            byte[] data;
            try {
                data = Files.readAllBytes(ca);
            } catch (IOException e) {
                throw new ImageException(ErrorCode.IO, "reading CA file " + GoStrconv.quote(ca.toString()) + ": "
                        + goPathError(Files.isDirectory(ca) ? "read" : "open", ca, e), e);
            }
            roots = PemKeys.certificates(data);
            if (roots.isEmpty()) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "no certificate found in "
                        + GoStrconv.quote(ca.toString()));
            }
            hasCa = true;
        }
        List<TlsConfigs.ClientIdentity> ids = List.of();
        if (certDir != null) {
            try {
                ids = List.of(TlsConfigs.loadKeyPair(certDir.resolve("cert.pem"), certDir.resolve("key.pem")));
            } catch (ImageException e) {
                throw new ImageException(e.code(), "loading X509 key pair: " + e.getMessage(), e);
            }
        }
        TlsConfigs.TlsMaterial material = new TlsConfigs.TlsMaterial(certDir, roots, hasCa, ids);
        return new TlsSettings(TlsConfigs.sslContext(env, material, !skipVerify).getSocketFactory(), !skipVerify);
    }

    private static String goPathError(String op, Path p, IOException e) {
        String reason;
        if (e instanceof NoSuchFileException) {
            reason = "no such file or directory";
        } else if (e instanceof AccessDeniedException) {
            reason = "permission denied";
        } else if (op.equals("read")) {
            reason = "is a directory";
        } else {
            reason = String.valueOf(e.getMessage());
        }
        return op + " " + p + ": " + reason;
    }

    DaemonHost host() {
        return host;
    }

    /** The API version requests use (after {@link #negotiate()}, the negotiated one). */
    String apiVersion() {
        return version;
    }

    /**
     * Pings the daemon once ({@code HEAD /_ping}, then {@code GET /_ping} when that did not answer 200) and lowers
     * the API version to the daemon's. Failures are not reported, exactly as the Go client ignores them: the
     * version stays at the maximum and the next request (which pings again) meets the same failure.
     */
    void negotiate() {
        if (negotiated) {
            return;
        }
        Optional<String> reported;
        try {
            reported = ping();
        } catch (IOException e) {
            return;
        }
        String v = reported.map(String::strip).orElse("");
        if (v.isEmpty()) {
            version = MAX_API_VERSION;
            negotiated = true;
            return;
        }
        String parsed = parseApiVersion(v);
        if (parsed == null || compareVersions(parsed, MIN_API_VERSION) < 0) {
            return;
        }
        version = compareVersions(parsed, MAX_API_VERSION) < 0 ? parsed : MAX_API_VERSION;
        negotiated = true;
    }

    /** The {@code Api-Version} header of a successful ping (empty when absent). */
    private Optional<String> ping() throws IOException {
        String path = host.joinPath("/_ping");
        try (Response r = send(Request.head(uri(path, "")), path)) {
            if (r.status() == 200) {
                return r.headers().firstValue("Api-Version");
            }
        } catch (IOException e) {
            // fall back to GET, as the Go client does after any failed HEAD
        }
        try (Response r = send(Request.get(uri(path, "")), path)) {
            checkResponse(r, path);
            Optional<String> v = r.headers().firstValue("Api-Version");
            r.discard(512); // as the Go client drains a small body, so the connection can serve the next request
            return v;
        }
    }

    /** Go's {@code parseAPIVersion}: {@code <major>.<minor>} normalised, or null when malformed. */
    static String parseApiVersion(String v) {
        if (v.startsWith("v")) {
            return null;
        }
        int dot = v.indexOf('.');
        if (dot < 0) {
            return null;
        }
        try {
            int major = Integer.parseInt(v.substring(0, dot));
            int minor = Integer.parseInt(v.substring(dot + 1));
            return major + "." + minor;
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The Docker client's version comparison: dot-separated numbers, missing or malformed parts are 0. */
    static int compareVersions(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        String[] x = a.split("\\.", -1);
        String[] y = b.split("\\.", -1);
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            int p = i < x.length ? atoi(x[i]) : 0;
            int q = i < y.length ? atoi(y[i]) : 0;
            if (p != q) {
                return p < q ? -1 : 1;
            }
        }
        return 0;
    }

    private static int atoi(String s) {
        try {
            return Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * {@code GET /vX/images/get?names=NAME}: the daemon's {@code docker save} tar stream. Read errors of the body
     * are plain I/O errors ({@code unexpected EOF}), as Go reports them. Errors are unwrapped; callers prefix
     * {@code loading image from docker engine}.
     */
    InputStream imageSave(String name) throws IOException {
        negotiate();
        String path = host.joinPath("/v" + version + "/images/get");
        String query = "names=" + queryEscape(name);
        Response r = send(Request.get(uri(path, query)), path + "?" + query);
        boolean ok = false;
        try {
            checkResponse(r, path + "?" + query);
            ok = true;
            return new BodyErrors(r);
        } finally {
            if (!ok) {
                r.close();
            }
        }
    }

    /**
     * {@code POST /vX/images/load?quiet=1} with {@code tar} as a chunked body, then the daemon's JSON message
     * stream: an {@code errorDetail} in it fails the load. Returns once the daemon has answered in full. Errors
     * carry containers/image's texts ({@code starting a load operation in docker engine: ...},
     * {@code docker engine reported: "..."}).
     */
    void imageLoad(InputStream tar) throws IOException {
        Response r;
        String pathAndQuery;
        try {
            negotiate();
            String path = host.joinPath("/v" + version + "/images/load");
            String query = "quiet=1";
            pathAndQuery = path + "?" + query;
            Request req = Request.builder("POST", uri(path, query)).header("Content-Type", "application/x-tar")
                    .body(RequestBody.ofStream(tar, -1)).build();
            r = send(req, pathAndQuery);
        } catch (IOException e) {
            throw ImageException.wrap("starting a load operation in docker engine", e);
        }
        try (r) {
            try {
                checkResponse(r, pathAndQuery);
            } catch (ImageException e) {
                throw ImageException.wrap("starting a load operation in docker engine", e);
            }
            readLoadProgress(new BodyErrors(r));
        }
    }

    /** Reads the JSON message stream of a load; the first message with an {@code errorDetail} is the failure. */
    private static void readLoadProgress(InputStream body) throws IOException {
        try (JsonParser p = JSON.getFactory().createParser(body)) {
            Iterator<JsonNode> it = JSON.readerFor(JsonNode.class).readValues(p);
            while (true) {
                JsonNode msg;
                try {
                    if (!it.hasNext()) {
                        return;
                    }
                    msg = it.next();
                } catch (RuntimeException e) {
                    Throwable c = e.getCause() != null ? e.getCause() : e;
                    if (c instanceof JsonProcessingException jpe) {
                        throw new ImageException(ErrorCode.IO, "parsing docker load progress: "
                                + jpe.getOriginalMessage(), jpe);
                    }
                    if (c instanceof IOException io) {
                        throw new ImageException(ErrorCode.IO, "parsing docker load progress: " + io.getMessage(), io);
                    }
                    throw e;
                }
                if (msg == null || msg.isNull()) {
                    continue;
                }
                if (!msg.isObject()) {
                    throw new ImageException(ErrorCode.IO, "parsing docker load progress: json: cannot unmarshal "
                            + dev.kopi.json.ParanoidJson.kind(msg) + " into Go value of type jsonstream.Message");
                }
                JsonNode detail = field(msg, "errorDetail");
                if (detail != null && !detail.isNull()) {
                    JsonNode m = detail.isObject() ? field(detail, "message") : null;
                    String message = m == null || m.isNull() ? "" : m.asText();
                    throw new ImageException(ErrorCode.IO, "docker engine reported: " + GoStrconv.quote(message));
                }
            }
        } catch (JsonProcessingException e) {
            throw new ImageException(ErrorCode.IO, "parsing docker load progress: " + e.getOriginalMessage(), e);
        }
    }

    /** Go's case-insensitive struct field match: an exact key first, else any key equal ignoring case. */
    private static JsonNode field(JsonNode obj, String name) {
        JsonNode exact = obj.get(name);
        if (exact != null) {
            return exact;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }


    @Override
    public void close() {
        http.close();
    }

    // ---- requests and errors ----

    private URI uri(String path, String query) throws ImageException {
        String authority = host.isUnix() ? DUMMY_HOST : host.addr();
        try {
            return new URI(host.scheme() + "://" + authority + path + (query.isEmpty() ? "" : "?" + query));
        } catch (java.net.URISyntaxException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parse " + GoStrconv.quote(host.goUrl(path)) + ": "
                    + e.getReason(), e);
        }
    }

    /** Go's {@code url.QueryEscape}. */
    static String queryEscape(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("*", "%2A").replace("%7E", "~");
    }

    /** Sends a request; a failed exchange becomes the Docker client's connection error. */
    private Response send(Request req, String pathAndQuery) throws IOException {
        try {
            return http.send(req);
        } catch (HttpException e) {
            throw connectionError(e, req.method(), pathAndQuery);
        }
    }

    /** The Docker client's {@code doRequest} wording for a request that got no response. */
    private ImageException connectionError(HttpException e, String method, String pathAndQuery) {
        String detail = e.detail();
        String urlError = goOp(method) + " " + GoStrconv.quote(host.goUrl(pathAndQuery)) + ": "
                + detail;
        String lower = detail.toLowerCase(Locale.ROOT);
        String msg;
        if (!host.usesTls() && detail.contains("malformed HTTP response")) {
            msg = urlError + ".\n* Are you trying to connect to a TLS-enabled daemon without TLS?";
        } else if (host.usesTls() && (detail.contains("handshake failure") || detail.contains("bad certificate"))) {
            msg = "the server probably has client authentication (--tlsverify) enabled; check your TLS client "
                    + "certification settings: " + urlError;
        } else if (e.kind() == HttpException.Kind.DIAL && lower.endsWith("permission denied")) {
            msg = "permission denied while trying to connect to the docker API at " + host.value();
        } else if (e.kind() == HttpException.Kind.DIAL && lower.endsWith("no such file or directory")) {
            msg = "failed to connect to the docker API at " + host.value()
                    + "; check if the path is correct and if the daemon is running: " + detail;
        } else if (e.kind() == HttpException.Kind.DIAL && detail.startsWith("dial tcp: lookup ")) {
            msg = "failed to connect to the docker API at " + host.value() + ": "
                    + detail.substring("dial tcp: ".length());
        } else if (e.isTimeout() || detail.contains("connection refused") || detail.contains("dial unix")) {
            msg = "Cannot connect to the Docker daemon at " + host.value() + ". Is the docker daemon running?";
        } else {
            msg = "error during connect: " + urlError;
        }
        return new ImageException(ErrorCode.IO, msg, e);
    }

    /** Go's {@code checkResponseErr}: any status outside 200-399 is an error, worded from the body. */
    private void checkResponse(Response r, String pathAndQuery) throws IOException {
        int status = r.status();
        if (status >= 200 && status < 400) {
            return;
        }
        String statusMsg = r.statusLine();
        String reqUrl = host.goUrl(pathAndQuery);
        byte[] body = new byte[0];
        if (!r.method().equals("HEAD")) {
            try {
                body = readAtMost(r.body(), MAX_ERROR_BODY);
            } catch (HttpException e) {
                r.close();
                throw new ImageException(ErrorCode.IO, e.detail(), e);
            } finally {
                r.close();
            }
            if (body.length >= MAX_ERROR_BODY) {
                throw new ImageException(ErrorCode.IO, "request returned " + statusMsg + " with a message (> "
                        + MAX_ERROR_BODY + " bytes) for API route and version " + reqUrl
                        + ", check if the server supports the requested API version");
            }
        } else {
            r.close();
        }
        if (body.length == 0) {
            throw new ImageException(ErrorCode.IO, "request returned " + statusMsg + " for API route and version "
                    + reqUrl + ", check if the server supports the requested API version");
        }
        String daemonErr;
        if ("application/json".equals(r.headers().firstValue("Content-Type").orElse(""))) {
            JsonNode root;
            try {
                root = JSON.readTree(body);
            } catch (JsonProcessingException e) {
                throw new ImageException(ErrorCode.IO, "error reading JSON: " + e.getOriginalMessage(), e);
            }
            JsonNode m = root != null && root.isObject() ? field(root, "message") : null;
            String message = m == null || m.isNull() ? "" : m.asText();
            if (message.isEmpty()) {
                daemonErr = "API returned a " + status + " (" + STATUS_TEXT.getOrDefault(status, "")
                        + ") but provided no error-message";
            } else {
                daemonErr = message.strip();
            }
        } else {
            daemonErr = new String(body, StandardCharsets.UTF_8).strip();
        }
        throw new ImageException(ErrorCode.IO, "Error response from daemon: " + daemonErr);
    }

    private static byte[] readAtMost(InputStream in, int limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        int n;
        while (out.size() < limit && (n = in.read(buf, 0, Math.min(buf.length, limit - out.size()))) >= 0) {
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    /** A response body whose transport failures read as Go reports body read errors (the bare cause). */
    private static final class BodyErrors extends FilterInputStream {
        private final Response response;

        BodyErrors(Response response) {
            super(response.body());
            this.response = response;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (HttpException e) {
                throw new ImageException(ErrorCode.IO, e.detail(), e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (HttpException e) {
                throw new ImageException(ErrorCode.IO, e.detail(), e);
            }
        }

        @Override
        public void close() {
            response.close();
        }
    }

    /** Go's spelling of a method in a {@code *url.Error}: {@code Get}, {@code Post}. */
    private static String goOp(String method) {
        return method.charAt(0) + method.substring(1).toLowerCase(Locale.ROOT);
    }
}
