package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.Digest;
import dev.kopi.testkit.WrittenImage;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code docker-daemon:} against a real Docker-compatible engine: a podman API service
 * ({@code podman system service}, vfs driver, a store under the sandbox) on a unix socket, started once for the
 * class. kopi writes into it ({@code POST /images/load}) and podman and skopeo see the same image; kopi reads from it
 * ({@code GET /images/get}) and gets what skopeo gets; a missing image and an absent daemon fail with exit 1.
 *
 * <p>{@code -Dkopi.cmd=/usr/bin/skopeo -DexcludedGroups=newest-skopeo} runs the reading test against skopeo 1.9.3
 * itself; the writing test differs from 1.9.3 only by {@code LayersData} (KNOWN_DIFFERENCES.md).
 */
class DaemonIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path root;
    private static Sandbox sb;
    private static Process service;
    private static Path socket;
    private static String host;

    @BeforeAll
    static void startService() throws Exception {
        sb = new Sandbox(root);
        socket = sb.path("podman.sock");
        host = "unix://" + socket;
        List<String> cmd = new ArrayList<>(List.of(Tools.podman().toString(), "--root",
                sb.root().resolve("podman/root").toString(), "--runroot", sb.root().resolve("podman/runroot").toString(),
                "--storage-driver", "vfs", "--events-backend", "file", "--cgroup-manager", "cgroupfs", "--tmpdir",
                sb.tmp().toString(), "system", "service", "--time=0", host));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(sb.env());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.redirectErrorStream(true);
        pb.redirectOutput(sb.path("podman-service.log").toFile());
        service = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!accepts(socket)) {
            if (!service.isAlive()) {
                fail("podman system service exited with " + service.exitValue() + ": "
                        + Files.readString(sb.path("podman-service.log")));
            }
            if (System.nanoTime() > deadline) {
                fail("podman system service did not listen on " + socket + " within 60 s: "
                        + Files.readString(sb.path("podman-service.log")));
            }
            Thread.sleep(50);
        }
    }

    private static boolean accepts(Path sock) {
        if (!Files.exists(sock)) {
            return false;
        }
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(sock));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @AfterAll
    static void stopService() throws InterruptedException {
        if (service == null) {
            return;
        }
        List<ProcessHandle> children = service.descendants().toList();
        service.destroy();
        if (!service.waitFor(15, TimeUnit.SECONDS)) {
            service.destroyForcibly();
            service.waitFor(10, TimeUnit.SECONDS);
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    private static WrittenImage expected(TestImage img) {
        return img == TestImage.SINGLE ? Fixtures.single() : Fixtures.multi();
    }

    private static JsonNode podmanInspect(String nameOrId) throws IOException {
        CommandResult r = sb.podman("image", "inspect", nameOrId).assertSuccess();
        return JSON.readTree(r.stdout()).get(0);
    }

    /** Puts {@code img} into the engine without kopi: skopeo writes a docker-archive, podman loads it. */
    private static void loadWithoutKopi(TestImage img, String name) {
        Path archive = sb.path("load-" + img.tag() + ".tar");
        sb.skopeo("copy", img.ociRef(), "docker-archive:" + archive + ":" + name).assertSuccess();
        sb.podman("load", "-i", archive.toString()).assertSuccess();
    }

    @ParameterizedTest
    @EnumSource(value = TestImage.class, names = {"SINGLE", "MULTI"})
    void kopiWritesIntoTheDaemon(TestImage img) throws IOException {
        String name = "localhost/kopi/" + img.tag() + ":written";
        sb.kopi("copy", "--dest-daemon-host", host, img.ociRef(), "docker-daemon:" + name).assertSuccess();

        assertThat(sb.podman("images", "--format", "{{.Repository}}:{{.Tag}}").assertSuccess().stdout())
                .contains(name);
        JsonNode image = podmanInspect(name);
        WrittenImage want = expected(img);
        assertThat(image.path("Id").asText()).as("image ID = config digest").isEqualTo(want.imageId());
        List<String> layers = new ArrayList<>();
        image.path("RootFS").path("Layers").forEach(l -> layers.add(l.asText()));
        assertThat(layers).as("RootFS layers = the config's diff IDs")
                .containsExactlyElementsOf(want.diffIds().stream().map(Digest::toString).toList());

        // skopeo reads it back from the daemon with the same digests kopi reports
        CommandResult skopeo = sb.skopeo("inspect", "--daemon-host", host, "docker-daemon:" + name).assertSuccess();
        CommandResult kopi = sb.kopi("inspect", "--daemon-host", host, "docker-daemon:" + name).assertSuccess();
        Images.assertSameInspect(kopi.stdout(), skopeo.stdout(), "docker-daemon:" + name);
        assertThat(JSON.readTree(skopeo.stdout()).path("Layers").toString())
                .isEqualTo(JSON.valueToTree(want.diffIds().stream().map(Digest::toString).toList()).toString());
    }

    @ParameterizedTest
    @EnumSource(value = TestImage.class, names = {"SINGLE", "MULTI"})
    void kopiReadsFromTheDaemonAsSkopeoDoes(TestImage img) throws IOException {
        String name = "localhost/loaded/" + img.tag() + ":v1";
        loadWithoutKopi(img, name);
        WrittenImage want = expected(img);

        // dir: keeps the layers as the daemon gave them (uncompressed): byte-identical trees
        Path dirKopi = sb.path("dir-kopi-" + img.tag());
        Path dirSkopeo = sb.path("dir-skopeo-" + img.tag());
        sb.kopi("copy", "--src-daemon-host", host, "docker-daemon:" + name, "dir:" + dirKopi).assertSuccess();
        sb.skopeo("copy", "--src-daemon-host", host, "docker-daemon:" + name, "dir:" + dirSkopeo).assertSuccess();
        Trees.assertSameTree(dirKopi, dirSkopeo, "docker-daemon: -> dir: by kopi and by skopeo");
        for (Digest diffId : want.diffIds()) {
            assertThat(dirKopi.resolve(diffId.encoded())).as("layer stored under its diff ID").exists();
        }
        assertThat(dirKopi.resolve(want.configDigest().encoded())).as("the fixture's own config").exists();

        // oci: compresses the layers (gzip bytes differ between Go and the JDK): same manifest apart from the
        // compressed digests and sizes, same uncompressed layers and config
        Path ociKopi = sb.path("oci-kopi-" + img.tag());
        Path ociSkopeo = sb.path("oci-skopeo-" + img.tag());
        sb.kopi("copy", "--src-daemon-host", host, "docker-daemon:" + name, "oci:" + ociKopi + ":t").assertSuccess();
        sb.skopeo("copy", "--src-daemon-host", host, "docker-daemon:" + name, "oci:" + ociSkopeo + ":t")
                .assertSuccess();
        assertThat(Images.maskLayers(ociManifest(ociKopi))).as("oci manifest by kopi vs skopeo, layers masked")
                .isEqualTo(Images.maskLayers(ociManifest(ociSkopeo)));
        Images.assertSameUncompressedLayers(sb, img, "oci:" + ociKopi + ":t", "oci:" + ociSkopeo + ":t");

        // the same image, named by its ID
        Path byId = sb.path("dir-id-" + img.tag());
        sb.kopi("copy", "--src-daemon-host", host, "docker-daemon:" + want.configDigest(), "dir:" + byId)
                .assertSuccess();
        Trees.assertSameTree(byId, dirSkopeo, "docker-daemon:ID -> dir:");
    }

    /** The manifest of the only image of an oci layout. */
    private static String ociManifest(Path layout) throws IOException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        String digest = index.path("manifests").get(0).path("digest").asText();
        return Files.readString(layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())));
    }

    /** The Docker client of newest skopeo prints the daemon's message; 1.9.3's printed the raw JSON body. */
    @Test
    @Tag(FailureIT.NEWEST)
    void aMissingImageFailsWithExitCode1() {
        String ref = "docker-daemon:localhost/kopi/missing:v1";
        CommandResult kopi = sb.kopi("copy", "--src-daemon-host", host, ref, "oci:" + sb.path("never") + ":t");
        kopi.assertExit(1);
        assertThat(kopi.assertOneFatalLine()).isEqualTo("initializing source " + ref + ": loading image from docker "
                + "engine: Error response from daemon: localhost/kopi/missing:v1: image not known");
        CommandResult skopeo = sb.skopeo("copy", "--src-daemon-host", host, ref, "oci:" + sb.path("never2") + ":t");
        skopeo.assertExit(1);
        assertThat(skopeo.assertOneFatalLine()).contains("image not known");
        assertThat(sb.path("never")).doesNotExist();
    }

    /**
     * Newest skopeo's texts: 1.9.3 reported a failed load as {@code writing blob: io: read/write on closed pipe} and
     * a missing socket file as "Cannot connect".
     */
    @Test
    @Tag(FailureIT.NEWEST)
    void anAbsentDaemonFailsWithExitCode1() throws IOException {
        // a socket file nobody listens on (a daemon that died)
        Path stale = sb.path("stale.sock");
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(stale));
        }
        String staleHost = "unix://" + stale;
        String cannotConnect = "Cannot connect to the Docker daemon at " + staleHost + ". Is the docker daemon running?";
        CommandResult src = sb.kopi("copy", "--src-daemon-host", staleHost, "docker-daemon:a/b:c",
                "oci:" + sb.path("never3") + ":t").assertExit(1);
        assertThat(src.assertOneFatalLine()).isEqualTo("initializing source docker-daemon:a/b:c: loading image from "
                + "docker engine: " + cannotConnect);
        CommandResult dest = sb.kopi("copy", "--dest-daemon-host", staleHost, TestImage.SINGLE.ociRef(),
                "docker-daemon:a/b:c").assertExit(1);
        assertThat(dest.assertOneFatalLine()).endsWith("starting a load operation in docker engine: " + cannotConnect);
        // skopeo (all versions) says the same for a refused connection
        assertThat(sb.skopeo("inspect", "--daemon-host", staleHost, "docker-daemon:a/b:c").assertExit(1)
                .assertOneFatalLine()).endsWith(cannotConnect);

        // no socket file at all: the newest Docker client names the path
        Path none = sb.path("none.sock");
        CommandResult missing = sb.kopi("inspect", "--daemon-host", "unix://" + none, "docker-daemon:a/b:c")
                .assertExit(1);
        assertThat(missing.assertOneFatalLine()).endsWith("failed to connect to the docker API at unix://" + none
                + "; check if the path is correct and if the daemon is running: dial unix " + none
                + ": connect: no such file or directory");
    }
}
