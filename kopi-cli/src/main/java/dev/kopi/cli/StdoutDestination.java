package dev.kopi.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Set;

/**
 * Whether a copy's destination is kopi's own standard output ({@code docker-archive:/dev/stdout},
 * {@code oci-archive:/dev/fd/1}, or a file stdout is redirected to), so that progress must go to stderr instead of
 * into the archive (beyond skopeo, which mixes its lines into the tar).
 */
final class StdoutDestination {
    private static final Set<String> ARCHIVES = Set.of("docker-archive", "oci-archive");
    private static final Set<String> STDOUT_NAMES = Set.of("/dev/stdout", "/dev/fd/1", "/proc/self/fd/1");
    private static final Path STDOUT = Path.of("/proc/self/fd/1");

    private StdoutDestination() {
    }

    /** True when {@code imageName} ({@code transport:path[:ref]}) is an archive written to this process's stdout. */
    static boolean writesToStdout(String imageName) {
        int colon = imageName.indexOf(':');
        if (colon < 0 || !ARCHIVES.contains(imageName.substring(0, colon))) {
            return false;
        }
        String rest = imageName.substring(colon + 1);
        int c = rest.indexOf(':');
        String path = c < 0 ? rest : rest.substring(0, c);
        if (STDOUT_NAMES.contains(path)) {
            return true;
        }
        try {
            Path p = Path.of(path);
            return Files.exists(p) && Files.exists(STDOUT) && Files.isSameFile(p, STDOUT);
        } catch (IOException | InvalidPathException | SecurityException e) {
            return false;
        }
    }

    /** Whether stderr is a terminal (Linux: fd 2 links to a tty device). */
    static boolean stderrIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }
}
