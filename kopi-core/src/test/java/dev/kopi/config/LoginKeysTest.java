package dev.kopi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LoginKeysTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "quay.io, quay.io, quay.io",
        "localhost:5000, localhost:5000, localhost:5000",
        "https://quay.io/v1/, quay.io, quay.io",
        "http://user@reg.example:5000/x?y, reg.example:5000, reg.example:5000",
        "quay.io/ns/repo, quay.io/ns/repo, quay.io",
        "docker.io/vendor, docker.io/vendor, docker.io",
    })
    void keys(String arg, String key, String registry) throws Exception {
        assertThat(LoginKeys.parse(arg, true)).isEqualTo(new LoginKeys.Key(key, registry));
    }

    @Test
    void withoutRepositoriesOnlyTheRegistryIsKept() throws Exception {
        assertThat(LoginKeys.parse("quay.io/ns/repo", false)).isEqualTo(new LoginKeys.Key("quay.io", "quay.io"));
    }

    @Test
    void taggedAndInvalidKeysAreRejected() {
        assertThatThrownBy(() -> LoginKeys.parse("quay.io/ns/repo:tag", true))
                .hasMessage("reference \"quay.io/ns/repo:tag\" contains tag or digest");
        assertThatThrownBy(() -> LoginKeys.parse("quay.io/NS", true))
                .hasMessageStartingWith("parse reference from \"quay.io/NS\": ");
    }

    @Test
    void messages() {
        assertThat(LoginKeys.removed("quay.io")).isEqualTo("Removed login credentials for quay.io");
        assertThat(LoginKeys.notLoggedInto("quay.io")).isEqualTo("not logged into quay.io");
        assertThat(LoginKeys.loggingOutOf("quay.io", "boom")).isEqualTo("logging out of \"quay.io\": boom");
        assertThat(LoginKeys.invalidUsernamePassword("r:5000")).isEqualTo(
                "logging into \"r:5000\": invalid username/password");
    }

    @Test
    void aMissingAuthfileIsRejectedForLogout() throws Exception {
        LoginKeys.checkAuthFile(null);
        assertThatThrownBy(() -> LoginKeys.checkAuthFile(Path.of("/nonexistent/auth.json")))
                .hasMessage("checking authfile: stat /nonexistent/auth.json: no such file or directory");
    }
}
