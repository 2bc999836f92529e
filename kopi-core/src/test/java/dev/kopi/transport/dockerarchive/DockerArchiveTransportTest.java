package dev.kopi.transport.dockerarchive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.Transports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DockerArchiveTransportTest {
    private static final DockerArchiveTransport T = DockerArchiveTransport.INSTANCE;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "/tmp/a.tar | /tmp/a.tar | ",
        "a.tar:busybox | a.tar:docker.io/library/busybox:latest | docker.io/library/busybox:latest",
        "a.tar:busybox:1 | a.tar:docker.io/library/busybox:1 | docker.io/library/busybox:1",
        "a.tar:quay.io/x/y:v2 | a.tar:quay.io/x/y:v2 | quay.io/x/y:v2",
        "a.tar:localhost:5000/x:t | a.tar:localhost:5000/x:t | localhost:5000/x:t",
        "a.tar:@0 | a.tar:@0 | ",
        "a.tar:@12 | a.tar:@12 | ",
        "a.tar:@+3 | a.tar:@3 | ",
        "a.tar:@-0 | a.tar:@0 | ",
        "/x@y/a.tar | /x@y/a.tar | ",
    })
    void parsesAndRoundTrips(String in, String within, String dockerRef) throws Exception {
        ImageReference r = T.parseReference(in);
        assertThat(r.stringWithinTransport()).isEqualTo(within);
        assertThat(r.dockerReference().map(Object::toString).orElse(null)).isEqualTo(dockerRef);
        assertThat(T.parseReference(r.stringWithinTransport())).isEqualTo(r);
        assertThat(r.imageName()).isEqualTo("docker-archive:" + within);
        assertThat(r.policyConfigurationIdentity()).isEmpty();
        assertThat(r.policyConfigurationNamespaces()).isEmpty();
        assertThat(Transports.parseImageName("docker-archive:" + in)).isEqualTo(r);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "'' | docker-archive reference  isn't of the form <path>[:<reference>]",
        "a.tar:@x | Invalid source index @x: strconv.Atoi: parsing \"x\": invalid syntax",
        "a.tar:@ | Invalid source index @: strconv.Atoi: parsing \"\": invalid syntax",
        "a.tar:@-1 | Invalid source index @-1: must not be negative",
        "a.tar:@1x | Invalid source index @1x: strconv.Atoi: parsing \"1x\": invalid syntax",
        "a.tar:@99999999999999999999 | Invalid source index @99999999999999999999: strconv.Atoi: parsing "
                + "\"99999999999999999999\": value out of range",
        "a.tar:foo@sha256:79ffb0fe0184f30dfb5fa9e5a58ef877c7310e4983106add4e3b73f1000e3dd9 | reference does not "
                + "include a tag: docker.io/library/foo@sha256:79ffb0fe0184f30dfb5fa9e5a58ef877c7310e4983106add4e3b73f1000e3dd9",
        "a.tar:foo:1@sha256:79ffb0fe0184f30dfb5fa9e5a58ef877c7310e4983106add4e3b73f1000e3dd9 | docker-archive doesn't "
                + "support digest references: docker.io/library/foo:1@sha256:79ffb0fe0184f30dfb5fa9e5a58ef877c7310e4983106add4e3b73f1000e3dd9",
    })
    void rejects(String in, String message) {
        assertThatThrownBy(() -> T.parseReference(in)).isInstanceOf(InvalidReferenceException.class)
                .hasMessage(message);
    }

    @Test
    void badReferencePartIsPrefixed() {
        assertThatThrownBy(() -> T.parseReference("a.tar:foo@x")).isInstanceOf(InvalidReferenceException.class)
                .hasMessageStartingWith("docker-archive parsing reference: ");
    }

    @Test
    void noPolicyScopes() {
        assertThatThrownBy(() -> T.validatePolicyConfigurationScope("/tmp"))
                .hasMessage("docker-archive: does not support any scopes except the default \"\" one");
    }

    @Test
    void colonInPathAndBothTagAndIndexAreRejected() throws Exception {
        assertThatThrownBy(() -> DockerArchiveReference.of("a:b", null, -1))
                .hasMessage("Invalid docker-archive: reference: colon in path \"a:b\" is not supported");
        var tagged = T.parseReference("a.tar:x:1").dockerReference().orElseThrow();
        assertThatThrownBy(() -> DockerArchiveReference.of("a.tar", tagged, 0))
                .hasMessage("Invalid docker-archive: reference: cannot use both a tag and a source index");
    }

    @Test
    void deleteIsUnsupportedAndIndexIsNoDestination() throws Exception {
        ImageReference r = T.parseReference("/tmp/none.tar:@1");
        assertThatThrownBy(() -> r.deleteImage(ImageContext.defaults()))
                .hasMessage("Deleting images not implemented for docker-archive: images")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED));
        assertThatThrownBy(() -> r.newImageDestination(ImageContext.defaults()))
                .hasMessage("Destination reference must not contain a manifest index @1");
    }
}
