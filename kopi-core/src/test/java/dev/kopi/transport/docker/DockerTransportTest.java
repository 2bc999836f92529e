package dev.kopi.transport.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.Transports;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** containers/image docker/docker_transport_test.go, plus error texts checked against skopeo 1.9.3. */
class DockerTransportTest {
    private static final String HEX = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final String DIGEST = "@sha256:" + HEX;
    private static final String UNKNOWN = "@@unknown-digest@@";

    @Test
    void name() {
        assertThat(DockerTransport.INSTANCE.name()).isEqualTo("docker");
        assertThat(Transports.get("docker")).isSameAs(DockerTransport.INSTANCE);
    }

    /** input, expected full Docker reference, expected unknown-digest flag. */
    static Stream<Arguments> parseValid() {
        return Stream.of(
                arguments("//busybox:notlatest", "docker.io/library/busybox:notlatest", false),
                arguments("//busybox" + DIGEST, "docker.io/library/busybox" + DIGEST, false),
                arguments("//busybox", "docker.io/library/busybox:latest", false),
                arguments("//docker.io/library/busybox:latest", "docker.io/library/busybox:latest", false),
                arguments("//busybox" + UNKNOWN, "docker.io/library/busybox", true),
                arguments("//example.com/ns/busybox" + UNKNOWN, "example.com/ns/busybox", true),
                arguments("//localhost:5000/a/b", "localhost:5000/a/b:latest", false));
    }

    @ParameterizedTest
    @MethodSource
    void parseValid(String input, String expected, boolean unknownDigest) throws Exception {
        DockerImageReference ref = DockerTransport.INSTANCE.parseReference(input);
        assertThat(ref.ref().toString()).isEqualTo(expected);
        assertThat(ref.isUnknownDigest()).isEqualTo(unknownDigest);
        assertThat(ref.transport()).isSameAs(DockerTransport.INSTANCE);
    }

    static Stream<Arguments> parseInvalid() {
        return Stream.of(
                arguments("busybox", "docker: image reference busybox does not start with //"), // skopeo
                arguments("/busybox", "docker: image reference /busybox does not start with //"),
                arguments("//busybox:latest" + DIGEST,
                        "Docker references with both a tag and digest are currently not supported"), // skopeo
                arguments("//UPPERCASEISINVALID", "invalid reference format: repository name must be lowercase"),
                arguments("//", "invalid reference format"), // skopeo
                arguments("//" + HEX, "invalid repository name (" + HEX
                        + "), cannot specify 64-byte hexadecimal strings"), // skopeo
                arguments("//example.com/ns/busybox:tag1" + UNKNOWN, "docker: image reference "
                        + "\"example.com/ns/busybox:tag1@@unknown-digest@@\" has unknown digest set but it contains "
                        + "either a tag or digest"),
                arguments("//example.com/ns/busybox" + DIGEST + UNKNOWN, "docker: image reference "
                        + "\"example.com/ns/busybox" + DIGEST + UNKNOWN + "\" has unknown digest set but it contains "
                        + "either a tag or digest"));
    }

    @ParameterizedTest
    @MethodSource
    void parseInvalid(String input, String message) {
        assertThatThrownBy(() -> DockerTransport.INSTANCE.parseReference(input))
                .isInstanceOf(InvalidReferenceException.class).hasMessage(message);
    }

