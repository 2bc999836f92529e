package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.JSON;
import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Fixtures;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.testkit.WrittenImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, "Beyond skopeo": one test per item, each failing on skopeo 1.9.3's behaviour (shown by running skopeo
 * the same way) and passing on kopi's, with a real docker-registry and skopeo/podman checking what kopi wrote.
 * Tagged {@code beyond-skopeo}: a run with {@code -Dkopi.cmd=/usr/bin/skopeo} leaves it out.
 */
@Tag("beyond-skopeo")
class BeyondSkopeoIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();
    @RegisterExtension
    static final RegistryServer AUTH_REGISTRY = RegistryServer.htpasswd();

    @TempDir
    Path tmp;

    /** Item 1: {@code --multi-arch=os/arch,...} (and {@code --platform}) writes an index of only those instances. */
    @Test
    void platformSubsetWritesAnIndexOfOnlyThoseInstancesThatSkopeoAndPodmanRead() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        List<WrittenImage> all = Fixtures.index().instances(); // linux/amd64, linux/arm64/v8, linux/arm/v7
        sb.kopi(args("copy", "--all", REGISTRY.destArgs(), TestImage.INDEX.ociRef(), REGISTRY.ref("subset/app:all")))
                .assertSuccess();

        CommandResult skopeo = sb.skopeo(args("copy", "--multi-arch=linux/amd64,linux/arm64", REGISTRY.srcArgs(),
                REGISTRY.destArgs(), REGISTRY.ref("subset/app:all"), REGISTRY.ref("subset/app:skopeo")));
        assertThat(skopeo.exitCode()).as("skopeo 1.9.3 has no platform subsets").isEqualTo(1);
        assertThat(skopeo.stderr()).contains("unknown multi-arch option");

        sb.kopi(args("copy", "--multi-arch=linux/amd64,linux/arm64", REGISTRY.srcArgs(), REGISTRY.destArgs(),
                REGISTRY.ref("subset/app:all"), REGISTRY.ref("subset/app:two"))).assertSuccess();
        sb.kopi(args("copy", "--platform", "linux/arm/v7", REGISTRY.srcArgs(), REGISTRY.destArgs(),
                REGISTRY.ref("subset/app:all"), REGISTRY.ref("subset/app:arm"))).assertSuccess();

        // skopeo reads the new index: two entries, the digests of the source's amd64 and arm64 images
        JsonNode two = JSON.readTree(sb.skopeo(args("inspect", "--raw", REGISTRY.args(),
                REGISTRY.ref("subset/app:two"))).assertSuccess().stdout());
        assertThat(platformsAndDigests(two)).containsExactly(
                "linux/amd64 " + all.get(0).manifestDigest(), "linux/arm64/v8 " + all.get(1).manifestDigest());
        JsonNode arm = JSON.readTree(sb.skopeo(args("inspect", "--raw", REGISTRY.args(),
                REGISTRY.ref("subset/app:arm"))).assertSuccess().stdout());
        assertThat(platformsAndDigests(arm)).containsExactly("linux/arm/v7 " + all.get(2).manifestDigest());
        assertThat(REGISTRY.missingBlobs("subset/app", "two")).isEmpty();
        // skopeo copies all of it back out; the arm/v7 layers were never pushed for :two's sake
        sb.skopeo(args("copy", "--all", REGISTRY.srcArgs(), REGISTRY.ref("subset/app:two"),
                "oci:" + sb.path("back") + ":two")).assertSuccess();
        // podman pulls the arm64 instance from the two-platform index
        CommandResult pull = sb.podman("pull", "--tls-verify=false", "--arch", "arm64", "-q",
                REGISTRY.hostPort() + "/subset/app:two").assertSuccess();
        assertThat(pull.stdout().trim()).isEqualTo(all.get(1).imageId().replace("sha256:", ""));
        CommandResult missing = sb.podman("pull", "--tls-verify=false", "--arch", "arm", "-q",
                REGISTRY.hostPort() + "/subset/app:two");
        assertThat(missing.exitCode()).as("arm/v7 is not in the subset").isNotZero();
    }

    /**
     * Item 4: {@code list-repos docker://HOST} reads every page of the catalog (the registry sends 100 repositories
     * a page and a {@code Link} to the next), and {@code list-tags --include/--exclude} filter the tags.
     */
    @Test
    void listReposReadsEveryCatalogPageAndListTagsFilters() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        WrittenImage img = Fixtures.single();
        sb.kopi(args("copy", REGISTRY.destArgs(), TestImage.SINGLE.ociRef(), REGISTRY.ref("catalog/base:1.0")))
                .assertSuccess();
        List<String> expected = new ArrayList<>(List.of("catalog/base"));
        for (int i = 0; i < 105; i++) {
            String repo = String.format("catalog/r%03d", i);
            putByMounting(repo, "v1", img);
            expected.add(repo);
        }
        for (String tag : List.of("1.0.1", "1.1-rc1", "2.0", "latest", "sha256-abc.sig")) {
            putByMounting("catalog/base", tag, img);
        }

        CommandResult skopeo = sb.skopeo(args("list-repos", REGISTRY.args(), "docker://" + REGISTRY.hostPort()));
        assertThat(skopeo.exitCode()).as("skopeo has no list-repos").isEqualTo(1);
        CommandResult skopeoTags = sb.skopeo(args("list-tags", "--include", "^1\\.", REGISTRY.args(),
                REGISTRY.ref("catalog/base")));
        assertThat(skopeoTags.exitCode()).as("skopeo list-tags has no filters").isEqualTo(1);
        assertThat(skopeoTags.stderr()).contains("unknown flag: --include");

        JsonNode repos = JSON.readTree(sb.kopi(args("list-repos", REGISTRY.args(), "docker://" + REGISTRY.hostPort()))
                .assertSuccess().stdout());
        assertThat(repos.path("Registry").asText()).isEqualTo(REGISTRY.hostPort());
        List<String> listed = new ArrayList<>();
        repos.path("Repositories").forEach(n -> listed.add(n.asText()));
        assertThat(REGISTRY.catalog()).as("one page of the registry's catalog").hasSize(100);
        // (other tests of this class add their own repositories to the registry)
        assertThat(listed.stream().filter(r -> r.startsWith("catalog/")).toList())
                .containsExactlyInAnyOrderElementsOf(expected);

        JsonNode filteredRepos = JSON.readTree(sb.kopi(args("list-repos", "--include", "r10[0-9]$", "--exclude",
                "r104", REGISTRY.args(), "docker://" + REGISTRY.hostPort())).assertSuccess().stdout());
        assertThat(filteredRepos.path("Repositories").toString()).isEqualTo(
                "[\"catalog/r100\",\"catalog/r101\",\"catalog/r102\",\"catalog/r103\"]");

        CommandResult tags = sb.kopi(args("list-tags", "--include", "^1\\.", "--include", "^2", "--exclude", "-rc",
                REGISTRY.args(), REGISTRY.ref("catalog/base"))).assertSuccess();
        JsonNode t = JSON.readTree(tags.stdout());
        List<String> kept = new ArrayList<>();
        t.path("Tags").forEach(n -> kept.add(n.asText()));
        assertThat(kept).containsExactlyInAnyOrder("1.0", "1.0.1", "2.0");
        // without filters, list-tags prints what skopeo prints
        assertThat(sb.kopi(args("list-tags", REGISTRY.args(), REGISTRY.ref("catalog/base"))).assertSuccess().stdout())
                .isEqualTo(sb.skopeo(args("list-tags", REGISTRY.args(), REGISTRY.ref("catalog/base"))).assertSuccess()
                        .stdout());
    }

    /**
     * Item 3: {@code delete --tag-only} removes one tag; the manifest and its other tags survive. docker-registry 2.8
     * (deletion enabled) has no tag DELETE, so this runs the throw-away-manifest workaround.
     */
    @Test
    void deleteTagOnlyLeavesTheManifestAndItsOtherTags() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        WrittenImage img = Fixtures.multi();
        String digest = img.manifestDigest().toString();
        for (String repo : List.of("tagonly/skopeo", "tagonly/kopi")) {
            for (String tag : List.of("a", "b", "c")) {
                sb.kopi(args("copy", REGISTRY.destArgs(), TestImage.MULTI.ociRef(), REGISTRY.ref(repo + ":" + tag)))
                        .assertSuccess();
            }
        }
        // skopeo's delete takes every tag of the manifest with it
        sb.skopeo(args("delete", REGISTRY.args(), REGISTRY.ref("tagonly/skopeo:a"))).assertSuccess();
        assertThat(REGISTRY.tags("tagonly/skopeo")).as("skopeo delete of :a").isEmpty();
        CommandResult skopeoTagOnly = sb.skopeo(args("delete", "--tag-only", REGISTRY.args(),
                REGISTRY.ref("tagonly/skopeo:b")));
        assertThat(skopeoTagOnly.stderr()).contains("unknown flag: --tag-only");

        sb.kopi(args("delete", "--tag-only", REGISTRY.args(), REGISTRY.ref("tagonly/kopi:a"))).assertSuccess();
        assertThat(REGISTRY.tags("tagonly/kopi")).containsExactlyInAnyOrder("b", "c");
        assertThat(REGISTRY.hasManifest("tagonly/kopi", digest)).as("the manifest stays").isTrue();
        assertThat(REGISTRY.missingBlobs("tagonly/kopi", digest)).isEmpty();
        JsonNode b = JSON.readTree(sb.skopeo(args("inspect", REGISTRY.args(), REGISTRY.ref("tagonly/kopi:b")))
                .assertSuccess().stdout());
        assertThat(b.path("Digest").asText()).isEqualTo(digest);
        // the last tags too: the manifest stays reachable by digest
        sb.kopi(args("delete", "--tag-only", REGISTRY.args(), REGISTRY.ref("tagonly/kopi:b"))).assertSuccess();
        sb.kopi(args("delete", "--tag-only", REGISTRY.args(), REGISTRY.ref("tagonly/kopi:c"))).assertSuccess();
        assertThat(REGISTRY.tags("tagonly/kopi")).isEmpty();
        sb.skopeo(args("inspect", REGISTRY.args(), REGISTRY.ref("tagonly/kopi@" + digest))).assertSuccess();
        // a tag that is not there: exit 2, nothing changed
        CommandResult missing = sb.kopi(args("delete", "--tag-only", REGISTRY.args(), REGISTRY.ref("tagonly/kopi:zz")));
        missing.assertExit(2);
        assertThat(missing.assertOneFatalLine()).contains("no tag zz");
        assertThat(REGISTRY.hasManifest("tagonly/kopi", digest)).isTrue();
        // a digest reference is refused: --tag-only never deletes a manifest
        sb.kopi(args("delete", "--tag-only", REGISTRY.args(), REGISTRY.ref("tagonly/kopi@" + digest))).assertExit(1);
        assertThat(REGISTRY.hasManifest("tagonly/kopi", digest)).isTrue();
    }

    /**
     * Item 10: {@code --progress-interval} prints the progress of a slow blob periodically when not on a terminal,
     * and an archive written to stdout stays a valid archive (progress goes to stderr); skopeo mixes its lines in.
     */
    @Test
    void progressIntervalLinesAndAStdoutArchiveThatPodmanLoads() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        WrittenImage img = Fixtures.multi();
        sb.kopi(args("copy", REGISTRY.destArgs(), TestImage.MULTI.ociRef(), REGISTRY.ref("progress/app:1")))
                .assertSuccess();
        int biggest = 0;
        for (int i = 0; i < img.layers().size(); i++) {
            biggest = img.layerSizes().get(i) > img.layerSizes().get(biggest) ? i : biggest;
        }
        String slow = img.layers().get(biggest).toString();
        try (FaultProxy proxy = FaultProxy.start(REGISTRY)) {
            proxy.inject("GET", "/blobs/" + slow, 1, Fault.stall(4096, java.time.Duration.ofMillis(2500)));
            CommandResult r = sb.kopi(args("copy", "--progress-interval", "400ms", proxy.srcArgs(),
                    proxy.ref("progress/app:1"), "dir:" + sb.path("out"))).assertSuccess();
            String prefix = "Copying blob " + slow.substring("sha256:".length(), "sha256:".length() + 12) + " ";
            List<String> periodic = r.stdout().lines().filter(l -> l.startsWith(prefix)).toList();
            assertThat(periodic).as("periodic lines while the blob stalls:\n%s", r.stdout()).hasSizeGreaterThanOrEqualTo(3)
                    .allSatisfy(l -> assertThat(l).matches(java.util.regex.Pattern.quote(prefix)
                            + "\\d+\\.\\d (B|KiB) / \\d+\\.\\d KiB \\(\\d+%\\)"));
            assertThat(r.stdout()).contains("Copying blob " + slow + "\n").contains("Writing manifest to image destination");
        }
        CommandResult skopeoInterval = sb.skopeo(args("copy", "--progress-interval", "1s", REGISTRY.srcArgs(),
                REGISTRY.ref("progress/app:1"), "dir:" + sb.path("skopeo-out")));
        assertThat(skopeoInterval.stderr()).contains("unknown flag: --progress-interval");

        // the archive on stdout: skopeo's is corrupted by its own progress lines, kopi's loads
        CommandResult skopeoStdout = sb.skopeo(args("copy", REGISTRY.srcArgs(), REGISTRY.ref("progress/app:1"),
                "docker-archive:/dev/stdout:localhost/progress/app:1")).assertSuccess();
        java.nio.file.Path skopeoTar = java.nio.file.Files.write(sb.path("skopeo.tar"), skopeoStdout.stdoutBytes());
        assertThat(sb.skopeo("inspect", "docker-archive:" + skopeoTar).exitCode()).as("skopeo's stdout archive")
                .isEqualTo(1);
        CommandResult kopiStdout = sb.kopi(args("copy", REGISTRY.srcArgs(), REGISTRY.ref("progress/app:1"),
                "docker-archive:/dev/stdout:localhost/progress/app:1")).assertSuccess();
        assertThat(kopiStdout.stderr()).contains("Copying blob " + slow).contains("Writing manifest");
        java.nio.file.Path kopiTar = java.nio.file.Files.write(sb.path("kopi.tar"), kopiStdout.stdoutBytes());
        CommandResult load = sb.podman("load", "-i", kopiTar.toString()).assertSuccess();
        assertThat(load.stdout()).contains("localhost/progress/app:1");
        JsonNode inspect = JSON.readTree(sb.podman("image", "inspect", "localhost/progress/app:1").assertSuccess()
                .stdout()).get(0);
        assertThat(inspect.path("Id").asText()).isEqualTo(img.imageId());
    }

    /**
     * Item 9: kopi processes writing different images into one {@code oci:} layout at the same time all end up in
     * index.json. skopeo reads index.json early and writes it back at the end without a lock, so concurrent skopeo
     * copies lose each other's entries (shown, not asserted: it is a race).
     */
    @Test
    void concurrentWritersIntoOneOciLayoutAllEndUpInIndexJson() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        List<String> sources = List.of(TestImage.SINGLE.ociRef(), TestImage.MULTI.ociRef(), TestImage.INDEX.ociRef(),
                "oci:" + dev.kopi.it.Kopi.repoRoot().resolve("examples/hello") + ":latest");
        int writers = 6;
        java.nio.file.Path skopeoLayout = sb.path("skopeo-layout");
        java.nio.file.Path kopiLayout = sb.path("kopi-layout");
        runConcurrently(writers, i -> sb.skopeo("copy", "-q", sources.get(i % sources.size()),
                "oci:" + skopeoLayout + ":t" + i));
        int skopeoKept = JSON.readTree(skopeoLayout.resolve("index.json").toFile()).path("manifests").size();
        System.out.println("BeyondSkopeoIT: " + writers + " concurrent skopeo copies left " + skopeoKept
                + " entries in index.json");

        runConcurrently(writers, i -> sb.kopi("copy", "-q", sources.get(i % sources.size()),
                "oci:" + kopiLayout + ":t" + i));
        JsonNode index = JSON.readTree(kopiLayout.resolve("index.json").toFile());
        List<String> names = new ArrayList<>();
        index.path("manifests").forEach(m -> names.add(m.path("annotations")
                .path("org.opencontainers.image.ref.name").asText()));
        assertThat(names).containsExactlyInAnyOrder("t0", "t1", "t2", "t3", "t4", "t5");
        try (var files = java.nio.file.Files.list(kopiLayout)) {
            assertThat(files.map(f -> f.getFileName().toString()).sorted()).containsExactly("blobs", "index.json",
                    "oci-layout");
        }
        for (int i = 0; i < writers; i++) {
            sb.skopeo("inspect", "--raw", "oci:" + kopiLayout + ":t" + i).assertSuccess();
        }
        sb.skopeo("copy", "oci:" + kopiLayout + ":t2", "dir:" + sb.path("t2-out")).assertSuccess();
    }

    private static void runConcurrently(int n, java.util.function.IntFunction<CommandResult> command)
            throws Exception {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(n);
        try {
            java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(n);
            List<java.util.concurrent.Future<CommandResult>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int id = i;
                fs.add(pool.submit(() -> {
                    start.await();
                    return command.apply(id);
                }));
            }
            for (var f : fs) {
                f.get().assertSuccess();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * Item 7: multi-image archives. {@code copy --append} adds images to a docker-archive (podman loads them all)
     * and to an oci-archive; every image of a multi-image {@code podman save -m} tar is read; and an OCI tar whose
     * index.json is itself a multi-platform index (no nested index, as buildx writes) is read as that list.
     */
    @Test
    void multiImageArchivesAppendAndRead() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        WrittenImage single = Fixtures.single();
        WrittenImage multi = Fixtures.multi();
        java.nio.file.Path tar = sb.path("multi.tar");
        sb.kopi("copy", TestImage.SINGLE.ociRef(), "docker-archive:" + tar + ":localhost/multi/single:1")
                .assertSuccess();
        CommandResult skopeoAppend = sb.skopeo("copy", TestImage.MULTI.ociRef(),
                "docker-archive:" + tar + ":localhost/multi/multi:1");
        assertThat(skopeoAppend.stderr()).contains("docker-archive doesn't support modifying existing images");
        sb.kopi("copy", "--append", TestImage.MULTI.ociRef(), "docker-archive:" + tar + ":localhost/multi/multi:1")
                .assertSuccess();
        sb.skopeo("inspect", "docker-archive:" + tar + ":@0").assertSuccess();
        sb.skopeo("inspect", "docker-archive:" + tar + ":localhost/multi/multi:1").assertSuccess();
        CommandResult load = sb.podman("load", "-i", tar.toString()).assertSuccess();
        assertThat(load.stdout()).contains("localhost/multi/single:1").contains("localhost/multi/multi:1");
        for (var e : java.util.Map.of("localhost/multi/single:1", single, "localhost/multi/multi:1", multi)
                .entrySet()) {
            JsonNode img = JSON.readTree(sb.podman("image", "inspect", e.getKey()).assertSuccess().stdout()).get(0);
            assertThat(img.path("Id").asText()).as(e.getKey()).isEqualTo(e.getValue().imageId());
        }

        // every image of podman's own multi-image docker save
        java.nio.file.Path saved = sb.path("saved.tar");
        sb.podman("save", "-m", "--format", "docker-archive", "-o", saved.toString(), "localhost/multi/single:1",
                "localhost/multi/multi:1").assertSuccess();
        for (String which : List.of("@0", "@1", "localhost/multi/single:1", "localhost/multi/multi:1")) {
            JsonNode k = JSON.readTree(sb.kopi("inspect", "docker-archive:" + saved + ":" + which).assertSuccess()
                    .stdout());
            JsonNode s = JSON.readTree(sb.skopeo("inspect", "docker-archive:" + saved + ":" + which)
                    .assertSuccess().stdout());
            assertThat(k.path("Layers")).as(which).isEqualTo(s.path("Layers"));
            assertThat(k.path("Digest")).as(which).isEqualTo(s.path("Digest"));
        }

        // oci-archive --append keeps the first image; skopeo replaces the archive
        java.nio.file.Path oci = sb.path("multi-oci.tar");
        sb.kopi("copy", TestImage.SINGLE.ociRef(), "oci-archive:" + oci + ":single").assertSuccess();
        sb.kopi("copy", "--append", TestImage.MULTI.ociRef(), "oci-archive:" + oci + ":multi").assertSuccess();
        JsonNode s1 = JSON.readTree(sb.skopeo("inspect", "--raw", "oci-archive:" + oci + ":single").assertSuccess()
                .stdout());
        assertThat(s1.path("config").path("digest").asText()).isEqualTo(single.configDigest().toString());
        JsonNode s2 = JSON.readTree(sb.skopeo("inspect", "--raw", "oci-archive:" + oci + ":multi").assertSuccess()
                .stdout());
        assertThat(s2.path("config").path("digest").asText()).isEqualTo(multi.configDigest().toString());

        // an OCI tar whose index.json is the multi-platform index itself
        java.nio.file.Path flat = sb.path("flat");
        sb.skopeo("copy", "--all", TestImage.INDEX.ociRef(), "oci:" + flat + ":x").assertSuccess();
        JsonNode nested = JSON.readTree(sb.skopeo("inspect", "--raw", TestImage.INDEX.ociRef()).assertSuccess()
                .stdout());
        com.fasterxml.jackson.databind.node.ObjectNode top = JSON.createObjectNode();
        top.put("schemaVersion", 2);
        top.put("mediaType", "application/vnd.oci.image.index.v1+json");
        top.set("manifests", nested.path("manifests"));
        java.nio.file.Files.write(flat.resolve("index.json"), JSON.writeValueAsBytes(top));
        java.nio.file.Path flatTar = sb.path("flat.tar");
        sb.run(List.of("tar", "-cf", flatTar.toString(), "-C", flat.toString(), "oci-layout", "index.json", "blobs"),
                Sandbox.TIMEOUT).assertSuccess();
        CommandResult skopeoFlat = sb.skopeo("copy", "--all", "oci-archive:" + flatTar, "oci:" + sb.path("s") + ":x");
        assertThat(skopeoFlat.stderr()).contains("more than one image in oci, choose an image");
        sb.kopi("copy", "--all", "oci-archive:" + flatTar, "oci:" + sb.path("k") + ":all").assertSuccess();
        JsonNode all = JSON.readTree(sb.skopeo("inspect", "--raw", "oci:" + sb.path("k") + ":all").assertSuccess()
                .stdout());
        assertThat(all.path("manifests")).isEqualTo(nested.path("manifests"));
        sb.skopeo("copy", "--all", "oci:" + sb.path("k") + ":all", "dir:" + sb.path("k-dir")).assertSuccess();
        sb.kopi("--override-arch", "arm64", "copy", "oci-archive:" + flatTar,
                "docker-archive:" + sb.path("arm.tar") + ":localhost/flat/arm:1").assertSuccess();
        sb.podman("load", "-i", sb.path("arm.tar").toString()).assertSuccess();
        JsonNode arm = JSON.readTree(sb.podman("image", "inspect", "localhost/flat/arm:1").assertSuccess().stdout())
                .get(0);
        assertThat(arm.path("Architecture").asText()).isEqualTo("arm64");
        assertThat(arm.path("Id").asText()).isEqualTo(Fixtures.index().instances().get(1).imageId());
    }

    /**
     * Item 5: Docker's {@code credsStore} (config.json's default credential store, as Docker Desktop sets it) is
     * asked for a registry the file has no usable entry for, like {@code credHelpers}. A fake
     * {@code docker-credential-kopitest} on PATH answers for the htpasswd registry; skopeo ignores credsStore.
     */
    @Test
    void credsStoreInDockerConfigIsAsked() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        Credentials alice = AUTH_REGISTRY.admin();
        sb.kopi(args("copy", AUTH_REGISTRY.destArgs(), TestImage.SINGLE.ociRef(), AUTH_REGISTRY.ref("store/app:1")))
                .assertSuccess();
        java.nio.file.Path bin = java.nio.file.Files.createDirectories(sb.path("bin"));
        java.nio.file.Path calls = sb.path("helper-calls.log");
        java.nio.file.Path helper = bin.resolve("docker-credential-kopitest");
        java.nio.file.Files.writeString(helper, String.join("\n",
                "#!/bin/sh",
                "server=$(cat)",
                "echo \"$1 $server\" >> '" + calls + "'",
                "if [ \"$1\" = get ] && [ \"$server\" = '" + AUTH_REGISTRY.hostPort() + "' ]; then",
                "  printf '{\"ServerURL\":\"%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}' \"$server\" '"
                        + alice.username() + "' '" + alice.password() + "'",
                "  exit 0",
                "fi",
                "echo 'credentials not found in native keychain'",
                "exit 1",
                ""));
        helper.toFile().setExecutable(true);
        java.nio.file.Path dockerConfig = java.nio.file.Files.createDirectories(sb.home().resolve(".docker"))
                .resolve("config.json");
        java.nio.file.Files.writeString(dockerConfig, "{\"auths\":{\"" + AUTH_REGISTRY.hostPort()
                + "\":{}},\"credsStore\":\"kopitest\"}");
        String path = bin + ":" + sb.env().get("PATH");

        List<String> skopeo = new ArrayList<>(List.of("env", "PATH=" + path, dev.kopi.it.Tools.skopeo().toString()));
        skopeo.addAll(List.of(args("inspect", AUTH_REGISTRY.tlsArgs(), AUTH_REGISTRY.ref("store/app:1"))));
        CommandResult skopeoInspect = sb.run(skopeo, Sandbox.TIMEOUT);
        assertThat(skopeoInspect.exitCode()).as("skopeo ignores credsStore").isNotZero();
        assertThat(skopeoInspect.stderr()).contains("authentication required");
        assertThat(java.nio.file.Files.exists(calls)).as("skopeo never ran the helper").isFalse();

        List<String> kopi = new ArrayList<>(List.of("env", "PATH=" + path));
        kopi.addAll(dev.kopi.it.Kopi.command(sb));
        kopi.addAll(List.of(args("inspect", AUTH_REGISTRY.tlsArgs(), AUTH_REGISTRY.ref("store/app:1"))));
        CommandResult inspect = sb.run(kopi, Sandbox.TIMEOUT).assertSuccess();
        assertThat(JSON.readTree(inspect.stdout()).path("Digest").asText())
                .isEqualTo(Fixtures.single().manifestDigest().toString());
        assertThat(java.nio.file.Files.readString(calls)).contains("get " + AUTH_REGISTRY.hostPort());
        // credHelpers still wins over credsStore for its registry, as in Docker
        java.nio.file.Files.writeString(dockerConfig, "{\"credHelpers\":{\"" + AUTH_REGISTRY.hostPort()
                + "\":\"absent-helper\"},\"credsStore\":\"kopitest\"}");
        CommandResult viaHelper = sb.run(kopi, Sandbox.TIMEOUT);
        assertThat(viaHelper.exitCode()).isNotZero();
        assertThat(viaHelper.stderr()).contains("docker-credential-absent-helper");
    }

    /** Puts {@code img} into {@code repo:tag} by mounting its blobs from {@code catalog/base} (cheap, no upload). */
    private static void putByMounting(String repo, String tag, WrittenImage img) throws Exception {
        List<String> blobs = new ArrayList<>();
        blobs.add(img.configDigest().toString());
        img.layers().forEach(d -> blobs.add(d.toString()));
        java.net.http.HttpClient http = REGISTRY.httpClient();
        if (!repo.equals("catalog/base")) {
            for (String d : blobs) {
                var res = http.send(java.net.http.HttpRequest.newBuilder(REGISTRY.uri("/v2/" + repo
                        + "/blobs/uploads/?mount=" + d + "&from=catalog/base"))
                        .POST(java.net.http.HttpRequest.BodyPublishers.noBody()).build(),
                        java.net.http.HttpResponse.BodyHandlers.discarding());
                assertThat(res.statusCode()).as("mount %s into %s", d, repo).isEqualTo(201);
            }
        }
        var put = http.send(java.net.http.HttpRequest.newBuilder(REGISTRY.uri("/v2/" + repo + "/manifests/" + tag))
                .header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(img.manifest())).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        assertThat(put.statusCode()).as("PUT %s:%s", repo, tag).isEqualTo(201);
    }

    private static List<String> platformsAndDigests(JsonNode index) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : index.path("manifests")) {
            JsonNode p = m.path("platform");
            out.add(p.path("os").asText() + "/" + p.path("architecture").asText()
                    + (p.path("variant").asText().isEmpty() ? "" : "/" + p.path("variant").asText()) + " "
                    + m.path("digest").asText());
        }
        return out;
    }
}
