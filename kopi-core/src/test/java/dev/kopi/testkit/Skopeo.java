package dev.kopi.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/** Runs the real skopeo (Debian 1.9.3 at /usr/bin/skopeo) as a test oracle. */
public final class Skopeo {
    public static final Path BINARY = Path.of("/usr/bin/skopeo");

    /** The outcome of one run. */
    public record Result(int exitCode, byte[] stdout, String stderr) {
        public String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }
    }

    private Skopeo() {
    }

    public static boolean installed() {
        return Files.isExecutable(BINARY);
    }

    /** Skips the calling test (loudly) when skopeo is missing. */
    public static void assumeInstalled() {
        Assumptions.assumeTrue(installed(), "skopeo is not installed at " + BINARY);
    }

    /** Runs {@code skopeo ARGS...} with TZ unset and returns what happened. */
    public static Result tryRun(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(BINARY.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("TZ");
        Path err = Files.createTempFile("kopi-skopeo", ".err");
        try {
            pb.redirectError(err.toFile());
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("skopeo %s finished", cmd).isTrue();
            return new Result(p.exitValue(), out, Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(err);
        }
    }

    /** Runs skopeo and fails the test unless it exits 0; returns stdout. */
    public static byte[] run(String... args) throws IOException, InterruptedException {
        Result r = tryRun(args);
        assertThat(r.exitCode()).as("skopeo %s failed: %s", List.of(args), r.stderr()).isZero();
        return r.stdout();
    }

    /** {@code skopeo --insecure-policy copy -q [extra...] SRC DEST}. */
    public static void copy(String src, String dest, String... extra) throws IOException, InterruptedException {
        List<String> a = new ArrayList<>(List.of("--insecure-policy", "copy", "-q"));
        a.addAll(List.of(extra));
        a.add(src);
        a.add(dest);
        run(a.toArray(new String[0]));
    }
}