    @Test
    void parseViaTransportsRegistry() throws Exception {
        assertThat(Transports.parseImageName("docker://busybox").imageName())
                .isEqualTo("docker://busybox:latest");
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker.io/library/busybox" + DIGEST, "docker.io/library/busybox:notlatest",
        "docker.io/library/busybox", "docker.io/library", "docker.io", "*.io"})
    void validatePolicyConfigurationScope(String scope) throws Exception {
        DockerTransport.INSTANCE.validatePolicyConfigurationScope(scope);
    }

    /** input, Docker reference, stringWithinTransport, unknown digest. */
    static Stream<Arguments> validReferences() {
        return Stream.of(
                arguments("busybox:notlatest", "docker.io/library/busybox:notlatest", "//busybox:notlatest", false),
                arguments("busybox" + DIGEST, "docker.io/library/busybox" + DIGEST, "//busybox" + DIGEST, false),
                arguments("docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "//busybox:latest",
                        false),
                arguments("example.com/ns/foo:bar", "example.com/ns/foo:bar", "//example.com/ns/foo:bar", false),
                arguments("example.com/ns/busybox" + UNKNOWN, "example.com/ns/busybox",
                        "//example.com/ns/busybox" + UNKNOWN, true),
                arguments("busybox" + UNKNOWN, "docker.io/library/busybox", "//busybox" + UNKNOWN, true));
    }

    @ParameterizedTest
    @MethodSource("validReferences")
    void stringWithinTransportRoundTrips(String input, String dockerRef, String within, boolean unknown)
            throws Exception {
        DockerImageReference ref = DockerTransport.INSTANCE.parseReference("//" + input);
        assertThat(ref.stringWithinTransport()).isEqualTo(within);
        assertThat(ref.imageName()).isEqualTo("docker:" + within);
        DockerImageReference again = DockerTransport.INSTANCE.parseReference(ref.stringWithinTransport());
        assertThat(again.stringWithinTransport()).isEqualTo(within);
        assertThat(again).isEqualTo(ref);
        assertThat(ref.dockerReference()).isPresent();
        assertThat(ref.dockerReference().get().toString()).isEqualTo(dockerRef);
        assertThat(ref.isUnknownDigest()).isEqualTo(unknown);
    }

    @ParameterizedTest
    @MethodSource("validReferences")
    void newReferenceAndUnknownDigestAreExclusive(String input, String dockerRef, String within, boolean unknown)
            throws Exception {
        String name = unknown ? input.substring(0, input.length() - UNKNOWN.length()) : input;
        DockerReference parsed = DockerReference.parseNormalized(name);
        if (unknown) {
            assertThat(DockerImageReference.ofUnknownDigest(parsed).ref().toString()).isEqualTo(dockerRef);
            assertThatThrownBy(() -> DockerImageReference.of(parsed)).hasMessage("Docker reference "
                    + parsed.familiarString() + " is not for an unknown digest case; tag or digest is needed");
        } else {
            assertThat(DockerImageReference.of(parsed).ref().toString()).isEqualTo(dockerRef);
            assertThatThrownBy(() -> DockerImageReference.ofUnknownDigest(parsed)).hasMessage("Docker reference "
                    + parsed.familiarString() + " is for an unknown digest case but reference has a tag or digest");
        }
    }

    @Test
    void newReferenceRefusesTagAndDigest() throws Exception {
        DockerReference both = DockerReference.parseNormalized("busybox:notlatest" + DIGEST);
        assertThatThrownBy(() -> DockerImageReference.of(both))
                .hasMessage("Docker references with both a tag and digest are currently not supported");
    }

    @Test
    void policyConfiguration() throws Exception {
        DockerImageReference ref = DockerTransport.INSTANCE.parseReference("//busybox");
        assertThat(ref.policyConfigurationIdentity()).isEqualTo("docker.io/library/busybox:latest");
        assertThat(ref.policyConfigurationNamespaces())
                .containsExactly("docker.io/library/busybox", "docker.io/library", "docker.io", "*.io");

        ref = DockerTransport.INSTANCE.parseReference("//busybox" + UNKNOWN);
        assertThat(ref.policyConfigurationIdentity()).isEqualTo("docker.io/library/busybox");
        assertThat(ref.policyConfigurationNamespaces()).containsExactly("docker.io/library", "docker.io", "*.io");

        ref = DockerTransport.INSTANCE.parseReference("//yet.another.example.com:8443/ns/repo" + DIGEST);
        assertThat(ref.policyConfigurationIdentity()).isEqualTo("yet.another.example.com:8443/ns/repo" + DIGEST);
        assertThat(ref.policyConfigurationNamespaces()).isEqualTo(List.of("yet.another.example.com:8443/ns/repo",
                "yet.another.example.com:8443/ns", "yet.another.example.com:8443", "*.another.example.com",
                "*.example.com", "*.com"));
    }

    @Test
    void tagOrDigest() throws Exception {
        assertThat(DockerTransport.INSTANCE.parseReference("//busybox").tagOrDigest()).isEqualTo("latest");
        assertThat(DockerTransport.INSTANCE.parseReference("//busybox" + DIGEST).tagOrDigest())
                .isEqualTo(DIGEST.substring(1));
        assertThatThrownBy(() -> DockerTransport.INSTANCE.parseReference("//busybox" + UNKNOWN).tagOrDigest())
                .hasMessage("Docker reference \"busybox\" is for an unknown digest case, has neither a digest nor a tag");
    }

    interface ThrowingCall {
        void run() throws Exception;
    }
}
