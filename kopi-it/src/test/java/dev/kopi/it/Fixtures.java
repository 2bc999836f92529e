package dev.kopi.it;

import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import dev.kopi.testkit.WrittenIndex;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Builds the fixture layout once per test JVM with {@link TestImages} (an oracle independent of kopi's transports):
 * tags {@code single}, {@code multi} and {@code index} in {@code target/it-fixtures/oci}.
 */
public final class Fixtures {
    private static Path layout;
    private static WrittenImage single;
    private static WrittenImage multi;
    private static WrittenIndex index;

    private Fixtures() {
    }

    /** The fixture OCI layout (built on first use). */
    public static synchronized Path layout() {
        if (layout == null) {
            try {
                Path base = Path.of(System.getProperty("kopi.it.target", "target")).toAbsolutePath()
                        .resolve("it-fixtures");
                deleteTree(base);
                Path oci = base.resolve("oci");
                single = TestImages.singleLayer(oci, TestImage.SINGLE.tag(), 1);
                multi = TestImages.multiLayer(oci, TestImage.MULTI.tag(), 10);
                index = TestImages.multiPlatform(oci, TestImage.INDEX.tag(), 20);
                layout = oci;
            } catch (IOException e) {
                throw new UncheckedIOException("building the IT fixtures", e);
            }
        }
        return layout;
    }

    public static WrittenImage single() {
        layout();
        return single;
    }

    public static WrittenImage multi() {
        layout();
        return multi;
    }

    public static WrittenIndex index() {
        layout();
        return index;
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
