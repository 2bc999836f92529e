package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The outcome of one external command: exit code, raw stdout, stderr text and wall time.
 *
 * @param command the command line as run
 * @param exitCode the process exit code
 * @param stdoutBytes stdout, byte for byte (for {@code inspect --raw})
 * @param stderr stderr as UTF-8 text
 * @param elapsed wall time
 */
public record CommandResult(List<String> command, int exitCode, byte[] stdoutBytes, String stderr, Duration elapsed) {
    /** One logrus fatal line as skopeo prints it: {@code time="..." level=fatal msg="..."}. */
    public static final Pattern FATAL_LINE = Pattern.compile(
            "time=\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(?:Z|[+-]\\d\\d:\\d\\d)\" level=fatal msg=\"(.*)\"");

    public CommandResult {
        command = List.copyOf(command);
        stdoutBytes = stdoutBytes.clone();
    }

    @Override
    public byte[] stdoutBytes() {
        return stdoutBytes.clone();
    }

    public String stdout() {
        return new String(stdoutBytes, StandardCharsets.UTF_8);
    }

    /** Non-empty stderr lines. */
    public List<String> stderrLines() {
        return Arrays.stream(stderr.split("\n")).filter(l -> !l.isBlank()).toList();
    }

    /** Asserts exit code 0 and returns this. */
    public CommandResult assertSuccess() {
        assertThat(exitCode).as("exit code of %s", this).isZero();
        return this;
    }

    /** Asserts the exit code and returns this. */
    public CommandResult assertExit(int expected) {
        assertThat(exitCode).as("exit code of %s", this).isEqualTo(expected);
        return this;
    }

    /**
     * Asserts that stderr is exactly one {@code time="..." level=fatal msg="..."} line and returns its message
     * (still escaped as logrus quotes it).
     */
    public String assertOneFatalLine() {
        List<String> lines = stderrLines();
        assertThat(lines).as("stderr of %s", this).hasSize(1);
        var m = FATAL_LINE.matcher(lines.get(0));
        assertThat(m.matches()).as("stderr line is a logrus fatal line: %s", lines.get(0)).isTrue();
        return m.group(1);
    }

    @Override
    public String toString() {
        String out = stdout();
        return String.join(" ", command) + "\n  exit " + exitCode + " after " + elapsed.toMillis() + " ms"
                + "\n  stdout: " + abbreviate(out) + "\n  stderr: " + abbreviate(stderr);
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        return t.length() > 2000 ? t.substring(0, 2000) + "... (" + t.length() + " chars)" : t;
    }
}
