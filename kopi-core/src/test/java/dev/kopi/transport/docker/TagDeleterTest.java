package dev.kopi.transport.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code delete --tag-only} against a scripted registry: the OCI tag DELETE, or the throw-away manifest. */
class TagDeleterTest {
    private static final String IMAGE = "sha256:" + "ab".repeat(32);

    private ScriptedRegistry server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
    private volatile int tagDeleteStatus = 202;
    private volatile boolean hasTag = true;

    @BeforeEach
    void start() throws IOException {
        server = new ScriptedRegistry(this::handle);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void handle(HttpExchange x) throws IOException {
        String m = x.getRequestMethod();
        String p = x.getRequestURI().getPath();
        String q = x.getRequestURI().getRawQuery();
        byte[] body = x.getRequestBody().readAllBytes();
        requests.add(m + " " + p);
        int status;
        if (p.equals("/v2/")) {
            status = 200;
        } else if (m.equals("HEAD") && p.equals("/v2/app/manifests/a")) {
            status = hasTag ? 200 : 404;
            x.getResponseHeaders().add("Docker-Content-Digest", IMAGE);
        } else if (m.equals("DELETE") && p.equals("/v2/app/manifests/a")) {
            status = tagDeleteStatus;
        } else if (m.equals("POST") && p.equals("/v2/app/blobs/uploads/")) {
            x.getResponseHeaders().add("Location", "/v2/app/blobs/uploads/u1");
            status = 202;
        } else if (m.equals("PATCH") && p.equals("/v2/app/blobs/uploads/u1")) {
            status = 202;
        } else if (m.equals("PUT") && p.equals("/v2/app/blobs/uploads/u1")) {
            requests.add("  " + q);
            status = 201;
        } else if (m.equals("PUT") && p.startsWith("/v2/app/manifests/")) {
            manifests.put(p.substring("/v2/app/manifests/".length()), body);
            status = 201;
        } else if (m.equals("DELETE") && p.startsWith("/v2/app/")) {
            status = 202;
        } else {
            status = 404;
        }
        x.sendResponseHeaders(status, -1);
        x.close();
    }

    private RegistryClient client() {
        return server.client("app", "*");
    }

    @Test
    void aRegistryWithTagDeleteGetsJustThat() throws Exception {
        try (RegistryClient c = client()) {
            TagDeleter.deleteTag(c, "a", "r/app:a");
        }
        assertThat(requests).filteredOn(r -> !r.equals("GET /v2/"))
                .containsExactly("HEAD /v2/app/manifests/a", "DELETE /v2/app/manifests/a");
        assertThat(manifests).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 405})
    void otherwiseTheTagMovesToAThrowAwayManifestThatIsDeleted(int refusal) throws Exception {
        tagDeleteStatus = refusal;
        try (RegistryClient c = client()) {
            TagDeleter.deleteTag(c, "a", "r/app:a");
        }
        byte[] placeholder = manifests.get("a");
        assertThat(placeholder).as("the throw-away manifest was put at the tag").isNotNull();
        JsonNode m = new ObjectMapper().readTree(placeholder);
        assertThat(m.path("layers").size()).isZero();
        String config = m.path("config").path("digest").asText();
        Digest throwAway = Digest.sha256(placeholder);
        assertThat(throwAway.toString()).isNotEqualTo(IMAGE);
        assertThat(requests).filteredOn(r -> !r.equals("GET /v2/")).containsExactly(
                "HEAD /v2/app/manifests/a",
                "DELETE /v2/app/manifests/a",
                "POST /v2/app/blobs/uploads/",
                "PATCH /v2/app/blobs/uploads/u1",
                "PUT /v2/app/blobs/uploads/u1",
                "  digest=" + config.replace(":", "%3A"),
                "PUT /v2/app/manifests/a",
                "DELETE /v2/app/manifests/" + throwAway,
                "DELETE /v2/app/blobs/" + config);
        assertThat(requests).as("the tagged image is never deleted").doesNotContain("DELETE /v2/app/manifests/" + IMAGE);
    }

    @Test
    void twoCallsMakeDifferentThrowAwayManifests() {
        assertThat(TagDeleter.throwAwayConfig("a")).isNotEqualTo(TagDeleter.throwAwayConfig("a"));
    }

    @Test
    void aMissingTagIsNotFoundAndNothingIsChanged() {
        hasTag = false;
        assertThatThrownBy(() -> {
            try (RegistryClient c = client()) {
                TagDeleter.deleteTag(c, "a", "r/app:a");
            }
        }).isInstanceOf(ImageException.class).hasMessageContaining("no tag a")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(requests).filteredOn(r -> !r.equals("GET /v2/")).containsExactly("HEAD /v2/app/manifests/a");
    }

    @Test
    void aForbiddenTagDeleteIsAnErrorNotAWorkaround() {
        tagDeleteStatus = 403;
        assertThatThrownBy(() -> {
            try (RegistryClient c = client()) {
                TagDeleter.deleteTag(c, "a", "r/app:a");
            }
        }).isInstanceOf(ImageException.class);
        assertThat(manifests).isEmpty();
    }
}
