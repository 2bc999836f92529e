package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@code copy} flags against skopeo 1.9.3: for each flag the same command runs with kopi and with skopeo on the
 * deterministic fixtures, and what they print and write is compared (output lines, exit codes, destination trees,
 * manifests as {@code skopeo inspect --raw} sees them).
 *
 * <p>{@link ConversionFlagsIT} covers --preserve-digests and the layer compression flags.
 *
 * <p>Where skopeo 1.9.3 and the newest skopeo (which kopi follows) differ, the 1.9.3 result is normalized first;
 * each such step names the difference (see KNOWN_DIFFERENCES.md).
 */
class FlagsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    // ---- helpers ----

    /** Runs {@code args} with both tools, {@code %s} in any argument replaced by "kopi" or "skopeo". */
    record Both(CommandResult kopi, CommandResult skopeo) {
        Both assertSuccess() {
            kopi.assertSuccess();
            skopeo.assertSuccess();
            return this;
        }

        Both assertExit(int code) {
            skopeo.assertExit(code);
            kopi.assertExit(code);
            return this;
        }
    }

    static Both both(Sandbox sb, String... args) {
        return new Both(sb.kopi(fill(args, "kopi")), sb.skopeo(fill(args, "skopeo")));
    }

    static String[] fill(String[] args, String who) {
        return Arrays.stream(args).map(a -> a.replace("%s", who)).toArray(String[]::new);
    }

    /**
     * kopi leaves a destination it failed to write untouched (KNOWN_DIFFERENCES.md: skopeo may have created it);
     * not checked when the suite validates itself against skopeo ({@code -Dkopi.cmd}).
     */
    static void assertNothingWritten(Path p) {
        if (!Kopi.isSkopeo()) {
            assertThat(p).as("kopi wrote nothing").doesNotExist();
        }
    }

    /** stdout as lines. */
    static List<String> lines(CommandResult r) {
        String out = r.stdout();
        if (out.isEmpty()) {
            return List.of();
        }
        assertThat(out).as("stdout of %s ends with a newline", r).endsWith("\n");
        return List.of(out.substring(0, out.length() - 1).split("\n", -1));
    }

    /**
     * skopeo 1.9.3's copy lines as the newest skopeo prints them: "Copying N images generated from M images in list"
     * (1.9.3: "Copying N of M images in list"), and "Storing signatures" only when the image has signatures (1.9.3
     * prints it always).
     */
    static List<String> asNewestSkopeo(List<String> lines, boolean signed) {
        List<String> out = new ArrayList<>();
        for (String l : lines) {
            if (l.equals("Storing signatures") && !signed) {
                continue;
            }
            out.add(l.replaceFirst("^Copying (\\d+) of (\\d+) images in list$",
                    "Copying $1 images generated from $2 images in list"));
        }
        return out;
    }

    /** Layers are copied in parallel, so each run of "Copying blob" lines may come in any order: sort each run. */
    static List<String> sortBlobRuns(List<String> lines) {
        List<String> out = new ArrayList<>(lines);
        int i = 0;
        while (i < out.size()) {
            int j = i;
            while (j < out.size() && out.get(j).startsWith("Copying blob ")) {
                j++;
            }
            if (j > i) {
                out.subList(i, j).sort(null);
                i = j;
            } else {
                i++;
            }
        }
        return out;
    }

    /** A dir: image with a v2s2 manifest and uncompressed layers (the multi-layer fixture converted by skopeo). */
    static String v2s2Uncompressed(Sandbox sb) {
        Path dir = sb.path("src-v2s2-uncompressed");
        sb.skopeo("copy", "--format", "v2s2", "--dest-decompress", TestImage.MULTI.ociRef(), "dir:" + dir)
                .assertSuccess();
        return "dir:" + dir;
    }

    /** A dir: copy of the single-layer fixture with a signature-1 file (bytes in the simple-signing format). */
    static Path signedDir(Sandbox sb) throws IOException {
        Path dir = sb.path("src-signed");
        sb.skopeo("copy", TestImage.SINGLE.ociRef(), "dir:" + dir).assertSuccess();
        byte[] sig = new byte[64];
        sig[0] = (byte) 0xa3; // an OpenPGP compressed-data packet header, as a simple-signing signature starts
        for (int i = 1; i < sig.length; i++) {
            sig[i] = (byte) (i * 7);
        }
        Files.write(dir.resolve("signature-1"), sig);
        return dir;
    }

    static String raw(Sandbox sb, String ref) {
        return sb.skopeo("inspect", "--raw", ref).assertSuccess().stdout();
    }

    /**
     * {@code --override-*} flags (global in skopeo 1.9.3) first, then {@code copy} and the other flags, in order.
     * Flags without a value: {@code --all}, {@code --preserve-digests}, {@code --remove-signatures}.
     */
    static List<String> globalsThenCopy(List<String> flags) {
        List<String> globals = new ArrayList<>();
        List<String> copy = new ArrayList<>(List.of("copy"));
        for (int i = 0; i < flags.size(); i++) {
            String f = flags.get(i);
            if (f.startsWith("--override-")) {
                globals.add(f);
                globals.add(flags.get(++i));
            } else if (List.of("--all", "--preserve-digests", "--remove-signatures").contains(f)) {
                copy.add(f);
            } else {
                copy.add(f);
                copy.add(flags.get(++i));
            }
        }
        globals.addAll(copy);
        return globals;
    }

    /** The bytes of one member of a tar file. */
    static byte[] tarEntry(Path tar, String name) throws IOException {
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals(name)) {
                    return in.readAllBytes();
                }
            }
        }
        throw new AssertionError(name + " not found in " + tar);
    }

    /** The media types of a manifest's layers. */
    static List<String> layerTypes(String manifest) throws IOException {
        List<String> out = new ArrayList<>();
        for (JsonNode l : JSON.readTree(manifest).path("layers")) {
            out.add(l.path("mediaType").asText());
        }
        return out;
    }

    /** The digest of the manifest an oci layout's only index.json entry names. */
    static String topDigest(Path layout) throws IOException {
        JsonNode manifests = JSON.readTree(layout.resolve("index.json").toFile()).path("manifests");
        assertThat(manifests.size()).as("entries of %s/index.json", layout).isEqualTo(1);
        return manifests.get(0).path("digest").asText();
    }

    // ---- output lines ----

    static Stream<Arguments> outputCases() {
        return Stream.of(
                Arguments.of("image", new String[] {TestImage.MULTI.ociRef(), "dir:%OUT"}),
                Arguments.of("--all", new String[] {"--all", TestImage.INDEX.ociRef(), "oci:%OUT:t"}),
                Arguments.of("--multi-arch all", new String[] {"--multi-arch", "all", TestImage.INDEX.ociRef(),
                        "dir:%OUT"}),
                Arguments.of("--multi-arch index-only", new String[] {"--multi-arch", "index-only",
                        TestImage.INDEX.ociRef(), "oci:%OUT:t"}),
                Arguments.of("--all --remove-signatures", new String[] {"--all", "--remove-signatures",
                        TestImage.INDEX.ociRef(), "dir:%OUT"}),
                Arguments.of("--remove-signatures", new String[] {"--remove-signatures", TestImage.MULTI.ociRef(),
                        "dir:%OUT"}),
                Arguments.of("--multi-arch system", new String[] {"--multi-arch", "system", TestImage.INDEX.ociRef(),
                        "oci:%OUT:t"}),
                Arguments.of("--format v2s2 to docker-archive", new String[] {"--format", "v2s2",
                        TestImage.MULTI.ociRef(), "docker-archive:%OUT:kopi.test/out:t"}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputCases")
    void copyPrintsSkopeosLines(String name, String[] args) {
        Sandbox sb = new Sandbox(tmp);
        List<String> a = new ArrayList<>(List.of("copy"));
        a.addAll(List.of(args));
        String[] cmd = a.toArray(String[]::new);
        CommandResult k = sb.kopi(Arrays.stream(cmd).map(s -> s.replace("%OUT", sb.path("k").toString()))
                .toArray(String[]::new)).assertSuccess();
        CommandResult s = sb.skopeo(Arrays.stream(cmd).map(x -> x.replace("%OUT", sb.path("s").toString()))
                .toArray(String[]::new)).assertSuccess();
        List<String> kl = Kopi.isSkopeo() ? asNewestSkopeo(lines(k), false) : lines(k);
        assertThat(sortBlobRuns(kl)).as("kopi's lines vs skopeo's").containsExactlyElementsOf(
                sortBlobRuns(asNewestSkopeo(lines(s), false)));
        assertThat(k.stderr()).as("kopi stderr").isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("outputCases")
    void quietPrintsNothing(String name, String[] args) {
        Sandbox sb = new Sandbox(tmp);
        List<String> a = new ArrayList<>(List.of("copy", "-q"));
        a.addAll(List.of(args));
        Both r = both(sb, a.stream().map(s -> s.replace("%OUT", sb.path("%s").toString())).toArray(String[]::new))
                .assertSuccess();
        assertThat(r.skopeo().stdout() + r.skopeo().stderr()).as("skopeo -q output").isEmpty();
        assertThat(r.kopi().stdout()).as("kopi -q stdout").isEmpty();
        assertThat(r.kopi().stderr()).as("kopi -q stderr").isEmpty();
    }

    // ---- --multi-arch, --all, --override-* ----

    /**
     * @param flags global and copy flags
     * @param instance index of the fixture instance expected at the destination, -1 for the index itself
     */
    record Selection(List<String> flags, int instance) {
        @Override
        public String toString() {
            return flags.isEmpty() ? "(default)" : String.join(" ", flags);
        }
    }

    static Stream<Selection> selections() {
        return Stream.of(
                new Selection(List.of(), 0),
                new Selection(List.of("--multi-arch", "system"), 0),
                new Selection(List.of("--override-arch", "arm64"), 1),
                new Selection(List.of("--override-arch", "arm64", "--override-variant", "v8"), 1),
                new Selection(List.of("--override-arch", "arm"), 2),
                new Selection(List.of("--override-arch", "arm", "--override-variant", "v7"), 2),
                new Selection(List.of("--override-os", "linux", "--override-arch", "amd64"), 0),
                new Selection(List.of("--override-arch", "amd64", "--override-variant", "v2"), 0),
                new Selection(List.of("--multi-arch", "index-only"), -1),
                new Selection(List.of("--multi-arch", "all"), -1),
                new Selection(List.of("--all"), -1),
                new Selection(List.of("--override-arch", "arm64", "--multi-arch", "all"), -1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selections")
    void listSelection(Selection c) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        List<String> a = globalsThenCopy(c.flags());
        a.add(TestImage.INDEX.ociRef());
        a.add("oci:" + sb.path("%s") + ":t");
        both(sb, a.toArray(String[]::new)).assertSuccess();

        Path byKopi = sb.path("kopi");
        String expected = c.instance() < 0 ? Fixtures.index().indexDigest().toString()
                : Fixtures.index().instances().get(c.instance()).manifestDigest().toString();
        assertThat(topDigest(byKopi)).as("what kopi put at the destination").isEqualTo(expected);
        Trees.assertSameOciLayout(byKopi, sb.path("skopeo"), "destination of " + c);
        if (c.flags().contains("index-only")) {
            assertThat(Trees.digests(byKopi.resolve("blobs"))).as("index-only copies just the index").hasSize(1);
        }
    }

    static Stream<List<String>> noMatch() {
        return Stream.of(List.of("--override-arch", "s390x"), List.of("--override-os", "windows"),
                List.of("--override-arch", "arm", "--override-variant", "v6"),
                List.of("--override-arch", "arm64", "--override-variant", "v9"));
    }

    /**
     * No instance for the platform: exit 1, the same message (newest skopeo quotes architecture and OS with %q,
     * 1.9.3 only the variant, so the quotes are removed before comparing), nothing written.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("noMatch")
    void noInstanceForPlatform(List<String> flags) {
        Sandbox sb = new Sandbox(tmp);
        List<String> a = new ArrayList<>(flags);
        a.addAll(List.of("copy", TestImage.INDEX.ociRef(), "dir:" + sb.path("%s")));
        Both r = both(sb, a.toArray(String[]::new)).assertExit(1);
        String k = r.kopi().assertOneFatalLine().replace("\\\"", "");
        String s = r.skopeo().assertOneFatalLine().replace("\\\"", "");
        assertThat(k).isEqualTo(s).contains("no image found in image index for architecture");
        assertNothingWritten(sb.path("kopi"));
    }

    // ---- --format on lists ----

    static Stream<List<String>> listFormats() {
        return Stream.of(List.of("--multi-arch", "index-only", "--format", "v2s2"),
                List.of("--multi-arch", "all", "--format", "v2s2"),
                List.of("--multi-arch", "all", "--format", "oci"),
                List.of("--multi-arch", "system", "--format", "v2s2"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("listFormats")
    void formatOfLists(List<String> flags) {
        Sandbox sb = new Sandbox(tmp);
        List<String> a = new ArrayList<>(List.of("copy"));
        a.addAll(flags);
        a.addAll(List.of(TestImage.INDEX.ociRef(), "dir:" + sb.path("%s")));
        both(sb, a.toArray(String[]::new)).assertSuccess();
        Trees.assertSameTree(sb.path("kopi"), sb.path("skopeo"), String.join(" ", flags));
    }

    // ---- shared blob directories ----

    @Test
    void destSharedBlobDir() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        both(sb, "copy", "--dest-shared-blob-dir", sb.path("%s-blobs").toString(), TestImage.MULTI.ociRef(),
                "oci:" + sb.path("%s") + ":t").assertSuccess();
        Trees.assertSameTree(sb.path("kopi-blobs"), sb.path("skopeo-blobs"), "shared blob dir");
        assertThat(Trees.digests(sb.path("kopi")).keySet()).as("no blobs in the layout itself")
                .noneMatch(f -> f.startsWith("blobs/"));
        assertThat(JSON.readTree(sb.path("kopi/index.json").toFile())).as("index.json")
                .isEqualTo(JSON.readTree(sb.path("skopeo/index.json").toFile()));
        assertThat(Trees.digests(sb.path("kopi")).keySet()).as("files of the layout")
                .containsExactlyInAnyOrderElementsOf(Trees.digests(sb.path("skopeo")).keySet());
    }

    @Test
    void srcSharedBlobDir() {
        Sandbox sb = new Sandbox(tmp);
        Path blobs = sb.path("shared-blobs");
        String layout = "oci:" + sb.path("layout") + ":t";
        sb.skopeo("copy", "--dest-shared-blob-dir", blobs.toString(), TestImage.MULTI.ociRef(), layout)
                .assertSuccess();
        both(sb, "copy", "--src-shared-blob-dir", blobs.toString(), layout, "dir:" + sb.path("%s")).assertSuccess();
        Trees.assertSameTree(sb.path("kopi"), sb.path("skopeo"), "copied from a layout with shared blobs");
        // Without the flag the blobs are not found.
        both(sb, "copy", layout, "dir:" + sb.path("%s-without")).assertExit(1);
        assertNothingWritten(sb.path("kopi-without"));
        assertThat(sb.kopi("inspect", "--shared-blob-dir", blobs.toString(), "--raw", layout).assertSuccess()
                .stdout()).isEqualTo(raw(sb, "oci:" + Fixtures.layout() + ":" + TestImage.MULTI.tag()));
    }

    // ---- --additional-tag, --digestfile, --remove-signatures, --retry-* ----

    @Test
    void additionalTags() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        both(sb, "copy", "--additional-tag", "kopi.test/extra:two", "--additional-tag", "other/name:three",
                TestImage.MULTI.ociRef(), "docker-archive:" + sb.path("%s.tar") + ":kopi.test/main:one")
                .assertSuccess();
        JsonNode k = JSON.readTree(tarEntry(sb.path("kopi.tar"), "manifest.json"));
        JsonNode s = JSON.readTree(tarEntry(sb.path("skopeo.tar"), "manifest.json"));
        assertThat(k.get(0).path("RepoTags").toString()).isEqualTo(
                "[\"kopi.test/main:one\",\"kopi.test/extra:two\",\"docker.io/other/name:three\"]");
        assertThat(k).as("manifest.json").isEqualTo(s);
        assertThat(JSON.readTree(tarEntry(sb.path("kopi.tar"), "repositories"))).as("repositories")
                .isEqualTo(JSON.readTree(tarEntry(sb.path("skopeo.tar"), "repositories")));
        for (String tag : List.of("kopi.test/main:one", "kopi.test/extra:two", "docker.io/other/name:three")) {
            assertThat(sb.skopeo("inspect", "--raw", "docker-archive:" + sb.path("kopi.tar") + ":" + tag)
                    .assertSuccess().stdout()).as("skopeo finds %s in kopi's archive", tag)
                    .isEqualTo(raw(sb, "docker-archive:" + sb.path("skopeo.tar") + ":" + tag));
        }
    }

    static Stream<String> badTags() {
        return Stream.of("BAD/name:tag", "kopi.test/untagged", "kopi.test/x@sha256:" + "0".repeat(64));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTags")
    void badAdditionalTag(String tag) {
        Sandbox sb = new Sandbox(tmp);
        Both r = both(sb, "copy", "--additional-tag", tag, TestImage.SINGLE.ociRef(),
                "docker-archive:" + sb.path("%s.tar")).assertExit(1);
        assertThat(r.kopi().assertOneFatalLine()).isEqualTo(r.skopeo().assertOneFatalLine());
        assertNothingWritten(sb.path("kopi.tar"));
    }

    static Stream<Arguments> digestFiles() {
        return Stream.of(
                Arguments.of("image", List.of(TestImage.MULTI.ociRef(), "dir:%D")),
                Arguments.of("converted image", List.of("--format", "v2s2", TestImage.MULTI.ociRef(), "dir:%D")),
                Arguments.of("list", List.of("--all", TestImage.INDEX.ociRef(), "oci:%D:t")),
                Arguments.of("instance of a list", List.of(TestImage.INDEX.ociRef(), "dir:%D")),
                Arguments.of("docker-archive", List.of(TestImage.MULTI.ociRef(), "docker-archive:%D.tar")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("digestFiles")
    void digestFile(String name, List<String> args) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        List<String> a = new ArrayList<>(List.of("copy", "--digestfile", sb.path("%s.digest").toString()));
        for (String x : args) {
            a.add(x.replace("%D", sb.path("%s").toString()));
        }
        both(sb, a.toArray(String[]::new)).assertSuccess();
        String k = Files.readString(sb.path("kopi.digest"));
        assertThat(k).as("digest file").isEqualTo(Files.readString(sb.path("skopeo.digest")))
                .matches("sha256:[0-9a-f]{64}");
        assertThat(Files.getPosixFilePermissions(sb.path("kopi.digest")))
                .isEqualTo(Files.getPosixFilePermissions(sb.path("skopeo.digest")));
    }

    /** Written as Go's os.WriteFile: an existing file is truncated, a missing directory is not created. */
    @Test
    void digestFileIsWrittenLikeOsWriteFile() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        for (String who : List.of("kopi", "skopeo")) {
            Files.writeString(sb.path(who + ".digest"), "x".repeat(200));
        }
        both(sb, "copy", "--digestfile", sb.path("%s.digest").toString(), TestImage.SINGLE.ociRef(),
                "dir:" + sb.path("%s")).assertSuccess();
        assertThat(sb.path("kopi.digest")).hasContent(Files.readString(sb.path("skopeo.digest")));

        Both r = both(sb, "copy", "--digestfile", sb.path("%s-missing/f").toString(), TestImage.SINGLE.ociRef(),
                "dir:" + sb.path("%s-2")).assertExit(1);
        assertThat(r.kopi().assertOneFatalLine()).isEqualTo(r.skopeo().assertOneFatalLine().replace("skopeo", "kopi"))
                .contains("no such file or directory");
        assertNothingWritten(sb.path("kopi-missing"));
    }

    @Test
    void signaturesAreCopiedUnlessRemoved() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path src = signedDir(sb);
        both(sb, "copy", "dir:" + src, "dir:" + sb.path("%s")).assertSuccess();
        assertThat(sb.path("kopi/signature-1")).as("signature copied").hasSameBinaryContentAs(
                src.resolve("signature-1"));
        Trees.assertSameTree(sb.path("kopi"), sb.path("skopeo"), "signed copy");

        both(sb, "copy", "--remove-signatures", "dir:" + src, "dir:" + sb.path("%s-removed")).assertSuccess();
        assertThat(sb.path("kopi-removed/signature-1")).as("signature removed").doesNotExist();
        Trees.assertSameTree(sb.path("kopi-removed"), sb.path("skopeo-removed"), "--remove-signatures");
    }

    @Test
    void signedCopyOutput() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path src = signedDir(sb);
        CommandResult k = sb.kopi("copy", "dir:" + src, "dir:" + sb.path("kopi")).assertSuccess();
        CommandResult s = sb.skopeo("copy", "dir:" + src, "dir:" + sb.path("skopeo")).assertSuccess();
        assertThat(lines(k)).as("kopi's lines vs skopeo's").containsExactlyElementsOf(asNewestSkopeo(lines(s), true))
                .contains("Checking if image destination supports signatures", "Storing signatures");
    }

    static Stream<String> destinationsWithoutSignatures() {
        return Stream.of("oci:%s:t", "oci-archive:%s.tar:t", "docker-archive:%s.tar");
    }

    /**
     * A signed image to a destination that cannot store signatures: refused before anything is copied, with the
     * destination's reason; kopi writes nothing.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("destinationsWithoutSignatures")
    void signaturesTheDestinationCannotStore(String pattern) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path src = signedDir(sb);
        String dst = pattern.replace("%s", sb.path("%s").toString());
        Both r = both(sb, "copy", "dir:" + src, dst).assertExit(1);
        assertThat(lines(r.kopi())).as("kopi's lines").containsExactlyElementsOf(lines(r.skopeo()))
                .containsExactly("Getting image source signatures", "Checking if image destination supports signatures");
        assertThat(r.kopi().assertOneFatalLine()).isEqualTo(r.skopeo().assertOneFatalLine().replace("skopeo", "kopi"))
                .startsWith("Can not copy signatures to ");
        assertNothingWritten(sb.path("kopi"));
        assertNothingWritten(sb.path("kopi.tar"));
        // --remove-signatures makes the same copy possible.
        sb.kopi("copy", "--remove-signatures", "dir:" + src, dst.replace("%s", "kopi")).assertSuccess();
    }

    @Test
    void retryFlagsAreAccepted() {
        Sandbox sb = new Sandbox(tmp);
        // skopeo 1.9.3 has --retry-times only; --retry-delay is newer.
        List<String> delay = Kopi.isSkopeo() ? List.of() : List.of("--retry-delay", "2s");
        List<String> a = new ArrayList<>(List.of("copy", "--retry-times", "3"));
        a.addAll(delay);
        a.addAll(List.of(TestImage.MULTI.ociRef(), "dir:" + sb.path("kopi")));
        sb.kopi(a.toArray(String[]::new)).assertSuccess();
        sb.skopeo("copy", "--retry-times", "3", TestImage.MULTI.ociRef(), "dir:" + sb.path("skopeo"))
                .assertSuccess();
        Trees.assertSameTree(sb.path("kopi"), sb.path("skopeo"), "copy with retries");
        // A failure that is not transient is not retried: exit 1 at once, one fatal line (no retry warnings).
        a = new ArrayList<>(List.of("copy", "--retry-times", "3"));
        if (!Kopi.isSkopeo()) {
            a.addAll(List.of("--retry-delay", "30s"));
        }
        a.addAll(List.of("oci:" + sb.path("missing") + ":t", "dir:" + sb.path("never")));
        CommandResult r = sb.kopi(a.toArray(String[]::new));
        r.assertExit(1).assertOneFatalLine();
        assertThat(r.elapsed()).as("no retry delay").isLessThan(java.time.Duration.ofSeconds(30));
    }

    // ---- --tmpdir ----

    static Stream<Arguments> tmpdirUsers() {
        return Stream.of(
                Arguments.of("oci-archive source", List.of("copy", "oci-archive:%A:t", "dir:%D")),
                Arguments.of("oci-archive inspect", List.of("inspect", "oci-archive:%A:t")),
                Arguments.of("oci-archive destination", List.of("copy", TestImage.SINGLE.ociRef(), "oci-archive:%D:t")),
                Arguments.of("docker-archive destination, layers of unknown size",
                        List.of("copy", TestImage.MULTI.ociRef(), "docker-archive:%D")));
    }

    /**
     * Big temporary files go to --tmpdir: a --tmpdir that is a regular file, or missing, makes the copy fail with
     * the error of creating them there (as Go's os.MkdirTemp / os.CreateTemp word it). Normalized: the random part
     * of the name, and its "container_images_" prefix (newer than 1.9.3).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("tmpdirUsers")
    void tmpdirThatCannotHoldFiles(String name, List<String> args) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path archive = sb.path("src.tar");
        sb.skopeo("copy", TestImage.SINGLE.ociRef(), "oci-archive:" + archive + ":t").assertSuccess();
        Path file = Files.writeString(sb.path("a-file"), "not a directory");
        for (Path tmpdir : List.of(file, sb.path("missing"))) {
            List<String> a = new ArrayList<>(List.of("--tmpdir", tmpdir.toString()));
            for (String x : args) {
                a.add(x.replace("%A", archive.toString()).replace("%D", sb.path("%s").toString()));
            }
            Both r = both(sb, a.toArray(String[]::new)).assertExit(1);
            String k = normalizeTemp(r.kopi().assertOneFatalLine());
            String s = normalizeTemp(r.skopeo().assertOneFatalLine()).replace("skopeo", "kopi");
            assertThat(k).contains(tmpdir.toString());
            if (name.startsWith("docker-archive")) {
                // skopeo 1.9.3 words the rest of this "writing blob: ..." differently
                s = s.substring(s.indexOf("creating temporary on-disk layer"));
                assertThat(k).endsWith(s);
            } else {
                assertThat(k).isEqualTo(s);
            }
            assertNothingWritten(sb.path("kopi"));
        }
    }

    private static String normalizeTemp(String msg) {
        return msg.replace("container_images_", "").replaceAll("(oci|stream-blob)[0-9]+", "$1N");
    }

    @Test
    void tmpdirHoldsOciArchiveExtraction() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path archive = sb.path("src.tar");
        sb.skopeo("copy", TestImage.MULTI.ociRef(), "oci-archive:" + archive + ":t").assertSuccess();
        Path kt = Files.createDirectories(sb.path("kopi-tmp"));
        Path st = Files.createDirectories(sb.path("skopeo-tmp"));
        sb.kopi("--tmpdir", kt.toString(), "copy", "oci-archive:" + archive + ":t", "dir:" + sb.path("kopi"))
                .assertSuccess();
        sb.skopeo("--tmpdir", st.toString(), "copy", "oci-archive:" + archive + ":t", "dir:" + sb.path("skopeo"))
                .assertSuccess();
        Trees.assertSameTree(sb.path("kopi"), sb.path("skopeo"), "copy with --tmpdir");
        try (Stream<Path> s = Files.list(kt)) {
            assertThat(s).as("kopi's temp files removed").isEmpty();
        }
    }
}
