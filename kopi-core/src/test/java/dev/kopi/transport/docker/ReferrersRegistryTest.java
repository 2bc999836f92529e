package dev.kopi.transport.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import dev.kopi.digest.Digest;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.Referrers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Referrer discovery and the destination's referrers list against a scripted registry: the OCI 1.1 Referrers API
 * when the registry has it, the referrers tag schema ({@code sha256-<hex>}) when it answers 404, and the tag
 * schema's index kept up to date (merged, no duplicates) when a PUT answer lacks {@code OCI-Subject}.
 */
class ReferrersRegistryTest {
    private static final Digest SUBJECT = Digest.of("sha256:" + "5a".repeat(32));
    private static final String TAG = "sha256-" + "5a".repeat(32);

    private ScriptedRegistry server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    /** Manifests by tag or digest: content type and bytes. */
    private final Map<String, Object[]> manifests = new ConcurrentHashMap<>();
    private volatile boolean referrersApi;
    private volatile boolean paged;
    @TempDir
    Path tmp;

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
        requests.add(m + " " + p + (q == null ? "" : "?" + q));
        if (p.equals("/v2/")) {
            reply(x, 200, null, null);
        } else if (p.startsWith("/v2/app/referrers/")) {
            if (!referrersApi) {
                reply(x, 404, "text/plain", "404 page not found\n".getBytes(StandardCharsets.UTF_8));
                return;
            }
            Digest subject = Digest.parse(p.substring("/v2/app/referrers/".length()));
            List<Descriptor> found = new ArrayList<>();
            for (Map.Entry<String, Object[]> e : manifests.entrySet()) {
                byte[] b = (byte[]) e.getValue()[1];
                if (!e.getKey().startsWith("sha256:")) {
                    continue;
                }
                JsonNode n = Manifests.readTree(b, "m");
                if (n.path("subject").path("digest").asText().equals(subject.toString())) {
                    found.add(Referrers.descriptorFor(b, (String) e.getValue()[0]));
                }
            }
            found.sort((a, b) -> a.digest().toString().compareTo(b.digest().toString()));
            if (paged && found.size() > 1) {
                boolean second = "page=2".equals(q);
                found = second ? found.subList(1, found.size()) : found.subList(0, 1);
                if (!second) {
                    x.getResponseHeaders().add("Link", "<" + p + "?page=2>; rel=\"next\"");
                }
            }
            byte[] index = Referrers.emptyIndex().withInstances(found).serialize();
            reply(x, 200, MediaTypes.OCI_INDEX, index);
        } else if (p.startsWith("/v2/app/manifests/")) {
            String ref = p.substring("/v2/app/manifests/".length());
            if (m.equals("PUT")) {
                String ct = x.getRequestHeaders().getFirst("Content-Type");
                manifests.put(ref, new Object[] {ct, body});
                Digest d = Manifests.digest(body);
                manifests.put(d.toString(), new Object[] {ct, body});
                JsonNode n = Manifests.readTree(body, "m");
                if (referrersApi && n.has("subject")) {
                    x.getResponseHeaders().add("OCI-Subject", n.path("subject").path("digest").asText());
                }
                x.getResponseHeaders().add("Docker-Content-Digest", d.toString());
                reply(x, 201, null, null);
            } else {
                Object[] have = manifests.get(ref);
                if (have == null) {
                    reply(x, 404, "application/json",
                            "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\"}]}"
                                    .getBytes(StandardCharsets.UTF_8));
                } else {
                    reply(x, 200, (String) have[0], (byte[]) have[1]);
                }
            }
        } else {
            reply(x, 404, null, null);
        }
    }

    private static void reply(HttpExchange x, int status, String ct, byte[] body) throws IOException {
        if (ct != null) {
            x.getResponseHeaders().add("Content-Type", ct);
        }
        x.sendResponseHeaders(status, body == null ? -1 : body.length);
        if (body != null) {
            x.getResponseBody().write(body);
        }
        x.close();
    }

    private RegistryClient client() {
        return server.client("app", "pull,push");
    }

    /** An SBOM-like artifact manifest whose subject is {@link #SUBJECT}. */
    private static byte[] artifact(String name) {
        String s = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"artifactType\":\"application/vnd.example.sbom\",\"config\":{\"mediaType\":"
                + "\"application/vnd.oci.empty.v1+json\",\"digest\":\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc2"
                + "1fe77e8310c060f61caaff8a\",\"size\":2},\"layers\":[],\"subject\":{\"mediaType\":"
                + "\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + SUBJECT + "\",\"size\":100},"
                + "\"annotations\":{\"org.example.name\":\"" + name + "\"}}";
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private void store(byte[] manifest) throws Exception {
        manifests.put(Manifests.digest(manifest).toString(), new Object[] {MediaTypes.OCI_MANIFEST, manifest});
    }

    private DockerImageSource source(RegistryClient c) {
        return new DockerImageSource(null, c, null, null);
    }

    private DockerImageDestination destination(RegistryClient c) {
        return new DockerImageDestination(null, c, false, tmp, null);
    }

    @Test
    void referrersComeFromTheReferrersApiWhenTheRegistryHasIt() throws Exception {
        referrersApi = true;
        paged = true;
        byte[] a = artifact("a");
        byte[] b = artifact("b");
        store(a);
        store(b);
        List<Descriptor> found;
        try (RegistryClient c = client()) {
            found = source(c).fetchReferrers(SUBJECT);
        }
        assertThat(found).extracting(Descriptor::digest)
                .containsExactlyInAnyOrder(Manifests.digest(a), Manifests.digest(b));
        assertThat(found).allSatisfy(d -> assertThat(d.artifactType()).isEqualTo("application/vnd.example.sbom"));
        assertThat(requests).contains("GET /v2/app/referrers/" + SUBJECT,
                "GET /v2/app/referrers/" + SUBJECT + "?page=2");
        assertThat(requests).noneMatch(r -> r.contains("/manifests/" + TAG));
    }

    @Test
    void a404FromTheReferrersApiFallsBackToTheTagSchema() throws Exception {
        byte[] a = artifact("a");
        Descriptor entry = Referrers.descriptorFor(a, MediaTypes.OCI_MANIFEST);
        manifests.put(TAG, new Object[] {MediaTypes.OCI_INDEX,
                Referrers.emptyIndex().withInstances(List.of(entry)).serialize()});
        List<Descriptor> found;
        try (RegistryClient c = client()) {
            found = source(c).fetchReferrers(SUBJECT);
        }
        assertThat(found).containsExactly(entry);
        assertThat(requests).containsSubsequence("GET /v2/app/referrers/" + SUBJECT, "GET /v2/app/manifests/" + TAG);
    }

    @Test
    void noReferrersApiAndNoTagMeansNoReferrers() throws Exception {
        try (RegistryClient c = client()) {
            assertThat(source(c).fetchReferrers(SUBJECT)).isEmpty();
        }
    }

    @Test
    void aTagSchemaTagThatIsNotAnIndexIsAnError() throws Exception {
        manifests.put(TAG, new Object[] {MediaTypes.OCI_MANIFEST, artifact("x")});
        try (RegistryClient c = client()) {
            assertThatThrownBy(() -> source(c).fetchReferrers(SUBJECT))
                    .hasMessageContaining("referrers tag " + TAG).hasMessageContaining("not an OCI image index");
        }
    }

    @Test
    void withoutOciSubjectTheDestinationKeepsTheTagSchemaIndexMergedWithoutDuplicates() throws Exception {
        byte[] a = artifact("a");
        byte[] b = artifact("b");
        // someone else's referrer is listed already
        Descriptor other = new Descriptor(MediaTypes.OCI_MANIFEST, Digest.of("sha256:" + "0c".repeat(32)), 10,
                null, null, null, null, "application/vnd.other");
        manifests.put(TAG, new Object[] {MediaTypes.OCI_INDEX,
                Referrers.emptyIndex().withInstances(List.of(other)).serialize()});
        try (RegistryClient c = client()) {
            DockerImageDestination d = destination(c);
            d.putReferrer(a, MediaTypes.OCI_MANIFEST, SUBJECT);
            d.putReferrer(b, MediaTypes.OCI_MANIFEST, SUBJECT);
            d.putReferrer(a, MediaTypes.OCI_MANIFEST, SUBJECT); // again: nothing new to list
        }
        assertThat(manifests).containsKey(Manifests.digest(a).toString()).containsKey(Manifests.digest(b).toString());
        byte[] index = (byte[]) manifests.get(TAG)[1];
        JsonNode n = Manifests.readTree(index, "index");
        assertThat(n.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
        List<String> digests = new ArrayList<>();
        n.path("manifests").forEach(e -> digests.add(e.path("digest").asText()));
        assertThat(digests).containsExactly(other.digest().toString(), Manifests.digest(a).toString(),
                Manifests.digest(b).toString());
        JsonNode entryA = n.path("manifests").get(1);
        assertThat(entryA.path("artifactType").asText()).isEqualTo("application/vnd.example.sbom");
        assertThat(entryA.path("size").asLong()).isEqualTo(a.length);
        assertThat(entryA.path("annotations").path("org.example.name").asText()).isEqualTo("a");
        assertThat(requests).filteredOn(r -> r.equals("PUT /v2/app/manifests/" + TAG)).hasSize(2);
    }

    @Test
    void theDestinationStartsAnEmptyIndexWhenTheTagDoesNotExist() throws Exception {
        byte[] a = artifact("a");
        try (RegistryClient c = client()) {
            destination(c).putReferrer(a, MediaTypes.OCI_MANIFEST, SUBJECT);
        }
        JsonNode n = Manifests.readTree((byte[]) manifests.get(TAG)[1], "index");
        assertThat(n.path("manifests")).hasSize(1);
        assertThat(manifests.get(TAG)[0]).isEqualTo(MediaTypes.OCI_INDEX);
    }

    @Test
    void aRegistryAnsweringOciSubjectKeepsItsOwnList() throws Exception {
        referrersApi = true;
        try (RegistryClient c = client()) {
            destination(c).putReferrer(artifact("a"), MediaTypes.OCI_MANIFEST, SUBJECT);
        }
        assertThat(manifests).doesNotContainKey(TAG);
        assertThat(requests).noneMatch(r -> r.contains(TAG));
    }
}
