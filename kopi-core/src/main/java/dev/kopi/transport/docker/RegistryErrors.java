package dev.kopi.transport.docker;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.error.ErrorCode;
import dev.kopi.internal.http.Response;
import dev.kopi.manifest.Manifests;
import dev.kopi.transport.docker.RegistryHttpException.Kind;
import dev.kopi.transport.docker.auth.Challenge;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Registry error responses turned into messages worded as containers/image words them
 * ({@code registryHTTPResponseToError} over docker/distribution's {@code handleErrorResponse}).
 */
final class RegistryErrors {
    private static final int MAX_ERROR_BODY = 1 << 20;

    /**
     * The error codes docker/distribution registers, with their default messages. A code not listed here is read
     * as {@code UNKNOWN}, as Go's {@code ErrorCode.UnmarshalText} does.
     */
    private static final Map<String, String> DEFAULT_MESSAGES = Map.ofEntries(
            Map.entry("UNKNOWN", "unknown error"),
            Map.entry("UNSUPPORTED", "The operation is unsupported."),
            Map.entry("UNAUTHORIZED", "authentication required"),
            Map.entry("DENIED", "requested access to the resource is denied"),
            Map.entry("UNAVAILABLE", "service unavailable"),
            Map.entry("TOOMANYREQUESTS", "too many requests"),
            Map.entry("DIGEST_INVALID", "provided digest did not match uploaded content"),
            Map.entry("SIZE_INVALID", "provided length did not match content length"),
            Map.entry("RANGE_INVALID", "invalid content range"),
            Map.entry("NAME_INVALID", "invalid repository name"),
            Map.entry("TAG_INVALID", "manifest tag did not match URI"),
            Map.entry("NAME_UNKNOWN", "repository name not known to registry"),
            Map.entry("MANIFEST_UNKNOWN", "manifest unknown"),
            Map.entry("MANIFEST_INVALID", "manifest invalid"),
            Map.entry("MANIFEST_UNVERIFIED", "manifest failed signature verification"),
            Map.entry("MANIFEST_BLOB_UNKNOWN", "blob unknown to registry"),
            Map.entry("BLOB_UNKNOWN", "blob unknown to registry"),
            Map.entry("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry"),
            Map.entry("BLOB_UPLOAD_INVALID", "blob upload invalid"),
            Map.entry("PAGINATION_NUMBER_INVALID", "invalid number of results requested"));

    private RegistryErrors() {
    }

    /** The error a non-success response stands for, with a code callers (and the CLI's exit code) can use. */
    static RegistryHttpException toError(Response res) {
        return toError(res.status(), res.statusLine(), res.headers().allValues("WWW-Authenticate"), readBody(res));
    }

    /**
     * containers/image's reading of a response: a 401 with a bearer {@code error=invalid_token} or
     * {@code insufficient_scope} challenge is UNAUTHORIZED or DENIED; a 4xx body is parsed as an error document
     * (a 401 without one means UNAUTHORIZED); any other status is "received unexpected HTTP status".
     */
    static RegistryHttpException toError(int status, String statusLine, List<String> wwwAuthenticate, byte[] body) {
        if (status == 401) {
            for (Challenge c : Challenge.parseAll(wwwAuthenticate)) {
                if (!c.scheme().equals("bearer")) {
                    continue;
                }
                String code = switch (c.parameter("error") == null ? "" : c.parameter("error")) {
                    case "invalid_token" -> "UNAUTHORIZED";
                    case "insufficient_scope" -> "DENIED";
                    default -> null;
                };
                if (code == null) {
                    continue;
                }
                String description = c.parameter("error_description");
                String message = description != null && !description.isEmpty() ? description
                        : DEFAULT_MESSAGES.get(code);
                return error(status, code, message);
            }
        }
        if (status < 400 || status >= 500) {
            return unexpectedStatus(status, statusLine);
        }
        String text = new String(body, StandardCharsets.UTF_8);
        JsonNode n = null;
        try {
            n = Manifests.JSON.readTree(body);
        } catch (IOException | RuntimeException e) {
            // not JSON: handled below
        }
        if (n != null && n.isObject() && n.path("details").isTextual() && !n.path("details").asText().isEmpty()) {
            String code = status == 401 ? "UNAUTHORIZED" : status == 429 ? "TOOMANYREQUESTS" : "UNKNOWN";
            return error(status, code, n.path("details").asText());
        }
        JsonNode errors = n != null && n.isObject() ? n.get("errors") : null;
        if (errors != null && errors.isArray() && !errors.isEmpty() && errors.get(0).isObject()) {
            JsonNode first = errors.get(0);
            String code = first.path("code").asText("");
            if (!DEFAULT_MESSAGES.containsKey(code)) {
                code = "UNKNOWN";
            }
            String message = first.path("message").asText("");
            JsonNode detail = first.get("detail");
            boolean hasDetail = detail != null && !detail.isNull();
            if (!hasDetail && (message.isEmpty() || message.equals(DEFAULT_MESSAGES.get(code)))) {
                return new RegistryHttpException(errorCode(status, code), codeText(code), status, Kind.BARE_CODE,
                        code);
            }
            return error(status, code, message);
        }
        if (status == 401) {
            // docker/distribution: an unparseable 401 is ErrorCodeUnauthorized with the body as its detail
            return error(status, "UNAUTHORIZED", DEFAULT_MESSAGES.get("UNAUTHORIZED"));
        }
        String shown = text.length() > 50 ? text.substring(0, 50) + "..." : text;
        return new RegistryHttpException(errorCode(status, null), "StatusCode: " + status + ", "
                + dev.kopi.internal.go.GoStrconv.quote(shown), status, Kind.UNPARSED, null);
    }

    /** An {@code errcode.Error}: the message alone when it is the code's default, else {@code code: message}. */
    private static RegistryHttpException error(int status, String code, String message) {
        String text = message.equals(DEFAULT_MESSAGES.get(code)) ? message : codeText(code) + ": " + message;
        return new RegistryHttpException(errorCode(status, code), text, status, Kind.ERROR, code);
    }

    /** Go's {@code ErrorCode.Error()}: the code in lower case, underscores as spaces. */
    private static String codeText(String code) {
        return code.toLowerCase(Locale.ROOT).replace('_', ' ');
    }

    private static ErrorCode errorCode(int status, String code) {
        if (code != null) {
            switch (code) {
                case "MANIFEST_UNKNOWN":
                    return ErrorCode.NOT_FOUND;
                case "UNAUTHORIZED":
                    return ErrorCode.UNAUTHORIZED;
                case "DENIED":
                    return ErrorCode.DENIED;
                case "TOOMANYREQUESTS":
                    return ErrorCode.TOO_MANY_REQUESTS;
                default:
                    break;
            }
        }
        return switch (status) {
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 403 -> ErrorCode.DENIED;
            case 429 -> ErrorCode.TOO_MANY_REQUESTS;
            default -> ErrorCode.IO;
        };
    }

    /** containers/image's UnexpectedHTTPStatusError text. */
    static RegistryHttpException unexpectedStatus(Response res) {
        readBody(res);
        return unexpectedStatus(res.status(), res.statusLine());
    }

    static RegistryHttpException unexpectedStatus(int status, String statusLine) {
        return new RegistryHttpException(errorCode(status, null), "received unexpected HTTP status: " + statusLine,
                status, Kind.UNEXPECTED_STATUS, null);
    }

    private static byte[] readBody(Response res) {
        try (InputStream in = res.body()) {
            return in.readNBytes(MAX_ERROR_BODY);
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
