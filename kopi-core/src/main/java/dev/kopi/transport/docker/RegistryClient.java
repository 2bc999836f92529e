package dev.kopi.transport.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.digest.DigestingInputStream;
import dev.kopi.digest.SizeLimits;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.internal.http.Headers;
import dev.kopi.internal.http.HttpClient;
import dev.kopi.internal.http.HttpException;
import dev.kopi.internal.http.Request;
import dev.kopi.internal.http.RequestBody;
import dev.kopi.internal.http.Response;
import dev.kopi.internal.http.TlsSettings;
import dev.kopi.log.Log;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.transport.docker.auth.Challenge;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A client for one repository of one registry (Registry API v2 / OCI distribution): ping and challenge, Basic and
 * Bearer token auth with a per-scope token cache, manifests, blobs (with resumed downloads), uploads, cross-repo
 * mounts and the tag list. Thread-safe.
 */
public final class RegistryClient implements Closeable {
    /** The manifest types asked for, as containers/image's DefaultRequestedManifestMIMETypes. */
    static final List<String> MANIFEST_ACCEPT = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_V2S2,
            MediaTypes.DOCKER_V2S1_SIGNED, MediaTypes.DOCKER_V2S1, MediaTypes.DOCKER_V2_LIST, MediaTypes.OCI_INDEX);
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]*)>\\s*;\\s*rel=\"?next\"?");
    private static final int MAX_RESUMES = 5;
    private static final int BACKOFF_ATTEMPTS = 5;
    private static final Duration BACKOFF_INITIAL_DELAY = Duration.ofSeconds(2);
    private static final Duration BACKOFF_MAX_DELAY = Duration.ofSeconds(60);

    /** Credentials for one registry: a user and password, or an identity (refresh) token. */
    public record Auth(String username, String password, String identityToken) {
        public static final Auth ANONYMOUS = new Auth("", "", "");

        public Auth {
            username = username == null ? "" : username;
            password = password == null ? "" : password;
            identityToken = identityToken == null ? "" : identityToken;
        }

        @Override
        public String toString() {
            return "Auth[" + (username.isEmpty() ? "anonymous" : username) + "]";
        }
    }

    private record Token(String value, Instant expires) {
    }

    private final String registry;
    private final String endpoint;
    private final String repository;
    private final String actions;
    private final HttpClient http;
    private final Auth auth;
    private final String registryToken;
    private final boolean insecure;
    private final String userAgent;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();
    private final java.util.function.Supplier<TlsSettings> tls;
    private HttpClient lookasideHttp;
    private volatile String scheme;
    private volatile List<Challenge> challenges = List.of();
    private volatile boolean shared;
    private volatile RegistrySession session;

    /**
     * @param registry host[:port] as in the reference ({@code docker.io} is reached at registry-1.docker.io)
     * @param repository the repository path
     * @param actions the token scope's actions on the repository: {@code pull}, {@code pull,push}, or {@code *}
     *     (delete, as containers/image asks for it)
     * @param tls the TLS settings for the registry; {@code insecure} also allows falling back to plain http
     */
    public RegistryClient(String registry, String repository, String actions, Auth auth, String registryToken,
            java.util.function.Supplier<TlsSettings> tls, boolean insecure, String userAgent) {
        this.registry = registry;
        this.endpoint = registry.equals("docker.io") ? "registry-1.docker.io" : registry;
        this.repository = repository;
        this.actions = actions;
        this.auth = auth == null ? Auth.ANONYMOUS : auth;
        this.registryToken = registryToken == null ? "" : registryToken;
        this.insecure = insecure;
        this.userAgent = userAgent;
        this.tls = tls;
        this.http = HttpClient.builder()
                .connectTimeout(Duration.ofSeconds(30))
                .readTimeout(Duration.ofMinutes(5))
                .userAgent(userAgent)
                .tls(hostPort -> tls.get())
                .allowPlainHttp(insecure)
                .build();
    }

    public String registry() {
        return registry;
    }

    public String repository() {
        return repository;
    }

    /** {@code registry/repository}, as containers/image names a reference in errors. */
    public String name() {
        return registry + "/" + repository;
    }

    // ---- ping and auth ----

    /** Pings {@code /v2/} once (https, and plain http too when insecure), recording the auth challenges. */
    public synchronized void ping() throws IOException {
        if (scheme != null) {
            return;
        }
        IOException err;
        try {
            pingWith("https");
            return;
        } catch (IOException e) {
            err = e;
        }
        if (insecure) {
            try {
                pingWith("http");
                return;
            } catch (IOException e) {
                err = e;
            }
        }
        throw ImageException.wrap("pinging container registry " + registry, err);
    }

    private void pingWith(String s) throws IOException {
        URI uri = URI.create(s + "://" + endpoint + "/v2/");
        Log.debug(() -> "GET " + uri);
        try (Response res = sendWithBackoff(uri, true, () -> Request.builder("GET", uri)
                .header("Docker-Distribution-API-Version", "registry/2.0").build())) {
            Log.debug(() -> "Ping " + uri + " status " + res.status());
            if (res.status() != 200 && res.status() != 401) {
                throw RegistryErrors.toError(res);
            }
            challenges = Challenge.parseAll(res.headers().allValues("WWW-Authenticate"));
            res.discard(SizeLimits.ERROR_BODY);
            scheme = s;
        }
    }

    /** Whether the registry accepts these credentials: a ping, then an authenticated request as login does. */
    public void checkAuth() throws IOException {
        ping();
        URI uri = url("/v2/");
        Request.Builder b = Request.builder("GET", uri);
        authorize(b, null);
        try (Response res = send(b.build())) {
            if (res.status() == 401) {
                throw new ImageException(ErrorCode.UNAUTHORIZED, "authenticating creds for \"" + registry + "\": "
                        + RegistryErrors.toError(res).getMessage());
            }
            if (res.status() != 200) {
                throw ImageException.wrap("authenticating creds for \"" + registry + "\"",
                        RegistryErrors.unexpectedStatus(res));
            }
            res.discard(SizeLimits.ERROR_BODY);
        }
    }

    private URI url(String pathAndQuery) {
        return URI.create(scheme + "://" + endpoint + pathAndQuery);
    }

    private String repoPath() {
        return "/v2/" + repository;
    }

    /** Adds the Authorization header the challenges ask for; {@code extraScope} e.g. a mount's source repo. */
    private void authorize(Request.Builder b, String extraScope) throws IOException {
        b.setHeader("Docker-Distribution-API-Version", "registry/2.0");
        for (Challenge c : challenges) {
            switch (c.scheme()) {
                case "basic" -> {
                    b.setHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                            (auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8)));
                    return;
                }
                case "bearer" -> {
                    String t = registryToken.isEmpty() ? token(c, extraScope) : registryToken;
                    b.setHeader("Authorization", "Bearer " + t);
                    return;
                }
                default -> {
                    // try the next challenge
                }
            }
        }
    }

    private String token(Challenge c, String extraScope) throws IOException {
        String key = extraScope == null ? "" : extraScope;
        Token t = tokens.get(key);
        if (t != null && Instant.now().isBefore(t.expires())) {
            return t.value();
        }
        List<String> scopes = new ArrayList<>();
        scopes.add("repository:" + repository + ":" + actions);
        if (extraScope != null) {
            scopes.add(extraScope);
        }
        t = auth.identityToken().isEmpty() ? fetchToken(c, scopes) : fetchOAuth2Token(c, scopes);
        tokens.put(key, t);
        return t.value();
    }

    private Token fetchToken(Challenge c, List<String> scopes) throws IOException {
        String realm = c.parameter("realm");
        if (realm == null) {
            throw new ImageException(ErrorCode.UNAUTHORIZED, "missing realm in bearer auth challenge");
        }
        StringBuilder q = new StringBuilder();
        if (!auth.username().isEmpty()) {
            param(q, "account", auth.username());
        }
        String service = c.parameter("service");
        if (service != null && !service.isEmpty()) {
            param(q, "service", service);
        }
        for (String s : scopes) {
            param(q, "scope", s);
        }
        URI uri = URI.create(realm + (realm.contains("?") ? "&" : "?") + q);
        Request.Builder b = Request.builder("GET", uri).followRedirects(true);
        if (!auth.username().isEmpty() && !auth.password().isEmpty()) {
            b.setHeader("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (auth.username() + ":" + auth.password()).getBytes(StandardCharsets.UTF_8)));
        }
        Log.debug(() -> "GET " + Log.redact(uri.toString()));
        try (Response res = send(b.build())) {
            return tokenResponse(res);
        }
    }

    private Token fetchOAuth2Token(Challenge c, List<String> scopes) throws IOException {
        String realm = c.parameter("realm");
        if (realm == null) {
            throw new ImageException(ErrorCode.UNAUTHORIZED, "missing realm in bearer auth challenge");
        }
        StringBuilder form = new StringBuilder();
        param(form, "grant_type", "refresh_token");
        param(form, "refresh_token", auth.identityToken());
        param(form, "client_id", "containers/image");
        String service = c.parameter("service");
        if (service != null) {
            param(form, "service", service);
        }
        for (String s : scopes) {
            param(form, "scope", s);
        }
        URI uri = URI.create(realm);
        Log.debug(() -> "POST " + Log.redact(realm));
        try (Response res = send(Request.builder("POST", uri)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .body(RequestBody.of(form.toString().getBytes(StandardCharsets.UTF_8))).build())) {
            return tokenResponse(res);
        }
    }

    private Token tokenResponse(Response res) throws IOException {
        if (res.status() == 401) {
            throw new ImageException(ErrorCode.UNAUTHORIZED, "unable to retrieve auth token: invalid username/password: "
                    + RegistryErrors.toError(res).getMessage());
        }
        if (res.status() == 429) {
            throw new ImageException(ErrorCode.TOO_MANY_REQUESTS, "too many requests to registry");
        }
        if (res.status() != 200) {
            throw ImageException.wrap("Requesting bearer token", RegistryErrors.unexpectedStatus(res));
        }
        byte[] body = SizeLimits.readAtMost(res.body(), SizeLimits.ERROR_BODY, "bearer token");
        JsonNode n = Manifests.readTree(body, "bearer token");
        String token = n.path("token").asText("");
        if (token.isEmpty()) {
            token = n.path("access_token").asText("");
        }
        if (token.isEmpty()) {
            throw new ImageException(ErrorCode.UNAUTHORIZED, "decoding bearer token: the token server sent no token");
        }
        long expiresIn = n.path("expires_in").asLong(0);
        if (expiresIn < 60) {
            expiresIn = 60;
        }
        Instant issued = Instant.now();
        String issuedAt = n.path("issued_at").asText("");
        if (!issuedAt.isEmpty()) {
            var t = dev.kopi.json.GoTime.parse(issuedAt);
            if (t != null) {
                issued = t.toInstant();
            }
        }
        return new Token(token, issued.plusSeconds(expiresIn).minusSeconds(5));
    }

    private static void param(StringBuilder q, String k, String v) {
        if (q.length() > 0) {
            q.append('&');
        }
        q.append(URLEncoder.encode(k, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8));
    }

    private Response send(Request r) throws IOException {
        try {
            return http.send(r);
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause(); // TLS set-up failed (certs.d)
        }
    }

    /** Sends an authorized request to this registry. */
    private Response request(String method, URI uri, Headers headers, RequestBody body, String extraScope,
            boolean followRedirects) throws IOException {
        ping();
        return sendWithBackoff(uri, body == null || body.length() == 0, () -> {
            Request.Builder b = Request.builder(method, uri).followRedirects(followRedirects);
            if (headers != null) {
                b.headers(headers);
            }
            if (body != null) {
                b.body(body);
            }
            authorize(b, extraScope);
            Log.debug(() -> method + " " + Log.redact(uri.toString()));
            return b.build();
        });
    }

    /** Builds a request; called again for each attempt. */
    private interface RequestFactory {
        Request create() throws IOException;
    }

    /**
     * Sends a request; a 429 answer to a request without a body is retried up to {@link #BACKOFF_ATTEMPTS} times in
     * all, after the delay its {@code Retry-After} asks for (else 2 s, doubling), capped at 60 s, as containers/image's
     * makeRequestToResolvedURL does. The last answer is returned whatever it is.
     */
    private Response sendWithBackoff(URI uri, boolean bodyless, RequestFactory factory) throws IOException {
        Duration delay = BACKOFF_INITIAL_DELAY;
        for (int attempt = 1; ; attempt++) {
            Request req = factory.create();
            Response res = send(req);
            Log.debug(() -> req.method() + " " + Log.redact(uri.toString()) + " -> " + res.status());
            if (res.status() != 429 || !bodyless || attempt >= BACKOFF_ATTEMPTS) {
                return res;
            }
            delay = retryAfter(res.headers().firstValue("Retry-After").orElse(""), delay);
            if (delay.compareTo(BACKOFF_MAX_DELAY) > 0) {
                delay = BACKOFF_MAX_DELAY;
            }
            res.discard(SizeLimits.ERROR_BODY);
            Duration wait = delay;
            Log.debug(() -> String.format(java.util.Locale.ROOT,
                    "Too many requests to %s: sleeping for %f seconds before next attempt",
                    Log.redact(uri.toString()), wait.toMillis() / 1000.0));
            try {
                Thread.sleep(wait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting to retry " + req.method() + " "
                        + Log.redact(uri.toString()));
            }
            delay = delay.multipliedBy(2);
        }
    }

    /** A {@code Retry-After} value (seconds, or an HTTP date in the future) as a delay; else {@code fallback}. */
    static Duration retryAfter(String value, Duration fallback) {
        String v = value.trim();
        if (v.isEmpty()) {
            return fallback;
        }
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
        } catch (NumberFormatException notSeconds) {
            // an HTTP date, perhaps
        }
        try {
            Instant at = java.time.ZonedDateTime.parse(v, java.time.format.DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            Duration d = Duration.between(Instant.now(), at);
            return d.isNegative() || d.isZero() ? fallback : d;
        } catch (java.time.format.DateTimeParseException e) {
            return fallback;
        }
    }

    private Response request(String method, String pathAndQuery, Headers headers, RequestBody body)
            throws IOException {
        ping();
        return request(method, url(pathAndQuery), headers, body, null, false);
    }

    // ---- manifests ----

    private static Headers manifestAccept() {
        Headers.Builder h = Headers.builder();
        for (String mt : MANIFEST_ACCEPT) {
            h.add("Accept", mt);
        }
        return h.build();
    }

    /** GET a manifest by tag or digest; NOT_FOUND when the registry says MANIFEST_UNKNOWN. */
    public RawManifest fetchManifest(String tagOrDigest) throws IOException {
        try (Response res = request("GET", repoPath() + "/manifests/" + tagOrDigest, manifestAccept(), null)) {
            if (res.status() != 200) {
                throw ImageException.wrap("reading manifest " + tagOrDigest + " in " + name(),
                        RegistryErrors.toError(res));
            }
            byte[] b = SizeLimits.readAtMost(res.body(), SizeLimits.MANIFEST, "manifest " + tagOrDigest);
            String ct = res.headers().firstValue("Content-Type").orElse("");
            return new RawManifest(b, Manifests.normalizedMimeType(MediaTypes.normalize(ct)));
        }
    }

    /**
     * GET a manifest by tag or digest; empty when the registry says it does not exist (containers/image's
     * isManifestUnknownError: MANIFEST_UNKNOWN, an UNKNOWN error saying "not found", or a bare 404).
     */
    public Optional<RawManifest> fetchManifestIfPresent(String tagOrDigest) throws IOException {
        try (Response res = request("GET", repoPath() + "/manifests/" + tagOrDigest, manifestAccept(), null)) {
            if (res.status() != 200) {
                RegistryHttpException err = RegistryErrors.toError(res);
                if (isManifestUnknown(err)) {
                    Log.debug(() -> "Fetching manifest " + tagOrDigest + " failed, assuming it does not exist: "
                            + err.getMessage());
                    return Optional.empty();
                }
                throw ImageException.wrap("reading manifest " + tagOrDigest + " in " + name(), err);
            }
            byte[] b = SizeLimits.readAtMost(res.body(), SizeLimits.MANIFEST, "manifest " + tagOrDigest);
            String ct = res.headers().firstValue("Content-Type").orElse("");
            int semi = ct.indexOf(';');
            return Optional.of(new RawManifest(b, (semi < 0 ? ct : ct.substring(0, semi)).trim()));
        }
    }

    private static boolean isManifestUnknown(RegistryHttpException e) {
        String code = e.registryCode().orElse("");
        if (code.equals("MANIFEST_UNKNOWN")) {
            return true;
        }
        if (code.equals("UNKNOWN") && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("not found")) {
            return true;
        }
        return e.status() == 404 && (e.kind() == RegistryHttpException.Kind.UNEXPECTED_STATUS
                || e.kind() == RegistryHttpException.Kind.UNPARSED);
    }

    /**
     * A small blob's bytes (at most {@code max}), checked against its digest (containers/image's
     * getOCIDescriptorContents).
     */
    public byte[] fetchBlobBytes(Digest digest, long size, int max) throws IOException {
        byte[] payload;
        try (InputStream in = openBlob(digest, size)) {
            payload = SizeLimits.readAtMost(in, max, "blob " + digest);
        } catch (ImageException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("reading blob ")) {
                throw e;
            }
            throw ImageException.wrap("reading blob " + digest + " in " + name(), e);
        }
        Digest actual = Digest.compute(digest.algorithm(), payload);
        if (!actual.equals(digest)) {
            throw new ImageException(ErrorCode.DIGEST_MISMATCH, "digest mismatch, expected \"" + digest + "\", got \""
                    + actual + "\"");
        }
        return payload;
    }

    /**
     * A plain GET of a URL outside the registry API (a lookaside signature), with this registry's TLS settings and
     * no credentials, following redirects.
     */
    public Response getUnauthenticated(URI uri) throws IOException {
        Log.debug(() -> "GET " + Log.redact(uri.toString()));
        HttpClient c;
        synchronized (this) {
            if (lookasideHttp == null) {
                lookasideHttp = HttpClient.builder()
                        .connectTimeout(Duration.ofSeconds(30))
                        .readTimeout(Duration.ofMinutes(5))
                        .userAgent(userAgent)
                        .tls(hostPort -> tls.get())
                        .allowPlainHttp(true)
                        .build();
            }
            c = lookasideHttp;
        }
        try {
            return c.send(Request.builder("GET", uri).followRedirects(true).build());
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** HEAD a manifest: its digest (Docker-Content-Digest), or empty when the registry does not have it. */
    public Optional<Digest> headManifest(String tagOrDigest) throws IOException {
        try (Response res = request("HEAD", repoPath() + "/manifests/" + tagOrDigest, manifestAccept(), null)) {
            if (res.status() == 404) {
                return Optional.empty();
            }
            if (res.status() != 200) {
                throw ImageException.wrap("reading manifest " + tagOrDigest + " in " + name(),
                        RegistryErrors.unexpectedStatus(res));
            }
            Optional<String> d = res.headers().firstValue("Docker-Content-Digest");
            if (d.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(Digest.parse(d.get()));
        }
    }

    /**
     * PUT a manifest under a tag or digest.
     *
     * <p>A 400 naming a referenced blob ({@code MANIFEST_BLOB_UNKNOWN}, {@code BLOB_UNKNOWN}) or {@code
     * DIGEST_INVALID} is tried again a few times after a short pause: docker/distribution's filesystem driver
     * rewrites a repository's blob link in place when another writer (a second kopi process, another shard) links
     * the same blob at the same moment, and a manifest PUT that reads the link then sees it empty and answers
     * {@code DIGEST_INVALID}. A blob that is truly missing still fails, about a second later.
     */
    public void putManifest(byte[] manifest, String mediaType, String tagOrDigest) throws IOException {
        putManifestForSubject(manifest, mediaType, tagOrDigest);
    }

    /**
     * {@link #putManifest}, returning the {@code OCI-Subject} header of the answer: a registry with the Referrers
     * API names the subject of a manifest that has one there (distribution-spec 1.1 "Pushing Manifests with
     * Subject"); empty when the header is absent, and the client must then maintain the referrers tag schema itself.
     */
    public Optional<String> putManifestForSubject(byte[] manifest, String mediaType, String tagOrDigest)
            throws IOException {
        Headers h = Headers.of("Content-Type", mediaType);
        for (int attempt = 1; ; attempt++) {
            RegistryHttpException failure;
            try (Response res = request("PUT", repoPath() + "/manifests/" + tagOrDigest, h,
                    RequestBody.of(manifest))) {
                if (res.status() == 201 || res.status() == 200 || res.status() == 202) {
                    res.discard(SizeLimits.ERROR_BODY);
                    return res.headers().firstValue("OCI-Subject").map(String::trim).filter(v -> !v.isEmpty());
                }
                failure = RegistryErrors.toError(res);
            }
            if (attempt >= MANIFEST_PUT_ATTEMPTS || !blobRaceSymptom(failure)) {
                throw ImageException.wrap("uploading manifest " + tagOrDigest + " to " + name(), failure);
            }
            long wait = 100L << (2 * (attempt - 1));
            Log.debug(() -> "PUT manifest " + tagOrDigest + " in " + name() + ": " + failure.getMessage()
                    + "; trying again in " + wait + " ms");
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while uploading manifest " + tagOrDigest);
            }
        }
    }

    /** Attempts at a manifest PUT the registry refuses for a blob another writer may be linking (see putManifest). */
    private static final int MANIFEST_PUT_ATTEMPTS = 4;

    private static boolean blobRaceSymptom(RegistryHttpException e) {
        return e.status() == 400 && e.registryCode()
                .filter(c -> c.equals("DIGEST_INVALID") || c.equals("MANIFEST_BLOB_UNKNOWN") || c.equals("BLOB_UNKNOWN"))
                .isPresent();
    }

    /**
     * Deletes the image {@code tagOrDigest} names as containers/image's deleteImage does: GET the manifest, DELETE
     * it by the digest of what came back. {@code refName} names the reference in errors.
     *
     * @return the digest of the deleted manifest
     */
    public Digest deleteImage(String tagOrDigest, String refName) throws IOException {
        byte[] manifest;
        try (Response res = request("GET", repoPath() + "/manifests/" + tagOrDigest, manifestAccept(), null)) {
            if (res.status() == 404) {
                res.discard(SizeLimits.ERROR_BODY);
                throw new ImageException(ErrorCode.IO, "Unable to delete " + refName
                        + ". Image may not exist or is not stored with a v2 Schema in a v2 registry");
            }
            if (res.status() != 200) {
                throw ImageException.wrap("deleting " + refName, RegistryErrors.toError(res));
            }
            manifest = SizeLimits.readAtMost(res.body(), SizeLimits.MANIFEST, "manifest " + tagOrDigest);
        }
        Digest digest;
        try {
            digest = Manifests.digest(manifest);
        } catch (ImageException e) {
            throw ImageException.wrap("computing manifest digest", e);
        }
        try (Response res = request("DELETE", repoPath() + "/manifests/" + digest, manifestAccept(), null)) {
            if (res.status() != 202) {
                throw ImageException.wrap("deleting " + refName, RegistryErrors.toError(res));
            }
            res.discard(SizeLimits.ERROR_BODY);
        }
        return digest;
    }

    /** DELETE a manifest by digest. */
    public void deleteManifest(Digest digest) throws IOException {
        try (Response res = request("DELETE", repoPath() + "/manifests/" + digest, null, null)) {
            if (res.status() != 202 && res.status() != 200) {
                throw ImageException.wrap("deleting " + name() + "@" + digest, RegistryErrors.toError(res));
            }
            res.discard(SizeLimits.ERROR_BODY);
        }
    }

    /**
     * Deletes a tag alone with the OCI distribution spec's {@code DELETE /v2/<name>/manifests/<tag>}. False when the
     * registry does not support deleting tags (it answers 400, 404, 405 or 501, as docker/distribution 2.x answers
     * 400 DIGEST_INVALID); other failures throw.
     */
    public boolean deleteTagIfSupported(String tag) throws IOException {
        try (Response res = request("DELETE", repoPath() + "/manifests/" + tag, null, null)) {
            int st = res.status();
            if (st == 202 || st == 200 || st == 204) {
                res.discard(SizeLimits.ERROR_BODY);
                return true;
            }
            if (st == 400 || st == 404 || st == 405 || st == 501) {
                res.discard(SizeLimits.ERROR_BODY);
                return false;
            }
            throw ImageException.wrap("deleting tag " + tag + " in " + name(), RegistryErrors.toError(res));
        }
    }

    /** DELETE a blob of this repository; false when the registry refuses (many do not allow it). */
    public boolean deleteBlobIfAllowed(Digest digest) throws IOException {
        try (Response res = request("DELETE", repoPath() + "/blobs/" + digest, null, null)) {
            res.discard(SizeLimits.ERROR_BODY);
            return res.status() == 202 || res.status() == 200 || res.status() == 204;
        }
    }

    // ---- blobs ----

    /** HEAD a blob in this repository: its size, or -1 when absent. */
    public long blobSize(Digest digest) throws IOException {
        try (Response res = request("HEAD", repoPath() + "/blobs/" + digest, null, null)) {
            if (res.status() == 404) {
                return -1;
            }
            if (res.status() != 200) {
                throw ImageException.wrap("checking whether a blob " + digest + " exists in " + name(),
                        RegistryErrors.toError(res));
            }
            return res.contentLength();
        }
    }

    /**
     * Opens a blob for reading, following redirects (credentials are not sent to another host), resuming with a
     * Range request when the connection breaks mid-way.
     */
    public InputStream openBlob(Digest digest, long expectedSize) throws IOException {
        return new ResumingBlobStream(digest, expectedSize);
    }

    private Response getBlob(Digest digest, long offset) throws IOException {
        ping();
        Headers h = offset > 0 ? Headers.of("Range", "bytes=" + offset + "-") : null;
        Response res = request("GET", url(repoPath() + "/blobs/" + digest), h, null, null, true);
        if (offset > 0 && res.status() == 206) {
            return res;
        }
        if (res.status() == 200 && offset == 0) {
            return res;
        }
        try (res) {
            throw ImageException.wrap("reading blob " + digest + " in " + name(), res.status() == 200
                    ? new ImageException(ErrorCode.IO, "the registry ignored the Range request")
                    : RegistryErrors.toError(res));
        }
    }

    private final class ResumingBlobStream extends InputStream {
        private final Digest digest;
        private final long expectedSize;
        private Response res;
        private InputStream in;
        private long offset;
        private int resumes;

        ResumingBlobStream(Digest digest, long expectedSize) throws IOException {
            this.digest = digest;
            this.expectedSize = expectedSize;
            this.res = getBlob(digest, 0);
            this.in = res.body();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                try {
                    int n = in.read(b, off, len);
                    if (n > 0) {
                        offset += n;
                    } else if (n < 0 && expectedSize > 0 && offset < expectedSize) {
                        throw new java.io.EOFException("unexpected EOF");
                    }
                    return n;
                } catch (IOException e) {
                    if (e instanceof ImageException ie && !(e instanceof HttpException)) {
                        throw ie;
                    }
                    if (resumes++ >= MAX_RESUMES || offset == 0 && expectedSize <= 0) {
                        throw ImageException.wrap("reading blob " + digest + " in " + name(), e);
                    }
                    long at = offset;
                    Log.debug(() -> "Reading blob " + digest + " failed at byte " + at + " (" + e.getMessage()
                            + "), resuming with a Range request");
                    res.close();
                    res = getBlob(digest, offset);
                    in = res.body();
                }
            }
        }

        @Override
        public void close() {
            res.close();
        }
    }

    /** Tries a cross-repository mount of a blob from another repository of this registry. */
    public boolean mountBlob(Digest digest, String fromRepository) throws IOException {
        String q = "?mount=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8) + "&from="
                + URLEncoder.encode(fromRepository, StandardCharsets.UTF_8);
        ping();
        try (Response res = request("POST", url(repoPath() + "/blobs/uploads/" + q), null,
                RequestBody.of(new byte[0]), "repository:" + fromRepository + ":pull", false)) {
            if (res.status() == 201) {
                return true;
            }
            if (res.status() == 202) {
                // The registry started an upload instead: cancel it.
                Optional<String> loc = res.headers().firstValue("Location");
                res.discard(SizeLimits.ERROR_BODY);
                if (loc.isPresent()) {
                    try (Response d = request("DELETE", resolve(loc.get()), null, null, null, false)) {
                        d.discard(SizeLimits.ERROR_BODY);
                    } catch (IOException e) {
                        Log.debug(() -> "Cancelling an upload failed: " + e.getMessage());
                    }
                }
                return false;
            }
            Log.debug(() -> "Mounting " + digest + " from " + fromRepository + " failed: " + res.status());
            res.discard(SizeLimits.ERROR_BODY);
            return false;
        }
    }

    /** Bytes per PATCH, and so the most kept for replay; {@code KOPI_UPLOAD_CHUNK_SIZE} (bytes) overrides it. */
    static final int DEFAULT_UPLOAD_CHUNK = 16 << 20;
    private static final int MIN_UPLOAD_CHUNK = 16 << 10;
    private static final int MAX_UPLOAD_RESUMES = 5;

    static int uploadChunkSize(String configured) {
        if (configured == null || configured.isBlank()) {
            return DEFAULT_UPLOAD_CHUNK;
        }
        try {
            long v = Long.parseLong(configured.trim());
            return (int) Math.max(MIN_UPLOAD_CHUNK, Math.min(v, 256L << 20));
        } catch (NumberFormatException e) {
            return DEFAULT_UPLOAD_CHUNK;
        }
    }

    /** What a status request ({@code GET} on the upload's Location) reported: the next offset and the Location. */
    record UploadStatus(long offset, URI location) {
    }

    /**
     * Uploads a blob: POST, PATCH, then PUT {@code ?digest=}. A blob of at most one chunk (16 MiB) goes in one PATCH,
     * as containers/image sends it; a larger one in chunked PATCHes ({@code Content-Range}), each a resume point.
     * When a PATCH fails (connection broken, 5xx) the registry is asked how much it has and the upload continues
     * from there, re-sending from the current chunk kept in memory; a registry that lost the session gets a fresh
     * upload while nothing past the first chunk was sent. With a known digest the session's Location is kept under
     * kopi's data directory after every chunk, so a later run uploading the same blob to the same repository sends
     * only what the registry is missing. The digest is computed while streaming when not known.
     */
    public BlobInfo uploadBlob(InputStream stream, Digest known, long size) throws IOException {
        DigestingInputStream din = new DigestingInputStream(stream,
                known != null ? known.algorithm() : DigestAlgorithm.SHA256);
        UploadSessions.Key key = known != null && size > 0
                ? new UploadSessions.Key(registry, repository, known) : null;
        Optional<UploadSessions.Lease> lease = key != null ? UploadSessions.lease(key) : Optional.empty();
        try {
            return upload(din, known, size, lease.isPresent() ? key : null);
        } finally {
            lease.ifPresent(UploadSessions.Lease::close);
        }
    }

    private BlobInfo upload(DigestingInputStream din, Digest known, long size, UploadSessions.Key key)
            throws IOException {
        int chunk = uploadChunkSize(dev.kopi.config.Env.system().nonEmpty("KOPI_UPLOAD_CHUNK_SIZE").orElse(null));
        URI location = null;
        long offset = 0;
        if (key != null) {
            location = resumeSaved(key, din, size);
            offset = location != null ? din.count() : 0;
        }
        if (location == null) {
            location = startUpload();
        }
        // of unknown size: start small and grow up to a chunk, so small blobs do not cost a chunk of memory
        byte[] buf = new byte[(int) Math.max(1, Math.min(chunk, size >= 0 ? size - offset : 64 << 10))];
        int resumes = 0;
        while (true) {
            int n = din.readNBytes(buf, 0, buf.length);
            while (size < 0 && n == buf.length && buf.length < chunk) {
                buf = java.util.Arrays.copyOf(buf, (int) Math.min(chunk, 2L * buf.length));
                n += din.readNBytes(buf, n, buf.length - n);
            }
            if (n == 0 && offset > 0) {
                break;
            }
            long start = offset;
            boolean single = start == 0 && (n < buf.length || (size >= 0 && n == size));
            int from = 0;
            boolean again = false;
            while (true) {
                try {
                    location = patch(location, buf, from, n - from, start + from, !(single && from == 0));
                    break;
                } catch (IOException e) {
                    // a resumed PATCH refused outright: the registry was still taking in the broken one when asked
                    if (!(resumable(e) || again) || ++resumes > MAX_UPLOAD_RESUMES) {
                        throw e;
                    }
                    again = true;
                    settle();
                    UploadStatus st = uploadStatus(location);
                    if (st != null && st.offset() >= start && st.offset() <= start + n) {
                        Log.debug(() -> "Upload interrupted (" + e.getMessage() + "); the registry has "
                                + st.offset() + " bytes, continuing from there");
                        from = (int) (st.offset() - start);
                        location = st.location();
                    } else if (start == 0) {
                        Log.debug(() -> "Upload interrupted (" + e.getMessage() + ") and the registry's session is "
                                + "unusable; starting a fresh upload");
                        if (key != null) {
                            UploadSessions.discard(key);
                        }
                        location = startUpload();
                        from = 0;
                    } else {
                        if (key != null && st == null) {
                            UploadSessions.discard(key);
                        }
                        throw e;
                    }
                }
            }
            offset = start + n;
            if (key != null && n > 0 && (size < 0 || offset < size)) {
                UploadSessions.save(key, location.toString());
            }
            if (n < buf.length || (size >= 0 && offset >= size)) {
                break;
            }
        }
        Digest d = known != null ? known : din.digest();
        String sep = location.getRawQuery() == null ? "?" : "&";
        URI put = URI.create(location + sep + "digest=" + URLEncoder.encode(d.toString(), StandardCharsets.UTF_8));
        try (Response res = request("PUT", put, null, RequestBody.of(new byte[0]), null, false)) {
            if (res.status() != 201) {
                if (key != null) {
                    UploadSessions.discard(key);
                }
                throw ImageException.wrap("uploading layer to " + Log.redact(put.toString()),
                        RegistryErrors.toError(res));
            }
            res.discard(SizeLimits.ERROR_BODY);
        }
        if (key != null) {
            UploadSessions.discard(key);
        }
        return new BlobInfo(d, din.count(), null);
    }

    /**
     * Continues a session an earlier run saved: when the registry still has it, at an offset inside the blob, the
     * source is read (and digested) up to that offset and the session's current Location returned. Otherwise the
     * saved session is forgotten, silently.
     */
    private URI resumeSaved(UploadSessions.Key key, DigestingInputStream din, long size) throws IOException {
        Optional<String> saved = UploadSessions.load(key);
        if (saved.isEmpty()) {
            return null;
        }
        ping();
        UploadStatus st = null;
        try {
            URI uri = URI.create(saved.get());
            // only ever to the registry itself: the request carries its credentials
            if (uri.isAbsolute() && url("/").getRawAuthority().equals(uri.getRawAuthority())) {
                st = uploadStatus(uri);
            }
        } catch (IllegalArgumentException e) {
            st = null;
        }
        if (st == null || st.offset() <= 0 || st.offset() >= size) {
            Log.debug(() -> "Discarding a saved upload session of " + key.digest());
            UploadSessions.discard(key);
            return null;
        }
        UploadStatus at = st;
        if (din.skip(at.offset()) != at.offset()) {
            throw new ImageException(ErrorCode.IO, "reading blob " + key.digest() + ": unexpected EOF");
        }
        Log.debug(() -> "Resuming the upload of " + key.digest() + " at byte " + at.offset());
        return at.location();
    }

    /** Gives the registry a moment to finish with a request whose connection broke before asking about it. */
    private static void settle() throws IOException {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while resuming an upload");
        }
    }

    private URI startUpload() throws IOException {
        try (Response res = request("POST", repoPath() + "/blobs/uploads/", null, RequestBody.of(new byte[0]))) {
            if (res.status() != 202) {
                throw ImageException.wrap("initiating layer upload to " + repoPath() + "/blobs/uploads/ in "
                        + registry, RegistryErrors.toError(res));
            }
            URI location = resolve(res.headers().firstValue("Location").orElseThrow(
                    () -> new ImageException(ErrorCode.IO, "the registry started an upload without a Location")));
            res.discard(SizeLimits.ERROR_BODY);
            return location;
        }
    }

    /** One PATCH of {@code len} bytes at {@code at}; with {@code range}, {@code Content-Range: at-end} is sent. */
    private URI patch(URI location, byte[] buf, int from, int len, long at, boolean range) throws IOException {
        Headers.Builder h = Headers.builder().add("Content-Type", "application/octet-stream");
        if (range && len > 0) {
            h.add("Content-Range", at + "-" + (at + len - 1));
        }
        try (Response res = request("PATCH", location, h.build(),
                RequestBody.ofStream(new java.io.ByteArrayInputStream(buf, from, len), len), null, false)) {
            if (res.status() != 202) {
                ImageException err = ImageException.wrap("uploading layer chunked", RegistryErrors.toError(res));
                throw res.status() >= 500 ? new ResumableUploadError(err) : err;
            }
            URI next = resolve(res.headers().firstValue("Location").orElse(location.toString()));
            res.discard(SizeLimits.ERROR_BODY);
            return next;
        }
    }

    /** A 5xx answer to a PATCH: worth asking the registry where the upload stands. */
    private static final class ResumableUploadError extends ImageException {
        private static final long serialVersionUID = 1L;

        ResumableUploadError(ImageException cause) {
            super(cause.code(), cause.getMessage(), cause);
        }
    }

    private static boolean resumable(IOException e) {
        if (e instanceof ResumableUploadError) {
            return true;
        }
        if (e instanceof HttpException he) {
            return he.kind() == HttpException.Kind.CONNECTION || he.kind() == HttpException.Kind.TIMEOUT;
        }
        return !(e instanceof ImageException);
    }

    /**
     * Asks the registry where an upload stands (distribution spec "upload status": {@code 204} with
     * {@code Range: 0-<last>} and the Location to continue with); null when it does not know the session.
     */
    UploadStatus uploadStatus(URI location) {
        try (Response res = request("GET", location, null, null, null, false)) {
            String range = res.headers().firstValue("Range").orElse("");
            URI next = resolve(res.headers().firstValue("Location").orElse(location.toString()));
            res.discard(SizeLimits.ERROR_BODY);
            long offset = parseUploadRange(range);
            if (res.status() != 204 || offset < 0) {
                Log.debug(() -> "Upload status: " + res.status() + " " + range);
                return null;
            }
            return new UploadStatus(offset, next);
        } catch (IOException | IllegalArgumentException e) {
            Log.debug(() -> "Asking for an upload's status failed: " + e.getMessage());
            return null;
        }
    }

    /**
     * The next offset of an upload's {@code Range: 0-<last>} header; {@code 0-0} counts as empty (the registry
     * reports it for 0 bytes, and skipping nothing is safe); -1 when malformed.
     */
    static long parseUploadRange(String range) {
        Matcher m = UPLOAD_RANGE.matcher(range.trim());
        if (!m.matches()) {
            return -1;
        }
        try {
            long last = Long.parseLong(m.group(2));
            return last == 0 ? 0 : last + 1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static final Pattern UPLOAD_RANGE = Pattern.compile("(?:bytes=)?(0)-([0-9]{1,18})");

    private URI resolve(String location) {
        URI base = url(repoPath() + "/");
        return base.resolve(location);
    }

    // ---- referrers ----

    /**
     * The referrers of {@code subject} from the OCI 1.1 Referrers API ({@code GET /v2/<name>/referrers/<digest>},
     * an OCI index, following {@code Link: <...>; rel="next"} pages); empty when the registry does not have the API
     * (it answers 404, or 405/501), and the caller then reads the referrers tag schema.
     */
    public Optional<List<dev.kopi.manifest.Descriptor>> fetchReferrers(Digest subject) throws IOException {
        List<dev.kopi.manifest.Descriptor> out = new ArrayList<>();
        String next = repoPath() + "/referrers/" + subject;
        boolean first = true;
        while (next != null) {
            String path = next;
            try (Response res = request("GET", path, Headers.of("Accept", MediaTypes.OCI_INDEX), null)) {
                int st = res.status();
                if (first && (st == 404 || st == 405 || st == 501)) {
                    res.discard(SizeLimits.ERROR_BODY);
                    Log.debug(() -> "Referrers API of " + name() + " answered " + st + ": not supported");
                    return Optional.empty();
                }
                if (st != 200) {
                    throw ImageException.wrap("listing referrers of " + subject + " in " + name(),
                            RegistryErrors.toError(res));
                }
                byte[] b = SizeLimits.readAtMost(res.body(), SizeLimits.MANIFEST, "referrers of " + subject);
                dev.kopi.manifest.OciIndex index;
                try {
                    index = dev.kopi.manifest.Referrers.parseIndex(b, MediaTypes.OCI_INDEX, "the answer");
                } catch (ImageException e) {
                    throw new ImageException(e.code(), "listing referrers of " + subject + " in " + name() + ": "
                            + e.getMessage(), e);
                }
                out.addAll(index.instances());
                next = nextPage(res, url(repoPath() + "/"));
                first = false;
            }
        }
        return Optional.of(out);
    }

    // ---- tags ----

    /** All tags, following {@code Link: <...>; rel="next"} pagination. */
    public List<String> listTags() throws IOException {
        List<String> tags = new ArrayList<>();
        String next = repoPath() + "/tags/list";
        while (next != null) {
            String path = next;
            try (Response res = request("GET", path, null, null)) {
                if (res.status() != 200) {
                    throw ImageException.wrap("fetching tags list", RegistryErrors.toError(res));
                }
                byte[] b = SizeLimits.readAtMost(res.body(), 16 << 20, "tags list");
                JsonNode n = Manifests.readTree(b, "tags list");
                for (JsonNode t : n.path("tags")) {
                    tags.add(t.asText());
                }
                next = nextPage(res, url(repoPath() + "/"));
            }
        }
        return tags;
    }

    /**
     * Takes over another client's ping of the same registry (scheme and auth challenges), so a session pings each
     * registry once rather than once per repository.
     */
    void adoptPing(RegistryClient other) {
        synchronized (other) {
            if (other.scheme != null && scheme == null && other.endpoint.equals(endpoint)
                    && other.insecure == insecure) {
                challenges = other.challenges;
                scheme = other.scheme;
            }
        }
    }

    /** Whether {@link #ping()} has succeeded. */
    synchronized boolean pinged() {
        return scheme != null;
    }

    /** Marks this client as owned by a {@link RegistrySession}: {@link #close()} then leaves it open. */
    void markShared() {
        shared = true;
    }

    /** The session that shares this client, bound when it was made; null for a client of its own. */
    RegistrySession session() {
        return session;
    }

    void session(RegistrySession s) {
        session = s;
    }

    /** Closes a shared client (its session does this). */
    void closeShared() {
        http.close();
        synchronized (this) {
            if (lookasideHttp != null) {
                lookasideHttp.close();
            }
        }
    }

    /** The path and query of the {@code Link: <...>; rel="next"} page (resolved against {@code base}), or null. */
    private static String nextPage(Response res, URI base) {
        String next = null;
        for (String link : res.headers().allValues("Link")) {
            Matcher m = LINK_NEXT.matcher(link);
            if (m.find()) {
                URI u = base.resolve(m.group(1));
                next = u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
            }
        }
        return next;
    }

    /**
     * The registry's repositories ({@code GET /v2/_catalog}, token scope {@code registry:catalog:*}), following
     * {@code Link: <...>; rel="next"} pages to the end.
     */
    public List<String> listRepositories() throws IOException {
        ping();
        List<String> repos = new ArrayList<>();
        String next = "/v2/_catalog";
        java.util.Set<String> seen = new java.util.HashSet<>();
        while (next != null) {
            if (!seen.add(next)) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "fetching repository list: the registry's next page "
                        + next + " was already fetched");
            }
            try (Response res = request("GET", url(next), null, null, "registry:catalog:*", false)) {
                if (res.status() != 200) {
                    throw ImageException.wrap("fetching repository list", RegistryErrors.toError(res));
                }
                byte[] b = SizeLimits.readAtMost(res.body(), 16 << 20, "repository list");
                JsonNode n = Manifests.readTree(b, "repository list");
                for (JsonNode r : n.path("repositories")) {
                    repos.add(r.asText());
                }
                next = nextPage(res, url("/v2/_catalog"));
            }
        }
        return repos;
    }

    @Override
    public void close() {
        if (!shared) {
            http.close();
        }
    }
}
