package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Fixtures;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.testkit.WrittenImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, items 7 and 8 (remainder): {@code sync} into one multi-image archive ({@code --dest docker-archive} /
 * {@code --dest oci-archive}, which podman and skopeo read back), incremental sync into an existing {@code dir:}
 * destination ({@code --incremental}, blob downloads counted by a proxy), and explicit source -> destination
 * repository pairs in the YAML ({@code destination-repos}), each against real registries on loopback.
 */
class SyncDestinationsIT {
    @RegisterExtension
    static final RegistryServer SRC = RegistryServer.plain();
    @RegisterExtension
    static final RegistryServer DST = RegistryServer.plain();

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    @BeforeAll
    static void sources() {
        Sandbox sb = new Sandbox(shared.resolve("setup"));
        for (TestImage img : List.of(TestImage.SINGLE, TestImage.MULTI)) {
            sb.skopeo(args("copy", SRC.destArgs(), img.ociRef(), SRC.ref("ns/app:" + img.tag()))).assertSuccess();
        }
        sb.skopeo(args("copy", SRC.destArgs(), TestImage.SINGLE.ociRef(), SRC.ref("ns/web:v1"))).assertSuccess();
    }

    private static String sha256(byte[] b) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path yaml(String name, String body) {
        Path p = tmp.resolve(name);
        try {
            Files.writeString(p, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    private static WrittenImage fixture(String tag) {
        return tag.equals("single") || tag.equals("v1") ? Fixtures.single() : Fixtures.multi();
    }

    /** Item 7: every synced image in one docker-archive, which {@code podman load} reads completely. */
    @Test
    @Tag("beyond-skopeo")
    void syncIntoOneDockerArchiveThatPodmanLoadsCompletely() {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        Path archive = tmp.resolve("images.tar");
        CommandResult refused = sb.skopeo("sync", "--src", "docker", "--dest", "docker-archive",
                "--src-tls-verify=false", SRC.hostPort() + "/ns/app", archive.toString());
        assertThat(SyncIT.fatal(refused)).isEqualTo("\"docker-archive\" is not a valid destination transport");

        String app = SRC.hostPort() + "/ns/app";
        sb.kopi("sync", "--scoped", "--src", "docker", "--dest", "docker-archive", "--src-tls-verify=false", app,
                archive.toString()).assertSuccess();
        // A second run adds another repository's image to the same archive; the first run's images stay.
        CommandResult again = sb.kopi("sync", "--scoped", "--output", "json", "--src", "docker", "--dest",
                "docker-archive", "--src-tls-verify=false", SRC.hostPort() + "/ns/web", archive.toString())
                .assertSuccess();
        assertThat(RegistryCli.json(again).path("copied").asLong()).isEqualTo(1);
        try (var s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no temporary files left")
                    .noneMatch(n -> n.startsWith("."));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }

        CommandResult load = sb.podman("load", "-i", archive.toString()).assertSuccess();
        Map<String, String> expected = new TreeMap<>();
        expected.put(app + ":single", Fixtures.single().imageId());
        expected.put(app + ":multi", Fixtures.multi().imageId());
        expected.put(SRC.hostPort() + "/ns/web:v1", Fixtures.single().imageId());
        for (Map.Entry<String, String> e : expected.entrySet()) {
            assertThat(load.stdout()).contains(e.getKey());
            JsonNode image = RegistryCli.json(sb.podman("image", "inspect", e.getKey()).assertSuccess()).get(0);
            assertThat(image.path("Id").asText()).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    /** Item 7: every synced image in one oci-archive; skopeo reads each by name, with the registry's digests. */
    @Test
    @Tag("beyond-skopeo")
    void syncIntoOneOciArchiveThatSkopeoReadsImageByImage() {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        Path archive = tmp.resolve("images-oci.tar");
        CommandResult refused = sb.skopeo("sync", "--src", "docker", "--dest", "oci-archive",
                "--src-tls-verify=false", SRC.hostPort() + "/ns/app", archive.toString());
        assertThat(SyncIT.fatal(refused)).isEqualTo("\"oci-archive\" is not a valid destination transport");

        sb.kopi("sync", "--src", "docker", "--dest", "oci-archive", "--src-tls-verify=false",
                SRC.hostPort() + "/ns/app", archive.toString()).assertSuccess();
        for (String tag : List.of("single", "multi")) {
            CommandResult raw = sb.skopeo("inspect", "--raw", "oci-archive:" + archive + ":app:" + tag)
                    .assertSuccess();
            assertThat(sha256(raw.stdoutBytes())).as(tag).isEqualTo(SyncIT.headDigest(SRC, "ns/app", tag));
        }
        // A re-run finds both images in the archive and leaves it alone.
        CommandResult again = sb.kopi("sync", "--src", "docker", "--dest", "oci-archive", "--src-tls-verify=false",
                SRC.hostPort() + "/ns/app", archive.toString()).assertSuccess();
        assertThat(again.stdout().lines().toList()).containsExactlyInAnyOrder(
                "Skipping oci-archive:" + archive + ":app:single: already up to date",
                "Skipping oci-archive:" + archive + ":app:multi: already up to date");
    }

    /** Blob digests downloaded through the proxy. */
    private static Set<String> blobGets(FaultProxy proxy) {
        return proxy.exchanges(Exchange::isBlobGet).stream()
                .map(e -> e.path().substring(e.path().lastIndexOf('/') + 1)).collect(Collectors.toCollection(TreeSet::new));
    }

    private static Set<String> blobsOf(WrittenImage img) {
        Set<String> out = new TreeSet<>();
        out.add(img.configDigest().toString());
        img.layers().forEach(d -> out.add(d.toString()));
        return out;
    }

    /**
     * Item 8: a re-run into an existing {@code dir:} destination downloads only the blobs of the image whose tag
     * changed (skopeo refuses to touch the existing directories at all), skips the rest, and swaps the changed
     * image's directory whole.
     */
    @Test
    @Tag("beyond-skopeo")
    void incrementalDirSyncMovesOnlyWhatChanged() throws IOException {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        sb.skopeo(args("copy", SRC.destArgs(), TestImage.SINGLE.ociRef(), SRC.ref("inc/app:t1"))).assertSuccess();
        sb.skopeo(args("copy", SRC.destArgs(), TestImage.MULTI.ociRef(), SRC.ref("inc/app:t2"))).assertSuccess();
        Path dest = tmp.resolve("mirror");
        try (FaultProxy proxy = FaultProxy.start(SRC)) {
            String repo = proxy.hostPort() + "/inc/app";
            sb.kopi("sync", "--src", "docker", "--dest", "dir", "--src-tls-verify=false", repo, dest.toString())
                    .assertSuccess();
            assertThat(blobGets(proxy)).containsAll(blobsOf(Fixtures.single())).containsAll(blobsOf(Fixtures.multi()));

            CommandResult skopeo = sb.skopeo("sync", "--src", "docker", "--dest", "dir", "--src-tls-verify=false",
                    repo, dest.toString());
            assertThat(SyncIT.fatal(skopeo)).startsWith("Refusing to overwrite destination directory \"" + dest
                    + "/app:t");
            CommandResult plain = sb.kopi("sync", "--src", "docker", "--dest", "dir", "--src-tls-verify=false", repo,
                    dest.toString());
            assertThat(SyncIT.fatal(plain)).as("kopi keeps skopeo's default").isEqualTo(SyncIT.fatal(skopeo));

            // t2 now names the single-layer image; t1 is unchanged.
            sb.skopeo(args("copy", SRC.destArgs(), TestImage.SINGLE.ociRef(), SRC.ref("inc/app:t2")))
                    .assertSuccess();
            Path t1Manifest = dest.resolve("app:t1/manifest.json");
            java.nio.file.attribute.FileTime t1Time = Files.getLastModifiedTime(t1Manifest);
            proxy.clearExchanges();
            CommandResult inc = sb.kopi("sync", "--incremental", "--output", "json", "--src", "docker", "--dest",
                    "dir", "--src-tls-verify=false", repo, dest.toString()).assertSuccess();
            JsonNode summary = RegistryCli.json(inc);
            assertThat(summary.path("copied").asLong()).isEqualTo(1);
            assertThat(summary.path("skipped").asLong()).isEqualTo(1);
            assertThat(blobGets(proxy)).as(proxy.describe()).isEqualTo(blobsOf(Fixtures.single()));
            assertThat(Files.getLastModifiedTime(t1Manifest)).isEqualTo(t1Time);
            assertThat(sha256(Files.readAllBytes(dest.resolve("app:t2/manifest.json"))))
                    .isEqualTo(SyncIT.headDigest(SRC, "inc/app", "t2"));
            assertThat(dest.resolve("app:t2/" + Fixtures.multi().layers().get(1).encoded()))
                    .as("the old image's blobs went with its directory").doesNotExist();
            try (var s = Files.list(dest)) {
                assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("app:t1", "app:t2");
            }

            // Nothing changed: nothing downloaded.
            proxy.clearExchanges();
            CommandResult text = sb.kopi("sync", "--incremental", "--src", "docker", "--dest", "dir",
                    "--src-tls-verify=false", repo, dest.toString()).assertSuccess();
            assertThat(text.stdout().lines().toList()).containsExactlyInAnyOrder(
                    "Skipping dir:" + dest + "/app:t1: already up to date",
                    "Skipping dir:" + dest + "/app:t2: already up to date");
            assertThat(blobGets(proxy)).isEmpty();
        }
    }

    /**
     * Item 8: {@code destination-repos} sends a source repository to the destination path given; skopeo 1.9.3
     * ignores the key (its YAML decoding skips unknown keys) and uses its own naming. A bad pair fails the run
     * before anything is copied.
     */
    @Test
    @Tag("beyond-skopeo")
    void yamlRepositoryPairs() {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        Path y = yaml("pairs.yaml", SRC.hostPort() + ":\n  images:\n    ns/app: [single, multi]\n    ns/web: [v1]\n"
                + "  destination-repos:\n    ns/app: mirror/application\n  tls-verify: false\n");
        sb.kopi("sync", "--src", "yaml", "--dest", "docker", "--dest-tls-verify=false", y.toString(),
                DST.hostPort() + "/kopi-pairs").assertSuccess();
        assertThat(SyncIT.registryImages(DST, "kopi-pairs")).containsOnly(
                Map.entry("mirror/application:single", SyncIT.headDigest(SRC, "ns/app", "single")),
                Map.entry("mirror/application:multi", SyncIT.headDigest(SRC, "ns/app", "multi")),
                Map.entry("web:v1", SyncIT.headDigest(SRC, "ns/web", "v1")));
        sb.skopeo("sync", "--src", "yaml", "--dest", "docker", "--dest-tls-verify=false", y.toString(),
                DST.hostPort() + "/skopeo-pairs").assertSuccess();
        assertThat(SyncIT.registryImages(DST, "skopeo-pairs").keySet()).as("skopeo ignores the key")
                .containsExactlyInAnyOrder("app:single", "app:multi", "web:v1");

        Path bad = yaml("bad.yaml", SRC.hostPort() + ":\n  images:\n    ns/app: [single]\n"
                + "  destination-repos:\n    ns/app: Mirror/App\n  tls-verify: false\n");
        CommandResult r = sb.kopi("sync", "--src", "yaml", "--dest", "docker", "--dest-tls-verify=false",
                bad.toString(), DST.hostPort() + "/bad-pairs");
        assertThat(r.exitCode()).isEqualTo(1);
        assertThat(SyncIT.fatal(r)).isEqualTo("Invalid destination-repos in \"" + bad + "\" for registry \""
                + SRC.hostPort() + "\": invalid destination repository \"Mirror/App\" for \"ns/app\": repository name"
                + " must be lowercase");
        assertThat(SyncIT.registryImages(DST, "bad-pairs")).isEmpty();
    }
}
