package dev.kopi.transport.dockerarchive;

import static dev.kopi.transport.tarball.TestImages.config;
import static dev.kopi.transport.tarball.TestImages.layerTar;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.digest.Digest;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.tarball.TestImages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;

/** Interoperability with the real skopeo (1.9.3 at /usr/bin/skopeo); skipped when it is not installed. */
@EnabledIf("skopeoInstalled")
class SkopeoInteropTest {
    private static final String SKOPEO = "/usr/bin/skopeo";

    @TempDir
    Path tmp;

    static boolean skopeoInstalled() {
        return Files.isExecutable(Path.of(SKOPEO));
    }

    private ImageContext ctx() {
        return ImageContext.builder().tmpDir(tmp).build();
    }

    private static ImageReference ref(String s) throws IOException {
        return DockerArchiveTransport.INSTANCE.parseReference(s);
    }

    /** Runs a command, returns stdout; fails on a non-zero exit. */
    static byte[] run(String... cmd) throws Exception {
        List<String> c = new ArrayList<>(List.of(cmd));
        Process p = new ProcessBuilder(c).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("%s failed: %s", c, new String(err, StandardCharsets.UTF_8)).isZero();
        return out;
    }

    private List<byte[]> layers() throws IOException {
        return List.of(layerTar("a.txt", "hello\n"), layerTar("b/c.txt", "world & <stuff>\n", "d", "\u00e9"));
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {":foo/bar:v1 | ", " | ",
        ":foo/bar:v1 | quay.io/a/b:2", ":localhost:5000/x/y:z | foo/bar:v1"})
    void ourSourceReadsSkopeoArchivesAndOurWriterMatchesItByteForByte(String tag, String additional)
            throws Exception {
        tag = tag == null ? "" : tag;
        List<byte[]> layers = layers();
        byte[] config = config(layers);
        Path oci = tmp.resolve("oci");
        TestImages.ociLayout(oci, config, layers);
        Path theirs = tmp.resolve("theirs.tar");
        List<String> cmd = new ArrayList<>(List.of(SKOPEO, "--insecure-policy", "copy", "-q"));
        if (additional != null) {
            cmd.add("--additional-tag=" + additional);
        }
        cmd.add("oci:" + oci);
        cmd.add("docker-archive:" + theirs + tag);
        run(cmd.toArray(new String[0]));

        byte[] rawManifest = run(SKOPEO, "inspect", "--raw", "docker-archive:" + theirs);
        byte[] rawConfig = run(SKOPEO, "inspect", "--config", "--raw", "docker-archive:" + theirs);
        try (ImageSource src = ref(theirs.toString()).newImageSource(ctx())) {
            byte[] m = src.fetchManifest(Optional.empty()).bytes();
            assertThat(new String(m, StandardCharsets.UTF_8)).isEqualTo(new String(rawManifest, StandardCharsets.UTF_8));
            JsonNode mj = TestImages.JSON.readTree(m);
            Digest cd = Digest.of(mj.get("config").get("digest").asText());
            assertThat(TestImages.readBlob(src, cd, mj.get("config").get("size").asLong())).isEqualTo(rawConfig)
                    .isEqualTo(config);
            for (int i = 0; i < layers.size(); i++) {
                JsonNode l = mj.get("layers").get(i);
                assertThat(l.get("digest").asText()).isEqualTo(Digest.sha256(layers.get(i)).toString());
                assertThat(TestImages.readBlob(src, Digest.of(l.get("digest").asText()), l.get("size").asLong()))
                        .isEqualTo(layers.get(i));
            }
        }

        // The same image through our destination, fed as skopeo's copy feeds it (gzip decompressed on the fly,
        // unknown digest and size), gives the very same bytes.
        Path ours = tmp.resolve("ours.tar");
        ImageContext c = additional == null ? ctx() : ctx().toBuilder().additionalTags(List.of(additional)).build();
        try (ImageDestination d = ref(ours + tag).newImageDestination(c)) {
            TestImages.write(d, config, layers, true, true);
        }
        assertThat(Files.readAllBytes(ours)).isEqualTo(Files.readAllBytes(theirs));
    }

    @Test
    void skopeoReadsOurArchives() throws Exception {
        List<byte[]> layers = new ArrayList<>(layers());
        layers.add(layerTar("big", "x".repeat(70000)));
        byte[] config = config(layers);
        Path ours = tmp.resolve("ours.tar");
        ImageContext c = ctx().toBuilder().additionalTags(List.of("quay.io/q/r:1")).build();
        try (ImageDestination d = ref(ours + ":example.com/a/b:c").newImageDestination(c)) {
            TestImages.write(d, config, layers, false, false);
        }
        byte[] mine;
        try (ImageSource src = ref(ours.toString()).newImageSource(ctx())) {
            mine = src.fetchManifest(Optional.empty()).bytes();
        }
        for (String name : List.of(ours.toString(), ours + ":quay.io/q/r:1", ours + ":@0")) {
            assertThat(run(SKOPEO, "inspect", "--raw", "docker-archive:" + name)).isEqualTo(mine);
            assertThat(run(SKOPEO, "inspect", "--config", "--raw", "docker-archive:" + name)).isEqualTo(config);
        }
        Path oci = tmp.resolve("copied");
        run(SKOPEO, "--insecure-policy", "copy", "-q", "docker-archive:" + ours, "oci:" + oci + ":x");
        JsonNode index = TestImages.JSON.readTree(oci.resolve("index.json").toFile());
        assertThat(index.get("manifests")).hasSize(1);
        // and back: skopeo writes the archive we would write from its output
        Path again = tmp.resolve("again.tar");
        run(SKOPEO, "--insecure-policy", "copy", "-q", "docker-archive:" + ours + ":@0",
                "docker-archive:" + again + ":example.com/a/b:c");
        try (ImageSource src = ref(again.toString()).newImageSource(ctx())) {
            assertThat(src.fetchManifest(Optional.empty()).bytes()).isEqualTo(mine);
        }
    }

    @Test
    void podmanLoadsOurArchive() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/podman")), "podman missing");
        List<byte[]> layers = layers();
        Path ours = tmp.resolve("p.tar");
        try (ImageDestination d = ref(ours + ":foo/bar:v1").newImageDestination(ctx())) {
            TestImages.write(d, config(layers), layers, true, false);
        }
        String out = new String(run("/usr/bin/podman", "--root", tmp.resolve("root").toString(), "--runroot",
                tmp.resolve("run").toString(), "--storage-driver", "vfs", "load", "-i", ours.toString()),
                StandardCharsets.UTF_8);
        assertThat(out).contains("Loaded image: docker.io/foo/bar:v1");
    }
}
