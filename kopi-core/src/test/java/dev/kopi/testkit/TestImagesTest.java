package dev.kopi.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.manifest.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TestImagesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SKOPEO = Path.of("/usr/bin/skopeo");

    @TempDir
    Path tmp;

    @Test
    void sameInputsGiveSameBytes() throws IOException {
        WrittenImage a = TestImages.multiLayer(tmp.resolve("a"), "t", 42);
        WrittenImage b = TestImages.multiLayer(tmp.resolve("b"), "t", 42);
        assertThat(b.manifestDigest()).isEqualTo(a.manifestDigest());
        assertThat(b.layers()).isEqualTo(a.layers());
        assertThat(tree(tmp.resolve("b"))).isEqualTo(tree(tmp.resolve("a")));

        WrittenIndex i1 = TestImages.multiPlatform(tmp.resolve("i1"), "t", 7);
        WrittenIndex i2 = TestImages.multiPlatform(tmp.resolve("i2"), "t", 7);
        assertThat(i2.indexDigest()).isEqualTo(i1.indexDigest());
        assertThat(tree(tmp.resolve("i2"))).isEqualTo(tree(tmp.resolve("i1")));
    }

    @Test
    void differentSeedsGiveDifferentLayers() throws IOException {
        WrittenImage a = TestImages.singleLayer(tmp.resolve("a"), "t", 1);
        WrittenImage b = TestImages.singleLayer(tmp.resolve("b"), "t", 2);
        assertThat(b.layers()).doesNotContainAnyElementsOf(a.layers());
        assertThat(b.diffIds()).doesNotContainAnyElementsOf(a.diffIds());
    }

    @Test
    void helloMatchesTheCommittedExample() throws IOException {
        WrittenImage hello = TestImages.hello(tmp);
        Path committed = findRepoRoot().resolve("examples/hello");
        // The layer bytes depend on the zlib build; the config and the tar (diff ID) do not.
        JsonNode index = JSON.readTree(committed.resolve("index.json").toFile());
        Digest committedManifest = Digest.of(index.path("manifests").get(0).path("digest").asText());
        JsonNode manifest = JSON.readTree(committed.resolve("blobs/sha256/" + committedManifest.encoded()).toFile());
        assertThat(manifest.path("config").path("digest").asText()).isEqualTo(hello.configDigest().toString());
        assertThat(index.path("manifests").get(0).path("annotations").path(OciLayoutWriter.REF_NAME).asText())
                .isEqualTo("latest");
    }

    @ParameterizedTest
    @ValueSource(strings = {"single", "multi", "uncompressed", "hello"})
    void layoutIsSelfConsistent(String kind) throws IOException {
        WrittenImage img = switch (kind) {
            case "single" -> TestImages.singleLayer(tmp, "v1", 3);
            case "multi" -> TestImages.multiLayer(tmp, "v1", 3, 0, 1, 5000, LayerSpec.MAX_FILE + 10);
            case "uncompressed" -> TestImages.writeImage(tmp, "v1",
                    ImageSpec.of(List.of(LayerSpec.random(10_000, 9))).withGzipLevel(0));
            default -> TestImages.hello(tmp);
        };
        String tag = kind.equals("hello") ? "latest" : "v1";
        assertThat(Files.readString(tmp.resolve("oci-layout"))).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
        JsonNode index = JSON.readTree(tmp.resolve("index.json").toFile());
        assertThat(index.path("schemaVersion").asInt()).isEqualTo(2);
        JsonNode entry = index.path("manifests").get(0);
        assertThat(entry.path("annotations").path(OciLayoutWriter.REF_NAME).asText()).isEqualTo(tag);
        assertThat(entry.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_MANIFEST);
        assertThat(entry.path("digest").asText()).isEqualTo(img.manifestDigest().toString());
        assertThat(entry.path("size").asLong()).isEqualTo(img.manifest().length);

        // Every blob is stored under its own digest.
        try (Stream<Path> blobs = Files.list(tmp.resolve("blobs/sha256"))) {
            for (Path p : blobs.toList()) {
                assertThat(sha256(p).encoded()).as("blob %s", p.getFileName()).isEqualTo(p.getFileName().toString());
            }
        }

        JsonNode manifest = JSON.readTree(img.manifest());
        JsonNode config = JSON.readTree(blob(img.configDigest()).toFile());
        assertThat(manifest.path("config").path("mediaType").asText()).isEqualTo(MediaTypes.OCI_CONFIG);
        assertThat(config.path("architecture").asText()).isEqualTo("amd64");
        assertThat(config.path("os").asText()).isEqualTo("linux");
        assertThat(config.path("created").asText()).isEqualTo("2024-01-02T03:04:05Z");
        assertThat(config.path("config").path("Env").size()).isPositive();
        assertThat(config.path("config").path("Labels").size()).isPositive();
        assertThat(config.path("history").size()).isEqualTo(img.layers().size());
        JsonNode layers = manifest.path("layers");
        assertThat(layers.size()).isEqualTo(img.layers().size());
        for (int i = 0; i < layers.size(); i++) {
            JsonNode l = layers.get(i);
            Path file = blob(Digest.of(l.path("digest").asText()));
            assertThat(Files.size(file)).isEqualTo(l.path("size").asLong());
            boolean gz = l.path("mediaType").asText().equals(MediaTypes.OCI_LAYER_GZIP);
            assertThat(gz).isEqualTo(!kind.equals("uncompressed"));
            Digest diffId;
            try (InputStream in = gz ? new GZIPInputStream(Files.newInputStream(file)) : Files.newInputStream(file)) {
                diffId = sha256(in);
            }
            assertThat(config.path("rootfs").path("diff_ids").get(i).asText()).isEqualTo(diffId.toString());
            assertThat(img.diffIds().get(i)).isEqualTo(diffId);
        }
    }

    @Test
    void gzipHeaderIsFixed() throws IOException {
        WrittenImage img = TestImages.singleLayer(tmp, "t", 1);
        byte[] head = new byte[10];
        try (InputStream in = Files.newInputStream(blob(img.layers().get(0)))) {
            assertThat(in.readNBytes(head, 0, 10)).isEqualTo(10);
        }
        assertThat(head).containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
    }

    @Test
    void layerTarHasTheGeneratedFiles() throws IOException {
        long size = LayerSpec.MAX_FILE + 3;
        WrittenImage img = TestImages.multiLayer(tmp, "t", 5, size);
        List<String> names = new ArrayList<>();
        long total = 0;
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new GZIPInputStream(Files.newInputStream(blob(img.layers().get(0)))))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName());
                assertThat(e.getModTime().toInstant()).isEqualTo(ImageSpec.CREATED);
                assertThat(e.getLongUserId()).isZero();
                total += e.getSize();
            }
        }
        assertThat(names).containsExactly("layer-5/", "layer-5/file-000.bin", "layer-5/file-001.bin");
        assertThat(total).isEqualTo(size);
    }

    @Test
    void retaggingKeepsOtherImages() throws IOException {
        WrittenImage a = TestImages.singleLayer(tmp, "a", 1);
        TestImages.singleLayer(tmp, "b", 2);
        WrittenImage b2 = TestImages.singleLayer(tmp, "b", 3);
        JsonNode index = JSON.readTree(tmp.resolve("index.json").toFile());
        Map<String, String> tags = new TreeMap<>();
        for (JsonNode m : index.path("manifests")) {
            tags.put(m.path("annotations").path(OciLayoutWriter.REF_NAME).asText(), m.path("digest").asText());
        }
        assertThat(tags).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "a", a.manifestDigest().toString(), "b", b2.manifestDigest().toString())));
    }

    @Test
    void indexHasThreePlatforms() throws IOException {
        WrittenIndex idx = TestImages.multiPlatform(tmp, "multi", 1);
        JsonNode index = JSON.readTree(idx.index());
        assertThat(index.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
        List<String> platforms = new ArrayList<>();
        for (JsonNode m : index.path("manifests")) {
            JsonNode p = m.path("platform");
            platforms.add(p.path("os").asText() + "/" + p.path("architecture").asText()
                    + (p.has("variant") ? "/" + p.path("variant").asText() : ""));
            JsonNode config = JSON.readTree(blob(Digest.of(
                    JSON.readTree(blob(Digest.of(m.path("digest").asText())).toFile()).path("config").path("digest")
                            .asText())).toFile());
            assertThat(config.path("architecture").asText()).isEqualTo(p.path("architecture").asText());
        }
        assertThat(platforms).containsExactly("linux/amd64", "linux/arm64/v8", "linux/arm/v7");
        JsonNode top = JSON.readTree(tmp.resolve("index.json").toFile()).path("manifests").get(0);
        assertThat(top.path("mediaType").asText()).isEqualTo(MediaTypes.OCI_INDEX);
        assertThat(top.path("digest").asText()).isEqualTo(idx.indexDigest().toString());
    }

    @Test
    void parsesSizes() {
        assertThat(TestImages.parseSize("123")).isEqualTo(123);
        assertThat(TestImages.parseSize("64k")).isEqualTo(65536);
        assertThat(TestImages.parseSize("2M")).isEqualTo(2L << 20);
        assertThat(TestImages.parseSize("1g")).isEqualTo(1L << 30);
    }

    // ---- skopeo as the oracle -------------------------------------------------------------------------------

    @Test
    void skopeoReadsASingleImage() throws Exception {
        WrittenImage img = TestImages.multiLayer(tmp.resolve("layout"), "v1", 11);
        String ref = "oci:" + tmp.resolve("layout") + ":v1";
        Result raw = skopeo("inspect", "--raw", ref);
        assertThat(raw.stdout).isEqualTo(img.manifest());
        Result copy = skopeo("--insecure-policy", "copy", "--quiet", ref, "dir:" + tmp.resolve("out"));
        assertThat(copy.exit).as(copy.stderr).isZero();
        assertThat(Files.readAllBytes(tmp.resolve("out/manifest.json"))).isEqualTo(img.manifest());
        for (Digest layer : img.layers()) {
            assertThat(tmp.resolve("out").resolve(layer.encoded())).exists();
        }
        Result inspect = skopeo("inspect", ref);
        JsonNode json = JSON.readTree(inspect.stdout);
        assertThat(json.path("Digest").asText()).isEqualTo(img.manifestDigest().toString());
        assertThat(json.path("Architecture").asText()).isEqualTo("amd64");
        assertThat(json.path("Layers").size()).isEqualTo(3);
    }

    @Test
    void skopeoCopiesTheIndexWithAllInstances() throws Exception {
        WrittenIndex idx = TestImages.multiPlatform(tmp.resolve("layout"), "multi", 1);
        String ref = "oci:" + tmp.resolve("layout") + ":multi";
        assertThat(skopeo("inspect", "--raw", ref).stdout).isEqualTo(idx.index());
        Result copy = skopeo("--insecure-policy", "copy", "--quiet", "--all", ref, "oci:" + tmp.resolve("copy") + ":m");
        assertThat(copy.exit).as(copy.stderr).isZero();
        for (WrittenImage instance : idx.instances()) {
            assertThat(tmp.resolve("copy/blobs/sha256").resolve(instance.manifestDigest().encoded())).exists();
            assertThat(tmp.resolve("copy/blobs/sha256").resolve(instance.configDigest().encoded())).exists();
        }
        Result arm = skopeo("--override-arch", "arm", "--override-variant", "v7", "inspect", ref);
        JsonNode armJson = JSON.readTree(arm.stdout);
        // skopeo's Digest is that of the top-level manifest (the index); the fields come from the chosen instance
        assertThat(armJson.path("Digest").asText()).isEqualTo(idx.indexDigest().toString());
        assertThat(armJson.path("Architecture").asText()).isEqualTo("arm");
        assertThat(armJson.path("Layers").get(0).asText()).isEqualTo(idx.instances().get(2).layers().get(0).toString());
    }

    @Test
    void skopeoReadsTheHelloExample() throws Exception {
        Path hello = findRepoRoot().resolve("examples/hello");
        Result copy = skopeo("--insecure-policy", "copy", "--quiet", "oci:" + hello + ":latest",
                "dir:" + tmp.resolve("x"));
        assertThat(copy.exit).as(copy.stderr).isZero();
        JsonNode manifest = JSON.readTree(tmp.resolve("x/manifest.json").toFile());
        Path layer = tmp.resolve("x").resolve(Digest.of(manifest.path("layers").get(0).path("digest").asText())
                .encoded());
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(layer)))) {
            TarArchiveEntry e = tar.getNextEntry();
            assertThat(e.getName()).isEqualTo("hello.txt");
            assertThat(new String(tar.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo(TestImages.HELLO_TEXT);
        }
    }

    private record Result(int exit, byte[] stdout, String stderr) {
    }

    private Result skopeo(String... args) throws Exception {
        if (!Files.isExecutable(SKOPEO)) {
            fail("skopeo is required at " + SKOPEO + " for this test; scripts/test installs it (apt-get install skopeo)");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(SKOPEO.toString());
        cmd.addAll(List.of(args));
        Path home = Files.createDirectories(tmp.resolve("home"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().keySet().removeIf(k -> !k.equals("PATH"));
        pb.environment().put("HOME", home.toString());
        pb.environment().put("TMPDIR", home.toString());
        pb.environment().put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        pb.environment().put("XDG_RUNTIME_DIR", home.toString());
        Path out = Files.createTempFile(home, "out", "");
        Path err = Files.createTempFile(home, "err", "");
        pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("skopeo timed out: " + cmd);
        }
        Result r = new Result(p.exitValue(), Files.readAllBytes(out), Files.readString(err));
        if (!cmd.contains("copy")) {
            assertThat(r.exit).as("%s: %s", cmd, r.stderr).isZero();
        }
        return r;
    }

    private Path blob(Digest d) {
        return tmp.resolve("blobs/sha256").resolve(d.encoded());
    }

    private static Digest sha256(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return sha256(in);
        }
    }

    private static Digest sha256(InputStream in) throws IOException {
        MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
            md.update(buf, 0, n);
        }
        return Digest.of(DigestAlgorithm.SHA256, md.digest());
    }

    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                out.put(root.relativize(p).toString(), sha256(p).toString());
            }
        }
        return out;
    }

    private static Path findRepoRoot() {
        Path p = Path.of("").toAbsolutePath();
        while (p != null && !Files.isDirectory(p.resolve("examples/hello"))) {
            p = p.getParent();
        }
        if (p == null) {
            fail("examples/hello not found above " + Path.of("").toAbsolutePath());
        }
        return p;
    }
}
