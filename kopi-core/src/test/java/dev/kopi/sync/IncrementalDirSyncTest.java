package dev.kopi.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import dev.kopi.sync.ImageOutcome.Status;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sync --incremental --dest dir} (a kopi extension) into a directory an earlier sync wrote. */
class IncrementalDirSyncTest {
    @TempDir
    Path tmp;

    private SyncResult sync(Path src, Path dest, boolean incremental) throws IOException {
        return Syncer.sync(src.toString(), dest.toString(), SyncOptions.builder("oci", "dir").jobs(1)
                .incremental(incremental).build());
    }

    private static Map<String, Status> statuses(SyncResult r) {
        Map<String, Status> out = new TreeMap<>();
        r.images().forEach(i -> out.put(i.destination().substring(i.destination().lastIndexOf('/') + 1), i.status()));
        return out;
    }

    @Test
    void aRerunCopiesOnlyChangedImagesAndReplacesThemWhole() throws IOException {
        Path src = tmp.resolve("app");
        WrittenImage a = TestImages.singleLayer(src, "a", 1);
        TestImages.multiLayer(src, "b", 2);
        Path dest = tmp.resolve("mirror");
        assertThat(statuses(sync(src, dest, false))).containsOnly(Map.entry("app:a", Status.COPIED),
                Map.entry("app:b", Status.COPIED));

        // skopeo's default stays: an existing image directory is refused
        assertThatThrownBy(() -> sync(src, dest, false)).isInstanceOf(SyncFailedException.class)
                .hasMessageContaining("Refusing to overwrite destination directory \"" + dest.resolve("app:a") + "\"");

        Path aManifest = dest.resolve("app:a/manifest.json");
        FileTime aTime = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(aManifest, aTime);
        Path stale = dest.resolve("app:b/" + "0".repeat(64));
        Files.writeString(stale, "left over from the old image");
        WrittenImage b2 = TestImages.singleLayer(src, "b", 3);

        SyncResult again = sync(src, dest, true);
        assertThat(statuses(again)).containsOnly(Map.entry("app:a", Status.SKIPPED), Map.entry("app:b", Status.COPIED));
        assertThat(again.images()).filteredOn(i -> i.status() == Status.SKIPPED).singleElement()
                .satisfies(i -> assertThat(i.digest()).isEqualTo(a.manifestDigest()));
        assertThat(Files.getLastModifiedTime(aManifest)).as("untouched").isEqualTo(aTime);
        assertThat(Digest.sha256(Files.readAllBytes(dest.resolve("app:b/manifest.json"))))
                .isEqualTo(b2.manifestDigest());
        assertThat(stale).as("the changed image's directory was replaced as a whole").doesNotExist();
        try (var s = Files.list(dest.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).as("no staging left behind")
                    .containsExactlyInAnyOrder("app", "mirror");
        }
        try (var s = Files.list(dest)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("app:a", "app:b");
        }

        assertThat(statuses(sync(src, dest, true))).containsOnly(Map.entry("app:a", Status.SKIPPED),
                Map.entry("app:b", Status.SKIPPED));
    }

    /**
     * A changed image that keeps some layers of its previous version takes them from the directory it replaces
     * (checked against their digests first) instead of the source; a corrupted one is fetched again.
     */
    @Test
    void aChangedImageReusesTheLayersItKeptAfterCheckingThem() throws IOException {
        Path src = tmp.resolve("app");
        TestImages.multiLayer(src, "b", 2);
        Path dest = tmp.resolve("mirror");
        sync(src, dest, false);
        WrittenImage b2 = TestImages.multiLayer(src, "b", 2, 64 * 1024, 1024); // the first two layers, kept
        Path corrupted = dest.resolve("app:b/" + b2.layers().get(1).hex());
        byte[] bytes = Files.readAllBytes(corrupted);
        bytes[bytes.length / 2] ^= 1;
        Files.write(corrupted, bytes);

        SyncResult again = sync(src, dest, true);
        assertThat(statuses(again)).containsOnly(Map.entry("app:b", Status.COPIED));
        assertThat(again.blobsDeduplicated()).as("the intact kept layer came from the old directory").isEqualTo(1);
        Path dir = dest.resolve("app:b");
        assertThat(Digest.sha256(Files.readAllBytes(dir.resolve("manifest.json")))).isEqualTo(b2.manifestDigest());
        for (Digest d : b2.layers()) {
            assertThat(Digest.sha256(Files.readAllBytes(dir.resolve(d.hex())))).as("content of %s", d)
                    .isEqualTo(d);
        }
    }
}
