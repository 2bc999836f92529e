package dev.kopi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code --progress-interval} lines and progress moving to stderr for a stdout destination (beyond skopeo). */
class ProgressIntervalTest {
    private static final Digest A = Digest.sha256("a".getBytes(StandardCharsets.UTF_8));
    private static final Digest B = Digest.sha256("b".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path tmp;

    @Test
    void eachTickPrintsTheBlobsStillBeingCopied() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CopyPrinter p = new CopyPrinter(new PrintStream(buf, true, StandardCharsets.UTF_8), false, Duration.ofHours(1));
        BlobInfo a = new BlobInfo(A, 4L << 20, null);
        BlobInfo b = new BlobInfo(B, -1, null);
        p.blobStarted(a, false);
        p.blobStarted(b, false);
        p.blobProgress(a, 1536L * 1024);
        p.blobProgress(b, 2048);
        p.tick();
        p.blobDone(a, false);
        p.tick();
        p.copyDone(null);
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo(
                "Copying blob " + A + "\n"
                + "Copying blob " + B + "\n"
                + "Copying blob " + A.encoded().substring(0, 12) + " 1.5 MiB / 4.0 MiB (37%)\n"
                + "Copying blob " + B.encoded().substring(0, 12) + " 2.0 KiB\n"
                + "Copying blob " + B.encoded().substring(0, 12) + " 2.0 KiB\n");
    }

    @Test
    void withoutAnIntervalTheOutputIsSkopeos() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CopyPrinter p = new CopyPrinter(new PrintStream(buf, true, StandardCharsets.UTF_8), false, null);
        BlobInfo a = new BlobInfo(A, 10, null);
        p.blobStarted(a, false);
        p.blobProgress(a, 5);
        p.tick();
        p.blobDone(a, false);
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo("Copying blob " + A + "\n");
    }

    @Test
    void theTickerPrintsOnItsOwn() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CopyPrinter p = new CopyPrinter(new PrintStream(buf, true, StandardCharsets.UTF_8), false,
                Duration.ofMillis(20));
        p.blobStarted(new BlobInfo(A, 10, null), false);
        long deadline = System.nanoTime() + 5_000_000_000L;
        while (!buf.toString(StandardCharsets.UTF_8).contains("(0%)") && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        p.copyDone(null);
        assertThat(buf.toString(StandardCharsets.UTF_8)).contains(A.encoded().substring(0, 12) + " 0.0 B / 10.0 B (0%)");
    }

    @ParameterizedTest
    @CsvSource({
        "docker-archive:/dev/stdout, true",
        "docker-archive:/dev/stdout:app:1, true",
        "oci-archive:/dev/fd/1:tag, true",
        "oci-archive:/proc/self/fd/1, true",
        "docker-archive:/tmp/x.tar, false",
        "dir:/dev/stdout, false",
        "docker://dev/stdout, false",
    })
    void stdoutDestinations(String name, boolean stdout) {
        assertThat(StdoutDestination.writesToStdout(name)).isEqualTo(stdout);
    }

    @Test
    void anOrdinaryExistingFileIsNotStdout() throws Exception {
        Path f = Files.writeString(tmp.resolve("a.tar"), "x");
        assertThat(StdoutDestination.writesToStdout("docker-archive:" + f)).isFalse();
    }
}
