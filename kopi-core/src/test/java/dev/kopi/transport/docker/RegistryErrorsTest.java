package dev.kopi.transport.docker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.error.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Registry error responses read as containers/image's {@code registryHTTPResponseToError} reads them (docker/errors.go
 * and docker/distribution_error.go at containers/image df7e80d2; errcode's JSON decoding in docker/distribution).
 */
class RegistryErrorsTest {
    private static final String BEARER = "Bearer realm=\"http://127.0.0.1:1/token\",service=\"reg\"";

    static Stream<Arguments> responses() {
        return Stream.of(
                // 5xx are never parsed: UnexpectedHTTPStatusError, retried by --retry-times only for 502-504
                Arguments.of(500, "500 Internal Server Error", List.of(),
                        "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"boom\",\"detail\":null}]}",
                        "received unexpected HTTP status: 500 Internal Server Error", ErrorCode.IO, false),
                Arguments.of(503, "503 Service Unavailable", List.of(), "",
                        "received unexpected HTTP status: 503 Service Unavailable", ErrorCode.IO, true),
                // a code with its default message and a detail: errcode.Error, reworded to the message alone
                Arguments.of(404, "404 Not Found", List.of(),
                        "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\","
                                + "\"detail\":{\"Tag\":\"v1\"}}]}",
                        "manifest unknown", ErrorCode.NOT_FOUND, false),
                Arguments.of(401, "401 Unauthorized", List.of("Basic realm=\"r\""),
                        "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\","
                                + "\"detail\":[{\"Type\":\"repository\",\"Name\":\"a\",\"Action\":\"pull\"}]}]}",
                        "authentication required", ErrorCode.UNAUTHORIZED, false),
                // no detail and the default message: a bare ErrorCode, printed as the code
                Arguments.of(401, "401 Unauthorized", List.of(),
                        "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\","
                                + "\"detail\":null}]}",
                        "unauthorized", ErrorCode.UNAUTHORIZED, false),
                Arguments.of(404, "404 Not Found", List.of(), "{\"errors\":[{\"code\":\"NAME_UNKNOWN\"}]}",
                        "name unknown", ErrorCode.IO, false),
                // another message: code: message; unknown codes are UNKNOWN
                Arguments.of(429, "429 Too Many Requests", List.of(),
                        "{\"errors\":[{\"code\":\"TOOMANYREQUESTS\",\"message\":\"slow down\",\"detail\":null}]}",
                        "toomanyrequests: slow down", ErrorCode.TOO_MANY_REQUESTS, true),
                Arguments.of(400, "400 Bad Request", List.of(),
                        "{\"errors\":[{\"code\":\"NOT_A_CODE\",\"message\":\"odd\"}]}", "unknown: odd",
                        ErrorCode.IO, true),
                // a 401 without an error document: ErrorCodeUnauthorized with the body as detail
                Arguments.of(401, "401 Unauthorized", List.of("Basic realm=\"r\""), "",
                        "authentication required", ErrorCode.UNAUTHORIZED, false),
                // bearer challenges with error= come first
                Arguments.of(401, "401 Unauthorized", List.of(BEARER + ",error=\"insufficient_scope\""),
                        "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"authentication required\"}]}",
                        "requested access to the resource is denied", ErrorCode.DENIED, false),
                Arguments.of(401, "401 Unauthorized", List.of(BEARER + ",error=\"invalid_token\","
                        + "error_description=\"token expired\""), "", "unauthorized: token expired",
                        ErrorCode.UNAUTHORIZED, false),
                // legacy {"details": ...} bodies
                Arguments.of(401, "401 Unauthorized", List.of(), "{\"details\":\"incorrect username or password\"}",
                        "unauthorized: incorrect username or password", ErrorCode.UNAUTHORIZED, false),
                // other 4xx bodies are quoted, cut at 50 characters
                Arguments.of(404, "404 Not Found", List.of(), "404 page not found\n",
                        "StatusCode: 404, \"404 page not found\\n\"", ErrorCode.IO, false),
                Arguments.of(405, "405 Method Not Allowed", List.of(), "x".repeat(60),
                        "StatusCode: 405, \"" + "x".repeat(50) + "...\"", ErrorCode.IO, false),
                Arguments.of(404, "404 Not Found", List.of(), "{\"errors\":[]}", "StatusCode: 404, \"{\\\"errors\\\":[]}\"",
                        ErrorCode.IO, false));
    }

    @ParameterizedTest(name = "{0} {4}")
    @MethodSource("responses")
    void readsLikeContainersImage(int status, String statusLine, List<String> challenges, String body,
            String message, ErrorCode code, boolean retryable) {
        RegistryHttpException e = RegistryErrors.toError(status, statusLine, challenges,
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(e.getMessage()).isEqualTo(message);
        assertThat(e.code()).isEqualTo(code);
        assertThat(e.retryable()).as("retryable").isEqualTo(retryable);
        assertThat(e.status()).isEqualTo(status);
    }
}
