package dev.kopi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.digest.Digest;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example program in {@code examples/library/} (shown in the README) compiles against kopi-core and copies the
 * bundled example image through the library API, in a JVM of its own.
 */
class ExampleProgramTest {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path EXAMPLE = ROOT.resolve("examples/library/CopyHello.java");

    @TempDir
    Path tmp;

    @Test
    void theReadmeShowsTheExampleAsItIs() throws Exception {
        assertThat(Files.readString(ROOT.resolve("README.md"))).contains("```java\n" + Files.readString(EXAMPLE) + "```\n");
    }

    @Test
    void theLibraryExampleBuildsAndCopiesExamplesHello() throws Exception {
        assertThat(EXAMPLE).exists();
        String cp = System.getProperty("java.class.path");
        Path classes = Files.createDirectories(tmp.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diag = new ByteArrayOutputStream();
        int rc = javac.run(null, diag, diag, "--release", "17", "-Xlint:all", "-Werror", "-cp", cp,
                "-d", classes.toString(), EXAMPLE.toString());
        assertThat(rc).as("javac: %s", diag.toString(StandardCharsets.UTF_8)).isZero();

        Path dest = tmp.resolve("hello");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString(), "-cp", classes + File.pathSeparator + cp,
                "CopyHello", "oci:" + ROOT.resolve("examples/hello") + ":latest", "dir:" + dest));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(text).isZero();

        // examples/hello's manifest, as its index.json names it
        String index = Files.readString(ROOT.resolve("examples/hello/index.json"));
        String want = index.replaceAll("(?s).*\"digest\"\\s*:\\s*\"(sha256:[0-9a-f]{64})\".*", "$1");
        byte[] manifest = Files.readAllBytes(dest.resolve("manifest.json"));
        assertThat(Digest.sha256(manifest)).hasToString(want);
        assertThat(text).contains("Copied oci:" + ROOT.resolve("examples/hello") + ":latest to dir:" + dest + ": " + want)
                .contains("\"Digest\": \"" + want + "\"")
                .contains("\"org.opencontainers.image.title\": \"hello\"");
        // every blob the program reported is in the dir: layout and hashes to its name
        List<String> copied = text.lines().filter(l -> l.startsWith("Copying ")).map(l -> l.replaceAll(".* sha256:", ""))
                .toList();
        assertThat(copied).hasSize(2);
        for (String hex : copied) {
            assertThat(Digest.sha256(Files.readAllBytes(dest.resolve(hex))).encoded()).isEqualTo(hex);
        }
    }
}
