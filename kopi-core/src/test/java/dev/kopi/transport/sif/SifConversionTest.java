package dev.kopi.transport.sif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.testkit.SifWriter;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SifConversionTest {
    @TempDir
    Path tmp;

    /** Definition files and the %environment / %runscript lines containers/image's parseDefFile keeps. */
    static Stream<Arguments> defFiles() {
        return Stream.of(
                Arguments.of("no sections", "Bootstrap: docker\nFrom: busybox\n", List.of(), List.of()),
                Arguments.of("both sections",
                        "Bootstrap: docker\n%environment\n  export A=1\n\n  # comment\n\texport B=2  \n"
                                + "%runscript\n  echo \"$@\"\n\n  exec sh\n%labels\n  x y\n",
                        List.of("export A=1", "export B=2"), List.of("echo \"$@\"", "", "exec sh")),
                Arguments.of("section markers are trimmed, other % lines end a section",
                        "  %runscript  \nrun1\n%post\nnot kept\n%environment\nE=1\n%test\nno\n",
                        List.of("E=1"), List.of("run1")),
                Arguments.of("CRLF and a last line without newline", "%runscript\r\nA\r\nB",
                        List.of(), List.of("A", "B")),
                Arguments.of("sections repeat and append", "%environment\nA=1\n%runscript\nr\n%environment\nB=2\n",
                        List.of("A=1", "B=2"), List.of("r")),
                Arguments.of("Unicode white space is trimmed as Go trims it, other bytes are kept",
                        "%runscript\n\u00a0\u3000echo caf\u00e9\u2003\n\u200bzw\n", List.of(),
                        List.of("echo caf\u00e9", "\u200bzw")),
                Arguments.of("a marker with text after it is not a marker", "%runscript x\nA\n%environment\nB\n",
                        List.of("B"), List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("defFiles")
    void parseDefFile(String what, String def, List<String> environment, List<String> runscript) throws Exception {
        SifConversion.DefFile d = SifConversion.parseDefFile(
                new ByteArrayInputStream(def.getBytes(StandardCharsets.UTF_8)));
        assertThat(d.environment().stream().map(b -> new String(b, StandardCharsets.UTF_8))).containsExactlyElementsOf(
                environment);
        assertThat(d.runscript().stream().map(b -> new String(b, StandardCharsets.UTF_8))).containsExactlyElementsOf(
                runscript);
    }

    @Test
    void invalidUtf8IsKeptByteForByte() throws Exception {
        byte[] def = {'%', 'r', 'u', 'n', 's', 'c', 'r', 'i', 'p', 't', '\n', ' ', (byte) 0xff, 'x', (byte) 0xc2, '\n'};
        SifConversion.DefFile d = SifConversion.parseDefFile(new ByteArrayInputStream(def));
        assertThat(d.runscript()).hasSize(1);
        assertThat(d.runscript().get(0)).containsExactly((byte) 0xff, 'x', (byte) 0xc2);
    }

    @Test
    void linesLongerThanGosScannerBufferFail() throws Exception {
        String ok = "%runscript\n" + "a".repeat(SifConversion.MAX_LINE - 1) + "\n";
        assertThat(SifConversion.parseDefFile(new ByteArrayInputStream(ok.getBytes(StandardCharsets.US_ASCII)))
                .runscript().get(0)).hasSize(SifConversion.MAX_LINE - 1);
        String tooLong = "%runscript\n" + "a".repeat(SifConversion.MAX_LINE) + "\n";
        assertThatThrownBy(() -> SifConversion.parseDefFile(
                new ByteArrayInputStream(tooLong.getBytes(StandardCharsets.US_ASCII))))
                .hasMessage("reading lines from SIF definition file object: bufio.Scanner: token too long");
    }

    @Test
    void injectedScriptIsEnvironmentThenRunscript() {
        byte[] s = SifConversion.injectedScript(List.of(bytes("export A=1"), bytes("export B=2")),
                List.of(bytes("echo hi"), bytes(""), bytes("exec sh")));
        assertThat(new String(s, StandardCharsets.UTF_8))
                .isEqualTo("#!/bin/bash\nexport A=1\nexport B=2\necho hi\n\nexec sh\n");
        assertThat(new String(SifConversion.injectedScript(List.of(), List.of(bytes("r"))), StandardCharsets.UTF_8))
                .isEqualTo("#!/bin/bash\n\nr\n");
    }

    @Test
    void commandIsBashWithoutUsefulDefFileSections() throws Exception {
        byte[] part = new byte[10];
        try (SifFile f = SifFile.load(new SifWriter().partition(part, SifWriter.PART_PRIMSYS, "amd64")
                .write(tmp.resolve("a.sif")))) {
            assertThat(SifConversion.processDefFile(f)).isEqualTo(new SifConversion.Command("bash", null));
        }
        try (SifFile f = SifFile.load(new SifWriter().deffile("Bootstrap: x\n%environment\n# only a comment\n")
                .partition(part, SifWriter.PART_PRIMSYS, "amd64").write(tmp.resolve("b.sif")))) {
            assertThat(SifConversion.processDefFile(f).command()).isEqualTo("bash");
        }
        try (SifFile f = SifFile.load(new SifWriter().deffile("%runscript\nexec x\n").deffile("%runscript\ny\n")
                .write(tmp.resolve("c.sif")))) {
            assertThat(SifConversion.processDefFile(f).command()).as("two definition files: ignored")
                    .isEqualTo("bash");
        }
        try (SifFile f = SifFile.load(new SifWriter().deffile("%runscript\nexec x\n").write(tmp.resolve("d.sif")))) {
            SifConversion.Command c = SifConversion.processDefFile(f);
            assertThat(c.command()).isEqualTo("/podman/runscript");
            assertThat(new String(c.injectedScript(), StandardCharsets.UTF_8)).isEqualTo("#!/bin/bash\n\nexec x\n");
        }
    }

    @Test
    void forceDeleteTreeRemovesUnreadableDirectories() throws Exception {
        Path root = tmp.resolve("root");
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/f"), "x");
        Files.setPosixFilePermissions(root.resolve("a/b"), PosixFilePermissions.fromString("---------"));
        Files.setPosixFilePermissions(root.resolve("a"), PosixFilePermissions.fromString("r-x------"));
        SifConversion.forceDeleteTree(root);
        assertThat(root).doesNotExist();
    }

    @Test
    void lookPathNamesTheMissingCommandAsGo() {
        assertThatThrownBy(() -> SifConversion.lookPath("no-such-command-kopi"))
                .hasMessage("converting image: exec: \"no-such-command-kopi\": executable file not found in $PATH,"
                        + " output: ");
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
