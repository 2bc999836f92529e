package dev.kopi.copy;

import static dev.kopi.copy.CopyTesting.copy;
import static dev.kopi.copy.CopyTesting.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.testkit.DirImages;
import dev.kopi.testkit.FileTrees;
import dev.kopi.testkit.ImageSpec;
import dev.kopi.testkit.LayerSpec;
import dev.kopi.testkit.Skopeo;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A failed copy fails with the right code and leaves every destination exactly as it was. */
class CopierFailureTest {
    @TempDir
    Path tmp;

    /** Flips one bit in the middle of a blob of an OCI layout. */
    private static void corrupt(Path layout, Digest blob) throws Exception {
        Path p = layout.resolve("blobs/sha256").resolve(blob.encoded());
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        byte[] b = Files.readAllBytes(p);
        b[b.length / 2] ^= 0x10;
        Files.write(p, b);
    }

    /** Truncates a blob of an OCI layout. */
    private static void truncate(Path layout, Digest blob) throws Exception {
        Path p = layout.resolve("blobs/sha256").resolve(blob.encoded());
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        byte[] b = Files.readAllBytes(p);
        Files.write(p, java.util.Arrays.copyOf(b, b.length - 100));
    }

    /** Writes another image to each kind of destination, so there is something to keep intact. */
    private String existingDestination(String kind, Path base) throws Exception {
        Path other = tmp.resolve("other");
        if (!Files.exists(other)) {
            TestImages.multiLayer(other, "o", 1234);
        }
        String name = switch (kind) {
            case "oci" -> "oci:" + base + ":new";
            case "dir" -> "dir:" + base;
            case "oci-archive" -> "oci-archive:" + base + ":new";
            case "docker-archive" -> "docker-archive:" + base + ":kopi/new:1";
            default -> throw new IllegalArgumentException(kind);
        };
        if (kind.equals("docker-archive")) {
            // docker-archive never modifies an existing archive: the destination starts out missing
            return name;
        }
        String existing = kind.equals("oci") ? "oci:" + base + ":old" : name;
        copy("oci:" + other + ":o", existing, options(tmp));
        return name;
    }

    @ParameterizedTest(name = "{0} layer {1}, gzip {2}, {3}")
    @CsvSource({
        "oci, 0, 6, flip", "oci, 2, 6, flip", "oci, 1, 0, flip", "oci, 2, 6, truncate",
        "dir, 0, 6, flip", "dir, 2, 0, flip", "dir, 1, 6, truncate",
        "oci-archive, 2, 6, flip", "oci-archive, 0, 0, truncate",
        "docker-archive, 2, 6, flip", "docker-archive, 0, 0, flip",
    })
    void corruptLayerFailsAndLeavesTheDestinationIntact(String kind, int layer, int gzip, String how)
            throws Exception {
        Path layout = tmp.resolve("src");
        ImageSpec spec = ImageSpec.of(List.of(LayerSpec.random(64 * 1024, 1), LayerSpec.random(8 * 1024, 2),
                LayerSpec.random(200 * 1024, 3))).withGzipLevel(gzip);
        WrittenImage img = TestImages.writeImage(layout, "t", spec);
        if (how.equals("flip")) {
            corrupt(layout, img.layers().get(layer));
        } else {
            truncate(layout, img.layers().get(layer));
        }
        Path dest = tmp.resolve("dest" + (kind.endsWith("archive") ? ".tar" : ""));
        String destName = existingDestination(kind, dest);
        Map<String, String> before = FileTrees.snapshot(dest);
        Map<String, String> siblingsBefore = FileTrees.siblings(dest);
        assertThat(before.isEmpty()).isEqualTo(kind.equals("docker-archive"));

        assertThatThrownBy(() -> copy("oci:" + layout + ":t", destName, options(tmp)))
                .isInstanceOf(ImageException.class)
                .satisfies(e -> {
                    if (kind.equals("docker-archive") && gzip > 0) {
                        // decompressing a corrupt gzip stream fails before the digest check at EOF; skopeo 1.9.3
                        // fails there too ("writing blob: ...: gzip: invalid checksum")
                        return;
                    }
                    ErrorCode want = how.equals("flip") ? ErrorCode.DIGEST_MISMATCH : ErrorCode.SIZE_MISMATCH;
                    assertThat(ImageException.hasCode(e, want)).as("code %s in %s", want, e).isTrue();
                    assertThat(((ImageException) e).code()).isEqualTo(want);
                    assertThat(e.getMessage()).contains(img.layers().get(layer).toString());
                    if (how.equals("flip")) {
                        assertThat(e.getMessage()).contains("Digest did not match, expected "
                                + img.layers().get(layer));
                    }
                });
        assertThat(FileTrees.snapshot(dest)).isEqualTo(before);
        assertThat(FileTrees.siblings(dest)).isEqualTo(siblingsBefore);
    }

