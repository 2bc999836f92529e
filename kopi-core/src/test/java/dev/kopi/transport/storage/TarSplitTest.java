package dev.kopi.transport.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.digest.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tar-split disassembly (while applying a layer) and reassembly, against what podman 4.3.1 / containers/storage
 * 1.43 wrote for the same archives (see the fixtures' README).
 */
class TarSplitTest {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path tmp;

    static byte[] fixture(String name) throws IOException {
        try (InputStream in = TarSplitTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing fixture " + name);
            }
            return in.readAllBytes();
        }
    }

    private LayerUnpacker.Result apply(byte[] tar, Path dest, ByteArrayOutputStream json) throws IOException {
        Files.createDirectories(dest);
        return LayerUnpacker.apply(dest, new ByteArrayInputStream(tar), new TarSplit.Packer(json),
                new LayerUnpacker.Options(!ROOT, false));
    }

    private static byte[] assemble(byte[] json, Path dir) throws IOException {
        try (TarSplit.Assembler a = new TarSplit.Assembler(new TarSplit.Unpacker(new ByteArrayInputStream(json)),
                e -> Files.newInputStream(Path.of(GoPaths.join(dir.toString(), e.nameString()))))) {
            return a.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "pax"})
    void applyingWritesTheSameTarSplitAsContainersStorage(String format) throws IOException {
        byte[] tar = fixture(format + ".tar");
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        LayerUnpacker.Result r = apply(tar, tmp.resolve("layer"), json);

        assertThat(json.toString(StandardCharsets.UTF_8))
                .isEqualTo(new String(fixture(format + ".tar-split.json"), StandardCharsets.UTF_8));
        assertThat(r.uncompressedSize()).isEqualTo(tar.length);
        assertThat(r.uids()).containsExactly(0L, 1000L);
        assertThat(r.gids()).containsExactly(0L, 1001L);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gnu", "pax"})
    void reassemblyReproducesTheArchiveByteForByte(String format) throws IOException {
        byte[] tar = fixture(format + ".tar");
        Path dir = tmp.resolve("layer");
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        apply(tar, dir, json);

        assertThat(Digest.sha256(assemble(json.toByteArray(), dir))).isEqualTo(Digest.sha256(tar));
        // podman's own tar-split data works with kopi's copy of the files too
        assertThat(Digest.sha256(assemble(fixture(format + ".tar-split.json"), dir))).isEqualTo(Digest.sha256(tar));
    }

    @Test
    void appliedTreeMatchesTheArchive() throws IOException {
        Path dir = tmp.resolve("layer");
        apply(fixture("pax.tar"), dir, new ByteArrayOutputStream());

        assertThat(dir.resolve("dir/f.txt")).hasContent("hello");
        assertThat(Files.exists(dir.resolve("dir/.wh.gone"), LinkOption.NOFOLLOW_LINKS)).as("whiteouts are not files")
                .isFalse();
        assertThat(Files.exists(dir.resolve("opq/.wh..wh..opq"), LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(Files.readSymbolicLink(dir.resolve("dir/sub/link")).toString()).isEqualTo("../dir/f.txt");
        assertThat(Files.getAttribute(dir.resolve("dir/hard"), "unix:ino"))
                .isEqualTo(Files.getAttribute(dir.resolve("dir/f.txt"), "unix:ino"));
        assertThat(((Integer) Files.getAttribute(dir.resolve("dir/big.bin"), "unix:mode")) & 07777).isEqualTo(04755);
        assertThat(((Integer) Files.getAttribute(dir.resolve("dir/sub"), "unix:mode")) & 07777).isEqualTo(0750);
        assertThat(Files.getLastModifiedTime(dir.resolve("dir")).toInstant().getEpochSecond()).isEqualTo(1577934245L);
        assertThat(((Integer) Files.getAttribute(dir.resolve("fifo"), "unix:mode")) & 0170000).isEqualTo(0010000);
        assertThat(dir.resolve("ümlaut")).hasContent("ü");
        UserDefinedFileAttributeView x = Files.getFileAttributeView(dir.resolve("dir/f.txt"),
                UserDefinedFileAttributeView.class);
        ByteBuffer v = ByteBuffer.allocate(16);
        x.read("kopi", v);
        assertThat(new String(v.array(), 0, v.position(), StandardCharsets.UTF_8)).isEqualTo("value");
        if (ROOT) {
            assertThat(Files.getAttribute(dir.resolve("dir/f.txt"), "unix:uid")).isEqualTo(1000);
            assertThat(Files.getAttribute(dir.resolve("dir/f.txt"), "unix:gid")).isEqualTo(1001);
            assertThat(((Integer) Files.getAttribute(dir.resolve("null"), "unix:mode")) & 0170000).isEqualTo(0020000);
            assertThat(Files.getAttribute(dir.resolve("null"), "unix:rdev")).isEqualTo(0x103L);
        }
    }

    @Test
    void changedFileContentFailsTheIntegrityCheck() throws IOException {
        Path dir = tmp.resolve("layer");
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        apply(fixture("gnu.tar"), dir, json);
        Files.writeString(dir.resolve("dir/big.bin"), "tampered");

        assertThatThrownBy(() -> assemble(json.toByteArray(), dir)).isInstanceOf(IOException.class)
                .hasMessage("file integrity checksum failed for \"./dir/big.bin\"");
    }

    @Test
    void duplicatePathsAreRejected() {
        String json = "{\"type\":1,\"name\":\"./a\",\"payload\":null,\"position\":0}\n"
                + "{\"type\":1,\"name\":\"a\",\"payload\":null,\"position\":1}\n";
        assertThatThrownBy(() -> assemble(json.getBytes(StandardCharsets.UTF_8), tmp))
                .hasMessage("duplicates of file paths not supported");
        TarSplit.Packer p = new TarSplit.Packer(new ByteArrayOutputStream());
        assertThatThrownBy(() -> {
            p.add(TarSplit.Entry.file("./x/".getBytes(StandardCharsets.UTF_8), 0, null));
            p.add(TarSplit.Entry.file("x".getBytes(StandardCharsets.UTF_8), 0, null));
        }).hasMessage("duplicates of file paths not supported");
    }

    @Test
    void entriesAreEncodedAsGoDoes() {
        assertThat(new String(TarSplit.encode(TarSplit.Entry.segment(new byte[] {1, 2, 3}).withPosition(7)),
                StandardCharsets.UTF_8)).isEqualTo("{\"type\":2,\"payload\":\"AQID\",\"position\":7}\n");
        assertThat(new String(TarSplit.encode(TarSplit.Entry.segment(new byte[0])), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":2,\"payload\":\"\",\"position\":0}\n");
        assertThat(new String(TarSplit.encode(TarSplit.Entry.file("a<b>&c".getBytes(StandardCharsets.UTF_8), 3,
                new byte[8])), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":1,\"name\":\"a\\u003cb\\u003e\\u0026c\",\"size\":3,"
                        + "\"payload\":\"AAAAAAAAAAA=\",\"position\":0}\n");
        // names that are not UTF-8 go to name_raw, as tar-split's SetName does
        assertThat(new String(TarSplit.encode(TarSplit.Entry.file(new byte[] {'a', (byte) 0xff}, 0, null)),
                StandardCharsets.UTF_8)).isEqualTo("{\"type\":1,\"name_raw\":\"Yf8=\",\"payload\":null,\"position\":0}\n");
    }

    @Test
    void crc64IsGoIsoChecksum() {
        Crc64 c = new Crc64();
        byte[] hello = "hello\n".getBytes(StandardCharsets.UTF_8);
        c.update(hello, 0, hello.length);
        // the payload podman recorded for ./dir/f.txt ("hello\n")
        assertThat(Base64.getEncoder().encodeToString(c.sum())).isEqualTo("YUw+7uLYEAA=");
        // byte-at-a-time and 8-at-a-time paths agree
        byte[] data = new byte[1000];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (i * 31 + 7);
        }
        Crc64 whole = new Crc64();
        whole.update(data, 0, data.length);
        Crc64 pieces = new Crc64();
        for (int i = 0; i < data.length; i += 3) {
            pieces.update(data, i, Math.min(3, data.length - i));
        }
        assertThat(pieces.value()).isEqualTo(whole.value());
    }

    @Test
    void whiteoutsRemoveWhatLowerLayersHad() throws IOException {
        Path lower = tmp.resolve("lower");
        apply(TestTars.tar(List.of(TestTars.dir("d/"), TestTars.file("d/a", "a"), TestTars.file("d/b", "b"),
                TestTars.dir("o/"), TestTars.file("o/old", "old"), TestTars.dir("o/sub/"),
                TestTars.file("o/sub/x", "x"), TestTars.file("keep", "k"))), lower, new ByteArrayOutputStream());
        Path upper = tmp.resolve("upper");
        Files.createDirectories(upper);
        new VfsDriver(tmp, List.of("vfs.ignore_chown_errors=" + !ROOT)).copyTree(lower, upper);
        byte[] diff = TestTars.tar(List.of(TestTars.file("d/.wh.a", ""), TestTars.dir("o/"),
                TestTars.file("o/.wh..wh..opq", ""), TestTars.file("o/new", "new")));
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        apply(diff, upper, json);

        assertThat(upper.resolve("d/a")).doesNotExist();
        assertThat(upper.resolve("d/b")).hasContent("b");
        assertThat(upper.resolve("o/old")).doesNotExist();
        assertThat(upper.resolve("o/sub")).doesNotExist();
        assertThat(upper.resolve("o/new")).hasContent("new");
        assertThat(upper.resolve("keep")).hasContent("k");
        assertThat(lower.resolve("d/a")).as("the lower layer is untouched").hasContent("a");
        assertThat(Digest.sha256(assemble(json.toByteArray(), upper))).isEqualTo(Digest.sha256(diff));
    }

    @Test
    void entriesStayInsideTheLayerAsInContainersStoragesChroot() throws IOException {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Path layer = tmp.resolve("jail/layer");
        byte[] tar = TestTars.tar(List.of(
                TestTars.symlink("abs", "/"),
                TestTars.symlink("up", "../../.."),
                TestTars.file("abs/outside/a", "a"),
                TestTars.file("up/outside/b", "b"),
                TestTars.file("../../outside/c", "c"),
                TestTars.hardlink("hard", "../../../outside/a")));
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        apply(tar, layer, json);

        try (var s = Files.list(outside)) {
            assertThat(s.toList()).as("nothing written outside the layer").isEmpty();
        }
        assertThat(layer.resolve("outside/a")).hasContent("a");
        assertThat(layer.resolve("outside/b")).hasContent("b");
        assertThat(layer.resolve("outside/c")).hasContent("c");
        assertThat(Files.readSymbolicLink(layer.resolve("abs")).toString()).isEqualTo("/");
        assertThat(Files.getAttribute(layer.resolve("hard"), "unix:ino"))
                .isEqualTo(Files.getAttribute(layer.resolve("outside/a"), "unix:ino"));
        // and the archive comes back from the layer, read the same way
        try (TarSplit.Assembler a = new TarSplit.Assembler(new TarSplit.Unpacker(
                new ByteArrayInputStream(json.toByteArray())), e -> new VfsDriver(tmp, List.of())
                        .openFrom(layer, e.nameString()))) {
            assertThat(Digest.sha256(a.readAllBytes())).isEqualTo(Digest.sha256(tar));
        }
    }

    @Test
    void rawReaderKeepsEveryNonContentByte() throws IOException {
        byte[] tar = fixture("pax.tar");
        RawTarReader r = new RawTarReader(new ByteArrayInputStream(tar));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        RawTarReader.Header h;
        int entries = 0;
        while ((h = r.next()) != null) {
            out.write(r.rawBytes());
            int n;
            while ((n = r.read(buf, 0, buf.length)) >= 0) {
                out.write(buf, 0, n);
            }
            entries++;
            assertThat(h).isNotNull();
        }
        out.write(r.rawBytes());
        int n;
        while ((n = r.readTrailing(buf)) > 0) {
            out.write(buf, 0, n);
        }
        assertThat(out.toByteArray()).isEqualTo(tar);
        assertThat(entries).isEqualTo(16);
    }

    @Test
    void paxRecordsParse() throws IOException {
        Map<String, String> m = RawTarReader.parsePax(
                "13 path=/abc\n20 SCHILY.xattr.a=b\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThat(m).containsEntry("path", "/abc").containsEntry("SCHILY.xattr.a", "b");
        assertThatThrownBy(() -> RawTarReader.parsePax("99 path=x\n".getBytes(StandardCharsets.ISO_8859_1)))
                .hasMessage(RawTarReader.ERR_HEADER);
    }
}
