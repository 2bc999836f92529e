package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.it.CommandResult;
import dev.kopi.it.Kopi;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.it.Trees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SIGINT and SIGTERM in the middle of a copy to each local transport and to a registry. The copy reads its source
 * from a registry through a {@link FaultProxy} that stalls the largest layer half-way, so the signal always comes
 * while a blob is being written. kopi must exit with 130 (SIGINT) or 143 (SIGTERM), leave the destination exactly as
 * it was (an existing dir/oci layout/archive/store unchanged, no manifest in the registry), and leave no temporary
 * files in {@code $TMPDIR} or next to the destination.
 */
class InterruptIT {
    @RegisterExtension
    static final RegistryServer SRC = RegistryServer.builder().name("InterruptSrc").build();
    @RegisterExtension
    static final RegistryServer DEST = RegistryServer.builder().name("InterruptDest").build();
    private static final String REPO = "interrupt/src";

    @TempDir
    static Path shared;

    enum Dest { DIR, OCI, OCI_ARCHIVE, DOCKER_ARCHIVE, CONTAINERS_STORAGE, REGISTRY }

    @BeforeAll
    static void seed() {
        new Sandbox(shared.resolve("seed")).skopeo(args("copy", SRC.destArgs(), TestImage.MULTI.ociRef(),
                SRC.ref(REPO + ":v1"))).assertSuccess();
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (Dest d : Dest.values()) {
            out.add(Arguments.of(d, "INT", 130));
            out.add(Arguments.of(d, "TERM", 143));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "SIG{1} during a copy to {0}")
    @MethodSource("cases")
    void signalLeavesTheDestinationAsItWas(Dest dest, String signal, int expectedExit) throws Exception {
        Sandbox sb = new Sandbox(shared.resolve(dest + "-" + signal));
        Path area = Files.createDirectories(sb.path("dest"));
        String destRef;
        String repo = ("interrupt/" + dest.name().replace('_', '-') + "-" + signal).toLowerCase(java.util.Locale.ROOT);
        List<String> destFlags = List.of();
        switch (dest) {
            case DIR -> {
                sb.skopeo("copy", TestImage.SINGLE.ociRef(), "dir:" + area.resolve("img")).assertSuccess();
                destRef = "dir:" + area.resolve("img");
            }
            case OCI -> {
                sb.skopeo("copy", TestImage.SINGLE.ociRef(), "oci:" + area.resolve("layout") + ":old")
                        .assertSuccess();
                destRef = "oci:" + area.resolve("layout") + ":v1";
            }
            case OCI_ARCHIVE -> {
                sb.skopeo("copy", TestImage.SINGLE.ociRef(), "oci-archive:" + area.resolve("img.tar") + ":old")
                        .assertSuccess();
                destRef = "oci-archive:" + area.resolve("img.tar") + ":v1";
            }
            case DOCKER_ARCHIVE -> // docker-archive cannot add to an existing archive: a new file must not appear
                destRef = "docker-archive:" + area.resolve("img.tar") + ":new/img:v1";
            case CONTAINERS_STORAGE -> {
                String store = "containers-storage:[vfs@" + area.resolve("root") + "+" + area.resolve("run") + "]";
                sb.kopi("copy", TestImage.SINGLE.ociRef(), store + "localhost/old:v1").assertSuccess();
                destRef = store + "localhost/new:v1";
            }
            case REGISTRY -> {
                destRef = DEST.ref(repo + ":v1");
                destFlags = DEST.destArgs();
            }
            default -> throw new IllegalStateException();
        }
        Map<String, String> before = snapshot(area);

        String layer = largestLayer();
        // one proxy per case: the cases run side by side, and each stalls its own download
        FaultProxy proxy = FaultProxy.start(SRC);
        FaultProxy.Rule stall = proxy.inject("GET", "/blobs/" + layer + "$", 1, Fault.stall(1024, Duration.ofSeconds(20)));

        List<String> cmd = new ArrayList<>(Kopi.command(sb));
        cmd.addAll(List.of(args("copy", proxy.srcArgs(), destFlags, proxy.ref(REPO + ":v1"), destRef)));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(sb.root().toFile())
                .redirectOutput(sb.path("out.txt").toFile()).redirectError(sb.path("err.txt").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().clear();
        pb.environment().putAll(sb.env());
        long t0 = System.nanoTime();
        Process p = pb.start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (stall.hits() == 0 && p.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(stall.hits()).as("the copy reached the stalled layer; alive %s, stderr: %s\n%s", p.isAlive(),
                    Files.readString(sb.path("err.txt")), proxy.describe()).isEqualTo(1);
            Thread.sleep(500); // let the other layers finish: the copy is now blocked in the middle of a blob
            new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("kopi ended within 15 s of SIG%s", signal).isTrue();
        } finally {
            p.destroyForcibly();
            proxy.close();
        }
        CommandResult r = new CommandResult(cmd, p.exitValue(), Files.readAllBytes(sb.path("out.txt")),
                Files.readString(sb.path("err.txt")), Duration.ofNanos(System.nanoTime() - t0));
        assertThat(r.exitCode()).as("exit status after SIG%s: %s", signal, r).isEqualTo(expectedExit);
        assertThat(r.stderr()).as("no stack trace").doesNotContain("\tat ", "Exception");
        assertThat(r.elapsed()).as("stopped long before the stall ended").isLessThan(Duration.ofSeconds(18));
        Map<String, String> after = snapshot(area);
        if (dest == Dest.CONTAINERS_STORAGE) {
            // As containers/image does, layers committed before the signal stay in the store (complete, used by no
            // image, reusable by the next copy); the images, every file that was there and the staging area are
            // unchanged, and no layer is left incomplete.
            Map<String, String> kept = new java.util.TreeMap<>(after);
            kept.keySet().removeIf(k -> !before.containsKey(k) && (k.startsWith("root/vfs/dir/")
                    || k.matches("root/vfs-layers/[0-9a-f]{64}\\.tar-split\\.gz")));
            kept.put("root/vfs-layers/layers.json", before.get("root/vfs-layers/layers.json"));
            assertThat(kept).as("store after SIG%s (new complete layers aside)", signal).isEqualTo(before);
            assertThat(Files.readString(area.resolve("root/vfs-layers/layers.json"))).as("layers.json")
                    .doesNotContain("incomplete");
        } else {
            assertThat(after).as("destination area after SIG%s", signal).isEqualTo(before);
        }
        assertThat(FaultMatrixIT.leftovers(sb.tmp())).as("files left in $TMPDIR").isEmpty();
        if (dest == Dest.REGISTRY) {
            assertThat(DEST.hasManifest(repo, "v1")).as("manifest in the registry after SIG%s", signal).isFalse();
        }
    }

    private static String largestLayer() {
        var m = dev.kopi.it.Fixtures.multi();
        int best = 0;
        for (int i = 1; i < m.layers().size(); i++) {
            if (m.layerSizes().get(i) > m.layerSizes().get(best)) {
                best = i;
            }
        }
        return m.layers().get(best).toString();
    }

    /**
     * Every file under {@code area} with its digest; lock files (whose contents c/storage rewrites on every lock)
     * are listed with their names only.
     */
    static Map<String, String> snapshot(Path area) {
        Map<String, String> all = Trees.digests(area);
        all.replaceAll((name, digest) -> name.endsWith(".lock") || name.endsWith("lock") ? "lock" : digest);
        try (Stream<Path> s = Files.walk(area)) {
            s.filter(Files::isDirectory).forEach(d -> all.put(area.relativize(d) + "/", "dir"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all;
    }
}
