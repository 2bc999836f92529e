package dev.kopi.it.registry;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * One request/response pair that went through a {@link FaultProxy}.
 *
 * @param seq order of arrival at the proxy (1, 2, ...)
 * @param connection the client connection it came on (1, 2, ...)
 * @param method HTTP method
 * @param target request target as sent: path and query
 * @param status response status forwarded to the client (0 if the exchange was cut before a response)
 * @param requestBytes request body bytes forwarded to the registry (decoded, without chunk framing)
 * @param responseBytes response body bytes sent to the client (decoded, without chunk framing)
 * @param fault the injected fault, or null
 */
public record Exchange(int seq, int connection, String method, String target, int status, long requestBytes,
        long responseBytes, Fault fault) {
    private static final Pattern BLOB = Pattern.compile("^/v2/.+/blobs/[a-z0-9]+:[a-f0-9]+$");
    private static final Pattern MANIFEST = Pattern.compile("^/v2/.+/manifests/[^/]+$");
    private static final Pattern UPLOAD = Pattern.compile("^/v2/.+/blobs/uploads/.*");

    /** The path without the query. */
    public String path() {
        int q = target.indexOf('?');
        return q < 0 ? target : target.substring(0, q);
    }

    /** The raw query, or "". */
    public String query() {
        int q = target.indexOf('?');
        return q < 0 ? "" : target.substring(q + 1);
    }

    /** The first value of query parameter {@code name} (URL-decoded), or null. */
    public String queryParam(String name) {
        for (String pair : query().split("&")) {
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(name)) {
                return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            }
        }
        return null;
    }

    /** {@code GET /v2/<name>/blobs/<digest>} (a download of a layer or config). */
    public boolean isBlobGet() {
        return method.equals("GET") && BLOB.matcher(path()).matches();
    }

    /** {@code HEAD /v2/<name>/blobs/<digest>} (an existence check). */
    public boolean isBlobHead() {
        return method.equals("HEAD") && BLOB.matcher(path()).matches();
    }

    /** A request of a blob upload session: {@code POST .../blobs/uploads/}, {@code PATCH} or {@code PUT} on it. */
    public boolean isUpload() {
        return UPLOAD.matcher(path()).matches() && !method.equals("DELETE");
    }

    /** An upload request that carries blob bytes ({@code PATCH}, or {@code PUT}/{@code POST} with a body). */
    public boolean isUploadData() {
        return isUpload() && requestBytes > 0;
    }

    /** {@code POST .../blobs/uploads/?mount=<digest>&from=<repo>}: a cross-repository mount attempt. */
    public boolean isMount() {
        return method.equals("POST") && isUpload() && queryParam("mount") != null;
    }

    public boolean isManifest() {
        return MANIFEST.matcher(path()).matches();
    }

    /** {@code PUT /v2/<name>/manifests/<reference>}. */
    public boolean isManifestPut() {
        return method.equals("PUT") && isManifest();
    }

    @Override
    public String toString() {
        return "#" + seq + " c" + connection + " " + method + " " + target + " -> " + status + " (req " + requestBytes
                + " B, resp " + responseBytes + " B" + (fault == null ? "" : ", fault " + fault.label()) + ")";
    }
}
