package dev.kopi.transport.sif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.Transports;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SifTransportTest {
    @TempDir
    Path tmp;

    @Test
    void registeredAsSif() throws Exception {
        assertThat(Transports.get("sif")).isSameAs(SifTransport.INSTANCE);
        ImageReference r = Transports.parseImageName("sif:" + tmp.resolve("x.sif"));
        assertThat(r).isInstanceOf(SifReference.class);
        assertThat(r.imageName()).isEqualTo("sif:" + tmp.resolve("x.sif"));
        assertThat(r.dockerReference()).isEmpty();
    }

    @Test
    void identityIsTheResolvedPathAndNamespacesItsParents() throws Exception {
        Path real = Files.createDirectories(tmp.resolve("real/dir"));
        Files.createSymbolicLink(tmp.resolve("link"), tmp.resolve("real"));
        Path realTmp = tmp.toRealPath();
        SifReference r = (SifReference) SifTransport.INSTANCE.parseReference(tmp.resolve("link/dir/img.sif")
                .toString());
        assertThat(r.stringWithinTransport()).isEqualTo(tmp.resolve("link/dir/img.sif").toString());
        assertThat(r.policyConfigurationIdentity()).isEqualTo(realTmp.resolve("real/dir/img.sif").toString());
        List<String> ns = r.policyConfigurationNamespaces();
        assertThat(ns.get(0)).isEqualTo(real.toRealPath().toString());
        assertThat(ns.get(1)).isEqualTo(realTmp.resolve("real").toString());
        assertThat(ns).doesNotContain("/", r.policyConfigurationIdentity());
        assertThat(ns.get(ns.size() - 1)).matches("/[^/]+");
        assertThat(SifTransport.INSTANCE.parseReference(r.stringWithinTransport())).isEqualTo(r);
    }

    @Test
    void namespacesOfAShortPath() {
        assertThat(new SifReference("/a/b/c.sif", Path.of("/a/b/c.sif")).policyConfigurationNamespaces())
                .containsExactly("/a/b", "/a");
        assertThat(new SifReference("/c.sif", Path.of("/c.sif")).policyConfigurationNamespaces()).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "relative/x.sif|Invalid scope relative/x.sif: Must be an absolute path",
        "/|Invalid scope \"/\": Use the generic default scope \"\"",
        "/a/../b.sif|Invalid scope /a/../b.sif: Uses non-canonical format, perhaps try /b.sif",
        "/a//b|Invalid scope /a//b: Uses non-canonical format, perhaps try /a/b",
        "/a/b/|Invalid scope /a/b/: Uses non-canonical format, perhaps try /a/b"})
    void invalidScopes(String scope, String message) {
        assertThatThrownBy(() -> SifTransport.INSTANCE.validatePolicyConfigurationScope(scope)).hasMessage(message);
    }

    @Test
    void validScopes() {
        assertThatCode(() -> SifTransport.INSTANCE.validatePolicyConfigurationScope("/a/b.sif"))
                .doesNotThrowAnyException();
        assertThatCode(() -> SifTransport.INSTANCE.validatePolicyConfigurationScope("/a")).doesNotThrowAnyException();
    }

    @Test
    void readOnly() throws Exception {
        ImageReference r = SifTransport.INSTANCE.parseReference(tmp.resolve("x.sif").toString());
        assertThatThrownBy(() -> r.newImageDestination(ImageContext.defaults()))
                .hasMessage("\"sif:\" locations can only be read from, not written to")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED));
        assertThatThrownBy(() -> r.deleteImage(ImageContext.defaults()))
                .hasMessage("Deleting images not implemented for sif: images");
    }

    @Test
    void missingFileFailsToOpenWithoutTempDirs() throws Exception {
        Path work = Files.createDirectories(tmp.resolve("work"));
        ImageReference r = SifTransport.INSTANCE.parseReference("no-such-file.sif");
        assertThatThrownBy(() -> r.newImageSource(ImageContext.builder().tmpDir(work).build()))
                .hasMessage("loading SIF file: open no-such-file.sif: no such file or directory");
        try (var s = Files.list(work)) {
            assertThat(s).isEmpty();
        }
    }
}
