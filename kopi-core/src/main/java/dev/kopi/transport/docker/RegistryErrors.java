package dev.kopi.transport.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.http.Response;
import dev.kopi.manifest.Manifests;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/** Registry error responses turned into messages worded as containers/image words them. */
final class RegistryErrors {
    private static final int MAX_ERROR_BODY = 1 << 20;

    /** The default messages of the distribution spec's error codes (what registries send when nothing is added). */
    private static final Map<String, String> DEFAULT_MESSAGES = Map.ofEntries(
            Map.entry("BLOB_UNKNOWN", "blob unknown to registry"),
            Map.entry("BLOB_UPLOAD_INVALID", "blob upload invalid"),
            Map.entry("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry"),
            Map.entry("DIGEST_INVALID", "provided digest did not match uploaded content"),
            Map.entry("MANIFEST_BLOB_UNKNOWN", "blob unknown to registry"),
            Map.entry("MANIFEST_INVALID", "manifest invalid"),
            Map.entry("MANIFEST_UNKNOWN", "manifest unknown"),
            Map.entry("MANIFEST_UNVERIFIED", "manifest failed signature verification"),
            Map.entry("NAME_INVALID", "invalid repository name"),
            Map.entry("NAME_UNKNOWN", "repository name not known to registry"),
            Map.entry("SIZE_INVALID", "provided length did not match content length"),
            Map.entry("TAG_INVALID", "manifest tag did not match URI"),
            Map.entry("UNAUTHORIZED", "authentication required"),
            Map.entry("DENIED", "requested access to the resource is denied"),
            Map.entry("UNSUPPORTED", "The operation is unsupported."),
            Map.entry("TOOMANYREQUESTS", "too many requests"));

    private RegistryErrors() {
    }

    /** The error a non-success response stands for, with a code callers (and the CLI's exit code) can use. */
    static ImageException toError(Response res) {
        String body = readBody(res);
        String code = "";
        String message = "";
        try {
            JsonNode n = Manifests.JSON.readTree(body);
            JsonNode errors = n == null ? null : n.get("errors");
            if (errors != null && errors.isArray() && !errors.isEmpty()) {
                JsonNode first = errors.get(0);
                code = first.path("code").asText("");
                message = first.path("message").asText("");
            }
        } catch (IOException | RuntimeException e) {
            // not a registry error document
        }
        ErrorCode ec = switch (res.status()) {
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.DENIED;
            case 429 -> ErrorCode.TOO_MANY_REQUESTS;
            default -> ErrorCode.IO;
        };
        if (code.equals("MANIFEST_UNKNOWN")) {
            ec = ErrorCode.NOT_FOUND;
        }
        if (code.isEmpty()) {
            String shown = body.length() > 50 ? body.substring(0, 50) + "..." : body;
            if (res.status() == 404 && body.isEmpty()) {
                return new ImageException(ec, "StatusCode: 404, \"\"");
            }
            return new ImageException(ec, "StatusCode: " + res.status() + ", " + goQuote(shown));
        }
        String lower = code.toLowerCase(Locale.ROOT).replace('_', ' ');
        String def = DEFAULT_MESSAGES.get(code);
        if (message.isEmpty() || message.equals(def)) {
            return new ImageException(ec, message.isEmpty() ? lower : message);
        }
        return new ImageException(ec, lower + ": " + message);
    }

    /** containers/image's UnexpectedHTTPStatusError text. */
    static ImageException unexpectedStatus(Response res) {
        readBody(res);
        ErrorCode ec = res.status() == 429 ? ErrorCode.TOO_MANY_REQUESTS
                : res.status() == 401 ? ErrorCode.UNAUTHORIZED : ErrorCode.IO;
        return new ImageException(ec, "received unexpected HTTP status: " + res.statusLine());
    }

    private static String readBody(Response res) {
        try (InputStream in = res.body()) {
            byte[] b = in.readNBytes(MAX_ERROR_BODY);
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static String goQuote(String s) {
        return dev.kopi.internal.go.GoStrconv.quote(s);
    }
}
