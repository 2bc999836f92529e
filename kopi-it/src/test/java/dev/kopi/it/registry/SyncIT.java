package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code sync} against two real registries on loopback: every documented form of skopeo's sync gives the same
 * destination names and manifest digests as skopeo 1.9.3 on the same input (acceptance 1), {@code --keep-going}
 * and the first-failure stop (acceptance 2), {@code --shard} workers that together equal one run with no image
 * copied twice (acceptance 3), and kopi's run-wide blob dedupe and up-to-date skips, counted by a proxy.
 */
class SyncIT {
    @RegisterExtension
    static final RegistryServer SRC = RegistryServer.plain();
    @RegisterExtension
    static final RegistryServer DST = RegistryServer.plain();

    @TempDir
    static Path shared;
    @TempDir
    Path tmp;

    /** {@code team/app1:v1} and {@code team/app2:v2} as {@code dir:} images. */
    static Path dirSource;
    static String singleDigest;

    @BeforeAll
    static void sources() {
        Sandbox sb = new Sandbox(shared.resolve("setup"));
        for (TestImage img : TestImage.values()) {
            sb.skopeo(args("copy", "--all", SRC.destArgs(), img.ociRef(), SRC.ref("ns/app:" + img.tag())))
                    .assertSuccess();
        }
        Map<String, TestImage> other = Map.of("v1.0.0", TestImage.SINGLE, "v1.2.0", TestImage.MULTI,
                "v2.0.0-rc1", TestImage.SINGLE, "latest", TestImage.MULTI);
        other.forEach((tag, img) -> sb.skopeo(args("copy", SRC.destArgs(), img.ociRef(), SRC.ref("ns/other:" + tag)))
                .assertSuccess());
        dirSource = shared.resolve("dirsrc");
        try {
            Files.createDirectories(dirSource.resolve("team"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        sb.skopeo("copy", TestImage.SINGLE.ociRef(), "dir:" + dirSource.resolve("team/app1:v1")).assertSuccess();
        sb.skopeo("copy", TestImage.MULTI.ociRef(), "dir:" + dirSource.resolve("team/app2:v2")).assertSuccess();
        singleDigest = headDigest(SRC, "ns/app", "single");
    }

    static String headDigest(RegistryServer r, String repo, String ref) {
        HttpResponse<byte[]> res = r.api("HEAD", "/v2/" + repo + "/manifests/" + ref);
        assertThat(res.statusCode()).as("HEAD %s:%s", repo, ref).isEqualTo(200);
        return res.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    /** The message of the one fatal line of a failed command (logrus-quoted as printed). */
    static String fatal(CommandResult r) {
        List<String> lines = r.stderrLines().stream().filter(l -> l.contains(" level=fatal msg=")).toList();
        assertThat(lines).as("fatal lines of %s", r).hasSize(1);
        String l = lines.get(0);
        String msg = l.substring(l.indexOf(" level=fatal msg=") + " level=fatal msg=".length());
        return msg.startsWith("\"") ? msg.substring(1, msg.length() - 1).replace("\\\"", "\"") : msg;
    }

    private static String src(String repo) {
        return SRC.hostPort() + "/" + repo;
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

    private Path compareYaml() {
        return yaml("sync.yaml", SRC.hostPort() + ":\n"
                + "  images:\n"
                + "    ns/app:\n"
                + "      - single\n"
                + "      - multi\n"
                + "  images-by-tag-regex:\n"
                + "    ns/other: ^v1\\.\n"
                + "  tls-verify: false\n");
    }

    /** Every image under {@code prefix/} in a registry: {@code repo-below-prefix:tag} to manifest digest. */
    static Map<String, String> registryImages(RegistryServer r, String prefix) {
        Map<String, String> out = new TreeMap<>();
        for (String repo : r.catalog()) {
            if (!repo.startsWith(prefix + "/")) {
                continue;
            }
            for (String tag : r.tags(repo)) {
                out.put(repo.substring(prefix.length() + 1) + ":" + tag, headDigest(r, repo, tag));
            }
        }
        return out;
    }

    /** Every {@code dir:} image under {@code root}: relative path to the SHA-256 of its manifest.json. */
    static Map<String, String> dirImages(Path root) {
        Map<String, String> out = new TreeMap<>();
        if (!Files.isDirectory(root)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path m : s.filter(p -> p.getFileName().toString().equals("manifest.json")).toList()) {
                byte[] b = Files.readAllBytes(m);
                out.put(root.relativize(m.getParent()).toString(), "sha256:"
                        + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        return out;
    }

    static Stream<Arguments> forms() {
        List<Arguments> out = new ArrayList<>();
        for (boolean scoped : new boolean[] {false, true}) {
            out.add(Arguments.of("repo-registry", "docker", "docker", scoped));
            out.add(Arguments.of("image-registry", "docker", "docker", scoped));
            out.add(Arguments.of("digest-registry", "docker", "docker", scoped));
            out.add(Arguments.of("registry-dir", "docker", "dir", scoped));
            out.add(Arguments.of("dir-registry", "dir", "docker", scoped));
            out.add(Arguments.of("yaml-registry", "yaml", "docker", scoped));
            out.add(Arguments.of("yaml-dir", "yaml", "dir", scoped));
        }
        return out.stream();
    }

    /** Acceptance 1: the same destination names and manifest digests as skopeo 1.9.3, form by form. */
    @ParameterizedTest(name = "{0} scoped={3}")
    @MethodSource("forms")
    void sameResultAsSkopeo(String form, String srcKind, String destKind, boolean scoped) {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        String source = switch (form) {
            case "repo-registry", "registry-dir" -> src("ns/app");
            case "image-registry" -> src("ns/app:multi");
            case "digest-registry" -> src("ns/app@" + singleDigest);
            case "dir-registry" -> dirSource.toString();
            default -> compareYaml().toString();
        };
        String name = form + (scoped ? "-scoped" : "");
        Map<String, CommandResult> results = new TreeMap<>();
        Map<String, Map<String, String>> images = new TreeMap<>();
        for (String tool : List.of("skopeo", "kopi")) {
            String dest = destKind.equals("dir") ? tmp.resolve(tool + "-" + name).toString()
                    : DST.hostPort() + "/" + tool + "-" + name;
            List<String> a = new ArrayList<>(List.of("sync", "--src", srcKind, "--dest", destKind));
            if (scoped) {
                a.add("--scoped");
            }
            if (!srcKind.equals("dir")) {
                a.add("--src-tls-verify=false");
            }
            a.add("--dest-tls-verify=false");
            a.add(source);
            a.add(dest);
            CommandResult r = tool.equals("kopi") ? sb.kopi(a.toArray(String[]::new)) : sb.skopeo(a.toArray(String[]::new));
            results.put(tool, r);
            if (form.equals("digest-registry")) {
                // pushed by digest: no tag to list
                images.put(tool, DST.hasManifest(tool + "-" + name + "/app", singleDigest)
                        ? Map.of("app@" + singleDigest, singleDigest) : Map.of());
            } else {
                images.put(tool, destKind.equals("dir") ? dirImages(Path.of(dest))
                        : registryImages(DST, tool + "-" + name));
            }
        }
        CommandResult skopeo = results.get("skopeo");
        CommandResult kopi = results.get("kopi");
        assertThat(kopi.exitCode()).as("kopi: %s\nskopeo: %s", kopi, skopeo).isEqualTo(skopeo.exitCode());
        if (skopeo.exitCode() != 0) {
            // Scoped names with the source's host:port are no valid registry names: both refuse, in the same words.
            assertThat(fatal(kopi).replace("kopi-" + name, "X").replaceAll("/ns/app:[a-z]+", "/ns/app:TAG"))
                    .isEqualTo(fatal(skopeo).replace("skopeo-" + name, "X").replaceAll("/ns/app:[a-z]+", "/ns/app:TAG"));
        } else {
            assertThat(images.get("kopi")).as("kopi's destination images").isNotEmpty()
                    .isEqualTo(images.get("skopeo"));
            assertThat(kopi.stderr()).contains("Synced " + images.get("kopi").size() + " images from");
        }
    }

    /** Acceptance 2, part 1: keep-going copies everything else, lists the failure and exits 1, as skopeo. */
    @Test
    void keepGoingContinuesPastAMissingTag() {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        Path y = yaml("kg.yaml", SRC.hostPort() + ":\n  images:\n    ns/app:\n      - single\n      - nope\n"
                + "      - multi\n  tls-verify: false\n");
        CommandResult skopeo = sb.skopeo("sync", "--keep-going", "--src", "yaml", "--dest", "docker",
                "--dest-tls-verify=false", y.toString(), DST.hostPort() + "/kg-skopeo");
        CommandResult kopi = sb.kopi("sync", "--keep-going", "--src", "yaml", "--dest", "docker",
                "--dest-tls-verify=false", y.toString(), DST.hostPort() + "/kg-kopi");
        assertThat(kopi.exitCode()).as("%s", kopi).isEqualTo(skopeo.exitCode()).isEqualTo(1);
        assertThat(registryImages(DST, "kg-kopi")).isEqualTo(registryImages(DST, "kg-skopeo"))
                .containsOnlyKeys("app:single", "app:multi");
        for (String tag : List.of("single", "multi")) {
            assertThat(DST.missingBlobs("kg-kopi/app", tag)).isEmpty();
        }
        String missing = "docker://" + SRC.hostPort() + "/ns/app:nope";
        assertThat(kopi.stderr()).contains("level=error msg=\"Error copying ref \\\"" + missing + "\\\"\"")
                .contains("level=error msg=\"Failed to sync " + missing + "\"")
                .contains("copied=2").contains("failed=1");
        assertThat(fatal(kopi))
                .isEqualTo(fatal(skopeo))
                .isEqualTo("Sync failed due to previous reported error(s) for one or more images");
    }

    /**
     * Acceptance 2, part 2: without keep-going the first failure stops the run (one job: the images after it are
     * not copied, as with skopeo), and whatever was copied is complete.
     */
    @Test
    void firstFailureStopsAndLeavesValidImages() {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        Path y = yaml("stop.yaml", SRC.hostPort() + ":\n  images:\n    ns/app:\n      - single\n      - nope\n"
                + "      - multi\n      - index\n  tls-verify: false\n");
        CommandResult skopeo = sb.skopeo("sync", "--src", "yaml", "--dest", "docker", "--dest-tls-verify=false",
                y.toString(), DST.hostPort() + "/stop-skopeo");
        CommandResult kopi = sb.kopi("sync", "--jobs", "1", "--src", "yaml", "--dest", "docker",
                "--dest-tls-verify=false", y.toString(), DST.hostPort() + "/stop-kopi");
        assertThat(skopeo.exitCode()).isNotZero();
        assertThat(kopi.exitCode()).as("%s", kopi).isNotZero();
        assertThat(fatal(kopi)).startsWith("Error copying ref \"docker://" + SRC.hostPort()
                + "/ns/app:nope\": ");
        assertThat(registryImages(DST, "stop-kopi")).isEqualTo(registryImages(DST, "stop-skopeo"))
                .containsOnlyKeys("app:single");
        assertThat(DST.missingBlobs("stop-kopi/app", "single")).isEmpty();

        // Several jobs: the others are stopped; every image that made it is complete.
        CommandResult parallel = sb.kopi("sync", "--jobs", "4", "--src", "yaml", "--dest", "docker",
                "--dest-tls-verify=false", y.toString(), DST.hostPort() + "/stop-par");
        assertThat(parallel.exitCode()).as("%s", parallel).isNotZero();
        for (String image : registryImages(DST, "stop-par").keySet()) {
            String tag = image.substring(image.indexOf(':') + 1);
            assertThat(DST.missingBlobs("stop-par/app", tag)).as(image).isEmpty();
        }
    }

    /**
     * Acceptance 3: three {@code --shard} workers at once equal one unsharded run, and no image is copied twice
     * (manifest PUTs counted by a proxy). Also: one run moves each shared blob once, and a re-run skips every
     * image after one HEAD each, moving nothing.
     */
    @Test
    void shardsTogetherEqualOneRunAndRerunsSkip() throws Exception {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        List<String> tags = new ArrayList<>();
        TestImage[] imgs = {TestImage.SINGLE, TestImage.MULTI};
        for (int i = 0; i < 8; i++) {
            String tag = "t" + i;
            tags.add(tag);
            sb.skopeo(args("copy", SRC.destArgs(), imgs[i % 2].ociRef(), SRC.ref("sh/app:" + tag))).assertSuccess();
        }
        try (FaultProxy proxy = FaultProxy.start(DST)) {
            List<CompletableFuture<CommandResult>> workers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                String shard = i + "/3";
                workers.add(CompletableFuture.supplyAsync(() -> sb.kopi("sync", "--shard", shard, "--output", "json",
                        "--src", "docker", "--dest", "docker", "--src-tls-verify=false", "--dest-tls-verify=false",
                        src("sh/app"), proxy.hostPort() + "/sharded")));
            }
            List<String> handled = new ArrayList<>();
            for (CompletableFuture<CommandResult> w : workers) {
                CommandResult r = w.get().assertSuccess();
                JsonNode summary = RegistryCli.json(r);
                summary.path("images").forEach(n -> handled.add(n.path("source").asText()));
                assertThat(summary.path("failed").asLong()).isZero();
            }
            assertThat(handled).as("each image handled by exactly one shard").doesNotHaveDuplicates()
                    .hasSize(tags.size());
            Map<String, Long> puts = new TreeMap<>();
            // Accepted PUTs: a PUT docker/distribution refused while another shard relinked a shared blob is
            // tried again by design (RegistryClient.putManifest) and copies nothing twice.
            for (Exchange e : proxy.exchanges(x -> x.isManifestPut() && x.status() / 100 == 2)) {
                puts.merge(e.path(), 1L, Long::sum);
            }
            assertThat(puts).as("manifest PUTs:\n%s", proxy.describe()).hasSize(tags.size())
                    .allSatisfy((path, n) -> assertThat(n).as(path).isEqualTo(1L));

            sb.kopi("sync", "--src", "docker", "--dest", "docker", "--src-tls-verify=false",
                    "--dest-tls-verify=false", src("sh/app"), DST.hostPort() + "/whole").assertSuccess();
            assertThat(registryImages(DST, "sharded")).hasSize(tags.size()).isEqualTo(registryImages(DST, "whole"));

            // One unsharded run through the proxy: blobs shared by the tags are checked and sent once.
            proxy.clearExchanges();
            CommandResult once = sb.kopi("sync", "--src", "docker", "--dest", "docker", "--src-tls-verify=false",
                    "--dest-tls-verify=false", src("sh/app"), proxy.hostPort() + "/dedupe").assertSuccess();
            // Each blob arrives once: uploaded, or mounted from the repository the shards filled.
            Map<String, Long> uploads = new TreeMap<>();
            for (Exchange e : proxy.exchanges(x -> x.isUpload() && x.status() / 100 == 2
                    && x.queryParam("digest") != null && !x.method().equals("PATCH"))) {
                uploads.merge(e.queryParam("digest"), 1L, Long::sum);
            }
            for (Exchange e : proxy.exchanges(x -> x.isMount() && x.status() == 201)) {
                uploads.merge(e.queryParam("mount"), 1L, Long::sum);
            }
            assertThat(uploads).as("uploads:\n%s", proxy.describe()).isNotEmpty()
                    .allSatisfy((d, n) -> assertThat(n).as(d).isEqualTo(1L));
            Map<String, Long> heads = new TreeMap<>();
            for (Exchange e : proxy.exchanges(Exchange::isBlobHead)) {
                heads.merge(e.path(), 1L, Long::sum);
            }
            assertThat(heads).allSatisfy((p, n) -> assertThat(n).as(p).isEqualTo(1L));
            assertThat(once.stderr()).contains("copied=" + tags.size());

            // Nothing new: every image skipped, nothing written.
            proxy.clearExchanges();
            CommandResult again = sb.kopi("sync", "--output", "json", "--src", "docker", "--dest", "docker",
                    "--src-tls-verify=false", "--dest-tls-verify=false", src("sh/app"), proxy.hostPort() + "/dedupe")
                    .assertSuccess();
            JsonNode summary = RegistryCli.json(again);
            assertThat(summary.path("skipped").asLong()).isEqualTo(tags.size());
            assertThat(summary.path("copied").asLong()).isZero();
            assertThat(proxy.exchanges(x -> x.isManifestPut() || x.isUpload())).as(proxy.describe()).isEmpty();
        }
    }

    /** kopi's text lines for a skipped image and the digest file (newest skopeo's {@code --digestfile}). */
    @Test
    @Tag("newest-skopeo")
    void digestFileAndSkipLines() throws IOException {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        Path digests = tmp.resolve("digests");
        List<String> cmd = List.of("sync", "--digestfile", digests.toString(), "--src", "docker", "--dest", "docker",
                "--src-tls-verify=false", "--dest-tls-verify=false", src("ns/app:single"), DST.hostPort() + "/df");
        sb.kopi(cmd.toArray(String[]::new)).assertSuccess();
        String dest = "docker://" + DST.hostPort() + "/df/app:single";
        String digest = headDigest(DST, "df/app", "single");
        assertThat(Files.readString(digests)).isEqualTo(digest + " " + dest + "\n");
        CommandResult again = sb.kopi(cmd.toArray(String[]::new)).assertSuccess();
        assertThat(again.stdout()).isEqualTo("Skipping " + dest + ": already up to date\n");
        assertThat(Files.readString(digests)).isEqualTo(digest + " " + dest + "\n");
    }

    /** {@code images-by-semver} (newest skopeo) with a dry run: pre-releases and non-versions left out. */
    @Test
    @Tag("newest-skopeo")
    void semverFilterDryRun() {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        Path y = yaml("semver.yaml", SRC.hostPort() + ":\n  images-by-semver:\n    ns/other: \">= 1.1\"\n"
                + "  tls-verify: false\n");
        CommandResult r = sb.kopi("sync", "--dry-run", "--src", "yaml", "--dest", "dir", y.toString(),
                tmp.resolve("semver").toString()).assertSuccess();
        assertThat(r.stderr()).contains("level=warning msg=\"Running in dry-run mode\"")
                .contains("msg=\"Would have copied image ref 1/1\" from=\"docker://" + SRC.hostPort()
                        + "/ns/other:v1.2.0\"")
                .contains("msg=\"Would have synced 1 images from 1 sources\"");
        assertThat(dirImages(tmp.resolve("semver"))).isEmpty();
    }

    /**
     * Issue 8, item 8: sync into and out of one OCI layout (skopeo refuses {@code --dest oci}); the layout holds
     * every image under its name with one shared blob store, skopeo reads what kopi wrote, a re-run only skips,
     * and syncing the layout back to a registry gives the same names and digests.
     */
    @Test
    void syncToAndFromOciLayouts() throws IOException {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        Path layout = tmp.resolve("layout");
        CommandResult refused = sb.skopeo("sync", "--src", "docker", "--dest", "oci", "--src-tls-verify=false",
                src("ns/app"), layout.toString());
        assertThat(fatal(refused)).isEqualTo("\"oci\" is not a valid destination transport");
        sb.kopi("sync", "--src", "docker", "--dest", "oci", "--src-tls-verify=false", src("ns/app"),
                layout.toString()).assertSuccess();
        Map<String, String> inLayout = new TreeMap<>();
        RegistryCli.JSON.readTree(layout.resolve("index.json").toFile()).path("manifests").forEach(m ->
                inLayout.put(m.path("annotations").path("org.opencontainers.image.ref.name").asText(),
                        m.path("digest").asText()));
        assertThat(inLayout).containsOnlyKeys("app:single", "app:multi", "app:index")
                .containsEntry("app:single", headDigest(SRC, "ns/app", "single"))
                .containsEntry("app:multi", headDigest(SRC, "ns/app", "multi"));
        for (String name : inLayout.keySet()) {
            sb.skopeo("inspect", "--raw", "oci:" + layout + ":" + name).assertSuccess();
        }
        CommandResult again = sb.kopi("sync", "--src", "docker", "--dest", "oci", "--src-tls-verify=false",
                src("ns/app"), layout.toString()).assertSuccess();
        assertThat(again.stdout().lines().toList()).hasSize(3)
                .allSatisfy(l -> assertThat(l).startsWith("Skipping oci:" + layout + ":app:")
                        .endsWith(": already up to date"));

        sb.kopi("sync", "--src", "oci", "--dest", "docker", "--dest-tls-verify=false", layout.toString(),
                DST.hostPort() + "/fromoci").assertSuccess();
        assertThat(registryImages(DST, "fromoci")).isEqualTo(inLayout);
    }

    /**
     * Issue 8, item 8: tag filters on the command line and deny filters in the YAML (skopeo has neither: it
     * rejects the flag, and ignores the YAML key, syncing everything).
     */
    @Test
    void tagFiltersAndYamlDenyFilters() {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        assertThat(sb.skopeo("sync", "--dry-run", "--include-tags", "^v1", "--src", "docker", "--dest", "dir",
                src("ns/other"), tmp.resolve("x").toString()).exitCode()).isNotZero();
        CommandResult cli = sb.kopi("sync", "--dry-run", "--include-tags", "^v1", "--exclude-tags", "2",
                "--src", "docker", "--dest", "docker", "--src-tls-verify=false", src("ns/other"),
                DST.hostPort() + "/filtered").assertSuccess();
        assertThat(wouldCopy(cli)).containsExactly("docker://" + SRC.hostPort() + "/ns/other:v1.0.0");

        Path y = yaml("deny.yaml", SRC.hostPort() + ":\n  images:\n    ns/other: []\n"
                + "  images-exclude-regex:\n    ns/other: rc|latest\n  tls-verify: false\n");
        CommandResult yamlRun = sb.kopi("sync", "--dry-run", "--src", "yaml", "--dest", "docker", y.toString(),
                DST.hostPort() + "/filtered").assertSuccess();
        assertThat(wouldCopy(yamlRun)).containsExactlyInAnyOrder("docker://" + SRC.hostPort() + "/ns/other:v1.0.0",
                "docker://" + SRC.hostPort() + "/ns/other:v1.2.0");
        CommandResult skopeoYaml = sb.skopeo("sync", "--dry-run", "--src", "yaml", "--dest", "docker", y.toString(),
                DST.hostPort() + "/filtered").assertSuccess();
        assertThat(wouldCopy(skopeoYaml)).as("skopeo ignores the deny filter").hasSize(4);
    }

    /** The sources of the "Would have copied" lines of a dry run. */
    private static List<String> wouldCopy(CommandResult r) {
        return r.stderrLines().stream().filter(l -> l.contains("msg=\"Would have copied image ref"))
                .map(l -> l.replaceAll(".* from=\"?([^\" ]+)\"? .*", "$1")).toList();
    }
}
