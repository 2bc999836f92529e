package dev.kopi.copy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.luben.zstd.ZstdOutputStream;
import dev.kopi.digest.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(60)
class DiffIdTeeTest {
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private static byte[] data(int size) {
        byte[] b = new byte[size];
        new SplittableRandom(size).nextBytes(b);
        for (int i = 0; i < size; i += 3) {
            b[i] = 'x'; // compressible, so the compressed stream is much shorter than the plain one
        }
        return b;
    }

    private static byte[] compress(byte[] plain, String how) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        OutputStream out = switch (how) {
            case "gzip" -> new GZIPOutputStream(bos);
            case "zstd" -> new ZstdOutputStream(bos);
            default -> bos;
        };
        out.write(plain);
        out.close();
        return bos.toByteArray();
    }

    /** Reads like a destination does: odd chunk sizes, some single bytes. */
    private static void readAll(InputStream in) throws IOException {
        byte[] buf = new byte[7777];
        int round = 0;
        while (true) {
            int n = round++ % 5 == 0 ? (in.read() < 0 ? -1 : 1) : in.read(buf, 0, 1 + round % buf.length);
            if (n < 0) {
                return;
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "zstd"})
    void digestsTheUncompressedContent(String compression) throws IOException {
        byte[] plain = data(3 * 1024 * 1024 + 17);
        byte[] blob = compress(plain, compression);
        DiffIdTee tee = new DiffIdTee(new ByteArrayInputStream(blob), pool);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();
        tee.transferTo(copy);
        assertThat(copy.toByteArray()).as("the stream itself is passed through unchanged").isEqualTo(blob);
        assertThat(tee.diffId()).isEqualTo(Digest.sha256(plain));
    }

    @Test
    void oddReadsAndEmptyStreams() throws IOException {
        byte[] plain = data(200_000);
        DiffIdTee tee = new DiffIdTee(new ByteArrayInputStream(compress(plain, "gzip")), pool);
        readAll(tee);
        assertThat(tee.diffId()).isEqualTo(Digest.sha256(plain));
        DiffIdTee empty = new DiffIdTee(new ByteArrayInputStream(new byte[0]), pool);
        readAll(empty);
        assertThat(empty.diffId()).isEqualTo(Digest.sha256(new byte[0]));
    }

    @Test
    void trailingBytesAfterTheGzipStreamDoNotBlockTheCopy() throws IOException {
        byte[] plain = data(100_000);
        byte[] gz = compress(plain, "gzip");
        byte[] blob = java.util.Arrays.copyOf(gz, gz.length + 2_000_000); // zeros after the gzip member
        DiffIdTee tee = new DiffIdTee(new ByteArrayInputStream(blob), pool);
        assertThat(tee.transferTo(OutputStream.nullOutputStream())).isEqualTo(blob.length);
        assertThat(tee.diffId()).isEqualTo(Digest.sha256(plain));
    }

    @Test
    void corruptCompressedDataFailsTheDiffIdNotTheCopy() throws IOException {
        byte[] gz = compress(data(100_000), "gzip");
        gz[gz.length / 2] ^= 0x55;
        gz[gz.length / 2 + 1] ^= 0x55;
        DiffIdTee tee = new DiffIdTee(new ByteArrayInputStream(gz), pool);
        tee.transferTo(OutputStream.nullOutputStream());
        assertThatThrownBy(tee::diffId).isInstanceOf(IOException.class).hasMessageStartingWith("computing layer DiffID: ");
    }

    @Test
    void needsTheWholeStreamAndCanBeAborted() throws IOException {
        byte[] blob = compress(data(5_000_000), "gzip");
        DiffIdTee tee = new DiffIdTee(new ByteArrayInputStream(blob), pool);
        tee.readNBytes(1000);
        assertThatThrownBy(tee::diffId).isInstanceOf(IllegalStateException.class);
        tee.abort();
        // After an abort, reading on never blocks on the stopped digest task.
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> tee.transferTo(OutputStream.nullOutputStream()));
        assertThatThrownBy(tee::diffId).isInstanceOf(IOException.class);
    }
}
