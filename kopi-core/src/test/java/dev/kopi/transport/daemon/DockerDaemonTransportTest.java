package dev.kopi.transport.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.Transports;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** containers/image docker/daemon/daemon_transport_test.go, plus error texts checked against skopeo 1.9.3. */
class DockerDaemonTransportTest {
    private static final String HEX = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private static final String SHA256 = "sha256:" + HEX;

    @Test
    void name() {
        assertThat(DockerDaemonTransport.INSTANCE.name()).isEqualTo("docker-daemon");
        assertThat(Transports.get("docker-daemon")).isSameAs(DockerDaemonTransport.INSTANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"registry.example.com/ns/stream@" + SHA256, "registry.example.com/ns/stream:notlatest",
        "registry.example.com/ns/stream", "registry.example.com/ns", "registry.example.com", "*.example.com", "*.com",
        HEX})
    void validScopes(String scope) throws Exception {
        DockerDaemonTransport.INSTANCE.validatePolicyConfigurationScope(scope);
    }

    @Test
    void idScopeIsRefused() {
        assertThatThrownBy(() -> DockerDaemonTransport.INSTANCE.validatePolicyConfigurationScope(SHA256))
                .isInstanceOf(InvalidReferenceException.class)
                .hasMessage("docker-daemon: can not use algo:digest value " + SHA256 + " as a namespace");
    }

    @Test
    void parseId() throws Exception {
        DaemonImageReference ref = DockerDaemonTransport.INSTANCE.parseReference(SHA256);
        assertThat(ref.id()).contains(Digest.of(SHA256));
        assertThat(ref.dockerReference()).isEmpty();
        assertThat(ref.stringWithinTransport()).isEqualTo(SHA256);
        assertThat(ref.policyConfigurationIdentity()).isEmpty();
        assertThat(ref.policyConfigurationNamespaces()).isEmpty();
        assertThat(ref.transport()).isSameAs(DockerDaemonTransport.INSTANCE);
        assertThat(DockerDaemonTransport.INSTANCE.parseReference(ref.stringWithinTransport())).isEqualTo(ref);
    }

    static Stream<Arguments> parseNamed() {
        return Stream.of(
                arguments("busybox:latest", "docker.io/library/busybox:latest"),
                arguments("busybox@" + SHA256, "docker.io/library/busybox@" + SHA256),
                arguments("docker.io/library/busybox:latest", "docker.io/library/busybox:latest"),
                // sha256 with fewer hex digits, but in a namespace: an ordinary name.
                arguments("ns/sha256:ab", "docker.io/ns/sha256:ab"));
    }

    @ParameterizedTest
    @MethodSource
    void parseNamed(String input, String expected) throws Exception {
        DaemonImageReference ref = DockerDaemonTransport.INSTANCE.parseReference(input);
        assertThat(ref.id()).isEmpty();
        assertThat(ref.dockerReference()).map(Object::toString).contains(expected);
    }

    static Stream<Arguments> parseInvalid() {
        String sha512 = "sha512:" + HEX + HEX;
        String sha384 = "sha384:" + HEX + HEX.substring(0, 32);
        return Stream.of(
                arguments(sha512, "Invalid docker-daemon: reference " + sha512
                        + ": only digest algorithm sha256 accepted"), // skopeo
                arguments(sha384, "Invalid docker-daemon: reference " + sha384
                        + ": only digest algorithm sha256 accepted"), // skopeo
                arguments("sha256:ab", "Invalid docker-daemon: reference sha256:ab: The sha256 repository name is "
                        + "reserved for (non-shortened) digest references"),
                arguments(SHA256 + "ab", "Invalid docker-daemon: reference " + SHA256 + "ab: The sha256 repository "
                        + "name is reserved for (non-shortened) digest references"),
                arguments("sha256:foo", "Invalid docker-daemon: reference sha256:foo: The sha256 repository name is "
                        + "reserved for (non-shortened) digest references"), // skopeo
                arguments("docker.io/library/sha256:latest", "Invalid docker-daemon: reference "
                        + "docker.io/library/sha256:latest: The sha256 repository name is reserved for (non-shortened) "
                        + "digest references"),
                arguments("sha256:XX23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                        "Invalid docker-daemon: reference sha256:XX23456789abcdef0123456789abcdef0123456789abcdef"
                                + "0123456789abcdef: The sha256 repository name is reserved for (non-shortened) "
                                + "digest references"),
                arguments("UPPERCASEISINVALID", "invalid reference format: repository name must be lowercase"),
                arguments("busybox", "docker-daemon: reference busybox has neither a tag nor a digest"), // skopeo
                arguments("busybox:latest@" + SHA256,
                        "docker-daemon: references with both a tag and digest are currently not supported"), // skopeo
                arguments("", "invalid reference format"),
                arguments(HEX, "invalid repository name (" + HEX + "), cannot specify 64-byte hexadecimal strings"));
    }

