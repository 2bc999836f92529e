package dev.kopi.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.testkit.Skopeo;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.Transports;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PolicyContextTest {
    @TempDir
    Path tmp;

    private Path write(String json) throws Exception {
        Path p = tmp.resolve("policy.json");
        Files.writeString(p, json);
        return p;
    }

    /** Policy files containers/image rejects, with the text skopeo 1.9.3 prints after "invalid policy in ...: ". */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{}|Default policy is missing",
        "{\"default\":[]}|List of verification policy requirements must not be empty",
        "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"oci\":{\"/a\":[]}}}"
                + "|List of verification policy requirements must not be empty",
        "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"x\":1}|Unknown key \"x\"",
        "{\"default\":[{\"type\":\"foo\"}]}|Unknown policy requirement type \"foo\"",
        "{\"default\":[{\"type\":\"reject\",\"x\":1}]}|Unknown key \"x\"",
        "{\"default\":[{\"type\":\"insecureAcceptAnything\",\"keyPath\":\"/k\"}]}|Unknown key \"keyPath\"",
        "[]|JSON object expected, got \"[\"",
        "\"x\"|JSON object expected, got \"x\"",
        "1|JSON object expected, got \"%!s(float64=1)\"",
        "true|JSON object expected, got \"%!s(bool=true)\"",
        "null|JSON object expected, got \"%!s(<nil>)\"",
        "1234567|JSON object expected, got \"%!s(float64=1.234567e+06)\"",
        "0.5|JSON object expected, got \"%!s(float64=0.5)\"",
    })
    void invalidPoliciesFailAsInContainersImage(String json, String message) throws Exception {
        Path p = write(json);
        assertThatThrownBy(() -> PolicyContext.load(p))
                .isInstanceOf(ImageException.class)
                .hasMessage("invalid policy in \"" + p + "\": " + message)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        if (Skopeo.installed()) {
            Skopeo.Result r = Skopeo.tryRun("--policy", p.toString(), "copy", "dir:" + tmp.resolve("nowhere"),
                    "dir:" + tmp.resolve("nothing"));
            assertThat(r.exitCode()).isNotZero();
            assertThat(r.stderr().replace("\\\"", "\"")).contains("invalid policy in \"" + p + "\": " + message);
        }
    }

    @Test
    void otherSyntaxErrorsAreRejectedToo() throws Exception {
        for (String json : new String[] {"{\"default\":[{\"type\":\"reject\"}]} x",
            "{\"default\":[{\"type\":\"reject\"}],\"default\":[{\"type\":\"reject\"}]}", "{\"default\":{}}", "",
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":[]}"}) {
            Path p = write(json);
            assertThatThrownBy(() -> PolicyContext.load(p)).as(json).isInstanceOf(ImageException.class)
                    .hasMessageStartingWith("invalid policy in \"" + p + "\": ");
        }
    }

    @Test
    void missingFile() {
        Path p = tmp.resolve("none.json");
        assertThatThrownBy(() -> PolicyContext.load(p)).isInstanceOf(ImageException.class)
                .hasMessage("open " + p + ": no such file or directory");
    }

    private static ImageReference ref(String name) throws Exception {
        return Transports.parseImageName(name);
    }

    private static boolean allowed(PolicyContext p, String name) throws Exception {
        try {
            p.requireAllowed(PolicyImage.of(ref(name), new byte[0], java.util.List.of()));
            return true;
        } catch (ImageException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.POLICY_REJECTED);
            return false;
        }
    }

    @Test
    void requirementsAreLookedUpByIdentityThenNamespacesThenTransportDefaultThenDefault() throws Exception {
        PolicyContext p = PolicyContext.load(write("{\"default\":[{\"type\":\"reject\"}],\"transports\":{"
                + "\"oci\":{\"/a/b/c\":[{\"type\":\"insecureAcceptAnything\"}],\"/a\":[{\"type\":\"reject\"}],"
                + "\"/x\":[{\"type\":\"insecureAcceptAnything\"}],\"\":[{\"type\":\"reject\"}]},"
                + "\"dir\":{\"\":[{\"type\":\"insecureAcceptAnything\"}]}}}"));
        assertThat(allowed(p, "oci:/a/b/c:tag")).isTrue();
        assertThat(allowed(p, "oci:/a/b/c")).isTrue();
        assertThat(allowed(p, "oci:/a/b")).isFalse();
        // /a/b/c is a namespace of /a/b/c/d
        assertThat(allowed(p, "oci:/a/b/c/d")).isTrue();
        assertThat(allowed(p, "oci:/x/y/z:t")).isTrue();
        assertThat(allowed(p, "oci:/elsewhere")).isFalse();
        assertThat(allowed(p, "dir:/anything")).isTrue();
        assertThat(allowed(p, "oci-archive:/x/y.tar")).isFalse();
    }

    @Test
    void allRequirementsMustAllow() throws Exception {
        PolicyContext p = PolicyContext.load(write("{\"default\":[{\"type\":\"insecureAcceptAnything\"},"
                + "{\"type\":\"reject\"}]}"));
        assertThatThrownBy(() -> p.requireAllowed(PolicyImage.of(ref("dir:/x"), new byte[0], java.util.List.of())))
                .isInstanceOf(ImageException.class).hasMessage("Running image dir:/x is rejected by policy.");
    }

    @Test
    void insecureAcceptAnythingAcceptsAll() throws Exception {
        assertThat(allowed(PolicyContext.insecureAcceptAnything(), "oci:/a:b")).isTrue();
    }
}
