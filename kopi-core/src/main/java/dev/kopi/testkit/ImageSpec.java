package dev.kopi.testkit;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What {@link TestImages} writes for one image.
 *
 * @param os platform OS, e.g. {@code linux}
 * @param architecture platform architecture, e.g. {@code amd64}
 * @param variant platform variant, e.g. {@code v8}, or null
 * @param layers the layers, bottom first
 * @param gzipLevel 0 for uncompressed {@code tar} layers, 1..9 for {@code tar+gzip} at that level
 * @param created creation time (config {@code created}, history entries and tar mtimes)
 * @param env config {@code Env}
 * @param labels config {@code Labels} (written sorted by key, as Go's encoding/json does)
 */
public record ImageSpec(String os, String architecture, String variant, List<LayerSpec> layers, int gzipLevel,
        Instant created, List<String> env, Map<String, String> labels) {
    /** The fixed creation time of generated images. */
    public static final Instant CREATED = Instant.parse("2024-01-02T03:04:05Z");

    public ImageSpec {
        Objects.requireNonNull(os, "os");
        Objects.requireNonNull(architecture, "architecture");
        Objects.requireNonNull(created, "created");
        layers = List.copyOf(layers);
        env = List.copyOf(env);
        labels = java.util.Collections.unmodifiableMap(new TreeMap<>(labels));
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an image needs at least one layer");
        }
        if (gzipLevel < 0 || gzipLevel > 9) {
            throw new IllegalArgumentException("gzip level " + gzipLevel + " outside 0..9");
        }
    }

    /** A linux/amd64 image with the given layers, gzip level 6 and default env and labels. */
    public static ImageSpec of(List<LayerSpec> layers) {
        return new ImageSpec("linux", "amd64", null, layers, 6, CREATED,
                List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "KOPI_TEST=1"),
                Map.of("org.opencontainers.image.title", "kopi test image"));
    }

    public ImageSpec withPlatform(String os, String architecture, String variant) {
        return new ImageSpec(os, architecture, variant, layers, gzipLevel, created, env, labels);
    }

    public ImageSpec withGzipLevel(int level) {
        return new ImageSpec(os, architecture, variant, layers, level, created, env, labels);
    }

    public ImageSpec withLabels(Map<String, String> newLabels) {
        return new ImageSpec(os, architecture, variant, layers, gzipLevel, created, env, newLabels);
    }
}
