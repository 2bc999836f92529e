package dev.kopi.transport.dockerarchive;

import static dev.kopi.transport.tarball.TestImages.config;
import static dev.kopi.transport.tarball.TestImages.layerTar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.signature.Signature;
import dev.kopi.transport.DestinationCapabilities;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.tarball.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DockerArchiveRoundTripTest {
    @TempDir
    Path tmp;

    private ImageContext ctx() {
        return ImageContext.builder().tmpDir(tmp).build();
    }

    private static ImageReference ref(String s) throws IOException {
        return DockerArchiveTransport.INSTANCE.parseReference(s);
    }

    private List<byte[]> layers() throws IOException {
        return List.of(layerTar("a.txt", "hello\n"), layerTar("dir/b.txt", "world & <stuff>\n", "c", ""));
    }

    @ParameterizedTest
    @CsvSource({"false,false", "true,false", "true,true"})
    void writesThenReadsBack(boolean unknownSizes, boolean gzipInput) throws Exception {
        List<byte[]> layers = layers();
        byte[] config = config(layers);
        Path file = tmp.resolve("img.tar");
        ImageReference r = ref(file + ":foo/bar:v1");
        try (ImageDestination d = r.newImageDestination(ctx())) {
            assertThat(d.capabilities().supportedManifestMimeTypes()).containsExactly(MediaTypes.DOCKER_V2S2);
            assertThat(d.capabilities().desiredLayerCompression())
                    .isEqualTo(DestinationCapabilities.LayerCompression.DECOMPRESS);
            assertThat(d.capabilities().supportsSignatures()).isFalse();
            assertThat(d.capabilities().supportsManifestLists()).isFalse();
            TestImages.write(d, config, layers, unknownSizes, gzipInput);
        }
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactly("img.tar"); // no temp files left
        }
        for (String name : List.of(file.toString(), file + ":foo/bar:v1", file + ":docker.io/foo/bar:v1", file + ":@0")) {
            try (ImageSource src = ref(name).newImageSource(ctx())) {
                RawManifest m = src.fetchManifest(Optional.empty());
                assertThat(m.mediaType()).isEqualTo(MediaTypes.DOCKER_V2S2);
                String expected = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\","
                        + "\"config\":{\"mediaType\":\"application/vnd.docker.container.image.v1+json\",\"size\":"
                        + config.length + ",\"digest\":\"" + Digest.sha256(config) + "\"},\"layers\":["
                        + "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":"
                        + layers.get(0).length + ",\"digest\":\"" + Digest.sha256(layers.get(0)) + "\"},"
                        + "{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\",\"size\":"
                        + layers.get(1).length + ",\"digest\":\"" + Digest.sha256(layers.get(1)) + "\"}]}";
                assertThat(new String(m.bytes(), StandardCharsets.UTF_8)).isEqualTo(expected);
                assertThat(TestImages.readBlob(src, Digest.sha256(config), config.length)).isEqualTo(config);
                for (byte[] l : layers) {
                    assertThat(TestImages.readBlob(src, Digest.sha256(l), l.length)).isEqualTo(l);
                }
                assertThat(src.fetchSignatures(Optional.empty())).isEmpty();
                assertThatThrownBy(() -> src.openBlob(new BlobInfo(Digest.sha256(new byte[1]), -1, null)))
                        .hasMessage("Unknown blob " + Digest.sha256(new byte[1]))
                        .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.IO));
            }
        }
    }

    @Test
    void archiveToArchiveKeepsEverything() throws Exception {
        List<byte[]> layers = layers();
        byte[] config = config(layers);
        Path a = tmp.resolve("a.tar");
        try (ImageDestination d = ref(a + ":x:1").newImageDestination(ctx())) {
            TestImages.write(d, config, layers, false, false);
        }
        Path b = tmp.resolve("b.tar");
        try (ImageSource src = ref(a.toString()).newImageSource(ctx());
                ImageDestination d = ref(b + ":x:1").newImageDestination(ctx())) {
            JsonNode m = TestImages.manifestJson(src);
            int i = 0;
            for (JsonNode l : m.get("layers")) {
                Digest dg = Digest.of(l.get("digest").asText());
                try (var s = src.openBlob(new BlobInfo(dg, l.get("size").asLong(), null))) {
                    d.putBlob(s.stream(), new BlobInfo(dg, s.size(), null), ImageDestination.PutBlobOptions.layer(i++));
                }
            }
            Digest cd = Digest.of(m.get("config").get("digest").asText());
            try (var s = src.openBlob(new BlobInfo(cd, -1, null))) {
                d.putBlob(s.stream(), new BlobInfo(cd, s.size(), null), ImageDestination.PutBlobOptions.CONFIG);
            }
            d.putManifest(src.fetchManifest(Optional.empty()).bytes(), MediaTypes.DOCKER_V2S2, Optional.empty());
            d.commit();
        }
        assertThat(Files.readAllBytes(b)).isEqualTo(Files.readAllBytes(a));
    }

    @Test
    void additionalTagsAndRepositories() throws Exception {
        List<byte[]> layers = layers();
        byte[] config = config(layers);
        Path file = tmp.resolve("t.tar");
        ImageContext c = ctx().toBuilder().additionalTags(List.of("quay.io/a/b:2", "foo/bar:v1", "busybox:x")).build();
        try (ImageDestination d = ref(file + ":foo/bar:v1").newImageDestination(c)) {
            TestImages.write(d, config, layers, true, false);
        }
        try (ImageSource src = ref(file + ":quay.io/a/b:2").newImageSource(ctx())) {
            assertThat(src.fetchManifest(Optional.empty()).bytes()).isNotEmpty();
            var items = ((dev.kopi.transport.tarball.TarballSource) src).tarManifest();
            assertThat(items).hasSize(1);
            assertThat(items.get(0).repoTags()).containsExactly("docker.io/foo/bar:v1", "quay.io/a/b:2",
                    "docker.io/library/busybox:x");
            assertThat(items.get(0).config()).isEqualTo(Digest.sha256(config).hex() + ".json");
            assertThat(items.get(0).layers()).containsExactly(Digest.sha256(layers.get(0)).hex() + ".tar",
                    Digest.sha256(layers.get(1)).hex() + ".tar");
        }
        assertThatThrownBy(() -> ref(file + ":foo/bar:nope").newImageSource(ctx()).fetchManifest(Optional.empty()))
                .hasMessage("Tag \"docker.io/foo/bar:nope\" not found");
        assertThatThrownBy(() -> ref(file + ":@1").newImageSource(ctx()).fetchManifest(Optional.empty()))
                .hasMessage("Invalid source index @1, only 1 manifest items available");
        ImageContext bad = ctx().toBuilder().additionalTags(List.of("foo@sha256:" + "a".repeat(64))).build();
        assertThatThrownBy(() -> ref(tmp.resolve("u.tar").toString()).newImageDestination(bad))
                .hasMessageContaining("must be a tagged reference");
    }

    @Test
    void closeWithoutCommitLeavesNothing() throws Exception {
        Path file = tmp.resolve("n.tar");
        try (ImageDestination d = ref(file.toString()).newImageDestination(ctx())) {
            byte[] l = layerTar("x", "y");
            d.putBlob(new ByteArrayInputStream(l), new BlobInfo(null, -1, null), ImageDestination.PutBlobOptions.layer(0));
        }
        assertThat(file).doesNotExist();
        try (Stream<Path> s = Files.list(tmp)) {
            assertThat(s).isEmpty();
        }
        // an empty pre-existing file is kept as it was
        Files.createFile(file);
        ImageDestination d = ref(file.toString()).newImageDestination(ctx());
        d.close();
        assertThat(file).exists().isEmptyFile();
    }

    @Test
    void existingNonEmptyFileIsRefused() throws Exception {
        Path file = tmp.resolve("e.tar");
        Files.writeString(file, "x");
        assertThatThrownBy(() -> ref(file.toString()).newImageDestination(ctx()))
                .hasMessage("docker-archive doesn't support modifying existing images");
        assertThat(file).hasContent("x");
        assertThatThrownBy(() -> ref(tmp.resolve("nodir/x.tar").toString()).newImageDestination(ctx()))
                .hasMessage("opening file \"" + tmp.resolve("nodir/x.tar") + "\": open " + tmp.resolve("nodir/x.tar")
                        + ": no such file or directory");
    }

    @Test
    void rejectsSignaturesListsAndOtherManifests() throws Exception {
        try (ImageDestination d = ref(tmp.resolve("s.tar").toString()).newImageDestination(ctx())) {
            assertThatThrownBy(() -> d.putSignatures(List.of(new Signature(new byte[] {1})), Optional.empty()))
                    .hasMessage("Storing signatures for docker tar files is not supported");
            assertThatThrownBy(() -> d.putManifest("{}".getBytes(), MediaTypes.DOCKER_V2S2,
                    Optional.of(Digest.sha256(new byte[0]))))
                    .hasMessage("Manifest lists are not supported for docker tar files");
            assertThatThrownBy(() -> d.putManifest(("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST
                    + "\"}").getBytes(), MediaTypes.OCI_MANIFEST, Optional.empty()))
                    .hasMessage("Unsupported manifest type, need a Docker schema 2 manifest");
            assertThatThrownBy(() -> d.putManifest("{".getBytes(), MediaTypes.DOCKER_V2S2, Optional.empty()))
                    .hasMessageStartingWith("parsing manifest: ");
        }
    }

    @Test
    void missingFileIsAnIoError() {
        Path file = tmp.resolve("missing.tar");
        assertThatThrownBy(() -> ref(file.toString()).newImageSource(ctx()))
                .isInstanceOf(ImageException.class)
                .hasMessage("opening file \"" + file + "\": open " + file + ": no such file or directory")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.IO));
    }

    @Test
    void truncatedArchiveFailsClearly() throws Exception {
        List<byte[]> layers = layers();
        byte[] config = config(layers);
        Path file = tmp.resolve("full.tar");
        try (ImageDestination d = ref(file.toString()).newImageDestination(ctx())) {
            TestImages.write(d, config, layers, false, false);
        }
        // cut inside the first layer: manifest.json is never reached
        Path cut = tmp.resolve("cut.tar");
        Files.write(cut, java.util.Arrays.copyOf(Files.readAllBytes(file), 5000));
        assertThatThrownBy(() -> ref(cut.toString()).newImageSource(ctx()))
                .hasMessage("loading tar component \"manifest.json\": unexpected EOF");
        // cut inside the trailer after manifest.json: the manifest is readable, but the archive is incomplete
        byte[] all = Files.readAllBytes(file);
        Path cut2 = tmp.resolve("cut2.tar");
        Files.write(cut2, java.util.Arrays.copyOf(all, all.length - 1024 - 300));
        try (RandomAccessFile f = new RandomAccessFile(cut2.toFile(), "r")) {
            assertThat(f.length()).isLessThan(all.length);
        }
        try (ImageSource src = ref(cut2.toString()).newImageSource(ctx())) {
            assertThatThrownBy(() -> src.fetchManifest(Optional.empty())).hasMessage("unexpected EOF");
        }
    }

    @Test
    void manifestListsAreNotSupportedBySource() throws Exception {
        List<byte[]> layers = layers();
        Path file = tmp.resolve("l.tar");
        try (ImageDestination d = ref(file.toString()).newImageDestination(ctx())) {
            TestImages.write(d, config(layers), layers, false, false);
        }
        try (ImageSource src = ref(file.toString()).newImageSource(ctx())) {
            assertThatThrownBy(() -> src.fetchManifest(Optional.of(Digest.sha256(new byte[0]))))
                    .hasMessage("Manifest lists are not supported by \"docker-daemon:\"");
        }
    }

    @Test
    void pipesAreWrittenAndReadInPlace() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/mkfifo")));
        List<byte[]> layers = layers();
        byte[] config = config(layers);
        Path regular = tmp.resolve("r.tar");
        try (ImageDestination d = ref(regular + ":p/q:1").newImageDestination(ctx())) {
            TestImages.write(d, config, layers, false, false);
        }
        Path fifo = tmp.resolve("fifo");
        assertThat(new ProcessBuilder("/usr/bin/mkfifo", fifo.toString()).start().waitFor()).isZero();
        // write to the pipe: the bytes are the same as a regular file's
        var reader = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                return Files.readAllBytes(fifo);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (ImageDestination d = ref(fifo + ":p/q:1").newImageDestination(ctx())) {
            TestImages.write(d, config, layers, false, false);
        }
        assertThat(reader.get(30, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(Files.readAllBytes(regular));
        // read from the pipe: it is spooled to a temporary file first
        var writer = java.util.concurrent.CompletableFuture.runAsync(() -> {
            try {
                Files.write(fifo, Files.readAllBytes(regular));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        try (ImageSource src = ref(fifo.toString()).newImageSource(ctx())) {
            assertThat(TestImages.readBlob(src, Digest.sha256(config), config.length)).isEqualTo(config);
        }
        writer.get(30, java.util.concurrent.TimeUnit.SECONDS);
    }
}
