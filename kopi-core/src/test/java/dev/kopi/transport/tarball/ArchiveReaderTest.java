package dev.kopi.transport.tarball;

import static dev.kopi.transport.tarball.TestImages.layerTar;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.digest.Digest;
import dev.kopi.image.RawManifest;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveReaderTest {
    @TempDir
    Path tmp;

    /** An old-style (docker save before 25) archive: per-layer dirs, a gzip layer, a symlinked layer. */
    private Path legacyArchive(List<byte[]> layers, byte[] config) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter t = new TarWriter(out);
        String idA = "a".repeat(64);
        String idB = "b".repeat(64);
        t.writeBytes(idA + "/VERSION", "1.0".getBytes());
        t.writeBytes(idA + "/json", "{}".getBytes());
        t.writeBytes(idA + "/layer.tar", TestImages.gzip(layers.get(0)));
        t.writeBytes("blobs/sha256/" + Digest.sha256(layers.get(1)).hex(), layers.get(1));
        t.writeSymlink(idB + "/layer.tar", "../blobs/sha256/" + Digest.sha256(layers.get(1)).hex());
        t.writeBytes("./cfg.json", config);
        t.writeBytes("manifest.json", ("[{\"Config\":\"cfg.json\",\"RepoTags\":[\"busybox:latest\"],\"Layers\":[\""
                + idA + "/layer.tar\",\"" + idB + "/layer.tar\"],\"Parent\":\"sha256:" + "c".repeat(64)
                + "\",\"LayerSources\":{\"sha256:" + "d".repeat(64) + "\":{\"mediaType\":\"m\",\"size\":3,\"digest\":"
                + "\"sha256:" + "d".repeat(64) + "\",\"urls\":[\"http://x\"]}}}]").getBytes());
        t.writeBytes("repositories", ("{\"busybox\":{\"latest\":\"" + idB + "\"}}").getBytes());
        t.finish();
        Path p = tmp.resolve("legacy.tar");
        Files.write(p, out.toByteArray());
        return p;
    }

    @Test
    void readsLegacyLayoutWithCompressedAndSymlinkedLayers() throws Exception {
        List<byte[]> layers = List.of(layerTar("a", "1"), layerTar("b", "2".repeat(3000)));
        byte[] config = TestImages.config(layers);
        Path p = legacyArchive(layers, config);
        try (ArchiveReader r = ArchiveReader.open(p, tmp)) {
            assertThat(r.manifest()).hasSize(1);
            ManifestItem item = r.manifest().get(0);
            assertThat(item.repoTags()).containsExactly("busybox:latest");
            assertThat(item.parent()).isEqualTo("sha256:" + "c".repeat(64));
            assertThat(item.layerSources()).hasSize(1);
            assertThat(item.layerSources().values().iterator().next().urls()).containsExactly("http://x");
            TarballSource src = new TarballSource(null, r, false,
                    DockerReference.parseNormalized("docker.io/library/busybox:latest"), -1);
            JsonNode m = TestImages.JSON.readTree(src.fetchManifest(Optional.empty()).bytes());
            for (int i = 0; i < 2; i++) {
                JsonNode l = m.get("layers").get(i);
                assertThat(l.get("digest").asText()).isEqualTo(Digest.sha256(layers.get(i)).toString());
                assertThat(l.get("size").asLong()).isEqualTo(layers.get(i).length); // uncompressed size
                assertThat(TestImages.readBlob(src, Digest.sha256(layers.get(i)), layers.get(i).length))
                        .isEqualTo(layers.get(i));
            }
            assertThat(TestImages.readBlob(src, Digest.sha256(config), config.length)).isEqualTo(config);
        }
    }

    @Test
    void gzipArchiveIsDecompressedToATemporaryFileDeletedOnClose() throws Exception {
        List<byte[]> layers = List.of(layerTar("a", "1"), layerTar("b", "2"));
        Path plain = legacyArchive(layers, TestImages.config(layers));
        Path work = Files.createDirectory(tmp.resolve("work"));
        Path gz = tmp.resolve("x.tar.gz");
        Files.write(gz, TestImages.gzip(Files.readAllBytes(plain)));
        RawManifest m;
        try (ArchiveReader r = ArchiveReader.open(gz, work)) {
            assertThat(r.path().getParent()).isEqualTo(work);
            assertThat(r.path().getFileName().toString()).startsWith("container_images_docker-tar");
            try (ImageSource src = new TarballSource(null, r, false, null, -1)) {
                m = src.fetchManifest(Optional.empty());
            }
        }
        try (Stream<Path> s = Files.list(work)) {
            assertThat(s).isEmpty();
        }
        try (ArchiveReader r = ArchiveReader.fromStream(Files.newInputStream(plain), work);
                ImageSource src = new TarballSource(null, r, true, null, 0)) {
            assertThat(src.fetchManifest(Optional.empty())).isEqualTo(m);
        }
        try (Stream<Path> s = Files.list(work)) {
            assertThat(s).isEmpty();
        }
    }

    private Path multiImageArchive() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ArchiveWriter w = new ArchiveWriter(out);
        for (String s : List.of("one", "two")) {
            byte[] l = layerTar(s, s);
            byte[] c = TestImages.config(List.of(l));
            w.sendLayer(Digest.sha256(l), l.length, new java.io.ByteArrayInputStream(l));
            w.sendConfig(Digest.sha256(c), c, c.length);
            w.addImage(List.of(Digest.sha256(l)), Digest.sha256(c), c,
                    List.of(DockerReference.parseNormalized("x/" + s + ":1")));
        }
        w.close();
        Path p = tmp.resolve("multi.tar");
        Files.write(p, out.toByteArray());
        return p;
    }

    @Test
    void choosesAmongSeveralImages() throws Exception {
        try (ArchiveReader r = ArchiveReader.open(multiImageArchive(), tmp)) {
            assertThat(r.manifest()).hasSize(2);
            assertThatThrownBy(() -> r.chooseManifestItem(null, -1))
                    .hasMessage("Unexpected tar manifest.json: expected 1 item, got 2");
            assertThat(r.chooseManifestItem(null, 1).itemIndex()).isEqualTo(1);
            ArchiveReader.Chosen c = r.chooseManifestItem(DockerReference.parseNormalized("x/two:1"), -1);
            assertThat(c.itemIndex()).isEqualTo(1);
            assertThat(c.tagIndex()).isZero();
            assertThatThrownBy(() -> r.chooseManifestItem(null, 2))
                    .hasMessage("Invalid source index @2, only 2 manifest items available");
            assertThatThrownBy(() -> r.chooseManifestItem(DockerReference.parseNormalized("x/three:1"), -1))
                    .hasMessage("Tag \"docker.io/x/three:1\" not found");
        }
    }

    @Test
    void damagedArchives() throws Exception {
        Path noManifest = tmp.resolve("nm.tar");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter t = new TarWriter(out);
        t.writeBytes("x", "y".getBytes());
        t.finish();
        Files.write(noManifest, out.toByteArray());
        assertThatThrownBy(() -> ArchiveReader.open(noManifest, tmp))
                .hasMessage("loading tar component \"manifest.json\": file does not exist");

        Path garbage = tmp.resolve("g.tar");
        Files.write(garbage, "this is not a tar file at all".repeat(40).getBytes());
        assertThatThrownBy(() -> ArchiveReader.open(garbage, tmp))
                .hasMessage("loading tar component \"manifest.json\": archive/tar: invalid tar header");

        Path empty = Files.createFile(tmp.resolve("empty.tar"));
        assertThatThrownBy(() -> ArchiveReader.open(empty, tmp))
                .hasMessage("loading tar component \"manifest.json\": file does not exist");

        Path badJson = tmp.resolve("bj.tar");
        out.reset();
        t = new TarWriter(out);
        t.writeBytes("manifest.json", "{\"a\":1}".getBytes());
        t.finish();
        Files.write(badJson, out.toByteArray());
        assertThatThrownBy(() -> ArchiveReader.open(badJson, tmp)).hasMessage(
                "decoding tar manifest.json: json: cannot unmarshal object into Go value of type []tarfile.ManifestItem");

        Path dir = Files.createDirectory(tmp.resolve("d"));
        assertThatThrownBy(() -> ArchiveReader.open(dir, tmp)).hasMessageEndingWith(": is a directory");
    }

    @Test
    void inconsistentLayerCountAndMissingRootfs() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter t = new TarWriter(out);
        t.writeBytes("c.json", "{\"rootfs\":{\"diff_ids\":[]}}".getBytes());
        t.writeBytes("n.json", "{\"os\":\"linux\"}".getBytes());
        t.writeBytes("manifest.json", "[{\"config\":\"c.json\",\"layers\":[\"l.tar\"]},{\"Config\":\"n.json\"}]"
                .getBytes());
        t.finish();
        Path p = tmp.resolve("i.tar");
        Files.write(p, out.toByteArray());
        try (ArchiveReader r = ArchiveReader.open(p, tmp)) {
            assertThatThrownBy(() -> new TarballSource(null, r, false, null, 0).fetchManifest(Optional.empty()))
                    .hasMessage("Inconsistent layer count: 1 in manifest, 0 in config");
            assertThatThrownBy(() -> new TarballSource(null, r, false, null, 1).fetchManifest(Optional.empty()))
                    .hasMessage("Invalid image config (rootFS is not set): \"n.json\"");
        }
    }

    @Test
    void indexReadsGnuAndPaxLongNames() throws Exception {
        String longName = "d/".repeat(60) + "file.txt";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int mode : new int[] {TarArchiveOutputStream.LONGFILE_GNU, TarArchiveOutputStream.LONGFILE_POSIX}) {
            out.reset();
            try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
                t.setLongFileMode(mode);
                TarArchiveEntry e = new TarArchiveEntry(longName);
                byte[] data = "content".getBytes();
                e.setSize(data.length);
                t.putArchiveEntry(e);
                t.write(data);
                t.closeArchiveEntry();
            }
            Path p = tmp.resolve("long" + mode + ".tar");
            Files.write(p, out.toByteArray());
            try (var ch = java.nio.channels.FileChannel.open(p)) {
                TarIndex idx = TarIndex.build(ch);
                assertThat(idx.scanError()).isNull();
                TarIndex.Entry e = idx.find(longName);
                assertThat(e).isNotNull();
                assertThat(e.size()).isEqualTo(7);
            }
        }
    }

    @Test
    void tarWriterUsesPaxForLongNamesReadableByOthers() throws Exception {
        String name = "x".repeat(140) + ".tar";
        String link = "../" + "y".repeat(130);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter t = new TarWriter(out);
        t.writeBytes(name, "data".getBytes());
        t.writeSymlink("dir/l", link);
        t.finish();
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(
                new java.io.ByteArrayInputStream(out.toByteArray()))) {
            TarArchiveEntry e = in.getNextEntry();
            assertThat(e.getName()).isEqualTo(name);
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("data");
            e = in.getNextEntry();
            assertThat(e.isSymbolicLink()).isTrue();
            assertThat(e.getLinkName()).isEqualTo(link);
        }
        Path p = tmp.resolve("pax.tar");
        Files.write(p, out.toByteArray());
        try (var ch = java.nio.channels.FileChannel.open(p)) {
            TarIndex idx = TarIndex.build(ch);
            assertThat(idx.find(name).size()).isEqualTo(4);
            assertThat(idx.find("dir/l").linkName()).isEqualTo(link);
        }
    }

    @Test
    void streamsLayersWithoutLoadingThem() throws Exception {
        // A 3 MiB layer is served as a stream over the file: reading a few bytes does not read the rest.
        byte[] big = new byte[3 << 20];
        for (int i = 0; i < big.length; i++) {
            big[i] = (byte) (i * 31);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter t = new TarWriter(out);
        t.writeBytes("big.tar", big);
        t.writeBytes("manifest.json", "[]".getBytes());
        t.finish();
        Path p = tmp.resolve("big.tar");
        Files.write(p, out.toByteArray());
        try (ArchiveReader r = ArchiveReader.open(p, tmp); InputStream in = r.openComponent("./big.tar")) {
            assertThat(in.available()).isEqualTo(big.length);
            assertThat(in.readNBytes(4)).containsExactly(big[0], big[1], big[2], big[3]);
            assertThat(in.available()).isEqualTo(big.length - 4);
        }
    }
}
