package dev.kopi.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Locates the external tools the integration tests compare kopi against. A missing tool fails the test (never skips
 * it), naming the tool and pointing at {@code scripts/test}, which installs it.
 */
public final class Tools {
    private static final Map<String, Path> FOUND = new ConcurrentHashMap<>();
    private static final List<String> EXTRA_DIRS = List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin",
            "/sbin", "/bin");

    private Tools() {
    }

    public static Path skopeo() {
        return require("skopeo", "skopeo");
    }

    public static Path podman() {
        return require("podman", "podman");
    }

    /** The docker-distribution registry binary (Debian names it {@code docker-registry}). */
    public static Path registry() {
        return require("docker-registry", "docker-registry");
    }

    public static Path gpg() {
        return require("gpg", "gnupg");
    }

    /** tmux, the terminal the progress-bar tests run kopi and skopeo in. */
    public static Path tmux() {
        return require("tmux", "tmux");
    }

    /** GNU time, for peak RSS ({@code /usr/bin/time -v}); the shell keyword does not do. */
    public static Path time() {
        return require("/usr/bin/time", "time");
    }

    /** mksquashfs, which builds the squashfs partitions of the SIF test files. */
    public static Path mksquashfs() {
        return require("mksquashfs", "squashfs-tools");
    }

    /** unsquashfs, which the sif: transport runs (kopi and skopeo alike). */
    public static Path unsquashfs() {
        return require("unsquashfs", "squashfs-tools");
    }

    /** fakeroot, in which the sif: transport unpacks and repacks the squashfs. */
    public static Path fakeroot() {
        return require("fakeroot", "fakeroot");
    }

    /** The tool's path; fails the calling test when it is not installed. */
    public static Path require(String name, String debianPackage) {
        Path p = FOUND.computeIfAbsent(name, Tools::lookup);
        if (p == null || !Files.isExecutable(p)) {
            FOUND.remove(name);
            fail("required tool '" + name + "' was not found on PATH; scripts/test installs it (apt-get install "
                    + debianPackage + ")");
        }
        return p;
    }

    /** Whether a tool is installed (for diagnostics only; tests use {@link #require}). */
    public static boolean available(String name) {
        return lookup(name) != null;
    }

    private static Path lookup(String name) {
        if (name.startsWith("/")) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? p : null;
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        dirs.addAll(EXTRA_DIRS);
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Path.of(d, name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
