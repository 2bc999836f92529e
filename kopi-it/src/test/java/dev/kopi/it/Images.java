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
}
