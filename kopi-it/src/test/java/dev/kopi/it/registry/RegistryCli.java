package dev.kopi.it.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Kopi;
import dev.kopi.it.Sandbox;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Helpers of the {@code KopiRegistry*IT} tests: argument lists, kopi with data on stdin, outputs collected for the
 * credential-leak checks, and JSON reading.
 */
public final class RegistryCli {
    static final ObjectMapper JSON = new ObjectMapper();

    private RegistryCli() {
    }

    /** Flattens strings, lists and other objects ({@code toString}) into an argument array. */
    public static String[] args(Object... parts) {
        List<String> out = new ArrayList<>();
        for (Object p : parts) {
            if (p instanceof Collection<?> l) {
                l.forEach(x -> out.add(x.toString()));
            } else if (p instanceof String[] a) {
                out.addAll(List.of(a));
            } else if (p != null) {
                out.add(p.toString());
            }
        }
        return out.toArray(String[]::new);
    }

    /** Runs kopi in the sandbox's environment with {@code stdin} as its standard input. */
    static CommandResult kopiWithStdin(Sandbox sb, String stdin, String... args) {
        List<String> cmd = new ArrayList<>(Kopi.command(sb));
        cmd.addAll(List.of(args));
        return runWithStdin(sb, cmd, stdin);
    }

    /** Runs skopeo in the sandbox's environment with {@code stdin} as its standard input. */
    static CommandResult skopeoWithStdin(Sandbox sb, String stdin, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(dev.kopi.it.Tools.skopeo().toString());
        cmd.addAll(List.of(args));
        return runWithStdin(sb, cmd, stdin);
    }

    private static CommandResult runWithStdin(Sandbox sb, List<String> cmd, String stdin) {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        pb.environment().putAll(sb.env());
        pb.directory(sb.root().toFile());
        try {
            Path out = Files.createTempFile(sb.root(), "stdin-cmd", ".out");
            Path err = Files.createTempFile(sb.root(), "stdin-cmd", ".err");
            pb.redirectOutput(out.toFile());
            pb.redirectError(err.toFile());
            long start = System.nanoTime();
            Process p = pb.start();
            try (OutputStream in = p.getOutputStream()) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            if (!p.waitFor(Sandbox.TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + cmd);
            }
            return new CommandResult(cmd, p.exitValue(), Files.readAllBytes(out), Files.readString(err),
                    Duration.ofNanos(System.nanoTime() - start));
        } catch (IOException e) {
            throw new UncheckedIOException("running " + cmd, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted: " + cmd, e);
        }
    }

    static JsonNode json(CommandResult r) {
        try {
            return JSON.readTree(r.stdoutBytes());
        } catch (IOException e) {
            throw new AssertionError("stdout is not JSON: " + r, e);
        }
    }

    /** Asserts that no secret appears in any of the outputs (stdout and stderr). */
    static void assertNoSecrets(Collection<CommandResult> outputs, Collection<String> secrets) {
        for (CommandResult r : outputs) {
            String all = r.stdout() + "\n" + r.stderr();
            for (String s : secrets) {
                if (s == null || s.length() < 6) {
                    continue;
                }
                assertThat(all.contains(s)).as("a secret (%s...) appears in the output of %s", s.substring(0, 3),
                        String.join(" ", redacted(r.command(), secrets))).isFalse();
            }
        }
    }

    private static List<String> redacted(List<String> command, Collection<String> secrets) {
        List<String> out = new ArrayList<>();
        for (String a : command) {
            String x = a;
            for (String s : secrets) {
                if (s != null && s.length() >= 6) {
                    x = x.replace(s, "<secret>");
                }
            }
            out.add(x);
        }
        return out;
    }
}
