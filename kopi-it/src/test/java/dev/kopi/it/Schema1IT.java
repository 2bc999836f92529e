package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Docker schema1 conversions against skopeo 1.9.3.
 *
 * <p>{@code --format v2s1}: skopeo signs every schema1 manifest it writes with a fresh random key, so two copies
 * never have the same bytes. What must match is the payload the signature covers (the manifest without its
 * {@code signatures}, which is also what the manifest digest covers); kopi's signed manifest must also be one skopeo
 * reads. Converting schema1 back (to v2s2 or OCI) is deterministic, so there the manifests, configs and all blobs
 * must be byte-identical to skopeo's.
 */
class Schema1IT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String EMPTY_LAYER = "a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4";

    @TempDir
    Path tmp;

    /** A source image for the v2s1 conversion. */
    enum Source {
        /** The one-layer OCI fixture. */
        SINGLE,
        /** The three-layer OCI fixture. */
        MULTI,
        /**
         * The three-layer image as v2s2 in dir:, its config given history entries without layers (which become the
         * gzipped empty layer), a non-UTC time, an entry without a time, an author and HTML-sensitive characters.
         */
        EMPTY_LAYERS
    }

    static Stream<Source> sources() {
        return Stream.of(Source.values());
    }

    private String sourceRef(Sandbox sb, Source s) throws IOException {
        return switch (s) {
            case SINGLE -> TestImage.SINGLE.ociRef();
            case MULTI -> TestImage.MULTI.ociRef();
            case EMPTY_LAYERS -> "dir:" + withEmptyLayers(sb);
        };
    }

    /** Rewrites skopeo's v2s2 dir: copy of MULTI so that its config history has empty layers. */
    private static Path withEmptyLayers(Sandbox sb) throws IOException {
        Path dir = sb.path("src-empty-layers");
        sb.skopeo("copy", "--format", "v2s2", TestImage.MULTI.ociRef(), "dir:" + dir).assertSuccess();
        Path manifestFile = dir.resolve("manifest.json");
        ObjectNode manifest = (ObjectNode) JSON.readTree(manifestFile.toFile());
        ObjectNode configDesc = (ObjectNode) manifest.get("config");
        Path oldConfig = dir.resolve(configDesc.get("digest").asText().substring("sha256:".length()));
        ObjectNode config = (ObjectNode) JSON.readTree(oldConfig.toFile());
        ArrayNode old = (ArrayNode) config.get("history");
        ArrayNode history = JSON.createArrayNode();
        history.add(JSON.createObjectNode().put("created", "2024-01-02T03:04:05Z")
                .put("created_by", "/bin/sh -c #(nop) ADD <file> & stuff").put("author", "Some One <a@b.c>"));
        history.add(JSON.createObjectNode().put("created", "2024-01-02T03:04:06.123456789+02:00")
                .put("created_by", "/bin/sh -c #(nop)  ENV A=b").put("empty_layer", true).put("comment", "empty"));
        history.add(old.get(1));
        history.add(JSON.createObjectNode().put("created_by", "LABEL x=y").put("empty_layer", true));
        history.add(old.get(2));
        history.add(JSON.createObjectNode().put("created", "2024-01-02T03:04:09Z").put("created_by", "CMD [\"sh\"]")
                .put("empty_layer", true));
        config.set("history", history);
        config.put("author", "Me <me@example.com>");
        ((ObjectNode) config.get("config")).putArray("Cmd").add("sh");
        ((ObjectNode) config.get("config").get("Labels")).put("x", "y<&>");
        byte[] bytes = JSON.writeValueAsBytes(config);
        String hex = Trees.sha256(bytes);
        Files.delete(oldConfig);
        Files.write(dir.resolve(hex), bytes);
        configDesc.put("digest", "sha256:" + hex).put("size", bytes.length);
        Files.write(manifestFile, JSON.writeValueAsBytes(manifest));
        return dir;
    }

    /** The bytes a signed schema1 manifest's signatures cover: up to formatLength, then formatTail. */
    static byte[] payload(byte[] signed) throws IOException {
        JsonNode sigs = JSON.readTree(signed).get("signatures");
        assertThat(sigs).as("signatures of a schema1 manifest").isNotNull().hasSize(1);
        JsonNode prot = JSON.readTree(Base64.getUrlDecoder().decode(sigs.get(0).get("protected").asText()));
        int length = prot.get("formatLength").asInt();
        byte[] tail = Base64.getUrlDecoder().decode(prot.get("formatTail").asText());
        byte[] out = new byte[length + tail.length];
        System.arraycopy(signed, 0, out, 0, length);
        System.arraycopy(tail, 0, out, length, tail.length);
        return out;
    }

    private static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static Map<String, String> blobs(Path dir) {
        Map<String, String> m = Trees.digests(dir);
        m.remove("manifest.json");
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sources")
    void toV2s1InDirLikeSkopeo(Source source) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String src = sourceRef(sb, source);
        Path byKopi = sb.path("bykopi");
        Path bySkopeo = sb.path("byskopeo");
        sb.kopi("copy", "--format", "v2s1", src, "dir:" + byKopi).assertSuccess();
        sb.skopeo("copy", "--format", "v2s1", src, "dir:" + bySkopeo).assertSuccess();

        byte[] kopiManifest = Files.readAllBytes(byKopi.resolve("manifest.json"));
        byte[] skopeoManifest = Files.readAllBytes(bySkopeo.resolve("manifest.json"));
        assertThat(text(payload(kopiManifest))).as("payload (manifest without signatures) kopi wrote vs skopeo's")
                .isEqualTo(text(payload(skopeoManifest)));
        assertThat(blobs(byKopi)).as("blobs and version file (no config in schema1; empty layer if used)")
                .containsExactlyEntriesOf(blobs(bySkopeo));
        assertThat(blobs(byKopi).containsKey(EMPTY_LAYER)).isEqualTo(source == Source.EMPTY_LAYERS);

        // skopeo reads kopi's signed manifest (parsing the JWS to compute the digest) as its own.
        String inspectKopi = sb.skopeo("inspect", "dir:" + byKopi).assertSuccess().stdout();
        String inspectSkopeo = sb.skopeo("inspect", "dir:" + bySkopeo).assertSuccess().stdout();
        assertThat(inspectKopi).isEqualTo(inspectSkopeo);
        // And kopi reads both as skopeo does.
        Images.assertSameInspect(sb.kopi("inspect", "dir:" + byKopi).assertSuccess().stdout(), inspectKopi,
                "kopi's v2s1 image");
        Images.assertSameInspect(sb.kopi("inspect", "dir:" + bySkopeo).assertSuccess().stdout(), inspectSkopeo,
                "skopeo's v2s1 image");
        assertThat(sb.skopeo("inspect", "--raw", "dir:" + byKopi).assertSuccess().stdoutBytes())
                .isEqualTo(kopiManifest);
    }

    @Test
    void toV2s1InOciLayoutLikeSkopeo() throws IOException {
        // Forced formats are not checked against what the destination takes: both store the schema1 manifest.
        Sandbox sb = new Sandbox(tmp);
        Path byKopi = sb.path("bykopi");
        Path bySkopeo = sb.path("byskopeo");
        String src = TestImage.MULTI.ociRef();
        sb.kopi("copy", "--format", "v2s1", src, "oci:" + byKopi + ":t").assertSuccess();
        sb.skopeo("copy", "--format", "v2s1", src, "oci:" + bySkopeo + ":t").assertSuccess();
        assertThat(JSON.readTree(byKopi.resolve("index.json").toFile()))
                .isEqualTo(JSON.readTree(bySkopeo.resolve("index.json").toFile()));
        JsonNode desc = JSON.readTree(bySkopeo.resolve("index.json").toFile()).get("manifests").get(0);
        assertThat(desc.get("mediaType").asText()).isEqualTo("application/vnd.docker.distribution.manifest.v1+prettyjws");
        Map<String, String> k = Trees.digests(byKopi.resolve("blobs"));
        Map<String, String> s = Trees.digests(bySkopeo.resolve("blobs"));
        String manifestBlob = "sha256/" + desc.get("digest").asText().substring("sha256:".length());
        assertThat(text(payload(Files.readAllBytes(byKopi.resolve("blobs").resolve(manifestBlob)))))
                .isEqualTo(text(payload(Files.readAllBytes(bySkopeo.resolve("blobs").resolve(manifestBlob)))));
        k.remove(manifestBlob);
        s.remove(manifestBlob);
        assertThat(k).isEqualTo(s);
    }

    @Test
    void indexToV2s1LikeSkopeo() throws IOException {
        // --all with --format v2s1: every instance becomes schema1, listed in a Docker manifest list.
        Sandbox sb = new Sandbox(tmp);
        Path byKopi = sb.path("bykopi");
        Path bySkopeo = sb.path("byskopeo");
        String src = TestImage.INDEX.ociRef();
        sb.kopi(Images.copy(TestImage.INDEX, true, src, "dir:" + byKopi, "--format", "v2s1")).assertSuccess();
        sb.skopeo(Images.copy(TestImage.INDEX, false, src, "dir:" + bySkopeo, "--format", "v2s1")).assertSuccess();
        // Signed manifests have a fixed length, so even the list (sizes, payload digests) is byte-identical.
        assertThat(text(Files.readAllBytes(byKopi.resolve("manifest.json"))))
                .isEqualTo(text(Files.readAllBytes(bySkopeo.resolve("manifest.json"))));
        Map<String, String> k = blobs(byKopi);
        Map<String, String> s = blobs(bySkopeo);
        assertThat(k.keySet()).isEqualTo(s.keySet());
        for (String f : s.keySet()) {
            if (f.endsWith(".manifest.json")) {
                assertThat(text(payload(Files.readAllBytes(byKopi.resolve(f)))))
                        .as("payload of instance %s", f)
                        .isEqualTo(text(payload(Files.readAllBytes(bySkopeo.resolve(f)))));
            } else {
                assertThat(k.get(f)).as("blob %s", f).isEqualTo(s.get(f));
            }
        }
    }

    @Test
    void toV2s1InDockerArchiveFailsLikeSkopeo() {
        Sandbox sb = new Sandbox(tmp);
        String src = TestImage.MULTI.ociRef();
        String kopi = sb.kopi("copy", "--format", "v2s1", src, "docker-archive:" + sb.path("k.tar") + ":a/b:c")
                .assertExit(1).assertOneFatalLine();
        String skopeo = sb.skopeo("copy", "--format", "v2s1", src, "docker-archive:" + sb.path("s.tar") + ":a/b:c")
                .assertExit(1).assertOneFatalLine();
        assertThat(kopi).isEqualTo(skopeo).isEqualTo("writing manifest: Unsupported manifest type, need a Docker "
                + "schema 2 manifest");
    }

    /** How a schema1 image is converted back: {@code --format} value (or null) and destination transport. */
    record Back(String format, LocalTransport dst) {
        @Override
        public String toString() {
            return (format == null ? "default" : "--format " + format) + " to " + dst;
        }
    }

    static Stream<Object[]> backCases() {
        return Stream.of(Source.MULTI, Source.EMPTY_LAYERS).flatMap(s -> Stream.of(
                new Object[] {s, new Back("v2s2", LocalTransport.DIR)},
                new Object[] {s, new Back("oci", LocalTransport.DIR)},
                new Object[] {s, new Back(null, LocalTransport.OCI)},
                new Object[] {s, new Back(null, LocalTransport.DOCKER_ARCHIVE)}));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("backCases")
    void fromSkopeosV2s1LikeSkopeo(Source source, Back back) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path s1 = sb.path("v2s1");
        sb.skopeo("copy", "--format", "v2s1", sourceRef(sb, source), "dir:" + s1).assertSuccess();
        String src = "dir:" + s1;
        String byKopi = back.dst().ref(sb.root(), "bykopi");
        String bySkopeo = back.dst().ref(sb.root(), "byskopeo");
        String[] format = back.format() == null ? new String[0] : new String[] {"--format", back.format()};
        sb.kopi(concat(new String[] {"copy"}, format, new String[] {src, byKopi})).assertSuccess();
        sb.skopeo(concat(new String[] {"copy"}, format, new String[] {src, bySkopeo})).assertSuccess();

        String kopiRaw = sb.skopeo("inspect", "--raw", byKopi).assertSuccess().stdout();
        assertThat(kopiRaw).as("manifest kopi wrote vs skopeo's")
                .isEqualTo(sb.skopeo("inspect", "--raw", bySkopeo).assertSuccess().stdout());
        assertThat(sb.skopeo("inspect", "--config", "--raw", byKopi).assertSuccess().stdout())
                .as("config kopi built vs skopeo's")
                .isEqualTo(sb.skopeo("inspect", "--config", "--raw", bySkopeo).assertSuccess().stdout());
        Images.assertSameImage(sb, TestImage.MULTI, back.dst(), byKopi, back.dst().path(sb.root(), "bykopi"),
                bySkopeo, back.dst().path(sb.root(), "byskopeo"));

        // The DiffIDs kopi computed while copying are those of the original image.
        if (back.dst() != LocalTransport.DOCKER_ARCHIVE) {
            JsonNode config = JSON.readTree(sb.skopeo("inspect", "--config", "--raw", byKopi).assertSuccess()
                    .stdout());
            List<String> diffIds = Fixtures.multi().diffIds().stream().map(Object::toString).toList();
            assertThat(config.get("rootfs").get("diff_ids")).extracting(JsonNode::asText)
                    .containsExactlyElementsOf(diffIds);
        }
    }

    @Test
    void roundTripThroughKopisOwnV2s1() throws IOException {
        // kopi's schema1 output converted back by kopi and by skopeo gives the same image.
        Sandbox sb = new Sandbox(tmp);
        Path s1 = sb.path("v2s1");
        sb.kopi("copy", "--format", "v2s1", "dir:" + withEmptyLayers(sb), "dir:" + s1).assertSuccess();
        Path byKopi = sb.path("bykopi");
        Path bySkopeo = sb.path("byskopeo");
        sb.kopi("copy", "--format", "v2s2", "dir:" + s1, "dir:" + byKopi).assertSuccess();
        sb.skopeo("copy", "--format", "v2s2", "dir:" + s1, "dir:" + bySkopeo).assertSuccess();
        Trees.assertSameTree(byKopi, bySkopeo, "v2s2 from kopi's v2s1");
    }

    private static String[] concat(String[]... parts) {
        return Stream.of(parts).flatMap(Stream::of).toArray(String[]::new);
    }
}
