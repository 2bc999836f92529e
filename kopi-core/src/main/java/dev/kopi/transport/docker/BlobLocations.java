package dev.kopi.transport.docker;

import dev.kopi.digest.Digest;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArraySet;

/**
 * Per-run memory of where blobs are known to exist (registry -> repositories), so that a destination on the same
 * registry can mount a blob instead of uploading it, and nothing is asked twice.
 */
public final class BlobLocations {
    private static final Map<String, Set<String>> KNOWN = new ConcurrentHashMap<>();

    private BlobLocations() {
    }

    private static String key(String registry, Digest digest) {
        return registry + "\n" + digest;
    }

    /** Records that {@code registry/repository} has the blob. */
    public static void record(String registry, String repository, Digest digest) {
        KNOWN.computeIfAbsent(key(registry, digest), k -> new CopyOnWriteArraySet<>()).add(repository);
    }

    /** Repositories of {@code registry} known to hold the blob. */
    public static List<String> candidates(String registry, Digest digest) {
        Set<String> s = KNOWN.get(key(registry, digest));
        return s == null ? List.of() : List.copyOf(s);
    }
}
