package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.it.CommandResult;
import dev.kopi.it.Fixtures;
import dev.kopi.it.Kopi;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.it.Trees;
import dev.kopi.testkit.WrittenImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault matrix of the hardening issue: every operation that talks to a registry, under every fault the
 * {@link FaultProxy} can inject, ends either in success with the same digests as a clean run ("recovered") or in a
 * clean failure ("failed cleanly": non-zero exit, exactly one {@code level=fatal} line and no stack trace, no
 * manifest at a registry destination whose blobs are missing, an existing {@code dir:}/{@code oci:} destination
 * byte for byte as before, no temporary files left in {@code $TMPDIR}). Anything else is BAD and fails the test.
 *
 * <p>A fault an operation never reaches (a download fault during a push, say) is reported as "not reached". The
 * matrix is printed and written to {@code docs/reliability.md} (between the fault-matrix markers).
 *
 * <p>Every cell runs with {@code --retry-times 2 --retry-delay 100ms} (what a release pipeline would use) and a
 * {@code --command-timeout}: kopi, like skopeo (Go's net/http without a response timeout), has no per-read
 * timeout, so a stalled body is bounded by the command timeout and must end as a clean failure.
 */
class FaultMatrixIT {
    /** Source registry (pulls read from it through {@link #srcProxy}). */
    @RegisterExtension
    static final RegistryServer SRC = RegistryServer.builder().name("FaultMatrixSrc").build();
    /** Destination registry (pushes write to it through {@link #destProxy}); killed and restarted by one fault. */
    @RegisterExtension
    static final RegistryServer DEST = RegistryServer.builder().name("FaultMatrixDest").build();

    private static final String SRC_REPO = "matrix/src";
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(8);
    /** Longer than {@link #COMMAND_TIMEOUT}, shorter than {@link Fault#MAX_STALL}. */
    private static final Duration STALL = Duration.ofSeconds(25);

    @TempDir
    static Path shared;

    private static FaultProxy srcProxy;
    private static FaultProxy destProxy;

    /** An operation of the matrix. */
    enum Operation {
        REGISTRY_TO_OCI("registry -> oci"),
        OCI_TO_REGISTRY("oci -> registry"),
        REGISTRY_TO_REGISTRY("registry -> registry"),
        REGISTRY_TO_DIR("registry -> dir"),
        /** {@code kopi sync --src docker --dest docker SRC-IMAGE DEST-NAMESPACE}, checked like registry -> registry. */
        SYNC("sync registry -> registry");

        final String label;

        Operation(String label) {
            this.label = label;
        }
    }

    /** One injected fault: rules for the proxies (each rule is installed on both). */
    record Row(String label, List<Injection> injections) {
    }

    record Injection(String method, String target, int times, Fault fault) {
    }

    enum Outcome {
        RECOVERED("recovered"), FAILED_CLEANLY("failed cleanly"), NOT_REACHED("not reached"), BAD("BAD");

        final String label;

        Outcome(String label) {
            this.label = label;
        }
    }

    record Cell(Operation op, Row row, Outcome outcome, String why) {
    }

    /** What a clean run produced: the manifest digest and the files (dir) or blobs (oci/registry). */
    record Clean(String manifestDigest, Map<String, String> files) {
    }

    @BeforeAll
    static void seed() {
        new Sandbox(shared.resolve("seed")).skopeo(args("copy", SRC.destArgs(), TestImage.MULTI.ociRef(),
                SRC.ref(SRC_REPO + ":v1"))).assertSuccess();
    }

    private static List<Row> rows() {
        WrittenImage m = Fixtures.multi();
        String layer = largestLayer(m);
        long size = m.layerSizes().get(m.layers().stream().map(Object::toString).toList().indexOf(layer));
        String blob = "/blobs/" + layer + "$";
        List<Row> rows = new ArrayList<>();
        for (int pct : new int[] {0, 50, 99}) {
            long at = size * pct / 100;
            rows.add(new Row("connection reset at " + pct + " % of a blob", List.of(
                    new Injection("GET", blob, 1, Fault.resetAfter(at)),
                    new Injection("PATCH", FaultProxy.UPLOADS, 1, Fault.resetRequestAfter(at)))));
        }
        for (int status : new int[] {500, 502, 503}) {
            rows.add(new Row(status + " burst (2 per request kind)", List.of(
                    new Injection("GET", FaultProxy.MANIFESTS, 2, Fault.status(status)),
                    new Injection("GET", FaultProxy.BLOBS, 2, Fault.status(status)),
                    new Injection("POST", FaultProxy.UPLOADS, 2, Fault.status(status)))));
        }
        rows.add(new Row("429 with Retry-After: 1", List.of(
                new Injection("GET", FaultProxy.MANIFESTS, 1, Fault.tooManyRequests(1)),
                new Injection("GET", FaultProxy.BLOBS, 1, Fault.tooManyRequests(1)),
                new Injection("POST", FaultProxy.UPLOADS, 1, Fault.tooManyRequests(1)))));
        rows.add(new Row("body shorter than its Content-Length", List.of(
                new Injection("GET", blob, 1, Fault.shortContentLength()))));
        rows.add(new Row("flipped byte in a blob", List.of(
                new Injection("GET", blob, 1, Fault.flipMiddleByte()))));
        rows.add(new Row("flipped byte in a manifest", List.of(
                new Injection("GET", FaultProxy.MANIFESTS, 1, Fault.flipMiddleByte()))));
        rows.add(new Row("stalled body (" + STALL.toSeconds() + " s > --command-timeout "
                + COMMAND_TIMEOUT.toSeconds() + "s)", List.of(
                new Injection("GET", blob, 1, Fault.stall(size / 2, STALL)),
                new Injection("GET", "^/v2/$", 1, Fault.stall(0, STALL)))));
        rows.add(new Row("registry killed mid-transfer and restarted", List.of(
                new Injection("GET", blob, 1, new Fault.KillUpstream(0)),
                new Injection("PATCH", FaultProxy.UPLOADS, 1, new Fault.KillUpstream(-1)))));
        return rows;
    }

    private static String largestLayer(WrittenImage m) {
        int best = 0;
        for (int i = 1; i < m.layers().size(); i++) {
            if (m.layerSizes().get(i) > m.layerSizes().get(best)) {
                best = i;
            }
        }
        return m.layers().get(best).toString();
    }

    @Test
    void everyCellRecoversOrFailsCleanly() throws IOException {
        long start = System.nanoTime();
        List<Cell> cells = new ArrayList<>();
        try (FaultProxy sp = FaultProxy.start(SRC); FaultProxy dp = FaultProxy.start(DEST)) {
            srcProxy = sp;
            destProxy = dp;
            Map<Operation, Clean> clean = new LinkedHashMap<>();
            for (Operation op : Operation.values()) {
                clean.put(op, cleanRun(op));
            }
            int n = 0;
            for (Row row : rows()) {
                for (Operation op : Operation.values()) {
                    cells.add(runCell(op, row, clean.get(op), n++));
                }
            }
        }
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        String table = table(cells, took);
        System.out.println(table);
        writeDocs(table);
        assertThat(cells.stream().filter(c -> c.outcome() == Outcome.BAD).map(c -> c.op().label + " x "
                + c.row().label() + ": " + c.why()).toList()).as("BAD cells of the fault matrix").isEmpty();
    }

    // ---- running one cell -----------------------------------------------------------------------------------------

    private Clean cleanRun(Operation op) {
        Sandbox sb = new Sandbox(shared.resolve("clean-" + op.name()));
        Target t = prepare(sb, op, "clean");
        CommandResult r = run(sb, op, t);
        r.assertSuccess();
        return observe(op, t);
    }

    private Cell runCell(Operation op, Row row, Clean clean, int n) {
        Sandbox sb = new Sandbox(shared.resolve("cell-" + n));
        Target t = prepare(sb, op, "c" + n);
        Map<String, String> before = t.local() == null ? Map.of() : Trees.digests(t.local());
        srcProxy.clearFaults();
        destProxy.clearFaults();
        List<FaultProxy.Rule> rules = new ArrayList<>();
        for (Injection i : row.injections()) {
            rules.add(srcProxy.inject(i.method(), i.target(), i.times(), i.fault()));
            rules.add(destProxy.inject(i.method(), i.target(), i.times(), i.fault()));
        }
        CommandResult r = run(sb, op, t);
        srcProxy.clearFaults();
        destProxy.clearFaults();
        int hits = rules.stream().mapToInt(FaultProxy.Rule::hits).sum();
        List<String> leftovers = leftovers(sb.tmp());
        if (!leftovers.isEmpty()) {
            return new Cell(op, row, Outcome.BAD, "temporary files left: " + leftovers);
        }
        List<String> stack = r.stderrLines().stream().filter(l -> l.startsWith("\tat ") || l.contains("Exception:"))
                .toList();
        if (!stack.isEmpty()) {
            return new Cell(op, row, Outcome.BAD, "stack trace on stderr: " + r);
        }
        if (r.exitCode() == 0) {
            Clean got = observe(op, t);
            if (!got.equals(clean)) {
                return new Cell(op, row, Outcome.BAD, "succeeded with a different result: " + got + " vs " + clean);
            }
            return new Cell(op, row, hits == 0 ? Outcome.NOT_REACHED : Outcome.RECOVERED, "");
        }
        List<String> fatal = r.stderrLines().stream().filter(l -> CommandResult.FATAL_LINE.matcher(l).matches())
                .toList();
        if (fatal.size() != 1) {
            return new Cell(op, row, Outcome.BAD, "not exactly one fatal line: " + r);
        }
        if (t.local() != null && !Trees.digests(t.local()).equals(before)) {
            return new Cell(op, row, Outcome.BAD, "destination changed by a failed copy: " + r);
        }
        if (t.destRepo() != null && DEST.hasManifest(t.destRepo(), "v1")
                && !DEST.missingBlobs(t.destRepo(), "v1").isEmpty()) {
            return new Cell(op, row, Outcome.BAD, "manifest with missing blobs at the destination: "
                    + DEST.missingBlobs(t.destRepo(), "v1"));
        }
        if (hits == 0) {
            return new Cell(op, row, Outcome.BAD, "failed although no fault was injected: " + r);
        }
        return new Cell(op, row, Outcome.FAILED_CLEANLY, fatal.get(0));
    }

    /** The destination of one run: a local path that exists beforehand, or a repository of {@link #DEST}. */
    record Target(Path local, String destRepo, String destRef) {
    }

    private static Target prepare(Sandbox sb, Operation op, String name) {
        return switch (op) {
            case REGISTRY_TO_OCI -> {
                Path oci = sb.path("layout");
                sb.skopeo("copy", TestImage.SINGLE.ociRef(), "oci:" + oci + ":old").assertSuccess();
                yield new Target(oci, null, "oci:" + oci + ":v1");
            }
            case REGISTRY_TO_DIR -> {
                Path dir = sb.path("dir");
                sb.skopeo("copy", TestImage.SINGLE.ociRef(), "dir:" + dir).assertSuccess();
                yield new Target(dir, null, "dir:" + dir);
            }
            case OCI_TO_REGISTRY, REGISTRY_TO_REGISTRY -> {
                String repo = "matrix/" + op.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + "-" + name;
                yield new Target(null, repo, destProxy.ref(repo + ":v1"));
            }
            case SYNC -> {
                // skopeo's naming: DEST-NAMESPACE/<last path component of the source>:<tag>
                String namespace = "matrix/sync-" + name;
                yield new Target(null, namespace + "/src", destProxy.hostPort() + "/" + namespace);
            }
        };
    }

    private static CommandResult run(Sandbox sb, Operation op, Target t) {
        String src = switch (op) {
            case OCI_TO_REGISTRY -> TestImage.MULTI.ociRef();
            default -> srcProxy.ref(SRC_REPO + ":v1");
        };
        List<String> srcFlags = op == Operation.OCI_TO_REGISTRY ? List.of() : srcProxy.srcArgs();
        List<String> destFlags = t.destRepo() != null ? destProxy.destArgs() : List.of();
        List<String> cmd = new ArrayList<>(Kopi.command(sb));
        if (op == Operation.SYNC) {
            cmd.addAll(List.of(args("--command-timeout", COMMAND_TIMEOUT.toSeconds() + "s", "sync", "--src", "docker",
                    "--dest", "docker", "--retry-times", "2", "--retry-delay", "100ms", srcFlags, destFlags,
                    srcProxy.hostPort() + "/" + SRC_REPO + ":v1", t.destRef())));
            return sb.run(cmd, Duration.ofSeconds(90));
        }
        cmd.addAll(List.of(args("--command-timeout", COMMAND_TIMEOUT.toSeconds() + "s", "copy", "--retry-times", "2",
                "--retry-delay", "100ms", srcFlags, destFlags, src, t.destRef())));
        return sb.run(cmd, Duration.ofSeconds(90));
    }

    private static Clean observe(Operation op, Target t) {
        return switch (op) {
            case REGISTRY_TO_DIR -> new Clean(Trees.digests(t.local().resolve("manifest.json")).get(""),
                    Trees.digests(t.local()));
            case REGISTRY_TO_OCI -> {
                Map<String, String> blobs = Trees.digests(t.local().resolve("blobs"));
                blobs.forEach((path, sha) -> assertThat(path).as("blob file named by its digest").endsWith(sha));
                yield new Clean(ociTagDigest(t.local(), "v1"), blobs);
            }
            case OCI_TO_REGISTRY, REGISTRY_TO_REGISTRY, SYNC -> {
                assertThat(DEST.missingBlobs(t.destRepo(), "v1")).as("blobs missing at the destination").isEmpty();
                HttpResponse<byte[]> man = DEST.api("GET", "/v2/" + t.destRepo() + "/manifests/v1");
                yield new Clean("sha256:" + Trees.sha256(man.body()), Map.of());
            }
        };
    }

    private static String ociTagDigest(Path layout, String tag) {
        try {
            var index = RegistryCli.JSON.readTree(layout.resolve("index.json").toFile());
            for (var d : index.path("manifests")) {
                if (tag.equals(d.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                    return d.path("digest").asText();
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Files kopi left in its $TMPDIR (the JVM's own zstd-jni library copy excepted). */
    static List<String> leftovers(Path tmp) {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(f -> !f.startsWith("libzstd-jni")).sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- report ---------------------------------------------------------------------------------------------------

    private static String table(List<Cell> cells, Duration took) {
        Map<String, Map<Operation, Cell>> byRow = new LinkedHashMap<>();
        for (Cell c : cells) {
            byRow.computeIfAbsent(c.row().label(), k -> new TreeMap<>()).put(c.op(), c);
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| fault |");
        for (Operation op : Operation.values()) {
            sb.append(' ').append(op.label).append(" |");
        }
        sb.append("\n|---|");
        sb.append("---|".repeat(Operation.values().length)).append('\n');
        byRow.forEach((row, ops) -> {
            sb.append("| ").append(row).append(" |");
            for (Operation op : Operation.values()) {
                Cell c = ops.get(op);
                sb.append(' ').append(c == null ? "" : c.outcome().label).append(" |");
            }
            sb.append('\n');
        });
        Map<Outcome, Long> counts = new TreeMap<>();
        cells.forEach(c -> counts.merge(c.outcome(), 1L, Long::sum));
        sb.append("\nCells: ").append(cells.size());
        counts.forEach((o, k) -> sb.append(", ").append(o.label).append(' ').append(k));
        sb.append(" (").append(took.toSeconds()).append(" s in all).\n");
        List<Cell> failed = cells.stream().filter(c -> c.outcome() == Outcome.FAILED_CLEANLY
                || c.outcome() == Outcome.BAD).toList();
        if (!failed.isEmpty()) {
            sb.append("\nMessages of the cells that failed:\n\n");
            for (Cell c : failed) {
                sb.append("- ").append(c.op().label).append(" x ").append(c.row().label()).append(": ")
                        .append(c.outcome() == Outcome.BAD ? "**BAD** " : "").append('`')
                        .append(shorten(c.why())).append("`\n");
            }
        }
        return sb.toString();
    }

    private static String shorten(String s) {
        String one = s.replace('\n', ' ').replace('`', '\'').replaceAll("time=\"[^\"]*\" level=fatal msg=", "")
                .replaceAll("127\\.0\\.0\\.1:\\d+", "127.0.0.1:PORT").replaceAll("/tmp/junit-?\\d+/", "…/")
                .replaceAll("oci:/\\S*/it-fixtures/oci:", "oci:…/fixtures:").replaceAll("sha256:[0-9a-f]{64}", "sha256:…");
        return one.length() > 300 ? one.substring(0, 300) + "…" : one;
    }

    static final String BEGIN = "<!-- fault-matrix:begin (written by FaultMatrixIT) -->";
    static final String END = "<!-- fault-matrix:end -->";

    /** Replaces the fault-matrix part of docs/reliability.md (between its markers) with {@code table}. */
    private static void writeDocs(String table) throws IOException {
        Path doc = Kopi.repoRoot().resolve("docs/reliability.md");
        if (!Files.isRegularFile(doc)) {
            return;
        }
        String text = Files.readString(doc);
        int b = text.indexOf(BEGIN);
        int e = text.indexOf(END);
        if (b < 0 || e < b) {
            return;
        }
        String updated = text.substring(0, b + BEGIN.length()) + "\n" + table + text.substring(e);
        Files.writeString(doc, updated);
    }
}
