package dev.kopi.transport.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile layers applied by the vfs driver: what {@code TarSplitTest} does not already cover (".." and absolute
 * names, links out of the layer): device files, duplicate entries, links through links, and sizes the data does
 * not have. Nothing may be created outside the layer directory.
 */
class HostileLayerTest {
    private static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    @TempDir
    Path tmp;
    Path outside;
    Path layer;

    @BeforeEach
    void dirs() throws IOException {
        outside = Files.createDirectories(tmp.resolve("outside"));
        layer = Files.createDirectories(tmp.resolve("jail/layer"));
    }

    private void apply(byte[] tar) throws IOException {
        LayerUnpacker.apply(layer, new ByteArrayInputStream(tar), new TarSplit.Packer(new ByteArrayOutputStream()),
                new LayerUnpacker.Options(!ROOT, false));
    }

    private void assertNothingOutside() throws IOException {
        try (Stream<Path> s = Files.list(outside)) {
            assertThat(s.toList()).as("nothing written outside the layer").isEmpty();
        }
        try (Stream<Path> s = Files.list(tmp.resolve("jail"))) {
            assertThat(s.map(p -> p.getFileName().toString()).toList()).containsExactly("layer");
        }
    }

    private static TestTars.Member device(String name, byte type) {
        TarArchiveEntry e = new TarArchiveEntry(name, type);
        e.setMode(0666);
        e.setDevMajor(1);
        e.setDevMinor(3);
        return new TestTars.Member(e, new byte[0]);
    }

    @Test
    void deviceNodesAreCreatedInsideTheLayerOnly() throws IOException {
        byte[] tar = TestTars.tar(List.of(device("null", TarConstants.LF_CHR),
                device("../../outside/blk", TarConstants.LF_BLK), device("fifo", TarConstants.LF_FIFO)));
        if (ROOT) {
            apply(tar);
            // as containers/storage in its chroot: ".." stops at the layer's root
            assertThat(layer.resolve("null")).exists();
            assertThat(layer.resolve("outside/blk")).exists();
            assertThat(layer.resolve("fifo")).exists();
        } else {
            // without the privilege to make device nodes, a clear error is the outcome
            assertThatThrownBy(() -> apply(tar)).isInstanceOf(IOException.class);
        }
        assertNothingOutside();
    }

    @Test
    void aDeviceNodeThroughADanglingSymlinkFailsAsInContainersStorage() throws IOException {
        // the parent "up" exists (as a link to a missing directory), so nothing creates it: mknod fails
        byte[] tar = TestTars.tar(List.of(TestTars.symlink("up", "../../outside"),
                device("up/null", TarConstants.LF_CHR)));
        assertThatThrownBy(() -> apply(tar)).isInstanceOf(IOException.class);
        assertNothingOutside();
    }

    @Test
    void duplicateEntriesAreRefusedAsTarSplitRefusesThem() throws IOException {
        // containers/storage records layers with tar-split, which refuses a second entry for one path
        for (List<TestTars.Member> members : List.of(
                List.of(TestTars.file("a", "first"), TestTars.file("a", "second")),
                List.of(TestTars.dir("d/"), TestTars.file("d", "file replaces dir")),
                List.of(TestTars.symlink("l", "../../outside"), TestTars.file("l", "replaces the link")))) {
            assertThatThrownBy(() -> apply(TestTars.tar(members))).isInstanceOf(IOException.class)
                    .hasMessageContaining("duplicates of file paths not supported");
            assertNothingOutside();
        }
    }

    @Test
    void linksThroughLinksStayInside() throws IOException {
        byte[] tar = TestTars.tar(List.of(TestTars.symlink("a", "b"), TestTars.symlink("b", "c/../../.."),
                TestTars.dir("c/"), TestTars.file("a/outside/evil", "x"), TestTars.symlink("loop1", "loop2"),
                TestTars.symlink("loop2", "loop1")));
        apply(tar);
        assertNothingOutside();
        assertThat(layer.resolve("outside/evil")).hasContent("x");
    }

    @Test
    void aSizeTheDataDoesNotHaveIsAnErrorAndWritesNothingOutside() throws IOException {
        byte[] tar = TestTars.tar(List.of(TestTars.symlink("up", "../../outside"), TestTars.file("up/big", "short")));
        // claim a terabyte for the file: the octal size field of the second header, checksum recomputed
        int h = 512 + (TestTars.tar(List.of(TestTars.symlink("up", "../../outside"))).length - 1024);
        byte[] size = String.format("%011o\0", 1L << 40).getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(size, 0, tar, h + 124, 12);
        for (int i = 148; i < 156; i++) {
            tar[h + i] = ' ';
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += tar[h + i] & 0xff;
        }
        System.arraycopy(String.format("%06o\0 ", sum).getBytes(StandardCharsets.US_ASCII), 0, tar, h + 148, 8);
        assertThatThrownBy(() -> apply(tar)).isInstanceOf(IOException.class);
        assertNothingOutside();
    }
}