    /**
     * A layer that fails fast while another one is still being written: the copy must wait for the other writer
     * before it closes (and cleans up) the destination, or the late writer leaves files behind.
     */
    @ParameterizedTest
    @CsvSource({"dir", "oci", "docker-archive", "oci-archive"})
    void failureWaitsForTheOtherLayerWritersBeforeCleaningUp(String kind) throws Exception {
        Path layout = tmp.resolve("src");
        ImageSpec spec = ImageSpec.of(List.of(LayerSpec.random(1024, 1), LayerSpec.random(2 * 1024 * 1024, 2),
                LayerSpec.random(2 * 1024 * 1024, 3))).withGzipLevel(0);
        WrittenImage img = TestImages.writeImage(layout, "t", spec);
        corrupt(layout, img.layers().get(0));
        Path dest = tmp.resolve("dest" + (kind.endsWith("archive") ? ".tar" : ""));
        String destName = existingDestination(kind, dest);
        Path spool = tmp.resolve("spool");
        Files.createDirectories(spool);
        Map<String, String> before = FileTrees.snapshot(dest);
        Map<String, String> siblingsBefore = FileTrees.siblings(dest);
        // The big layers stall (ignoring interrupts) at their first bytes, until well after the small one failed.
        CopyListener stall = new CopyListener() {
            @Override
            public void blobProgress(dev.kopi.blob.BlobInfo info, long bytesDone) {
                if (info.size() > 1024 * 1024 && bytesDone <= 65536) {
                    long end = System.nanoTime() + 300_000_000L;
                    boolean interrupted = false;
                    while (System.nanoTime() < end) {
                        try {
                            Thread.sleep(10);
                        } catch (InterruptedException e) {
                            interrupted = true;
                        }
                    }
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        };
        for (int round = 0; round < 1; round++) {
            var ctx = dev.kopi.transport.ImageContext.builder().tmpDir(spool).build();
            assertThatThrownBy(() -> copy("oci:" + layout + ":t", destName,
                    options(tmp).src(ctx).dest(ctx).listener(stall)))
                    .isInstanceOf(ImageException.class)
                    .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.DIGEST_MISMATCH));
            Thread.sleep(400);
            assertThat(FileTrees.snapshot(dest)).isEqualTo(before);
            assertThat(FileTrees.siblings(dest)).isEqualTo(siblingsBefore);
            assertThat(FileTrees.snapshot(spool)).containsOnlyKeys("");
        }
    }

