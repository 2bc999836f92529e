package dev.kopi.transport.ociarchive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.copy.Copier;
import dev.kopi.copy.CopyOptions;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.testkit.FileTrees;
import dev.kopi.testkit.Skopeo;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.Transports;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciArchiveTest {
    @TempDir
    Path tmp;

    private ImageContext ctx() {
        return ImageContext.builder().tmpDir(tmp.resolve("spool")).build();
    }

    private void copy(String src, String dest) throws Exception {
        Files.createDirectories(tmp.resolve("spool"));
        Copier.copy(Transports.parseImageName(src), Transports.parseImageName(dest),
                new CopyOptions(ctx(), ctx(), null, null, false, false, null, null, 0, null, null));
    }

    private static List<String> entries(Path tar) throws Exception {
        List<String> out = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(Files.newInputStream(tar))) {
            TarArchiveEntry e;
            while ((e = in.getNextEntry()) != null) {
                out.add(e.getName());
            }
        }
        return out;
    }

    @Test
    void ourArchiveHoldsTheLayoutAndSkopeoReadsIt() throws Exception {
        Path layout = tmp.resolve("layout");
        WrittenImage img = TestImages.multiLayer(layout, "t", 1);
        Path archive = tmp.resolve("a.tar");
        copy("oci:" + layout + ":t", "oci-archive:" + archive + ":t");
        List<String> names = entries(archive);
        assertThat(names).contains("oci-layout", "index.json", "blobs/", "blobs/sha256/",
                "blobs/sha256/" + img.manifestDigest().encoded(), "blobs/sha256/" + img.configDigest().encoded());
        // nothing left in the temp dir
        try (var s = Files.list(tmp.resolve("spool"))) {
            assertThat(s.toList()).isEmpty();
        }
        Path ours = tmp.resolve("ours");
        copy("oci-archive:" + archive + ":t", "dir:" + ours);
        assertThat(Files.readAllBytes(ours.resolve("manifest.json"))).isEqualTo(img.manifest());
        if (Skopeo.installed()) {
            Path theirs = tmp.resolve("theirs");
            Skopeo.copy("oci-archive:" + archive + ":t", "dir:" + theirs);
            assertThat(FileTrees.snapshot(ours)).isEqualTo(FileTrees.snapshot(theirs));
        }
    }

    @Test
    void weReadSkopeosArchives() throws Exception {
        Skopeo.assumeInstalled();
        Path layout = tmp.resolve("layout");
        WrittenImage img = TestImages.multiLayer(layout, "t", 2);
        Path archive = tmp.resolve("theirs.tar");
        Skopeo.copy("oci:" + layout + ":t", "oci-archive:" + archive + ":named");
        Path ours = tmp.resolve("ours");
        copy("oci-archive:" + archive + ":named", "dir:" + ours);
        assertThat(Files.readAllBytes(ours.resolve("manifest.json"))).isEqualTo(img.manifest());
        Path noName = tmp.resolve("noname");
        copy("oci-archive:" + archive, "dir:" + noName);
        assertThat(FileTrees.snapshot(noName)).isEqualTo(FileTrees.snapshot(ours));
    }

    @Test
    void writingReplacesTheArchiveWithJustTheNewImage() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        WrittenImage imgA = TestImages.multiLayer(a, "t", 3);
        WrittenImage imgB = TestImages.multiLayer(b, "t", 4);
        Path archive = tmp.resolve("x.tar");
        copy("oci:" + a + ":t", "oci-archive:" + archive + ":one");
        copy("oci:" + b + ":t", "oci-archive:" + archive + ":two");
        List<String> names = entries(archive);
        assertThat(names).contains("blobs/sha256/" + imgB.manifestDigest().encoded())
                .doesNotContain("blobs/sha256/" + imgA.manifestDigest().encoded());
        assertThatThrownBy(() -> copy("oci-archive:" + archive + ":one", "dir:" + tmp.resolve("d")))
                .isInstanceOf(ImageException.class).hasMessageContaining("no descriptor found for reference \"one\"");
    }

    @Test
    void missingArchive() {
        Path missing = tmp.resolve("missing.tar");
        // containers/image HEAD: "archive file not found"
        assertThatThrownBy(() -> copy("oci-archive:" + missing, "dir:" + tmp.resolve("d")))
                .isInstanceOf(ImageException.class)
                .hasMessage("initializing source oci-archive:" + missing + ":: creating temp directory: "
                        + "archive file not found: \"" + missing + "\"");
    }

    @Test
    void entriesEscapingTheLayoutAreRefused() throws Exception {
        Path evil = tmp.resolve("evil.tar");
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bo)) {
            byte[] c = "gotcha".getBytes(StandardCharsets.UTF_8);
            TarArchiveEntry e = new TarArchiveEntry("../escaped.txt");
            e.setSize(c.length);
            tar.putArchiveEntry(e);
            tar.write(c);
            tar.closeArchiveEntry();
        }
        Files.write(evil, bo.toByteArray());
        assertThatThrownBy(() -> copy("oci-archive:" + evil, "dir:" + tmp.resolve("d")))
                .isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT))
                .hasMessageContaining("points outside the archive");
        assertThat(Files.exists(tmp.resolve("escaped.txt"))).isFalse();
        assertThat(Files.exists(tmp.resolve("spool/escaped.txt"))).isFalse();
        try (var s = Files.list(tmp.resolve("spool"))) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void notATarFile() throws Exception {
        Path junk = tmp.resolve("junk.tar");
        Files.writeString(junk, "this is not a tar file at all, just some text that is long enough");
        assertThatThrownBy(() -> copy("oci-archive:" + junk, "dir:" + tmp.resolve("d")))
                .isInstanceOf(ImageException.class).hasMessageContaining("creating temp directory: untarring file");
        try (var s = Files.list(tmp.resolve("spool"))) {
            assertThat(s.toList()).isEmpty();
        }
    }
}
