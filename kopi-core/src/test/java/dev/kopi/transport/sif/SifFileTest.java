package dev.kopi.transport.sif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.testkit.SifWriter;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class SifFileTest {
    private static final byte[] PARTITION = "not really squashfs, but bytes at an aligned offset"
            .getBytes(StandardCharsets.US_ASCII);
    private static final String DEF = "Bootstrap: docker\n%runscript\n  echo hi\n";
    private static final UUID ID = UUID.fromString("12345678-9abc-4def-8123-456789abcdef");

    @TempDir
    Path tmp;

    private Path good() throws Exception {
        return new SifWriter().id(ID).time(1_600_000_000L).modifiedAt(1_700_000_123L).deffile(DEF)
                .partition(PARTITION, SifWriter.PART_PRIMSYS, "arm64").write(tmp.resolve("good.sif"));
    }

    @Test
    void readsTheHeaderAndDescriptorsOfAGoodFile() throws Exception {
        try (SifFile f = SifFile.load(good())) {
            SifFile.Header h = f.header();
            assertThat(new String(h.launchScript(), StandardCharsets.US_ASCII))
                    .startsWith("#!/usr/bin/env run-singularity\n");
            assertThat(h.arch()).containsExactly('0', '4', 0);
            assertThat(f.primaryArch()).isEqualTo("arm64");
            assertThat(f.id()).isEqualTo("12345678-9abc-4def-8123-456789abcdef");
            assertThat(h.createdAt()).isEqualTo(1_600_000_000L);
            assertThat(h.modifiedAt()).isEqualTo(1_700_000_123L);
            assertThat(h.descriptorsTotal()).isEqualTo(48);
            assertThat(h.descriptorsFree()).isEqualTo(46);
            assertThat(h.descriptorsOffset()).isEqualTo(4096);
            assertThat(h.descriptorsSize()).isEqualTo(48 * 585);
            assertThat(h.dataOffset()).isEqualTo(4096 + 48 * 585);
            assertThat(f.descriptors()).hasSize(48);

            SifFile.Descriptor def = f.descriptor(d -> d.dataType() == SifFile.DATA_DEFFILE);
            assertThat(def.id()).isEqualTo(1);
            assertThat(def.groupId()).isEqualTo(0xf0000001L);
            assertThat(def.offset()).isEqualTo(h.dataOffset());
            assertThat(read(f.openData(def))).isEqualTo(DEF);

            SifFile.Descriptor part = f.descriptor(d -> d.isPartitionOfType(SifFile.PART_PRIMSYS));
            assertThat(part.id()).isEqualTo(2);
            assertThat(part.offset() % 4096).isZero();
            assertThat(part.size()).isEqualTo(PARTITION.length);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            f.copyData(part, out);
            assertThat(out.toByteArray()).isEqualTo(PARTITION);
            assertThat(part.isPartitionOfType(SifFile.PART_SYSTEM)).isFalse();
            assertThat(def.isPartitionOfType(SifFile.PART_PRIMSYS)).isFalse();
        }
    }

    /** pkg/sif's archType.GoArch table, and "unknown" for codes it does not know. */
    @ParameterizedTest
    @CsvSource({"386,386", "amd64,amd64", "arm,arm", "arm64,arm64", "ppc64,ppc64", "ppc64le,ppc64le", "mips,mips",
        "mipsle,mipsle", "mips64,mips64", "mips64le,mips64le", "s390x,s390x", "riscv64,riscv64", "sparc,unknown"})
    void primaryArchitectureNames(String goArch, String expected) throws Exception {
        Path p = new SifWriter().partition(PARTITION, SifWriter.PART_PRIMSYS, goArch).write(tmp.resolve("a.sif"));
        try (SifFile f = SifFile.load(p)) {
            assertThat(f.primaryArch()).isEqualTo(expected);
        }
    }

    static Stream<Arguments> broken() {
        return Stream.of(
                Arguments.of("empty file", (Mutation) b -> new byte[0], "reading global header: EOF"),
                Arguments.of("truncated header", (Mutation) b -> Arrays.copyOf(b, 100),
                        "reading global header: unexpected EOF"),
                Arguments.of("wrong magic", (Mutation) b -> set(b, 32, "SIF_MAGIX\0"), "invalid SIF magic"),
                Arguments.of("text file", (Mutation) b -> "#!/bin/sh\necho this is not a SIF file\n".repeat(5)
                        .getBytes(StandardCharsets.US_ASCII), "invalid SIF magic"),
                Arguments.of("wrong version", (Mutation) b -> set(b, 42, "02\0"), "incompatible SIF version"),
                Arguments.of("truncated descriptors", (Mutation) b -> Arrays.copyOf(b, 4096 + 585 * 3 + 7),
                        "reading descriptors: unexpected EOF"),
                Arguments.of("descriptors beyond the end", (Mutation) b -> Arrays.copyOf(b, 4096),
                        "reading descriptors: EOF"),
                Arguments.of("table size too small", (Mutation) b -> putLong(b, 104, 585 * 10),
                        "reading descriptors: unexpected EOF"));
    }

    interface Mutation {
        byte[] apply(byte[] b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void brokenFilesFailWithPkgSifTexts(String what, Mutation m, String message) throws Exception {
        Path p = tmp.resolve("broken.sif");
        Files.write(p, m.apply(Files.readAllBytes(good())));
        assertThatThrownBy(() -> SifFile.load(p)).isInstanceOf(ImageException.class).hasMessage(message);
    }

    @Test
    void missingFile() {
        Path p = tmp.resolve("missing.sif");
        assertThatThrownBy(() -> SifFile.load(p)).hasMessage("open " + p + ": no such file or directory")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.IO));
    }

    @Test
    void directoryAndEmptyPathFailAsGo() {
        assertThatThrownBy(() -> SifFile.load(tmp)).hasMessage("reading global header: read " + tmp
                + ": is a directory");
        assertThatThrownBy(() -> SifFile.load(Path.of(""))).hasMessage("open : no such file or directory");
    }

    @Test
    void noObjectsAtAll() throws Exception {
        try (SifFile f = SifFile.load(new SifWriter().write(tmp.resolve("none.sif")))) {
            assertThat(f.primaryArch()).isEqualTo("unknown");
            assertThatThrownBy(() -> f.descriptor(d -> d.isPartitionOfType(SifFile.PART_PRIMSYS)))
                    .hasMessage("no objects in image");
        }
    }

    @Test
    void noPrimaryPartition() throws Exception {
        Path p = new SifWriter().deffile(DEF).partition(PARTITION, SifWriter.PART_DATA, "amd64")
                .write(tmp.resolve("data.sif"));
        try (SifFile f = SifFile.load(p)) {
            assertThatThrownBy(() -> f.descriptor(d -> d.isPartitionOfType(SifFile.PART_PRIMSYS)))
                    .hasMessage("object not found");
            assertThat(f.descriptor(d -> d.isPartitionOfType(3)).size()).isEqualTo(PARTITION.length);
        }
    }

    @Test
    void unusedSlotsAreSkippedAndDuplicatesRefused() throws Exception {
        Path p = new SifWriter().deffile(DEF).deffile("other").write(tmp.resolve("two.sif"));
        try (SifFile f = SifFile.load(p)) {
            assertThatThrownBy(() -> f.descriptor(d -> d.dataType() == SifFile.DATA_DEFFILE))
                    .hasMessage("multiple objects found");
        }
        byte[] b = Files.readAllBytes(p);
        b[4096 + 585 + 4] = 0; // the second descriptor is no longer in use
        Files.write(p, b);
        try (SifFile f = SifFile.load(p)) {
            assertThat(read(f.openData(f.descriptor(d -> d.dataType() == SifFile.DATA_DEFFILE)))).isEqualTo(DEF);
        }
    }

    @Test
    void dataCutShortFailsWithEof() throws Exception {
        Path p = good();
        byte[] b = Files.readAllBytes(p);
        Files.write(p, Arrays.copyOf(b, b.length - 5));
        try (SifFile f = SifFile.load(p)) {
            SifFile.Descriptor part = f.descriptor(d -> d.isPartitionOfType(SifFile.PART_PRIMSYS));
            assertThatThrownBy(() -> f.copyData(part, new ByteArrayOutputStream())).hasMessage("EOF");
        }
    }

    private static String read(InputStream in) throws Exception {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static byte[] set(byte[] b, int at, String ascii) {
        byte[] s = ascii.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(s, 0, b, at, s.length);
        return b;
    }

    private static byte[] putLong(byte[] b, int at, long v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, v);
        return b;
    }
}
