package dev.kopi.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CliTest {
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream oldOut = System.out;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            System.setOut(o);
            int code = Main.run(o, e, args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
        }
    }

    @Test
    void versionNamesTheSkopeoRelease() {
        Run r = run("--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).matches("kopi version \\d+\\.\\d+\\.\\d+ \\(skopeo version 1\\.22\\.2 compatible\\)\\n");
    }

    /** {@code --version} alone skips picocli; with other flags it goes through picocli: the same line either way. */
    @Test
    void theVersionIsTheSameWithAndWithoutTheFastPath() {
        Run fast = run("--version");
        assertThat(run("-v")).isEqualTo(fast);
        assertThat(run("--debug", "--version")).isEqualTo(fast);
        assertThat(run("--version", "--insecure-policy")).isEqualTo(fast);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "copy --bogus a b|unknown flag: --bogus",
        "copy -Z a b|unknown shorthand flag: 'Z' in -Z",
        "nosuch|Unrecognized command `kopi nosuch`\\nTry 'kopi --help' for more information",
        "inspect|Exactly one argument expected",
        "copy x y|Invalid source name x: Invalid image name \\\"x\\\", expected colon-separated transport:reference",
        "copy dir:/tmp nope|Invalid destination name nope: Invalid image name \\\"nope\\\", expected colon-separated transport:reference",
        "inspect --retry-times abc dir:/x|invalid argument \\\"abc\\\" for \\\"--retry-times\\\" flag: strconv.ParseInt: parsing \\\"abc\\\": invalid syntax",
        "--command-timeout 5x inspect dir:/x|invalid argument \\\"5x\\\" for \\\"--command-timeout\\\" flag: time: unknown unit \\\"x\\\" in duration \\\"5x\\\"",
        "manifest-digest|Usage: skopeo manifest-digest manifest",
        "--tls-details x.yaml inspect dir:/x|--tls-details is not supported by kopi yet",
        "copy --dest-force-compress-format dir:/a dir:/b|cannot use ForceCompressionFormat with undefined default compression format",
    })
    void usageErrorsAreOneFatalLineAndExit1(String args, String msg) {
        Run r = run(args.split(" "));
        assertThat(r.code()).isEqualTo(1);
        String last = r.err().strip().lines().reduce((a, b) -> b).orElse("");
        assertThat(last).matches("time=\"[0-9T:+Z-]+\" level=fatal msg=.*");
        assertThat(last.substring(last.indexOf("msg=") + 4)).isEqualTo(Logrus.quoteIfNeeded(
                msg.replace("\\n", "\n").replace("\\\"", "\"")));
    }

    @Test
    void copyWithWrongArgumentCountShowsUsage() {
        Run r = run("copy", "only-one");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("Usage:").contains("Exactly two arguments expected");
    }

    @Test
    void missingImageNameIsNotExit2ButMissingTagIs() throws Exception {
        java.nio.file.Path tmp = java.nio.file.Files.createTempDirectory("kopi-cli-test");
        try {
            assertThat(run("inspect", "dir:" + tmp.resolve("nope")).code()).isEqualTo(1);
            dev.kopi.testkit.TestImages.singleLayer(tmp.resolve("layout"), "t1", 1);
            assertThat(run("inspect", "oci:" + tmp.resolve("layout") + ":t1").code()).isZero();
            Run missing = run("inspect", "oci:" + tmp.resolve("layout") + ":nope");
            assertThat(missing.code()).isEqualTo(2);
            assertThat(missing.err()).contains("no descriptor found for reference \\\"nope\\\"");
        } finally {
            dev.kopi.internal.io.AtomicFiles.deleteTree(tmp);
        }
    }

    @ParameterizedTest
    @CsvSource({"0,0", "1s,1000", "1.5s,1500", "1h2m3s,3723000", "500ms,500", "-2s,-2000", "1m0.5s,60500"})
    void goDurations(String s, long millis) {
        assertThat(GoDuration.parse(s)).isEqualTo(Duration.ofMillis(millis));
    }

    @ParameterizedTest
    @CsvSource({"5", "s", "1x", "''"})
    void badGoDurations(String s) {
        assertThatThrownBy(() -> GoDuration.parse(s)).hasMessageStartingWith("time: ");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "plain|plain",
        "with space|\"with space\"",
        "a \"quoted\" word|\"a \\\"quoted\\\" word\"",
        "tab\there|\"tab\\there\"",
    })
    void logrusQuotesLikeGo(String in, String out) {
        assertThat(Logrus.quoteIfNeeded(in.replace("\\t", "\t"))).isEqualTo(out);
    }
}
