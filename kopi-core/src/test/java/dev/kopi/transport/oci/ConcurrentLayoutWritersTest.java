package dev.kopi.transport.oci;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.Kopi;
import dev.kopi.copy.CopyOptions;
import dev.kopi.manifest.Descriptor;
import dev.kopi.testkit.TestImages;
import dev.kopi.transport.ImageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Concurrent writers of different images into one oci: layout all end up in index.json (beyond skopeo). */
class ConcurrentLayoutWritersTest {
    @TempDir
    Path tmp;

    @Test
    void concurrentIndexUpdatesLoseNothing() throws Exception {
        Path dir = tmp.resolve("layout");
        int writers = 8;
        int perWriter = 25;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CyclicBarrier start = new CyclicBarrier(writers);
        List<Future<?>> fs = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            int id = w;
            fs.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < perWriter; i++) {
                    // a fresh OciLayout each time, as separate copies get
                    OciLayout layout = OciLayout.at(dir, null);
                    Descriptor d = new Descriptor("application/vnd.oci.image.manifest.v1+json",
                            dev.kopi.digest.Digest.sha256((id + "/" + i).getBytes()), 10, null,
                            java.util.Map.of(OciLayout.REF_NAME, "w" + id + "-" + i), null, null, null);
                    layout.updateIndex(index -> OciLayout.addManifest(index, d));
                }
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        List<String> names = OciLayout.at(dir, null).readIndex().instances().stream()
                .map(d -> d.annotations().get(OciLayout.REF_NAME)).toList();
        assertThat(names).hasSize(writers * perWriter).doesNotHaveDuplicates();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted())
                    .as("no lock file is left in the layout").containsExactly("index.json", "oci-layout");
        }
        assertThat(Files.readString(dir.resolve("oci-layout"))).isEqualTo("{\"imageLayoutVersion\":\"1.0.0\"}");
    }

    @Test
    void concurrentCopiesOfDifferentImagesAllGetTagged() throws Exception {
        Path src = tmp.resolve("src");
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            TestImages.singleLayer(src, "t" + i, 100 + i);
            tags.add("t" + i);
        }
        Path dest = tmp.resolve("dest");
        ImageContext ctx = ImageContext.builder().tmpDir(tmp).build();
        CopyOptions opts = CopyOptions.defaults().withContexts(ctx, ctx);
        ExecutorService pool = Executors.newFixedThreadPool(tags.size());
        CyclicBarrier start = new CyclicBarrier(tags.size());
        List<Future<?>> fs = new ArrayList<>();
        for (String t : tags) {
            fs.add(pool.submit(() -> {
                start.await();
                Kopi.copy("oci:" + src + ":" + t, "oci:" + dest + ":" + t, opts);
                return null;
            }));
        }
        for (Future<?> f : fs) {
            f.get();
        }
        pool.shutdown();
        assertThat(OciLayout.at(dest, null).readIndex().instances())
                .extracting(d -> d.annotations().get(OciLayout.REF_NAME)).containsExactlyInAnyOrderElementsOf(tags);
    }

    @Test
    void aFailedWriterSparesBlobsThatACommittedImageUses() throws Exception {
        Path src = tmp.resolve("src");
        var img = TestImages.singleLayer(src, "a", 7);
        Path dest = tmp.resolve("dest");
        ImageContext ctx = ImageContext.builder().tmpDir(tmp).build();
        OciReference ref = (OciReference) Kopi.parseImageName("oci:" + dest + ":b");
        // writer 1 creates the layer blob, then writer 2 commits an image using it, then writer 1 fails
        try (OciImageDestination failing = (OciImageDestination) ref.newImageDestination(ctx)) {
            failing.putBlob(Files.newInputStream(src.resolve("blobs/sha256").resolve(img.layers().get(0).encoded())),
                    new dev.kopi.blob.BlobInfo(img.layers().get(0), img.layerSizes().get(0), null),
                    new dev.kopi.transport.ImageDestination.PutBlobOptions(false, 0));
            Kopi.copy("oci:" + src + ":a", "oci:" + dest + ":a", CopyOptions.defaults().withContexts(ctx, ctx));
        }
        assertThat(dest.resolve("blobs/sha256").resolve(img.layers().get(0).encoded())).exists();
        dev.kopi.Kopi.inspect("oci:" + dest + ":a", null);
    }
}
