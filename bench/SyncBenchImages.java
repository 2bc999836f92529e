import dev.kopi.testkit.ImageSpec;
import dev.kopi.testkit.LayerSpec;
import dev.kopi.testkit.TestImages;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes TAGS images into an OCI layout for sync-bench.sh: every image has the same BASE layers (SHARED_KB KiB of
 * content in total, shared by all tags) plus one small layer of its own (UNIQUE_KB KiB), as a repository of
 * release tags of one application usually looks. Run with the kopi jar on the class path:
 * {@code java -cp kopi.jar SyncBenchImages.java LAYOUT TAGS BASE SHARED_KB UNIQUE_KB}.
 */
public class SyncBenchImages {
    public static void main(String[] args) throws Exception {
        Path layout = Path.of(args[0]);
        int tags = Integer.parseInt(args[1]);
        int base = Integer.parseInt(args[2]);
        long sharedKb = Long.parseLong(args[3]);
        long uniqueKb = Long.parseLong(args[4]);
        for (int t = 0; t < tags; t++) {
            List<LayerSpec> layers = new ArrayList<>();
            for (int b = 0; b < base; b++) {
                layers.add(LayerSpec.random(sharedKb * 1024 / base, 1000 + b));
            }
            layers.add(LayerSpec.random(uniqueKb * 1024, 5000 + t));
            TestImages.writeImage(layout, String.format("v1.%d.0", t), ImageSpec.of(layers).withGzipLevel(1));
        }
    }
}
