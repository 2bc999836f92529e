package dev.kopi.transport.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A manifest PUT that docker/distribution refuses because another writer is relinking one of its blobs at that
 * moment (400 DIGEST_INVALID / MANIFEST_BLOB_UNKNOWN) is tried again; other refusals are not.
 */
class ManifestPutRetryTest {
    private ScriptedRegistry server;
    private final AtomicInteger puts = new AtomicInteger();
    private volatile int refusals;
    private volatile String refusalCode = "DIGEST_INVALID";

    @BeforeEach
    void start() throws IOException {
        server = new ScriptedRegistry(this::handle);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private void handle(HttpExchange x) throws IOException {
        x.getRequestBody().readAllBytes();
        String p = x.getRequestURI().getPath();
        if (p.equals("/v2/")) {
            x.sendResponseHeaders(200, -1);
        } else if (x.getRequestMethod().equals("PUT") && p.equals("/v2/app/manifests/t")) {
            if (puts.incrementAndGet() <= refusals) {
                byte[] body = ("{\"errors\":[{\"code\":\"" + refusalCode + "\",\"message\":\"refused\"}]}")
                        .getBytes(StandardCharsets.UTF_8);
                x.getResponseHeaders().add("Content-Type", "application/json");
                x.sendResponseHeaders(400, body.length);
                x.getResponseBody().write(body);
            } else {
                x.sendResponseHeaders(201, -1);
            }
        } else {
            x.sendResponseHeaders(404, -1);
        }
        x.close();
    }

    private void put() throws IOException {
        try (RegistryClient c = server.client("app", "*")) {
            c.putManifest("{}".getBytes(StandardCharsets.UTF_8), "application/vnd.oci.image.manifest.v1+json", "t");
        }
    }

    @Test
    void aBlobLinkRaceIsRiddenOut() throws Exception {
        refusals = 2;
        put();
        assertThat(puts).hasValue(3);
    }

    @Test
    void aManifestBlobUnknownIsTriedAgainToo() throws Exception {
        refusals = 1;
        refusalCode = "MANIFEST_BLOB_UNKNOWN";
        put();
        assertThat(puts).hasValue(2);
    }

    @Test
    void aBlobThatStaysMissingFailsAfterAFewAttempts() {
        refusals = Integer.MAX_VALUE;
        assertThatThrownBy(this::put).isInstanceOf(ImageException.class)
                .hasMessageStartingWith("uploading manifest t to ").hasMessageContaining("digest invalid: refused");
        assertThat(puts).hasValue(4);
    }

    @Test
    void otherRefusalsAreNotRepeated() {
        refusals = Integer.MAX_VALUE;
        refusalCode = "MANIFEST_INVALID";
        assertThatThrownBy(this::put).isInstanceOf(ImageException.class).hasMessageContaining("manifest invalid");
        assertThat(puts).hasValue(1);
    }
}
