package dev.kopi.transport.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.config.Env;
import dev.kopi.config.RegistriesD;
import dev.kopi.digest.Digest;
import dev.kopi.reference.DockerReference;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LookasideTest {
    private static final Digest D = Digest.sha256("x".getBytes(StandardCharsets.UTF_8));

    /** containers/image's docs/signature-protocols.md layout: {@code <base>/<repo path>@<algo>=<hex>/signature-N}. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "file:///srv/sigs|example.com/ns/repo:v1|0|file:///srv/sigs/ns/repo@sha256=HEX/signature-1",
        "file:///srv/sigs/|busybox:latest|2|file:///srv/sigs//library/busybox@sha256=HEX/signature-3",
        "https://sigs.example:8443/base|example.com/repo@sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881|0|https://sigs.example:8443/base/repo@sha256=HEX/signature-1",
        "http://u:p@sigs.example/x|localhost:5000/a/b:c|1|http://u:p@sigs.example/x/a/b@sha256=HEX/signature-2",
        "file:sigs|example.com/ns/repo:v1|0|file:///ns/repo@sha256=HEX/signature-1",
        "/srv/no-scheme|example.com/ns/repo:v1|0|/srv/no-scheme/ns/repo@sha256=HEX/signature-1",
    })
    void signatureUrls(String top, String ref, int index, String want) throws Exception {
        RegistriesD c = RegistriesD.parseFile("default-docker:\n  lookaside: " + top + "\n");
        Lookaside l = Lookaside.forReference(c, DockerReference.parseNormalized(ref), Env.of(Map.of("HOME", "/h")), false);
        assertThat(l.signatureUrl(D, index).toString()).isEqualTo(want.replace("HEX", D.encoded()));
    }

    @Test
    void builtInDefaultDependsOnTheUser() throws Exception {
        DockerReference ref = DockerReference.parseNormalized("quay.io/a/b:c");
        Lookaside user = Lookaside.forReference(RegistriesD.empty(), ref, Env.of(Map.of("HOME", "/home/u")).withUid(1000),
                true);
        assertThat(user.signatureUrl(D, 0).getPath())
                .isEqualTo("/home/u/.local/share/containers/sigstore/a/b@sha256=" + D.encoded() + "/signature-1");
        Lookaside root = Lookaside.forReference(RegistriesD.empty(), ref, Env.of(Map.of("HOME", "/root")).withUid(0),
                true);
        assertThat(root.signatureUrl(D, 0).getPath())
                .isEqualTo("/var/lib/containers/sigstore/a/b@sha256=" + D.encoded() + "/signature-1");
        assertThat(root.scheme()).isEqualTo("file");
    }

    @Test
    void redactsPasswords() throws Exception {
        assertThat(Lookaside.redacted(java.net.URI.create("https://u:secret@h/x"))).isEqualTo("https://u:xxxxx@h/x");
    }

    @Test
    void invalidUrlIsReported() throws Exception {
        RegistriesD c = RegistriesD.parseFile("default-docker:\n  lookaside: \"http://[::1\"\n");
        assertThatThrownBy(() -> Lookaside.forReference(c, DockerReference.parseNormalized("a/b:c"), Env.of(Map.of()),
                false)).hasMessageStartingWith("Invalid signature storage URL http://[::1: ");
    }

    /** signature.FromBlob's acceptance, which lookaside reads apply. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "OK", value = {
        "89|OK",
        "c2|OK",
        "a3|OK",
        "|empty signature blob",
        "7b|unrecognized signature format, starting with binary 0x7b",
        "00616263|invalid signature format, missing newline",
        "0073696d706c652d7369676e696e670a89|OK",
        "00010a|invalid signature format, non-ASCII byte 0x1",
        "0078797a0a|unrecognized signature format \"xyz\"",
    })
    void blobChecks(String hex, String want) {
        byte[] blob = hex == null ? new byte[0] : java.util.HexFormat.of().parseHex(hex);
        assertThat(DockerSignatures.blobError(blob)).isEqualTo(want);
    }

    @Test
    void attachmentTag() {
        assertThat(DockerSignatures.attachmentTag(D)).isEqualTo("sha256-" + D.encoded() + ".sig");
    }
}
