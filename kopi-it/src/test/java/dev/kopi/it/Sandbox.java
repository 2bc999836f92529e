package dev.kopi.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A throwaway environment for running kopi, skopeo and podman: HOME, TMPDIR and the XDG_* directories point into a
 * temporary directory, so the user's configuration (auth.json, policy.json, registries.conf, storage) is never read.
 * The sandbox's default policy ({@code $HOME/.config/containers/policy.json}) accepts everything, so copies need no
 * {@code --insecure-policy}; {@link #policyFile()} is the same policy for an explicit {@code --policy}.
 */
public final class Sandbox {
    /** Default time limit of one command. */
    public static final Duration TIMEOUT = Duration.ofMinutes(2);

    private static final String INSECURE_POLICY = "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}\n";
    private static final AtomicInteger COUNTER = new AtomicInteger();

    private final Path root;
    private final Path home;
    private final Path tmp;
    private final Path runtime;
    private final Path logs;
    private final Map<String, String> env = new LinkedHashMap<>();

    /** Creates the sandbox directories under {@code root} (usually a JUnit {@code @TempDir}). */
    public Sandbox(Path root) {
        try {
            this.root = Files.createDirectories(root.toAbsolutePath());
            this.home = Files.createDirectories(this.root.resolve("home"));
            this.tmp = Files.createDirectories(this.root.resolve("tmp"));
            this.runtime = Files.createDirectories(this.root.resolve("run"));
            this.logs = Files.createDirectories(this.root.resolve("cmd-output"));
            Path config = Files.createDirectories(home.resolve(".config/containers"));
            Files.writeString(config.resolve("policy.json"), INSECURE_POLICY);
            Files.writeString(this.root.resolve("policy.json"), INSECURE_POLICY);
            Files.createDirectories(home.resolve(".local/share"));
            Files.createDirectories(home.resolve(".cache"));
        } catch (IOException e) {
            throw new UncheckedIOException("creating the test sandbox under " + root, e);
        }
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"));
        env.put("LANG", "C.UTF-8");
        env.put("HOME", home.toString());
        env.put("TMPDIR", tmp.toString());
        env.put("XDG_CONFIG_HOME", home.resolve(".config").toString());
        env.put("XDG_DATA_HOME", home.resolve(".local/share").toString());
        env.put("XDG_CACHE_HOME", home.resolve(".cache").toString());
        env.put("XDG_RUNTIME_DIR", runtime.toString());
    }

    public Path root() {
        return root;
    }

    public Path home() {
        return home;
    }

    public Path tmp() {
        return tmp;
    }

    /** A policy.json that accepts everything. */
    public Path policyFile() {
        return root.resolve("policy.json");
    }

    /** A fresh path (not created) under the sandbox for an image or file. */
    public Path path(String name) {
        return root.resolve(name);
    }

    /** The environment commands get; the test JVM's own environment is not inherited beyond PATH. */
    public Map<String, String> env() {
        return Map.copyOf(env);
    }

    /** Runs kopi (see {@link Kopi#command}) with these arguments. */
    public CommandResult kopi(String... args) {
        List<String> cmd = new ArrayList<>(Kopi.command(this));
        cmd.addAll(List.of(args));
        return run(cmd, TIMEOUT);
    }

    /** Runs skopeo with these arguments. */
    public CommandResult skopeo(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Tools.skopeo().toString());
        cmd.addAll(List.of(args));
        return run(cmd, TIMEOUT);
    }

    /**
     * Runs podman against a private store under the sandbox ({@code --root}/{@code --runroot}, vfs driver, file
     * events, cgroupfs), so nothing touches the machine's images.
     */
    public CommandResult podman(String... args) {
        return podmanOn("vfs", args);
    }

    /**
     * The directory holding the private podman store of {@code driver}: {@code root} and {@code runroot} in it
     * (short for drivers other than vfs: overlay refuses a run root of more than 50 characters).
     */
    public Path podmanHome(String driver) {
        return root.resolve(driver.equals("vfs") ? "podman" : driver.substring(0, 2));
    }

    /** The run root of {@link #podmanHome}. */
    public Path podmanRunRoot(String driver) {
        return podmanHome(driver).resolve(driver.equals("vfs") ? "runroot" : "run");
    }

    /** {@link #podman}, with a private store of its own using the storage driver {@code driver}. */
    public CommandResult podmanOn(String driver, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Tools.podman().toString());
        cmd.addAll(List.of("--root", podmanHome(driver).resolve("root").toString(), "--runroot",
                podmanRunRoot(driver).toString(), "--storage-driver", driver, "--events-backend", "file",
                "--cgroup-manager", "cgroupfs", "--tmpdir", tmp.toString()));
        cmd.addAll(List.of(args));
        return run(cmd, TIMEOUT);
    }

    /** Runs a command in the sandbox environment with stdin closed and stdout/stderr captured. */
    public CommandResult run(List<String> command, Duration timeout) {
        int n = COUNTER.incrementAndGet();
        Path out = logs.resolve(n + ".out");
        Path err = logs.resolve(n + ".err");
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().clear();
        pb.environment().putAll(env);
        pb.directory(root.toFile());
        pb.redirectInput(ProcessBuilder.Redirect.from(nullFile()));
        pb.redirectOutput(out.toFile());
        pb.redirectError(err.toFile());
        long start = System.nanoTime();
        try {
            Process p = pb.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
                fail("timed out after " + timeout.toSeconds() + " s: " + String.join(" ", command) + "\n  stderr: "
                        + Files.readString(err));
            }
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            return new CommandResult(command, p.exitValue(), Files.readAllBytes(out), Files.readString(err), elapsed);
        } catch (IOException e) {
            throw new UncheckedIOException("running " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    private static java.io.File nullFile() {
        return new java.io.File("/dev/null");
    }
}
