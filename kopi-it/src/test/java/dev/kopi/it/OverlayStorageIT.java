package dev.kopi.it;

import static dev.kopi.it.StorageIT.assertSameInspect;
import static dev.kopi.it.StorageIT.assertSameOciCopy;
import static dev.kopi.it.StorageIT.json;
import static dev.kopi.it.StorageIT.podmanInspect;
import static dev.kopi.it.StorageIT.records;
import static dev.kopi.it.StorageIT.strings;
import static dev.kopi.it.StorageIT.tarSplits;
import static dev.kopi.it.StorageIT.texts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.internal.unix.UnixFiles;
import dev.kopi.it.registry.RegistryServer;
import dev.kopi.testkit.WrittenImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code containers-storage:} with the {@code overlay} driver, against podman 4.3.1 ({@code --storage-driver=overlay},
 * native overlayfs, as root) and skopeo 1.9.3 on throwaway stores: kopi reads what podman pulled with the digests
 * skopeo reports, whiteouts included; what kopi writes (a layer deleting a file and a directory and making a
 * directory opaque) is listed, inspected, saved and mounted by podman with the deletions in effect, copied out by
 * skopeo with identical digests, and stored exactly as skopeo stores it.
 */
class OverlayStorageIT {
    private static final String DRIVER = "overlay";

    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();

    @TempDir
    Path tmp;

    /** Why podman cannot use an overlay store on this machine ("" when it can); null until probed. */
    private static String overlayUnavailable;

