package dev.kopi.transport.dir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.blob.BlobInfo;
import dev.kopi.copy.Copier;
import dev.kopi.copy.CopyOptions;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.signature.Signature;
import dev.kopi.testkit.DirImages;
import dev.kopi.testkit.FileTrees;
import dev.kopi.testkit.Skopeo;
import dev.kopi.testkit.TestImages;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.Transports;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirTransportTest {
    @TempDir
    Path tmp;

    private ImageContext ctx() {
        return ImageContext.builder().tmpDir(tmp).build();
    }

    private void copy(String src, String dest) throws Exception {
        Copier.copy(Transports.parseImageName(src), Transports.parseImageName(dest),
                new CopyOptions(ctx(), ctx(), null, null, false, false, null, null, 0, null, null));
    }

    @Test
    void refusesToOverwriteADirectoryThatIsNotAnImage() throws Exception {
        Path d = tmp.resolve("data");
        Files.createDirectories(d);
        Files.writeString(d.resolve("important.txt"), "keep me");
        Map<String, String> before = FileTrees.snapshot(d);
        assertThatThrownBy(() -> DirTransport.INSTANCE.parseReference(d.toString()).newImageDestination(ctx()))
                .isInstanceOf(ImageException.class)
                .hasMessage("not a containers image directory, don't want to overwrite important data");
        assertThat(FileTrees.snapshot(d)).isEqualTo(before);
        // a "version" file with other content is not an image either
        Files.writeString(d.resolve("version"), "Directory Transport Version: 1.0\n");
        assertThatThrownBy(() -> DirTransport.INSTANCE.parseReference(d.toString()).newImageDestination(ctx()))
                .isInstanceOf(ImageException.class);
    }

    @Test
    void aFileIsNotADirectory() throws Exception {
        Path f = tmp.resolve("afile");
        Files.writeString(f, "x");
        // containers/image: os.ReadDir fails ("readdirent PATH: not a directory"), skopeo prints just that
        assertThatThrownBy(() -> DirTransport.INSTANCE.parseReference(f.toString()).newImageDestination(ctx()))
                .isInstanceOf(ImageException.class)
                .hasMessage("readdirent " + f + ": not a directory");
        assertThat(Files.readString(f)).isEqualTo("x");
    }

    @Test
    void writesIntoAnEmptyDirectoryAndReplacesAnImageDirectoryAsSkopeoDoes() throws Exception {
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        TestImages.multiLayer(a, "t", 1);
        TestImages.multiLayer(b, "t", 2);
        Path ours = tmp.resolve("ours");
        Path theirs = tmp.resolve("theirs");
        Files.createDirectories(ours);
        copy("oci:" + a + ":t", "dir:" + ours);
        copy("oci:" + b + ":t", "dir:" + ours);
        if (Skopeo.installed()) {
            Files.createDirectories(theirs);
            Skopeo.copy("oci:" + a + ":t", "dir:" + theirs);
            Skopeo.copy("oci:" + b + ":t", "dir:" + theirs);
            assertThat(FileTrees.snapshot(ours)).isEqualTo(FileTrees.snapshot(theirs));
        }
        // only the second image is left
        Path only = tmp.resolve("only");
        copy("oci:" + b + ":t", "dir:" + only);
        assertThat(FileTrees.snapshot(ours)).isEqualTo(FileTrees.snapshot(only));
        assertThat(Files.readString(ours.resolve("version"))).isEqualTo("Directory Transport Version: 1.1\n");
    }

    @Test
    void closingWithoutCommitLeavesNothing() throws Exception {
        Path d = tmp.resolve("out").resolve("img");
        try (ImageDestination dest = DirTransport.INSTANCE.parseReference(d.toString()).newImageDestination(ctx())) {
            byte[] blob = "blob".getBytes(StandardCharsets.UTF_8);
            BlobInfo info = dest.putBlob(new ByteArrayInputStream(blob), new BlobInfo(Digest.sha256(blob), 4, null),
                    ImageDestination.PutBlobOptions.layer(0));
            assertThat(info.digest()).isEqualTo(Digest.sha256(blob));
            dest.putManifest("{}".getBytes(StandardCharsets.UTF_8), null, Optional.empty());
            assertThat(Files.exists(d)).isFalse();
        }
        assertThat(Files.exists(d)).isFalse();
        try (var s = Files.list(tmp.resolve("out"))) {
            assertThat(s.toList()).isEmpty();
        }
    }

    @Test
    void signaturesAreReadAndWrittenInSkopeosLayout() throws Exception {
        Path src = tmp.resolve("signed");
        DirImages.writeSchema2(src, "{\"architecture\":\"amd64\",\"os\":\"linux\"}".getBytes(StandardCharsets.UTF_8),
                List.of());
        Files.write(src.resolve("signature-1"), new byte[] {1, 2, 3});
        Files.write(src.resolve("signature-2"), new byte[] {4, 5});
        try (ImageSource s = DirTransport.INSTANCE.parseReference(src.toString()).newImageSource(ctx())) {
            assertThat(s.fetchSignatures(Optional.empty())).extracting(Signature::blob)
                    .containsExactly(new byte[] {1, 2, 3}, new byte[] {4, 5});
        }
        Path copy = tmp.resolve("copy");
        copy("dir:" + src, "dir:" + copy);
        assertThat(Files.readAllBytes(copy.resolve("signature-1"))).containsExactly(1, 2, 3);
        assertThat(Files.readAllBytes(copy.resolve("signature-2"))).containsExactly(4, 5);
        assertThat(Files.exists(copy.resolve("signature-3"))).isFalse();
        // OCI layouts cannot store signatures
        assertThatThrownBy(() -> copy("dir:" + src, "oci:" + tmp.resolve("oci") + ":x"))
                .isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.UNSUPPORTED));
        assertThat(Files.exists(tmp.resolve("oci/index.json"))).isFalse();
    }

    @Test
    void missingBlobIsAnIoErrorNamingTheFile() throws Exception {
        Path src = tmp.resolve("src");
        DirImages.writeSchema2(src, "{}".getBytes(StandardCharsets.UTF_8), List.of());
        Digest missing = Digest.sha256("nothing".getBytes(StandardCharsets.UTF_8));
        try (ImageSource s = DirTransport.INSTANCE.parseReference(src.toString()).newImageSource(ctx())) {
            assertThatThrownBy(() -> s.openBlob(new BlobInfo(missing, 7, null)))
                    .isInstanceOf(ImageException.class)
                    .hasMessage("open " + src.resolve(missing.encoded()) + ": no such file or directory")
                    .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.IO));
        }
    }
}
