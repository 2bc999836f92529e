package dev.kopi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Argument errors of the signing flags and commands, with skopeo's texts; nothing is signed or copied. */
class SigningCliTest {
    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "--insecure-policy --require-signed copy dir:/a dir:/b|--insecure-policy and --require-signed are mutually exclusive",
        "--insecure-policy copy --sign-identity busybox dir:/nonexistent-a dir:/nonexistent-b|Could not parse --sign-identity: repository name must be canonical",
        "standalone-sign a b c|Usage: skopeo standalone-sign manifest docker-reference key-fingerprint -o signature",
        "standalone-verify a b c|Usage: skopeo standalone-verify manifest docker-reference key-fingerprint signature",
        "standalone-verify a b any d|Cannot use any fingerprint without a public key file",
        "untrusted-signature-dump-without-verification|Usage: skopeo untrusted-signature-dump-without-verification signature",
        "untrusted-signature-dump-without-verification /nonexistent/sig|Error reading untrusted signature from /nonexistent/sig: open /nonexistent/sig: no such file or directory",
    })
    void argumentErrors(String args, String message) {
        CliTest.Run r = CliTest.run(args.split(" "));
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("msg=\"" + message.replace("\"", "\\\"") + "\"");
    }

    @Test
    void dumpOfSomethingThatIsNotASignature() throws Exception {
        Path f = tmp.resolve("sig");
        Files.writeString(f, "not a signature");
        CliTest.Run r = CliTest.run("untrusted-signature-dump-without-verification", f.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("Error decoding untrusted signature: ");
    }
}
