package dev.kopi.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import dev.kopi.manifest.Manifests;
import dev.kopi.sync.ImageOutcome.Status;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.Transports;
import dev.kopi.transport.tarball.ArchiveReader;
import dev.kopi.transport.tarball.ManifestItem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sync --dest docker-archive|oci-archive} (beyond skopeo): every image into one archive file. */
class ArchiveSyncTest {
    @TempDir
    Path tmp;

    private SyncResult sync(Path src, String transport, Path file, boolean keepGoing) throws IOException {
        return Syncer.sync(src.toString(), file.toString(), SyncOptions.builder("oci", transport)
                .keepGoing(keepGoing).build());
    }

    private static Map<String, Status> statuses(SyncResult r) {
        Map<String, Status> out = new TreeMap<>();
        r.images().forEach(i -> out.put(i.destination(), i.status()));
        return out;
    }

    /** Config file to tags, per image of a docker archive. */
    private Map<String, List<String>> dockerArchiveImages(Path file) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        try (ArchiveReader r = ArchiveReader.open(file, tmp)) {
            for (ManifestItem i : r.manifest()) {
                out.put(i.config(), i.repoTags());
            }
        }
        return out;
    }

    private static String json(WrittenImage img) {
        return img.configDigest().encoded() + ".json";
    }

    private static Digest manifestDigest(String imageName) throws IOException {
        try (ImageSource s = Transports.parseImageName(imageName).newImageSource(ImageContext.builder().build())) {
            return Manifests.digest(s.fetchManifest(Optional.empty()).bytes());
        }
    }

    private List<String> leftovers() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
        }
    }

    @Test
    void dockerArchiveHoldsEveryImageAndAReRunAddsAndMovesTags() throws IOException {
        Path src = tmp.resolve("app");
        WrittenImage a = TestImages.singleLayer(src, "a", 1);
        WrittenImage b = TestImages.multiLayer(src, "b", 2);
        Path file = tmp.resolve("images.tar");
        SyncResult first = sync(src, "docker-archive", file, false);
        assertThat(statuses(first)).containsOnly(
                Map.entry("docker-archive:" + file + ":docker.io/library/app:a", Status.COPIED),
                Map.entry("docker-archive:" + file + ":docker.io/library/app:b", Status.COPIED));
        assertThat(dockerArchiveImages(file)).containsOnly(
                Map.entry(json(a), List.of("docker.io/library/app:a")),
                Map.entry(json(b), List.of("docker.io/library/app:b")));

        // b changes, c is new: a stays, b moves to the new image (the old one stays, untagged, as copy --append)
        WrittenImage b2 = TestImages.singleLayer(src, "b", 3);
        WrittenImage c = TestImages.singleLayer(src, "c", 4);
        sync(src, "docker-archive", file, false);
        assertThat(dockerArchiveImages(file)).containsOnly(
                Map.entry(json(a), List.of("docker.io/library/app:a")),
                Map.entry(json(b), List.of()),
                Map.entry(json(b2), List.of("docker.io/library/app:b")),
                Map.entry(json(c), List.of("docker.io/library/app:c")));
        try (ArchiveReader r = ArchiveReader.open(file, tmp)) {
            assertThat(r.manifest()).extracting(ManifestItem::config).as("existing images first")
                    .startsWith(json(a), json(b));
        }
        // each image reads back by its tag
        for (WrittenImage img : List.of(a, b2, c)) {
            String tag = img == a ? "a" : img == b2 ? "b" : "c";
            try (ImageSource s = Transports.parseImageName("docker-archive:" + file + ":app:" + tag)
                    .newImageSource(ImageContext.builder().build())) {
                assertThat(new String(s.fetchManifest(Optional.empty()).bytes())).contains(img.configDigest()
                        .toString());
            }
        }
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void aFailedImageLeavesTheArchiveAsItWasUnlessKeepGoing() throws IOException {
        Path src = tmp.resolve("app");
        TestImages.singleLayer(src, "a", 1);
        Path file = tmp.resolve("images.tar");
        sync(src, "docker-archive", file, false);
        byte[] before = Files.readAllBytes(file);

        WrittenImage bad = TestImages.singleLayer(src, "bad", 7);
        WrittenImage c = TestImages.singleLayer(src, "c", 8);
        Path layer = src.resolve("blobs/sha256/" + bad.layers().get(0).encoded());
        byte[] corrupt = Files.readAllBytes(layer);
        corrupt[corrupt.length / 2] ^= 1;
        layer.toFile().setWritable(true);
        Files.write(layer, corrupt);

        SyncOptions stop = SyncOptions.builder("oci", "docker-archive").jobs(1).build();
        assertThatThrownBy(() -> Syncer.sync(src.toString(), file.toString(), stop))
                .isInstanceOf(SyncFailedException.class).hasMessageContaining("app:bad");
        assertThat(Files.readAllBytes(file)).as("untouched").isEqualTo(before);
        assertThat(leftovers()).isEmpty();

        // keep-going: the good images are written (the bad one's verified-nothing leaves no trace), exit non-zero
        assertThatThrownBy(() -> sync(src, "docker-archive", file, true)).isInstanceOf(SyncFailedException.class)
                .hasMessage("Sync failed due to previous reported error(s) for one or more images");
        assertThat(dockerArchiveImages(file)).containsKey(json(c)).doesNotContainKey(json(bad))
                .containsValue(List.of("docker.io/library/app:a"));
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void ociArchiveHoldsEveryImageWithItsDigestAndSkipsWhatItHas() throws IOException {
        Path src = tmp.resolve("app");
        WrittenImage a = TestImages.singleLayer(src, "a", 1);
        WrittenImage b = TestImages.multiLayer(src, "b", 2);
        Path file = tmp.resolve("images.oci.tar");
        SyncResult first = sync(src, "oci-archive", file, false);
        assertThat(statuses(first)).containsOnly(Map.entry("oci-archive:" + file + ":app:a", Status.COPIED),
                Map.entry("oci-archive:" + file + ":app:b", Status.COPIED));
        assertThat(manifestDigest("oci-archive:" + file + ":app:a")).isEqualTo(a.manifestDigest());
        assertThat(manifestDigest("oci-archive:" + file + ":app:b")).isEqualTo(b.manifestDigest());
        List<String> entries = new java.util.ArrayList<>();
        try (var tar = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(file))) {
            for (var e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                entries.add(e.getName());
            }
        }
        assertThat(entries).as("an OCI layout and nothing else").contains("oci-layout", "index.json")
                .allMatch(n -> n.equals("oci-layout") || n.equals("index.json") || n.startsWith("blobs"));

        byte[] before = Files.readAllBytes(file);
        assertThat(statuses(sync(src, "oci-archive", file, false))).containsOnly(
                Map.entry("oci-archive:" + file + ":app:a", Status.SKIPPED),
                Map.entry("oci-archive:" + file + ":app:b", Status.SKIPPED));
        assertThat(Files.readAllBytes(file)).as("nothing new: not rewritten").isEqualTo(before);

        WrittenImage b2 = TestImages.singleLayer(src, "b", 3);
        assertThat(statuses(sync(src, "oci-archive", file, false))).containsOnly(
                Map.entry("oci-archive:" + file + ":app:a", Status.SKIPPED),
                Map.entry("oci-archive:" + file + ":app:b", Status.COPIED));
        assertThat(manifestDigest("oci-archive:" + file + ":app:a")).isEqualTo(a.manifestDigest());
        assertThat(manifestDigest("oci-archive:" + file + ":app:b")).isEqualTo(b2.manifestDigest());
        assertThat(leftovers()).isEmpty();
    }

    @Test
    void dryRunNamesAndDigestNamedImagesThatADockerArchiveCannotHold() throws IOException {
        Path y = tmp.resolve("sync.yaml");
        String d = "sha256:" + "0".repeat(64);
        Files.writeString(y, "reg.example:\n  images:\n    ns/app: [v1]\n");
        Path file = tmp.resolve("images.tar");
        SyncResult r = Syncer.sync(y.toString(), file.toString(), SyncOptions.builder("yaml", "docker-archive")
                .dryRun(true).scoped(true).build());
        assertThat(r.images()).extracting(ImageOutcome::destination)
                .containsExactly("docker-archive:" + file + ":reg.example/ns/app:v1");
        assertThat(file).doesNotExist();

        Files.writeString(y, "reg.example:\n  images:\n    ns/app: [\"" + d + "\"]\n");
        assertThatThrownBy(() -> Syncer.sync(y.toString(), file.toString(),
                SyncOptions.builder("yaml", "docker-archive").dryRun(true).build()))
                .hasMessage("Cannot obtain a valid image reference for transport \"docker-archive\" and reference \""
                        + file + ":app@" + d + "\": docker-archive doesn't support digest references: docker.io/library/app@"
                        + d);
    }
}