    @ParameterizedTest
    @MethodSource
    void parseInvalid(String input, String message) {
        assertThatThrownBy(() -> DockerDaemonTransport.INSTANCE.parseReference(input))
                .isInstanceOf(InvalidReferenceException.class).hasMessage(message);
    }

    /** input, Docker reference, stringWithinTransport. */
    static Stream<Arguments> validNamed() {
        return Stream.of(
                arguments("busybox:notlatest", "docker.io/library/busybox:notlatest", "busybox:notlatest"),
                // (upstream's odd case: "busyboxsha256" with a 64-hex tag)
                arguments("busybox" + SHA256, "docker.io/library/busybox" + SHA256, "busybox" + SHA256),
                arguments("busybox@" + SHA256, "docker.io/library/busybox@" + SHA256, "busybox@" + SHA256),
                arguments("docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "busybox:latest"),
                arguments("example.com/ns/foo:bar", "example.com/ns/foo:bar", "example.com/ns/foo:bar"));
    }

    @ParameterizedTest
    @MethodSource("validNamed")
    void namedReferences(String input, String dockerRef, String within) throws Exception {
        DaemonImageReference ref = DockerDaemonTransport.INSTANCE.parseReference(input);
        assertThat(ref.dockerReference()).map(Object::toString).contains(dockerRef);
        assertThat(ref.stringWithinTransport()).isEqualTo(within);
        assertThat(ref.imageName()).isEqualTo("docker-daemon:" + within);
        DaemonImageReference again = DockerDaemonTransport.INSTANCE.parseReference(within);
        assertThat(again.stringWithinTransport()).isEqualTo(within);
        assertThat(again).isEqualTo(ref);
        // The same value as building it from the parsed name.
        assertThat(DaemonImageReference.ofName(DockerReference.parseNormalized(input))).isEqualTo(ref);
    }

    @Test
    void ofNameChecks() throws Exception {
        assertThatThrownBy(() -> DaemonImageReference.ofName(DockerReference.parseNormalized("busybox")))
                .hasMessage("docker-daemon: reference busybox has neither a tag nor a digest");
        assertThatThrownBy(() -> DaemonImageReference.ofName(DockerReference.parseNormalized("busybox:x@" + SHA256)))
                .hasMessage("docker-daemon: references with both a tag and digest are currently not supported");
        assertThatThrownBy(() -> DaemonImageReference.ofName(null))
                .hasMessage("docker-daemon: reference must have at least one of an image ID and a reference string");
    }

    @Test
    void policyConfiguration() throws Exception {
        DaemonImageReference ref = DockerDaemonTransport.INSTANCE.parseReference("busybox:notlatest");
        assertThat(ref.policyConfigurationIdentity()).isEqualTo("docker.io/library/busybox:notlatest");
        assertThat(ref.policyConfigurationNamespaces())
                .containsExactly("docker.io/library/busybox", "docker.io/library", "docker.io", "*.io");
    }

    @Test
    void deletingIsUnsupported() throws Exception {
        ImageContext ctx = ImageContext.defaults();
        for (String input : new String[] {SHA256, "busybox:latest"}) {
            DaemonImageReference ref = DockerDaemonTransport.INSTANCE.parseReference(input);
            assertThatThrownBy(() -> ref.deleteImage(ctx))
                    .hasMessage("Deleting images not implemented for docker-daemon: images")
                    .matches(e -> ((ImageException) e).code() == ErrorCode.UNSUPPORTED);
        }
    }
}
