package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kopi.digest.Digest;
import dev.kopi.it.registry.FaultProxy;
import dev.kopi.it.registry.RegistryServer;
import dev.kopi.testkit.WrittenImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code containers-storage:} against podman 4.3.1 and skopeo 1.9.3 on a throwaway vfs store (the sandbox's
 * {@code --root}/{@code --runroot}): kopi reads what podman imported or pulled with the manifest and layer digests
 * skopeo reports; podman and skopeo read what kopi writes, and kopi's store records are the ones skopeo would have
 * written; concurrent writers leave a consistent store; bad stores fail cleanly and stay untouched.
 */
class StorageIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();

    @TempDir
    Path tmp;

    private static Path root(Sandbox sb) {
        return sb.root().resolve("podman/root");
    }

    /** The sandbox's podman store as a containers-storage: prefix. */
    private static String store(Sandbox sb) {
        return "containers-storage:[vfs@" + root(sb) + "+" + sb.root().resolve("podman/runroot") + "]";
    }

    private static String otherStore(Sandbox sb, String name) {
        return "containers-storage:[vfs@" + sb.path(name + "/root") + "+" + sb.path(name + "/run") + "]";
    }

    static JsonNode json(String s) throws IOException {
        return JSON.readTree(s);
    }

    static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static List<String> strings(List<Digest> ds) {
        return ds.stream().map(Digest::toString).toList();
    }

    /** A small tree, archived by GNU tar, with the kinds of entries a layer holds. */
    private static Path layerTar(Sandbox sb) throws IOException {
        Files.createDirectories(sb.path("layer-src/dir/sub"));
        Path src = sb.path("layer-src");
        Files.writeString(src.resolve("dir/f.txt"), "hello\n");
        Files.write(src.resolve("dir/big.bin"), new byte[70_000]);
        Files.createLink(src.resolve("dir/hard"), src.resolve("dir/f.txt"));
        Files.createSymbolicLink(src.resolve("dir/sub/link"), Path.of("../f.txt"));
        Files.createFile(sb.path("layer-src/empty"));
        Path tar = sb.path("layer.tar");
        sb.run(List.of("tar", "-C", sb.path("layer-src").toString(), "-cf", tar.toString(), "."), Sandbox.TIMEOUT)
                .assertSuccess();
        return tar;
    }

    /** skopeo and kopi inspect the same reference the same way (raw manifest, digest, layers). */
    static void assertSameInspect(Sandbox sb, String ref) throws IOException {
        CommandResult k = sb.kopi("inspect", "--raw", ref).assertSuccess();
        CommandResult s = sb.skopeo("inspect", "--raw", ref).assertSuccess();
        assertThat(k.stdoutBytes()).as("raw manifest of %s", ref).isEqualTo(s.stdoutBytes());
        JsonNode ki = json(sb.kopi("inspect", ref).assertSuccess().stdout());
        JsonNode si = json(sb.skopeo("inspect", ref).assertSuccess().stdout());
        assertThat(ki.path("Digest").asText()).isEqualTo(si.path("Digest").asText());
        assertThat(texts(ki.path("Layers"))).isEqualTo(texts(si.path("Layers")));
        assertThat(ki.path("Created").asText()).isEqualTo(si.path("Created").asText());
    }

    /**
     * kopi and skopeo copy {@code ref} to oci: with uncompressed layers and get the same config and layer blobs and
     * the same manifest, except that kopi marks the uncompressed layers as uncompressed where skopeo 1.9.3 keeps
     * the source's compressed media type (fixed in later containers/image: see KNOWN_DIFFERENCES.md).
     */
    static void assertSameOciCopy(Sandbox sb, String ref, String what) throws IOException {
        Path k = sb.path(what + "-kopi");
        Path s = sb.path(what + "-skopeo");
        sb.kopi("copy", "--dest-oci-accept-uncompressed-layers", ref, "oci:" + k + ":x").assertSuccess();
        sb.skopeo("copy", "--dest-oci-accept-uncompressed-layers", ref, "oci:" + s + ":x").assertSuccess();
        JsonNode km = manifestOf(k);
        JsonNode sm = manifestOf(s);
        Map<String, String> kb = Trees.digests(k.resolve("blobs"));
        Map<String, String> sbl = Trees.digests(s.resolve("blobs"));
        kb.values().removeIf(v -> v.equals(manifestDigestOf(k)));
        sbl.values().removeIf(v -> v.equals(manifestDigestOf(s)));
        assertThat(kb).as("%s: config and layer blobs", what).isEqualTo(sbl);
        for (JsonNode l : km.path("layers")) {
            assertThat(l.path("mediaType").asText()).as("%s: kopi's layer type", what)
                    .isEqualTo("application/vnd.oci.image.layer.v1.tar");
        }
        for (JsonNode m : List.of(km, sm)) {
            m.path("layers").forEach(l -> ((ObjectNode) l).remove("mediaType"));
        }
        assertThat(km).as("%s: manifests apart from the layer media types", what).isEqualTo(sm);
    }

    private static String manifestDigestOf(Path oci) {
        try {
            return json(Files.readString(oci.resolve("index.json"))).path("manifests").get(0).path("digest").asText()
                    .substring("sha256:".length());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static JsonNode manifestOf(Path oci) throws IOException {
        return json(Files.readString(oci.resolve("blobs/sha256/" + manifestDigestOf(oci))));
    }

    static JsonNode podmanInspect(Sandbox sb, String nameOrId) throws IOException {
        return json(sb.podman("image", "inspect", nameOrId).assertSuccess().stdout()).get(0);
    }

    @Test
    void readsWhatPodmanImported() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path tar = layerTar(sb);
        sb.podman("import", tar.toString(), "localhost/imported:v1").assertSuccess();
        String ref = store(sb) + "localhost/imported:v1";

        assertSameInspect(sb, ref);
        JsonNode ki = json(sb.kopi("inspect", ref).assertSuccess().stdout());
        assertThat(texts(ki.path("Layers"))).as("the layer as podman stored it: the tar's own digest")
                .containsExactly("sha256:" + Trees.sha256(tar));
        assertSameOciCopy(sb, ref, "imported");
        // by image ID too
        String id = podmanInspect(sb, "localhost/imported:v1").path("Id").asText();
        sb.kopi("inspect", "--raw", store(sb) + "@" + id).assertSuccess();
    }

    @Test
    void theDefaultStoreComesFromStorageConf() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        // c/storage 1.43 reads $XDG_CONFIG_HOME/containers/storage.conf (the sandbox's) for root too
        Files.writeString(sb.home().resolve(".config/containers/storage.conf"), "[storage]\ndriver = \"vfs\"\n"
                + "graphroot = \"" + root(sb) + "\"\nrunroot = \"" + sb.root().resolve("podman/runroot") + "\"\n");
        sb.podman("import", layerTar(sb).toString(), "localhost/imported:v1").assertSuccess();
        assertSameInspect(sb, "containers-storage:localhost/imported:v1");
        CommandResult k = sb.kopi("inspect", "containers-storage:localhost/missing:v1").assertExit(2);
        CommandResult s = sb.skopeo("inspect", "containers-storage:localhost/missing:v1").assertExit(1);
        assertThat(k.assertOneFatalLine()).isEqualTo(s.assertOneFatalLine());
    }

    @Test
    void readsWhatPodmanPulled() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String pushed = REGISTRY.ref("storage/pulled:v1");
        String pulled = pushed.substring("docker://".length());
        sb.skopeo("copy", "--dest-tls-verify=false", TestImage.MULTI.ociRef(), pushed).assertSuccess();
        sb.podman("pull", "--tls-verify=false", pulled).assertSuccess();
        String ref = store(sb) + pulled;
        WrittenImage multi = Fixtures.multi();

        assertSameInspect(sb, ref);
        JsonNode ki = json(sb.kopi("inspect", ref).assertSuccess().stdout());
        assertThat(texts(ki.path("Layers"))).as("the manifest's (compressed) layers")
                .isEqualTo(strings(multi.layers()));
        assertSameOciCopy(sb, ref, "pulled");
        Path oci = sb.path("pulled-kopi");
        JsonNode index = json(Files.readString(oci.resolve("index.json")));
        String manifestDigest = index.path("manifests").get(0).path("digest").asText();
        JsonNode manifest = json(Files.readString(oci.resolve("blobs/sha256/" + manifestDigest.substring(7))));
        List<String> layers = new ArrayList<>();
        manifest.path("layers").forEach(l -> layers.add(l.path("digest").asText()));
        assertThat(layers).as("layers come out uncompressed: their digests are the DiffIDs")
                .isEqualTo(strings(multi.diffIds()));

        // and back to a registry: same config, same DiffIDs
        String back = REGISTRY.ref("storage/back:v1");
        sb.kopi("copy", "--dest-tls-verify=false", ref, back).assertSuccess();
        JsonNode pushedBack = json(sb.skopeo("inspect", "--tls-verify=false", "--config", back)
                .assertSuccess().stdout());
        assertThat(texts(pushedBack.path("rootfs").path("diff_ids"))).isEqualTo(strings(multi.diffIds()));
    }

    /**
     * registry -> store -> the same registry, other repository: the store remembers which compressed blob each layer
     * came from, so the push mounts those blobs instead of compressing and uploading every layer again (what
     * skopeo's blob-info cache achieves), and the pushed manifest names the original compressed layers.
     */
    @Test
    void pushingBackToTheRegistryReusesTheCompressedBlobs() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        WrittenImage multi = Fixtures.multi();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            sb.skopeo("copy", "--dest-tls-verify=false", TestImage.MULTI.ociRef(), proxy.ref("storage/src:v1"))
                    .assertSuccess();
            String ref = otherStore(sb, "reuse") + "localhost/reuse:v1";
            sb.kopi("copy", "--src-tls-verify=false", proxy.ref("storage/src:v1"), ref).assertSuccess();
            proxy.clearExchanges();
            sb.kopi("copy", "--dest-tls-verify=false", ref, proxy.ref("storage/again:v1")).assertSuccess();
            assertThat(proxy.uploadedBytesByDigest().keySet()).as("layers uploaded again")
                    .doesNotContainAnyElementsOf(strings(multi.layers()));
            assertThat(proxy.mounts()).as("cross-repository mounts").isNotEmpty();
            JsonNode manifest = json(sb.skopeo("inspect", "--tls-verify=false", "--raw",
                    proxy.ref("storage/again:v1")).assertSuccess().stdout());
            List<String> layers = new ArrayList<>();
            manifest.path("layers").forEach(l -> layers.add(l.path("digest").asText()));
            assertThat(layers).isEqualTo(strings(multi.layers()));
            // and the image is whole: skopeo copies it out
            sb.skopeo("copy", "--src-tls-verify=false", proxy.ref("storage/again:v1"), "dir:" + sb.path("again"))
                    .assertSuccess();
        }
    }

    @ParameterizedTest
    @EnumSource(value = TestImage.class)
    void writesWhatPodmanAndSkopeoRead(TestImage img) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String name = "localhost/kopi/" + img.tag() + ":v1";
        sb.kopi("copy", img.ociRef(), store(sb) + name).assertSuccess();
        WrittenImage expected = img.isIndex() ? Fixtures.index().instances().get(0) : img == TestImage.SINGLE
                ? Fixtures.single() : Fixtures.multi();

        assertThat(sb.podman("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}").assertSuccess().stdout())
                .contains(name + " " + expected.imageId().substring(0, 12));
        JsonNode pi = podmanInspect(sb, name);
        assertThat(pi.path("Id").asText()).isEqualTo(expected.imageId());
        assertThat(texts(pi.path("RootFS").path("Layers"))).isEqualTo(strings(expected.diffIds()));
        assertThat(texts(pi.path("RepoTags"))).containsExactly(name);

        Path out = sb.path("skopeo-out");
        sb.skopeo("copy", "--dest-oci-accept-uncompressed-layers", store(sb) + name, "oci:" + out + ":x")
                .assertSuccess();
        JsonNode index = json(Files.readString(out.resolve("index.json")));
        JsonNode manifest = json(Files.readString(out.resolve("blobs/sha256/"
                + index.path("manifests").get(0).path("digest").asText().substring(7))));
        List<String> layers = new ArrayList<>();
        manifest.path("layers").forEach(l -> layers.add(l.path("digest").asText()));
        assertThat(layers).isEqualTo(strings(expected.diffIds()));
        assertThat(manifest.path("config").path("digest").asText()).isEqualTo(expected.configDigest().toString());

        sb.podman("save", "-o", sb.path("saved.tar").toString(), name).assertSuccess();
        assertSameInspect(sb, store(sb) + name);

        // The records are those skopeo writes for the same copy (apart from creation times of layers).
        String other = otherStore(sb, "skopeo-store");
        sb.skopeo("copy", img.ociRef(), other + name).assertSuccess();
        assertThat(records(root(sb), "vfs-images/images.json"))
                .isEqualTo(records(sb.path("skopeo-store/root"), "vfs-images/images.json"));
        assertThat(records(root(sb), "vfs-layers/layers.json"))
                .isEqualTo(records(sb.path("skopeo-store/root"), "vfs-layers/layers.json"));
        assertThat(tarSplits(root(sb))).isEqualTo(tarSplits(sb.path("skopeo-store/root")));
    }

    /** The records of a store file by ID, layers without their creation time. */
    static Map<String, JsonNode> records(Path root, String file) throws IOException {
        Map<String, JsonNode> out = new TreeMap<>();
        for (JsonNode n : (ArrayNode) json(Files.readString(root.resolve(file)))) {
            ObjectNode o = (ObjectNode) n;
            if (file.contains("layers")) {
                o.remove("created");
            }
            out.put(o.path("id").asText(), o);
        }
        return out;
    }

    static Map<String, String> tarSplits(Path root) throws IOException {
        return tarSplits(root, "vfs");
    }

    /** The uncompressed tar-split data of every layer of a store of {@code driver}, by file name. */
    static Map<String, String> tarSplits(Path root, String driver) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.list(root.resolve(driver + "-layers"))) {
            for (Path p : s.filter(f -> f.toString().endsWith(".tar-split.gz")).toList()) {
                try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(p))) {
                    out.put(p.getFileName().toString(), Trees.sha256(in.readAllBytes()));
                }
            }
        }
        return out;
    }

    @Test
    void roundTripThroughTheStoreKeepsTheImage() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String ref = store(sb) + "localhost/kopi/multi:rt";
        sb.kopi("copy", TestImage.MULTI.ociRef(), ref).assertSuccess();
        assertSameOciCopy(sb, ref, "roundtrip");
        // copying onto the same name again reuses everything and keeps one image
        sb.kopi("copy", TestImage.MULTI.ociRef(), ref).assertSuccess();
        assertThat(sb.podman("images", "-q", "--no-trunc").assertSuccess().stdout().lines().distinct().count())
                .isEqualTo(1);
        // a tag moves to the image written last
        sb.kopi("copy", TestImage.SINGLE.ociRef(), ref).assertSuccess();
        assertThat(podmanInspect(sb, "localhost/kopi/multi:rt").path("Id").asText())
                .isEqualTo(Fixtures.single().imageId());
    }

    @Test
    void concurrentWritersLeaveAConsistentStore() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String pushedRef = REGISTRY.ref("storage/concurrent:v1");
        String pushed = pushedRef.substring("docker://".length());
        sb.skopeo("copy", "--dest-tls-verify=false", TestImage.INDEX.ociRef(), pushedRef).assertSuccess();
        sb.podman("images").assertSuccess(); // create the store first
        CompletableFuture<CommandResult> a = CompletableFuture.supplyAsync(
                () -> sb.kopi("copy", TestImage.MULTI.ociRef(), store(sb) + "localhost/c/multi:v1"));
        CompletableFuture<CommandResult> b = CompletableFuture.supplyAsync(
                () -> sb.kopi("copy", TestImage.SINGLE.ociRef(), store(sb) + "localhost/c/single:v1"));
        CompletableFuture<CommandResult> c = CompletableFuture.supplyAsync(
                () -> sb.podman("pull", "--tls-verify=false", pushed));
        a.join().assertSuccess();
        b.join().assertSuccess();
        c.join().assertSuccess();

        String images = sb.podman("images", "--format", "{{.Repository}}:{{.Tag}}").assertSuccess().stdout();
        assertThat(images).contains("localhost/c/multi:v1", "localhost/c/single:v1", pushed);
        for (String n : List.of("localhost/c/multi:v1", "localhost/c/single:v1", pushed)) {
            sb.podman("image", "inspect", n).assertSuccess();
            sb.kopi("inspect", store(sb) + n).assertSuccess();
        }
        assertThat(podmanInspect(sb, "localhost/c/multi:v1").path("Id").asText()).isEqualTo(Fixtures.multi().imageId());
    }

    @Test
    void deleteRemovesTheImageUnlessAContainerUsesIt() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        sb.kopi("copy", TestImage.MULTI.ociRef(), store(sb) + "localhost/del/multi:v1").assertSuccess();
        sb.kopi("copy", TestImage.SINGLE.ociRef(), store(sb) + "localhost/del/single:v1").assertSuccess();
        String ctr = sb.podman("create", "localhost/del/single:v1", "/bin/true").assertSuccess().stdout().trim();

        CommandResult inUse = sb.kopi("delete", store(sb) + "localhost/del/single:v1").assertExit(1);
        assertThat(inUse.assertOneFatalLine()).contains("image used by " + ctr + ": image is in use by a container");
        sb.kopi("delete", store(sb) + "localhost/del/multi:v1").assertSuccess();

        String images = sb.podman("images", "--format", "{{.Repository}}:{{.Tag}}").assertSuccess().stdout();
        assertThat(images).contains("localhost/del/single:v1").doesNotContain("localhost/del/multi:v1");
        sb.skopeo("inspect", store(sb) + "localhost/del/multi:v1").assertExit(1);
        for (Digest d : Fixtures.multi().diffIds()) {
            assertThat(root(sb).resolve("vfs-layers/" + d.hex() + ".tar-split.gz")).doesNotExist();
        }
        sb.podman("image", "inspect", "localhost/del/single:v1").assertSuccess();
    }

    @Test
    @Tag(FailureIT.NEWEST)
    void missingStoreIsNotFoundAndNotCreated() {
        Sandbox sb = new Sandbox(tmp);
        Path missing = sb.path("no-such-store");
        String ref = "containers-storage:[vfs@" + missing + "/root+" + missing + "/run]localhost/x:v1";
        CommandResult r = sb.kopi("inspect", ref).assertExit(2);
        assertThat(r.assertOneFatalLine()).contains("does not resolve to an image ID: identifier is not an image");
        sb.kopi("copy", ref, "oci:" + sb.path("out") + ":x").assertExit(2);
        assertThat(missing).doesNotExist();
    }

    @Test
    void unknownAndUnsupportedDriversFail() {
        Sandbox sb = new Sandbox(tmp);
        CommandResult r = sb.kopi("copy", TestImage.SINGLE.ociRef(),
                "containers-storage:[foo@" + sb.path("r") + "+" + sb.path("rr") + "]localhost/x:v1").assertExit(1);
        assertThat(r.assertOneFatalLine()).contains("failed to GetDriver graph foo " + sb.path("r")
                + ": driver not supported");
        r = sb.kopi("copy", TestImage.SINGLE.ociRef(),
                "containers-storage:[btrfs@" + sb.path("r") + "+" + sb.path("rr") + "]localhost/x:v1").assertExit(1);
        assertThat(r.assertOneFatalLine()).contains("\\\"btrfs\\\" storage driver");
        assertThat(sb.path("r")).doesNotExist();
    }

    @Test
    void corruptLayersJsonFailsAndChangesNothing() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        sb.kopi("copy", TestImage.SINGLE.ociRef(), store(sb) + "localhost/kopi/single:v1").assertSuccess();
        Path layers = root(sb).resolve("vfs-layers/layers.json");
        Files.writeString(layers, "[{\"id\": \"x\", oops");
        Map<String, String> before = Trees.digests(root(sb));

        CommandResult w = sb.kopi("copy", TestImage.MULTI.ociRef(), store(sb) + "localhost/kopi/multi:v1").assertExit(1);
        assertThat(w.assertOneFatalLine()).contains("layers.json");
        CommandResult r = sb.kopi("inspect", store(sb) + "localhost/kopi/single:v1").assertExit(1);
        assertThat(r.assertOneFatalLine()).contains("layers.json");

        assertThat(Trees.digests(root(sb))).as("the store is unchanged").isEqualTo(before);
        assertThat(Files.readString(layers, StandardCharsets.UTF_8)).isEqualTo("[{\"id\": \"x\", oops");
    }
}
