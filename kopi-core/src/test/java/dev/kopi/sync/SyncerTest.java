package dev.kopi.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ImageException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SyncerTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "docker | docker | ",
        " | docker | A source transport must be specified",
        "docker-archive | docker | \"docker-archive\" is not a valid source transport",
        "docker | | A destination transport must be specified",
        "docker | yaml | \"yaml\" is not a valid destination transport",
        "dir | dir | sync from 'dir' to 'dir' not implemented, consider using rsync instead",
    })
    void transportChecksUseSkopeosTexts(String src, String dest, String error) {
        if (error == null) {
            org.assertj.core.api.Assertions.assertThatCode(() -> Syncer.checkTransports(src, dest))
                    .doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> Syncer.checkTransports(src, dest)).isInstanceOf(ImageException.class)
                    .hasMessage(error);
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "a/b/c:tag | c:tag", "c | c", "a/b/ | b", "'' | .", "/ | /", "x@sha256:00 | x@sha256:00",
    })
    void goBase(String in, String out) {
        assertThat(Syncer.goBase(in)).isEqualTo(out);
    }

    @Test
    void dirDestinationIsCreatedAndAnExistingOneRefused() throws ImageException {
        Path d = tmp.resolve("a/b:1");
        assertThat(Syncer.destinationReference(d.toString(), "dir").imageName()).isEqualTo("dir:" + d);
        assertThat(Files.isDirectory(d)).isTrue();
        assertThatThrownBy(() -> Syncer.destinationReference(d.toString(), "dir"))
                .hasMessage("Refusing to overwrite destination directory \"" + d + "\"");
    }

    @Test
    void dockerDestinationNamesAreParsedAsSkopeoDoes() throws ImageException {
        assertThat(Syncer.destinationReference("reg.example.com/mirror/app:1", "docker").imageName())
                .isEqualTo("docker://reg.example.com/mirror/app:1");
        assertThatThrownBy(() -> Syncer.destinationReference("reg:5000/m/reg2:5000/ns/app:1", "docker"))
                .hasMessage("Cannot obtain a valid image reference for transport \"docker\" and reference"
                        + " \"//reg:5000/m/reg2:5000/ns/app:1\": invalid reference format");
    }

    @Test
    void incrementalUsesAnExistingDirectoryButNeverAFile() throws Exception {
        Path d = tmp.resolve("a/b:1");
        Files.createDirectories(d);
        assertThat(Syncer.destinationReference(d.toString(), "dir", true).imageName()).isEqualTo("dir:" + d);
        Path f = tmp.resolve("file:1");
        Files.writeString(f, "x");
        assertThatThrownBy(() -> Syncer.destinationReference(f.toString(), "dir", true))
                .hasMessage("Refusing to overwrite destination directory \"" + f + "\"");
    }

    @Test
    void dirManifestDigestIsTheDigestOfManifestJson() throws Exception {
        Path d = tmp.resolve("img");
        Files.createDirectories(d);
        assertThat(Syncer.dirManifestDigest(d)).isEmpty();
        byte[] m = "{\"schemaVersion\":2}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(d.resolve("manifest.json"), m);
        assertThat(Syncer.dirManifestDigest(d)).contains(dev.kopi.digest.Digest.sha256(m));
    }
}