    @BeforeEach
    void needsRootAndOverlay() {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "NOT RUN: native overlay stores (0/0 whiteout devices, trusted.* attributes) need root");
        synchronized (OverlayStorageIT.class) {
            if (overlayUnavailable == null) {
                // The issue asks for overlay "where the machine allows": podman's own check of the kernel's
                // overlayfs (it mounts a test overlay) decides; its mounts are under tmp, unmounted after the test.
                CommandResult r = new Sandbox(tmp.resolve("probe")).podmanOn(DRIVER, "info", "--format",
                        "{{.Store.GraphDriverName}}");
                overlayUnavailable = r.exitCode() == 0 && r.stdout().strip().equals(DRIVER) ? ""
                        : "podman info exit " + r.exitCode() + ": " + r.stderr().strip();
            }
        }
        assumeTrue(overlayUnavailable.isEmpty(),
                "NOT RUN: podman cannot use an overlay store on this machine: " + overlayUnavailable);
    }

    /**
     * c/storage's overlay driver bind-mounts each store's {@code overlay/} directory onto itself and leaves it
     * mounted when podman or skopeo exits: unmount everything under the test directory, deepest first, so the
     * temporary directory can go.
     */
    @AfterEach
    void unmountStores() throws IOException, InterruptedException {
        List<String> points = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] f = line.split(" ");
            if (f.length > 4 && f[4].startsWith(tmp.toString() + "/")) {
                points.add(f[4]);
            }
        }
        points.sort(java.util.Comparator.reverseOrder());
        for (String p : points) {
            new ProcessBuilder("umount", p).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    private static Path root(Sandbox sb) {
        return sb.podmanHome(DRIVER).resolve("root");
    }

    private static String store(Sandbox sb) {
        return "containers-storage:[overlay@" + root(sb) + "+" + sb.podmanRunRoot(DRIVER) + "]";
    }

    private static String otherStore(Sandbox sb, String name) {
        return "containers-storage:[overlay@" + sb.path(name + "/root") + "+" + sb.path(name + "/run") + "]";
    }

    private static CommandResult podman(Sandbox sb, String... args) {
        return sb.podmanOn(DRIVER, args);
    }

    private static JsonNode inspectOverlay(Sandbox sb, String nameOrId) throws IOException {
        return json(podman(sb, "image", "inspect", nameOrId).assertSuccess().stdout()).get(0);
    }

    /** The layer IDs of an image, base first, from its layers.json records and top layer. */
    private static List<String> layerIds(Path root, String topLayer) throws IOException {
        Map<String, JsonNode> byId = records(root, "overlay-layers/layers.json");
        List<String> out = new ArrayList<>();
        for (String id = topLayer; id != null && !id.isEmpty(); id = byId.get(id).path("parent").asText(null)) {
            out.add(0, id);
        }
        return out;
    }

    private static String topLayer(Path root, String imageId) throws IOException {
        return records(root, "overlay-images/images.json").get(imageId).path("layer").asText();
    }

    /**
     * A diff directory as overlayfs sees it: per entry its type, mode, owner, size, content digest, link target,
     * device number and opaque attribute (times left out: whiteouts are made at unpack time).
     */
    static Map<String, String> diffTree(Path diff) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(diff)) {
            for (Path p : s.toList()) {
                Map<String, Object> st = Files.readAttributes(p, "unix:mode,uid,gid,size,rdev",
                        LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) st.get("mode");
                StringBuilder d = new StringBuilder(Integer.toOctalString(mode)).append(' ').append(st.get("uid"))
                        .append(':').append(st.get("gid"));
                switch (mode & 0170000) {
                    case 0100000 -> d.append(" sha256:").append(Trees.sha256(p));
                    case 0120000 -> d.append(" -> ").append(Files.readSymbolicLink(p));
                    case 0020000, 0060000 -> d.append(" rdev ").append(st.get("rdev"));
                    case 0040000 -> {
                        byte[] o = UnixFiles.lgetxattr(p, "trusted.overlay.opaque");
                        if (o != null) {
                            d.append(" opaque=").append(new String(o, StandardCharsets.UTF_8));
                        }
                    }
                    default -> {
                    }
                }
                out.put("/" + diff.relativize(p), d.toString());
            }
        }
        return out;
    }

    private static boolean isWhiteout(Path p) throws IOException {
        if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        Map<String, Object> st = Files.readAttributes(p, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        return (((Integer) st.get("mode")) & 0170000) == 0020000 && ((Long) st.get("rdev")) == 0L;
    }

    /** podman mounts the image (overlayfs over the layers' diff directories): the deletions are in effect. */
    private static void assertMountedContent(Sandbox sb, String name, boolean withLater) throws IOException {
        Path merged = Path.of(podman(sb, "image", "mount", name).assertSuccess().stdout().trim());
        try {
            assertThat(merged.resolve("keep.txt")).hasContent("keep");
            assertThat(merged.resolve("new.txt")).hasContent("new");
            assertThat(merged.resolve("gone.txt")).as("whited out").doesNotExist();
            assertThat(merged.resolve("gonedir")).as("whited out directory").doesNotExist();
            try (Stream<Path> s = Files.list(merged.resolve("dir"))) {
                assertThat(s.map(p -> p.getFileName().toString()).toList())
                        .as("the opaque directory hides the base layer's a.txt and sub/").containsExactly("c.txt");
            }
            if (withLater) {
                assertThat(merged.resolve("later.txt")).hasContent("later");
            }
        } finally {
            podman(sb, "image", "unmount", name).assertSuccess();
        }
    }

    /** The digests of the layer tars in a {@code podman save} (docker-archive) file, in manifest order. */
    private static List<String> savedLayerDigests(Sandbox sb, Path archive) throws IOException {
        Path x = Files.createDirectories(sb.path("saved-x"));
        sb.run(List.of("tar", "-C", x.toString(), "-xf", archive.toString()), Sandbox.TIMEOUT).assertSuccess();
        JsonNode m = json(Files.readString(x.resolve("manifest.json"))).get(0);
        List<String> out = new ArrayList<>();
        for (JsonNode l : m.path("Layers")) {
            out.add("sha256:" + Trees.sha256(x.resolve(l.asText())));
        }
        return out;
    }

    @Test
    void readsWhatPodmanPulled() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String pushed = REGISTRY.ref("overlay/pulled:v1");
        String pulled = pushed.substring("docker://".length());
        sb.skopeo("copy", "--dest-tls-verify=false", TestImage.MULTI.ociRef(), pushed).assertSuccess();
        podman(sb, "pull", "--tls-verify=false", pulled).assertSuccess();
        assertThat(root(sb).resolve("overlay/l")).as("podman made an overlay store").isDirectory();
        String ref = store(sb) + pulled;
        WrittenImage multi = Fixtures.multi();

        assertSameInspect(sb, ref);
        JsonNode ki = json(sb.kopi("inspect", ref).assertSuccess().stdout());
        assertThat(texts(ki.path("Layers"))).isEqualTo(strings(multi.layers()));
        assertSameOciCopy(sb, ref, "pulled");
        JsonNode manifest = json(sb.kopi("inspect", "--raw", "oci:" + sb.path("pulled-kopi") + ":x")
                .assertSuccess().stdout());
        List<String> layers = new ArrayList<>();
        manifest.path("layers").forEach(l -> layers.add(l.path("digest").asText()));
        assertThat(layers).as("layers come out uncompressed, byte for byte: their digests are the DiffIDs")
                .isEqualTo(strings(multi.diffIds()));
    }

    @Test
    void readsWhiteoutsPodmanStored() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        WhiteoutImage.Built img = WhiteoutImage.build(sb.path("whiteouts"));
        podman(sb, "pull", img.ref()).assertSuccess();
        String id = img.image().imageId();
        List<String> ids = layerIds(root(sb), topLayer(root(sb), id));
        Path diff = root(sb).resolve("overlay").resolve(ids.get(1)).resolve("diff");
        assertThat(isWhiteout(diff.resolve("gone.txt"))).as("podman stores a whiteout as a 0/0 device").isTrue();
        assertThat(UnixFiles.lgetxattr(diff.resolve("dir"), "trusted.overlay.opaque")).containsExactly('y');

        String ref = store(sb) + "@" + id;
        assertSameInspect(sb, ref);
        assertSameOciCopy(sb, ref, "whiteouts");
        JsonNode manifest = json(sb.kopi("inspect", "--raw", "oci:" + sb.path("whiteouts-kopi") + ":x")
                .assertSuccess().stdout());
        List<String> layers = new ArrayList<>();
        manifest.path("layers").forEach(l -> layers.add(l.path("digest").asText()));
        assertThat(layers).as("the whiteout entries are reproduced").isEqualTo(strings(img.image().diffIds()));
    }

    @Test
    void writesWhiteoutsThatPodmanAndSkopeoRead() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        WhiteoutImage.Built img = WhiteoutImage.build(sb.path("whiteouts"));
        WrittenImage expected = img.image();
        String name = "localhost/kopi/whiteouts:v1";
        sb.kopi("copy", img.ref(), store(sb) + name).assertSuccess();

        assertThat(podman(sb, "images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").assertSuccess().stdout())
                .contains(name + " " + expected.imageId().substring(0, 12));
        JsonNode pi = inspectOverlay(sb, name);
        assertThat(pi.path("Id").asText()).isEqualTo(expected.imageId());
        assertThat(texts(pi.path("RootFS").path("Layers"))).isEqualTo(strings(expected.diffIds()));
        assertThat(texts(pi.path("RepoTags"))).containsExactly(name);

        Path saved = sb.path("saved.tar");
        podman(sb, "save", "-o", saved.toString(), name).assertSuccess();
        assertThat(savedLayerDigests(sb, saved)).as("podman save gives the original layers")
                .isEqualTo(strings(expected.diffIds()));

        Path out = sb.path("skopeo-out");
        sb.skopeo("copy", "--dest-oci-accept-uncompressed-layers", store(sb) + name, "oci:" + out + ":x")
                .assertSuccess();
        JsonNode manifest = json(sb.skopeo("inspect", "--raw", "oci:" + out + ":x").assertSuccess().stdout());
        List<String> layers = new ArrayList<>();
        manifest.path("layers").forEach(l -> layers.add(l.path("digest").asText()));
        assertThat(layers).isEqualTo(strings(expected.diffIds()));
        assertThat(manifest.path("config").path("digest").asText()).isEqualTo(expected.configDigest().toString());
        assertSameInspect(sb, store(sb) + name);

        // Stored as skopeo stores the same copy: records, tar-split data, and each layer's diff directory.
        String other = otherStore(sb, "sk");
        Path otherRoot = sb.path("sk/root");
        sb.skopeo("copy", img.ref(), other + name).assertSuccess();
        assertThat(records(root(sb), "overlay-images/images.json"))
                .isEqualTo(records(otherRoot, "overlay-images/images.json"));
        assertThat(records(root(sb), "overlay-layers/layers.json"))
                .isEqualTo(records(otherRoot, "overlay-layers/layers.json"));
        assertThat(tarSplits(root(sb), DRIVER)).isEqualTo(tarSplits(otherRoot, DRIVER));
        List<String> ids = layerIds(root(sb), topLayer(root(sb), expected.imageId()));
        assertThat(ids).hasSize(3);
        for (String id : ids) {
            assertThat(diffTree(root(sb).resolve("overlay").resolve(id).resolve("diff"))).as("diff of layer %s", id)
                    .isEqualTo(diffTree(otherRoot.resolve("overlay").resolve(id).resolve("diff")));
            try (Stream<Path> s = Files.list(root(sb).resolve("overlay").resolve(id))) {
                List<String> kopiEntries = s.map(p -> p.getFileName().toString()).sorted().toList();
                try (Stream<Path> t = Files.list(otherRoot.resolve("overlay").resolve(id))) {
                    assertThat(kopiEntries).as("layer directory %s", id)
                            .isEqualTo(t.map(p -> p.getFileName().toString()).sorted().toList());
                }
            }
        }
        Path top = root(sb).resolve("overlay").resolve(ids.get(1)).resolve("diff");
        assertThat(isWhiteout(top.resolve("gone.txt"))).isTrue();
        assertThat(isWhiteout(top.resolve("gonedir"))).isTrue();
        assertThat(top.resolve(".wh.gone.txt")).doesNotExist();

        assertMountedContent(sb, name, true);
    }

    @Test
    void writesOnTopOfLayersPodmanMade() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        WhiteoutImage.Built img = WhiteoutImage.build(sb.path("whiteouts"));
        podman(sb, "pull", img.baseRef()).assertSuccess();
        String name = "localhost/kopi/on-podman:v1";
        sb.kopi("copy", img.ref(), store(sb) + name).assertSuccess();

        List<String> ids = layerIds(root(sb), topLayer(root(sb), img.image().imageId()));
        Path overlay = root(sb).resolve("overlay");
        List<String> links = new ArrayList<>();
        for (String id : ids) {
            String link = Files.readString(overlay.resolve(id).resolve("link"));
            assertThat(link).matches("[A-Z2-7]{26}");
            assertThat(overlay.resolve("l").resolve(link).toRealPath())
                    .isEqualTo(overlay.resolve(id).resolve("diff").toRealPath());
            links.add(link);
        }
        assertThat(overlay.resolve(ids.get(1)).resolve("lower")).as("on podman's base layer")
                .hasContent("l/" + links.get(0));
        assertThat(overlay.resolve(ids.get(2)).resolve("lower")).hasContent("l/" + links.get(1) + ":l/" + links.get(0));

        assertMountedContent(sb, name, true);
        assertThat(texts(inspectOverlay(sb, name).path("RootFS").path("Layers")))
                .isEqualTo(strings(img.image().diffIds()));
        // podman removes what kopi wrote, links included, and keeps its own base image whole
        podman(sb, "rmi", name).assertSuccess();
        try (Stream<Path> s = Files.list(overlay.resolve("l"))) {
            assertThat(s.toList()).hasSize(1);
        }
        assertMountedBase(sb, img.base().imageId());
    }

    private static void assertMountedBase(Sandbox sb, String id) throws IOException {
        Path merged = Path.of(podman(sb, "image", "mount", id).assertSuccess().stdout().trim());
        try {
            assertThat(merged.resolve("gone.txt")).hasContent("gone");
            assertThat(merged.resolve("dir/a.txt")).hasContent("a");
        } finally {
            podman(sb, "image", "unmount", id).assertSuccess();
        }
    }

    /** Two kopi copies and a podman pull into one overlay store at once: all three images whole afterwards. */
    @Test
    void concurrentWritersLeaveAConsistentStore() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String pushedRef = REGISTRY.ref("overlay/concurrent:v1");
        String pushed = pushedRef.substring("docker://".length());
        sb.skopeo("copy", "--dest-tls-verify=false", TestImage.INDEX.ociRef(), pushedRef).assertSuccess();
        WhiteoutImage.Built img = WhiteoutImage.build(sb.path("whiteouts"));
        podman(sb, "images").assertSuccess(); // create the store first
        CompletableFuture<CommandResult> a = CompletableFuture.supplyAsync(
                () -> sb.kopi("copy", TestImage.MULTI.ociRef(), store(sb) + "localhost/c/multi:v1"));
        CompletableFuture<CommandResult> b = CompletableFuture.supplyAsync(
                () -> sb.kopi("copy", img.ref(), store(sb) + "localhost/c/whiteouts:v1"));
        CompletableFuture<CommandResult> c = CompletableFuture.supplyAsync(
                () -> podman(sb, "pull", "--tls-verify=false", pushed));
        a.join().assertSuccess();
        b.join().assertSuccess();
        c.join().assertSuccess();

        String images = podman(sb, "images", "--format", "{{.Repository}}:{{.Tag}}").assertSuccess().stdout();
        assertThat(images).contains("localhost/c/multi:v1", "localhost/c/whiteouts:v1", pushed);
        for (String n : List.of("localhost/c/multi:v1", "localhost/c/whiteouts:v1", pushed)) {
            podman(sb, "image", "inspect", n).assertSuccess();
            sb.kopi("inspect", store(sb) + n).assertSuccess();
        }
        assertThat(inspectOverlay(sb, "localhost/c/multi:v1").path("Id").asText())
                .isEqualTo(Fixtures.multi().imageId());
        try (Stream<Path> l = Files.list(root(sb).resolve("overlay/l"));
             Stream<Path> d = Files.list(root(sb).resolve("overlay"))) {
            assertThat(l.count()).as("one link per layer directory")
                    .isEqualTo(d.filter(p -> !p.getFileName().toString().equals("l")
                            && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)).count());
        }
        assertMountedContent(sb, "localhost/c/whiteouts:v1", true);
    }

    @Test
    void unsupportedOptionsFailWithoutTouchingTheStore() {
        Sandbox sb = new Sandbox(tmp);
        CommandResult r = sb.kopi("copy", TestImage.SINGLE.ociRef(), "containers-storage:[overlay@" + sb.path("r")
                + "+" + sb.path("rr") + ":overlay.force_mask=shared]localhost/x:v1").assertExit(1);
        assertThat(r.assertOneFatalLine()).contains("overlay: force_mask is not supported by kopi");
        r = sb.kopi("copy", TestImage.SINGLE.ociRef(), "containers-storage:[overlay@" + sb.path("r")
                + "+" + sb.path("rr") + ":overlay.bogus=1]localhost/x:v1").assertExit(1);
        assertThat(r.assertOneFatalLine()).contains("overlay: unknown option overlay.bogus");
        assertThat(sb.path("r")).doesNotExist();
    }
}
