package dev.kopi.it.parity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.it.CommandResult;
import dev.kopi.it.Fixtures;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.it.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hidden, deprecated {@code layers IMAGE [LAYER...]}: kopi and skopeo 1.9.3 run in their own working
 * directories and must leave the same {@code layers-*} directory (same files, same bytes, mode 0700) and print
 * the same deprecation note and errors.
 */
class LayersIT {
    private static final String NOTE = "DEPRECATED: skopeo layers is deprecated in favor of skopeo copy";

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "all blobs of {0}")
    @EnumSource(TestImage.class)
    void allBlobsAndTheManifest(TestImage image) throws IOException {
        compare(image.ociRef());
    }

    @ParameterizedTest(name = "named blob, {0}")
    @ValueSource(booleans = {true, false})
    void onlyTheNamedBlobs(boolean withPrefix) throws IOException {
        String layer = Fixtures.multi().layers().get(1).toString();
        compare(TestImage.MULTI.ociRef(), withPrefix ? layer : layer.substring("sha256:".length()));
    }

    @ParameterizedTest(name = "error: {0}")
    @ValueSource(strings = {"", "nosuch", "NOLAYOUT", "MULTI abc", "MULTI sha256:zz"})
    void errorsAreSkopeos(String argLine) throws IOException {
        List<String> args = new ArrayList<>(List.of("layers"));
        for (String a : argLine.split(" ")) {
            if (!a.isEmpty()) {
                args.add(a.equals("MULTI") ? TestImage.MULTI.ociRef()
                        : a.equals("NOLAYOUT") ? "oci:" + tmp.resolve("no-layout") : a);
            }
        }
        Sandbox k = new Sandbox(tmp.resolve("kopi"));
        Sandbox s = new Sandbox(tmp.resolve("skopeo"));
        CommandResult kr = k.kopi(args.toArray(String[]::new));
        CommandResult sr = s.skopeo(args.toArray(String[]::new));
        assertThat(kr.exitCode()).as("%s", kr).isEqualTo(sr.exitCode()).isEqualTo(1);
        assertThat(kr.stderrLines()).hasSize(2);
        assertThat(kr.stderrLines().get(0)).isEqualTo(NOTE);
        assertThat(fatal(kr)).isEqualTo(fatal(sr));
        assertThat(layersDirs(k.root())).isEmpty();
    }

    private void compare(String... operands) throws IOException {
        List<String> args = new ArrayList<>(List.of("layers"));
        args.addAll(List.of(operands));
        Sandbox k = new Sandbox(tmp.resolve("kopi"));
        Sandbox s = new Sandbox(tmp.resolve("skopeo"));
        CommandResult kr = k.kopi(args.toArray(String[]::new)).assertSuccess();
        CommandResult sr = s.skopeo(args.toArray(String[]::new)).assertSuccess();
        assertThat(kr.stdout()).isEqualTo(sr.stdout()).isEmpty();
        assertThat(kr.stderrLines()).containsExactly(NOTE).isEqualTo(sr.stderrLines());
        List<Path> kd = layersDirs(k.root());
        List<Path> sd = layersDirs(s.root());
        assertThat(kd).hasSize(1);
        assertThat(sd).hasSize(1);
        Trees.assertSameTree(kd.get(0), sd.get(0), "layers output");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(kd.get(0))))
                .isEqualTo(PosixFilePermissions.toString(Files.getPosixFilePermissions(sd.get(0))))
                .isEqualTo("rwx------");
    }

    private static String fatal(CommandResult r) {
        List<String> lines = r.stderrLines();
        var m = CommandResult.FATAL_LINE.matcher(lines.get(lines.size() - 1));
        assertThat(m.matches()).as("last stderr line of %s", r).isTrue();
        return m.group(1);
    }

    private static List<Path> layersDirs(Path root) throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> p.getFileName().toString().startsWith("layers-")).toList();
        }
    }
}
