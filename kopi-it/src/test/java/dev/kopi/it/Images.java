package dev.kopi.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Shared steps of the ITs: copy arguments and "is this the same image" checks through skopeo. */
public final class Images {
    private static final java.util.concurrent.atomic.AtomicInteger VIEWS = new java.util.concurrent.atomic.AtomicInteger();

    private Images() {
    }

    /**
     * {@code copy} arguments. For an index, kopi gets {@code --multi-arch all} and skopeo {@code --all} (both spell
     * the same request), so both forms are exercised.
     */
    public static String[] copy(TestImage img, boolean forKopi, String from, String to, String... extra) {
        List<String> a = new ArrayList<>();
        a.add("copy");
        if (img.isIndex()) {
            if (forKopi) {
                a.add("--multi-arch");
                a.add("all");
            } else {
                a.add("--all");
            }
        }
        a.addAll(List.of(extra));
        a.add(from);
        a.add(to);
        return a.toArray(String[]::new);
    }

    /** Copies {@code ref} with skopeo into a fresh {@code dir:} and returns that directory. */
    public static Path viaSkopeo(Sandbox sb, TestImage img, String ref) {
        Path out = sb.path("view-" + VIEWS.incrementAndGet());
        sb.skopeo(copy(img, false, ref, "dir:" + out)).assertSuccess();
        return out;
    }

    /**
     * Asserts that the image {@code actual} (written by the tool under test) holds the same thing as {@code expected}
     * (written by skopeo): same tree for dir:, same blobs and index for oci:, and for archives the same {@code dir:}
     * tree after skopeo copies each out.
     */
    public static void assertSameImage(Sandbox sb, TestImage img, LocalTransport t, String actualRef,
            Path actualPath, String expectedRef, Path expectedPath) {
        switch (t) {
            case DIR -> Trees.assertSameTree(actualPath, expectedPath, "dir: image");
            case OCI -> Trees.assertSameOciLayout(actualPath, expectedPath, "oci: layout");
            default -> Trees.assertSameTree(viaSkopeo(sb, img, actualRef), viaSkopeo(sb, img, expectedRef),
                    t + " image as skopeo reads it");
        }
    }

    /** Both images, copied by skopeo to dir: with --dest-decompress, have identical layer contents and configs. */
    public static void assertSameUncompressedLayers(Sandbox sb, TestImage img, String actualRef, String expectedRef) {
        java.nio.file.Path a = sb.path("decompressed-actual");
        java.nio.file.Path e = sb.path("decompressed-expected");
        sb.skopeo(copy(img, false, actualRef, "dir:" + a, "--dest-decompress")).assertSuccess();
        sb.skopeo(copy(img, false, expectedRef, "dir:" + e, "--dest-decompress")).assertSuccess();
        java.util.Map<String, String> da = Trees.digests(a);
        java.util.Map<String, String> de = Trees.digests(e);
        da.remove("manifest.json");
        de.remove("manifest.json");
        org.assertj.core.api.Assertions.assertThat(da).as("decompressed layers and config").isEqualTo(de);
    }

    /**
     * kopi's inspect output equals skopeo 1.9.3's except for "LayersData", which newer skopeo prints and 1.9.3
     * does not (KNOWN_DIFFERENCES.md): that block is checked against "Layers" and removed before comparing.
     */
    public static void assertSameInspect(String kopi, String skopeo, String what) {
        try {
            com.fasterxml.jackson.databind.JsonNode k = new com.fasterxml.jackson.databind.ObjectMapper().readTree(kopi);
            com.fasterxml.jackson.databind.JsonNode layers = k.path("Layers");
            com.fasterxml.jackson.databind.JsonNode data = k.path("LayersData");
            org.assertj.core.api.Assertions.assertThat(data.size()).as("LayersData entries of %s", what)
                    .isEqualTo(layers.size());
            for (int i = 0; i < layers.size(); i++) {
                org.assertj.core.api.Assertions.assertThat(data.get(i).path("Digest").asText())
                        .as("LayersData[%d].Digest of %s", i, what).isEqualTo(layers.get(i).asText());
                org.assertj.core.api.Assertions.assertThat(data.get(i).path("Size").asLong())
                        .as("LayersData[%d].Size of %s", i, what).isNotZero();
            }
        } catch (java.io.IOException e) {
            throw new AssertionError("kopi inspect printed invalid JSON for " + what + ": " + kopi, e);
        }
        String stripped = kopi.replaceAll("(?s)\n    \"LayersData\": (\\[\\]|\\[.*?\n    \\]),", "");
        org.assertj.core.api.Assertions.assertThat(stripped).as("kopi inspect vs skopeo inspect of %s", what)
                .isEqualTo(skopeo);
    }

    /** A manifest with its layers' digests and sizes masked, for comparing recompressed images. */
    public static String maskLayers(String manifest) {
        int layers = manifest.indexOf("\"layers\"");
        String head = manifest.substring(0, layers);
        String tail = manifest.substring(layers)
                .replaceAll("\"digest\":\"sha256:[0-9a-f]{64}\"", "\"digest\":\"MASKED\"")
                .replaceAll("\"size\":[0-9]+", "\"size\":0");
        return head + tail;
    }
}
