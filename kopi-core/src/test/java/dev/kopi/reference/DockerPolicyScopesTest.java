package dev.kopi.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** containers/image docker/policyconfiguration naming_test.go. */
class DockerPolicyScopesTest {
    private static final String DIGEST = "@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    static Stream<Arguments> scopes() {
        return Stream.of(
                arguments("example.com/ns/repo", List.of("example.com/ns/repo", "example.com/ns", "example.com", "*.com")),
                arguments("example.com/repo", List.of("example.com/repo", "example.com", "*.com")),
                arguments("localhost/ns/repo", List.of("localhost/ns/repo", "localhost/ns", "localhost")),
                arguments("localhost/repo", List.of("localhost/repo", "localhost")),
                arguments("notlocalhost/repo",
                        List.of("docker.io/notlocalhost/repo", "docker.io/notlocalhost", "docker.io", "*.io")),
                arguments("docker.io/ns/repo", List.of("docker.io/ns/repo", "docker.io/ns", "docker.io", "*.io")),
                arguments("docker.io/library/repo",
                        List.of("docker.io/library/repo", "docker.io/library", "docker.io", "*.io")),
                arguments("docker.io/repo", List.of("docker.io/library/repo", "docker.io/library", "docker.io", "*.io")),
                arguments("ns/repo", List.of("docker.io/ns/repo", "docker.io/ns", "docker.io", "*.io")),
                arguments("library/repo", List.of("docker.io/library/repo", "docker.io/library", "docker.io", "*.io")),
                arguments("repo", List.of("docker.io/library/repo", "docker.io/library", "docker.io", "*.io")),
                arguments("yet.another.example.com:8443/ns/repo",
                        List.of("yet.another.example.com:8443/ns/repo", "yet.another.example.com:8443/ns",
                                "yet.another.example.com:8443", "*.another.example.com", "*.example.com", "*.com")),
                arguments("127.0.0.1:5000/a", List.of("127.0.0.1:5000/a", "127.0.0.1:5000", "*.0.0.1", "*.0.1", "*.1")));
    }

    @ParameterizedTest
    @MethodSource
    void scopes(String input, List<String> expected) throws Exception {
        for (String suffix : List.of(":tag", DIGEST)) {
            DockerReference ref = DockerReference.parseNormalized(input + suffix);
            assertThat(DockerPolicyScopes.identity(ref)).isEqualTo(expected.get(0) + suffix);
            assertThat(DockerPolicyScopes.namespaces(ref)).isEqualTo(expected);
        }
    }

    @Test
    void identityRefusesNameOnlyAndTagPlusDigest() throws Exception {
        DockerReference nameOnly = DockerReference.parseNormalized("busybox");
        assertThatThrownBy(() -> DockerPolicyScopes.identity(nameOnly)).isInstanceOf(IllegalArgumentException.class);
        DockerReference both = DockerReference.parseNormalized("busybox:notlatest" + DIGEST);
        assertThatThrownBy(() -> DockerPolicyScopes.identity(both)).isInstanceOf(IllegalArgumentException.class);
    }
}
