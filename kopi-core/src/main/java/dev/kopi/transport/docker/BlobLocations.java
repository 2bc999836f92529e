package dev.kopi.transport.docker;

import dev.kopi.config.Env;
import dev.kopi.digest.Digest;
import dev.kopi.log.Log;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Memory of where blobs are known to exist (registry -> repositories), so that a destination on the same registry
 * can mount a blob instead of uploading it, and nothing is asked twice. Like containers/image's blob info cache it
 * persists across runs: a small append-only file under {@code $XDG_DATA_HOME/kopi} (else
 * {@code ~/.local/share/kopi}), read once per process; a broken or missing file only costs uploads.
 */
public final class BlobLocations {
    private static final Map<String, Set<String>> KNOWN = new ConcurrentHashMap<>();
    private static final long MAX_FILE = 4L << 20;
    private static volatile boolean loaded;

    private BlobLocations() {
    }

    private static String key(String registry, Digest digest) {
        return registry + " " + digest;
    }

    static Path file() {
        Env env = Env.system();
        String data = env.nonEmpty("XDG_DATA_HOME").orElse(null);
        Path base = data != null ? Path.of(data) : env.home().resolve(".local").resolve("share");
        return base.resolve("kopi").resolve("blob-locations-v1");
    }

    private static synchronized void load() {
        if (loaded) {
            return;
        }
        loaded = true;
        Path f = file();
        try {
            if (Files.isRegularFile(f) && Files.size(f) <= MAX_FILE) {
                for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                    String[] p = line.split(" ");
                    if (p.length == 3 && Digest.isValid(p[2])) {
                        KNOWN.computeIfAbsent(p[0] + " " + p[2], k -> new CopyOnWriteArraySet<>()).add(p[1]);
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            Log.debug(() -> "Ignoring the blob location cache " + f + ": " + e.getMessage());
        }
    }

    /** Records that {@code registry/repository} has the blob (in memory, and in the cache file when new). */
    public static void record(String registry, String repository, Digest digest) {
        load();
        if (KNOWN.computeIfAbsent(key(registry, digest), k -> new CopyOnWriteArraySet<>()).add(repository)) {
            persist(registry + " " + repository + " " + digest + "\n");
        }
    }

    private static synchronized void persist(String line) { // one FileLock per JVM at a time
        Path f = file();
        try {
            Files.createDirectories(f.getParent());
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND); FileLock lock = ch.lock()) {
                if (ch.size() > MAX_FILE) {
                    ch.truncate(0);
                }
                ch.write(java.nio.ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8)));
            }
        } catch (IOException | RuntimeException e) {
            Log.debug(() -> "Not recording a blob location in " + f + ": " + e.getMessage());
        }
    }

    /** Repositories of {@code registry} known to hold the blob. */
    public static List<String> candidates(String registry, Digest digest) {
        load();
        Set<String> s = KNOWN.get(key(registry, digest));
        return s == null ? List.of() : List.copyOf(s);
    }
}
