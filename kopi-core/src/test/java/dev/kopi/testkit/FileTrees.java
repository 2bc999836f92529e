package dev.kopi.testkit;

import dev.kopi.digest.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** Snapshots of directory trees, to check that a failed operation changed nothing. */
public final class FileTrees {
    private FileTrees() {
    }

    /**
     * Every entry under {@code root} (relative path → "dir", "link:target" or "file:sha256:size"), sorted.
     * A missing root gives an empty map.
     */
    public static Map<String, String> snapshot(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return out;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.toList()) {
                String rel = root.relativize(p).toString();
                if (Files.isSymbolicLink(p)) {
                    out.put(rel, "link:" + Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    out.put(rel, "dir");
                } else {
                    byte[] b = Files.readAllBytes(p);
                    out.put(rel, "file:" + Digest.sha256(b) + ":" + b.length);
                }
            }
        }
        return out;
    }

    /** The names of the entries beside {@code dir} (to spot staging leftovers). */
    public static Map<String, String> siblings(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        Path parent = dir.toAbsolutePath().getParent();
        try (Stream<Path> s = Files.list(parent)) {
            for (Path p : s.toList()) {
                out.put(p.getFileName().toString(), Files.isDirectory(p) ? "dir" : "file");
            }
        }
        return out;
    }
}
