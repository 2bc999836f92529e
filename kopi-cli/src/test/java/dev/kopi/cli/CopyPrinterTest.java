package dev.kopi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CopyPrinterTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void barLooksLikeContainersImage() {
        CopyPrinter.Bar b = new CopyPrinter.Bar("Copying blob ef4065a25559", 120L << 20);
        b.done = 46L << 20;
        String line = CopyPrinter.render(b, b.start + 2 * SECOND);
        assertThat(line).isEqualTo("Copying blob ef4065a25559 [==============>-----------------------] 46.0MiB / "
                + "120.0MiB | 23.0 MiB/s | ETA 4s");
        assertThat(line.substring(line.indexOf('['), line.indexOf(']') + 1)).hasSize(CopyPrinter.BAR_WIDTH);
    }

    @Test
    void finishedAndUnknownSizeBars() {
        CopyPrinter.Bar done = new CopyPrinter.Bar("Copying config 3e0e0b8471", 900);
        done.finalLabel = "done";
        assertThat(CopyPrinter.render(done, done.start + SECOND)).isEqualTo("Copying config 3e0e0b8471 done");
        CopyPrinter.Bar unknown = new CopyPrinter.Bar("Copying blob 0123456789ab", -1);
        unknown.done = 1536;
        assertThat(CopyPrinter.render(unknown, unknown.start + SECOND)).isEqualTo(
                "Copying blob 0123456789ab 1.5KiB | 1.5 KiB/s");
    }

    @Test
    void durationsAsGoPrintsThem() {
        assertThat(CopyPrinter.duration(4)).isEqualTo("4s");
        assertThat(CopyPrinter.duration(125)).isEqualTo("2m5s");
        assertThat(CopyPrinter.duration(3603)).isEqualTo("1h0m3s");
    }

    @Test
    void plainLinesWithoutATerminal() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CopyPrinter p = new CopyPrinter(new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        Digest d = Digest.parse("sha256:" + "ab".repeat(32));
        BlobInfo info = new BlobInfo(d, 10, null);
        p.gettingSignatures();
        p.blobStarted(info, false);
        p.blobProgress(info, 5);
        p.blobDone(info, false);
        p.writingManifest();
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo("Getting image source signatures\n"
                + "Copying blob sha256:" + "ab".repeat(32) + "\nWriting manifest to image destination\n");
    }
}
