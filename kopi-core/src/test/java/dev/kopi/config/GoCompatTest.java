package dev.kopi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Go behaviours the config files depend on: base64, the JSON scanner's errors, $PATH lookup. */
class GoCompatTest {
    @TempDir
    Path tmp;

    /** Offsets checked against skopeo 1.9.3 (Go's base64.StdEncoding). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "dXNlcjpwYXN|8", "dXNl*jpwYXNz|4", "!!|0", "dXNlcjpwYXNz=|12", "dXNlcjpwYQ=|11", "dXNlcjpwYQ==x|12",
        "dXNlcjpwYQ=x|10", "dXNlcjpwY|8", "dXN=cjpw|4", "=|0", "a|0",
    })
    void base64ErrorsCarryGoOffsets(String in, int offset) {
        assertThatThrownBy(() -> GoBase64.decode(in)).hasMessage("illegal base64 data at input byte " + offset);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {"dXNlcjpwYXNz|user:pass", "dXNlcjpwYQ==|user:pa", "dXNlcjpwYXM=|user:pas",
        "''|''"})
    void base64Decodes(String in, String out) throws Exception {
        assertThat(new String(GoBase64.decode(in), StandardCharsets.UTF_8)).isEqualTo(out);
        assertThat(new String(GoBase64.decode(in.replaceAll("(.{4})", "$1\r\n")), StandardCharsets.UTF_8))
                .isEqualTo(out);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{}|", "[1, 2.5e-3, -0, true, false, null, \"\\u00e9\\n\"]|", "` {\"a\" : [ ] } `|",
        "01|invalid character '1' after top-level value",
        "-|unexpected end of JSON input",
        "-x|invalid character 'x' in numeric literal",
        "1.|unexpected end of JSON input",
        "1.x|invalid character 'x' after decimal point in numeric literal",
        "1ex|invalid character 'x' in exponent of numeric literal",
        "\"a\\q\"|invalid character 'q' in string escape code",
        "\"\\u12x4\"|invalid character 'x' in \\u hexadecimal character escape",
        "[1 2]|invalid character '2' after array element",
        "{\"a\":1 \"b\"}|invalid character '\"' after object key:value pair",
        "{'a':1}|invalid character '\\'' looking for beginning of object key string",
        "nul|unexpected end of JSON input",
        "nulx|invalid character 'x' in literal null (expecting 'l')",
        "falsy|invalid character 'y' in literal false (expecting 'e')",
    })
    void jsonSyntaxErrorsUseGoTexts(String json, String error) {
        assertThat(GoJsonSyntax.check(json.getBytes(StandardCharsets.UTF_8))).isEqualTo(error);
    }

    @Test
    void controlCharactersAreQuotedAsGoDoes() {
        assertThat(GoJsonSyntax.check("\"a\nb\"".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("invalid character '\\n' in string literal");
        assertThat(GoJsonSyntax.check(new byte[] {0})).isEqualTo(
                "invalid character '\\x00' looking for beginning of value");
    }

    @Test
    void findExecutableSearchesPathInOrder() throws Exception {
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Files.writeString(a.resolve("tool"), "not executable");
        Path exe = Files.writeString(b.resolve("tool"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(exe, PosixFilePermissions.fromString("rwx------"));
        Env env = Env.of(Map.of("PATH", a + ":" + b));
        assertThat(env.findExecutable("tool")).contains(exe);
        assertThat(env.findExecutable("missing")).isEmpty();
        assertThat(Env.of(Map.of()).findExecutable("sh")).isEmpty();
    }

    @Test
    void homeComesFromTheEnvironmentElseThePasswordDatabase() {
        assertThat(Env.of(Map.of("HOME", "/h")).home()).isEqualTo(Path.of("/h"));
        assertThat(Env.of(Map.of()).withUid(0).home()).isEqualTo(Path.of("/root"));
        assertThat(Env.of(Map.of("X", "")).nonEmpty("X")).isEmpty();
        assertThat(Env.of(Map.of()).get("X")).isEmpty();
        assertThat(Env.of(Map.of("A", "1")).with("A", null).asMap()).isEmpty();
    }
}
