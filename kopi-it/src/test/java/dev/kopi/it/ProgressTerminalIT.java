package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.testkit.ImageSpec;
import dev.kopi.testkit.LayerSpec;
import dev.kopi.testkit.TestImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress as a person sees it: kopi and skopeo run in a real terminal (a tmux pane, a real pty), the pane is
 * captured every few milliseconds while a large copy runs. kopi's bars must move, and the screen at the end must
 * hold the same lines as skopeo's. Without a terminal both print plain lines.
 */
class ProgressTerminalIT {
    /** A bar while a blob is copied: {@code Copying blob 0123456789ab [===>---] 46.0MiB / 120.0MiB | ...}. */
    private static final Pattern BAR = Pattern.compile(
            "^(Copying blob [0-9a-f]{12}) \\[[=>-]{38}\\] (\\d+\\.\\d)MiB / (\\d+\\.\\d)MiB \\| .*$");
    private static final String DONE_MARK = "KOPI-IT-EXIT=";

    @TempDir
    static Path dir;
    static Sandbox sandbox;
    static Path layout;

    @BeforeAll
    static void bigImage() throws IOException {
        Tools.tmux();
        sandbox = new Sandbox(dir.resolve("sandbox"));
        layout = sandbox.path("big-oci");
        // uncompressed random layers, compressed on the way (--dest-compress): slow enough to watch
        TestImages.writeImage(layout, "big", ImageSpec.of(List.of(LayerSpec.random(96L << 20, 7),
                LayerSpec.random(48L << 20, 8))).withGzipLevel(0));
    }

    @Test
    void barsMoveOnATerminalAndTheFinalScreenMatchesSkopeo() throws Exception {
        Screen kopi = runInTerminal("kopi", Kopi.command(sandbox), "copy", "--dest-compress",
                "oci:" + layout + ":big", "dir:" + sandbox.path("kopi-dir"));
        Screen skopeo = runInTerminal("skopeo", List.of(Tools.skopeo().toString()), "copy", "--dest-compress",
                "oci:" + layout + ":big", "dir:" + sandbox.path("skopeo-dir"));

        assertThat(kopi.exit).as("kopi exit; final screen:\n%s", kopi.last()).isEqualTo(0);
        assertThat(skopeo.exit).as("skopeo exit; final screen:\n%s", skopeo.last()).isEqualTo(0);
        // the bars moved: one blob was seen at two or more different byte counts before it was done
        assertThat(kopi.progressByBlob()).as("bar values per blob seen in %d snapshots", kopi.snapshots.size())
                .anySatisfy((blob, values) -> assertThat(values).hasSizeGreaterThanOrEqualTo(2));
        // no bar, escape sequence or partial line left behind: the final screen is skopeo's, line for line
        assertThat(kopi.finalLines()).isEqualTo(withoutStoringSignatures(skopeo.finalLines()));
        assertThat(kopi.finalLines()).contains("Getting image source signatures",
                "Writing manifest to image destination");
        assertThat(kopi.finalLines()).filteredOn(l -> l.startsWith("Copying blob ")).hasSize(2)
                .allMatch(l -> l.matches("Copying blob [0-9a-f]{12} done"));
    }

    @Test
    void plainLinesWithoutATerminal() {
        CommandResult kopi = sandbox.kopi("copy", "oci:" + layout + ":big", "dir:" + sandbox.path("plain-kopi"));
        CommandResult skopeo = sandbox.skopeo("copy", "oci:" + layout + ":big",
                "dir:" + sandbox.path("plain-skopeo"));
        kopi.assertSuccess();
        skopeo.assertSuccess();
        assertThat(kopi.stdout()).doesNotContain("\u001b", "\r", "[=");
        assertThat(kopi.stdout()).contains("Copying blob sha256:");
        assertThat(kopi.stdout().lines().toList()).isEqualTo(withoutStoringSignatures(skopeo.stdout().lines().toList()));
    }

    /** skopeo 1.9.3 prints "Storing signatures" even when there are none; newest skopeo and kopi do not. */
    private static List<String> withoutStoringSignatures(List<String> skopeoLines) {
        return skopeoLines.stream().filter(l -> !l.equals("Storing signatures")).collect(Collectors.toList());
    }

    /** What a pane showed: every distinct snapshot, in order, and the exit status printed after the command. */
    private record Screen(List<String> snapshots, int exit) {
        String last() {
            return snapshots.get(snapshots.size() - 1);
        }

        List<String> finalLines() {
            return last().lines().map(String::stripTrailing).filter(l -> !l.isEmpty() && !l.startsWith(DONE_MARK))
                    .collect(Collectors.toList());
        }

        /** Per blob, the distinct "done" byte counts its bar showed. */
        java.util.Map<String, Set<String>> progressByBlob() {
            java.util.Map<String, Set<String>> seen = new java.util.TreeMap<>();
            for (String s : snapshots) {
                for (String line : s.split("\n")) {
                    Matcher m = BAR.matcher(line.stripTrailing());
                    if (m.matches()) {
                        seen.computeIfAbsent(m.group(1), k -> new LinkedHashSet<>()).add(m.group(2));
                    }
                }
            }
            return seen;
        }
    }

    /** Runs the command in a detached tmux pane of 200x50 and captures the pane until the command has ended. */
    private Screen runInTerminal(String name, List<String> prefix, String... args) throws Exception {
        Path socket = sandbox.path("tmux-" + name + ".sock");
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(args));
        String shell = cmd.stream().map(ProgressTerminalIT::quote).collect(Collectors.joining(" "))
                + "; echo " + DONE_MARK + "$?; sleep 600";
        List<String> tmux = List.of("env", "TERM=xterm-256color", Tools.tmux().toString(), "-S", socket.toString(),
                "-f", "/dev/null");
        List<String> start = new ArrayList<>(tmux);
        start.addAll(List.of("new-session", "-d", "-x", "200", "-y", "50", shell));
        sandbox.run(start, Duration.ofSeconds(20)).assertSuccess();
        List<String> snapshots = new ArrayList<>();
        List<String> capture = new ArrayList<>(tmux);
        capture.addAll(List.of("capture-pane", "-p"));
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        try {
            while (System.nanoTime() < deadline) {
                String screen = capture(capture);
                if (snapshots.isEmpty() || !snapshots.get(snapshots.size() - 1).equals(screen)) {
                    snapshots.add(screen);
                }
                Matcher m = Pattern.compile(DONE_MARK + "(\\d+)").matcher(screen);
                if (m.find()) {
                    return new Screen(snapshots, Integer.parseInt(m.group(1)));
                }
                Thread.sleep(30);
            }
            throw new AssertionError(name + " did not finish in 2 minutes; last screen:\n" + snapshots);
        } finally {
            List<String> kill = new ArrayList<>(tmux);
            kill.add("kill-server");
            sandbox.run(kill, Duration.ofSeconds(20));
        }
    }

    /** One capture, read straight from the process (the sandbox's command log would be thousands of files). */
    private String capture(List<String> command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().clear();
        pb.environment().putAll(sandbox.env());
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        p.waitFor();
        return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }
}