    @Test
    void corruptConfigFails() throws Exception {
        Path layout = tmp.resolve("src");
        WrittenImage img = TestImages.multiLayer(layout, "t", 5);
        corrupt(layout, img.configDigest());
        Path dest = tmp.resolve("dest");
        String destName = existingDestination("oci", dest);
        Map<String, String> before = FileTrees.snapshot(dest);
        assertThatThrownBy(() -> copy("oci:" + layout + ":t", destName, options(tmp)))
                .isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.DIGEST_MISMATCH))
                .hasMessageContaining(img.configDigest().toString());
        assertThat(FileTrees.snapshot(dest)).isEqualTo(before);
    }

    @Test
    void corruptInstanceOfAnIndexLeavesTheLayoutIntact() throws Exception {
        Path layout = tmp.resolve("src");
        var index = TestImages.multiPlatform(layout, "t", 7);
        corrupt(layout, index.instances().get(2).layers().get(1));
        Path dest = tmp.resolve("dest");
        String destName = existingDestination("oci", dest);
        Map<String, String> before = FileTrees.snapshot(dest);
        assertThatThrownBy(() -> copy("oci:" + layout + ":t", destName, options(tmp).multiArch(MultiArch.ALL)))
                .isInstanceOf(ImageException.class)
                .hasMessageStartingWith("copying image 3/3 from manifest list: ")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.DIGEST_MISMATCH));
        // the first two instances were complete, but nothing of the failed copy stays
        assertThat(FileTrees.snapshot(dest)).isEqualTo(before);
    }

    @Test
    void newDirDestinationIsNotCreatedOnFailure() throws Exception {
        Path layout = tmp.resolve("src");
        WrittenImage img = TestImages.multiLayer(layout, "t", 9);
        corrupt(layout, img.layers().get(0));
        Path parent = tmp.resolve("out");
        Files.createDirectories(parent);
        assertThatThrownBy(() -> copy("oci:" + layout + ":t", "dir:" + parent.resolve("d"), options(tmp)))
                .isInstanceOf(ImageException.class);
        try (var s = Files.list(parent)) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void unknownManifestTypeInDirFailsCleanly() throws Exception {
        Path src = tmp.resolve("src");
        Files.createDirectories(src);
        Files.writeString(src.resolve("version"), DirImages.VERSION);
        Files.writeString(src.resolve("manifest.json"),
                "{\"schemaVersion\":3,\"mediaType\":\"application/vnd.example.unknown+json\"}");
        Path dest = tmp.resolve("dest");
        String destName = existingDestination("dir", dest);
        Map<String, String> before = FileTrees.snapshot(dest);
        // skopeo: "initializing image from source dir:...: unsupported schema version 3"
        assertThatThrownBy(() -> copy("dir:" + src, destName, options(tmp)))
                .isInstanceOf(ImageException.class)
                .hasMessage("initializing image from source dir:" + src + ": unsupported schema version 3")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        assertThat(FileTrees.snapshot(dest)).isEqualTo(before);
    }

    @Test
    void unknownManifestTypeInAnOciLayoutFailsCleanly() throws Exception {
        // index.json names the manifest with a MIME type nobody knows; containers/image treats it as schema1
        Path src = tmp.resolve("src");
        Files.createDirectories(src.resolve("blobs/sha256"));
        Files.writeString(src.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        byte[] m = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.example.unknown+json\",\"config\":"
                + "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":"
                + "\"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\",\"size\":2},"
                + "\"layers\":[]}").getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(m);
        Files.write(src.resolve("blobs/sha256").resolve(d.encoded()), m);
        Files.writeString(src.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":"
                + "\"application/vnd.example.unknown+json\",\"digest\":\"" + d + "\",\"size\":" + m.length + "}]}");
        Path dest = tmp.resolve("dest");
        String destName = existingDestination("oci", dest);
        Map<String, String> before = FileTrees.snapshot(dest);
        assertThatThrownBy(() -> copy("oci:" + src, destName, options(tmp)))
                .isInstanceOf(ImageException.class)
                .hasMessage("initializing image from source oci:" + src + ":: unsupported schema version 2");
        assertThat(FileTrees.snapshot(dest)).isEqualTo(before);
        if (Skopeo.installed()) {
            Skopeo.Result r = Skopeo.tryRun("--insecure-policy", "copy", "oci:" + src, "dir:" + tmp.resolve("x"));
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.stderr()).contains("initializing image from source oci:" + src + ":: unsupported schema version 2");
        }
    }

    @Test
    void missingManifestNamesTheSourceAsContainersImageDoes() throws Exception {
        Path src = tmp.resolve("nothing");
        assertThatThrownBy(() -> copy("dir:" + src, "dir:" + tmp.resolve("d"), options(tmp)))
                .isInstanceOf(ImageException.class)
                .hasMessage("determining manifest MIME type for dir:" + src + ": open " + src
                        + "/manifest.json: no such file or directory");
        assertThat(Files.exists(tmp.resolve("d"))).isFalse();
    }

    @Test
    void instanceManifestThatDoesNotMatchItsDigestIsRefused() throws Exception {
        Path layout = tmp.resolve("src");
        var index = TestImages.multiPlatform(layout, "t", 8);
        Digest arm64 = index.instances().get(1).manifestDigest();
        Path p = layout.resolve("blobs/sha256").resolve(arm64.encoded());
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-r--r--"));
        // same JSON, one more space: parses fine, but is not the manifest the index names
        Files.writeString(p, Files.readString(p).replaceFirst("\\{", "{ "));
        var srcCtx = dev.kopi.transport.ImageContext.builder().tmpDir(tmp).overrideOs("linux").overrideArch("arm64")
                .build();
        Path dest = tmp.resolve("dest");
        assertThatThrownBy(() -> copy("oci:" + layout + ":t", "dir:" + dest, options(tmp).src(srcCtx)))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("Manifest does not match provided manifest digest " + arm64)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.DIGEST_MISMATCH));
        assertThat(Files.exists(dest)).isFalse();
    }
}
