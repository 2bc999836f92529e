package dev.kopi.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.DigestMismatchException;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VerifyingInputStreamTest {
    private static final byte[] DATA = "The quick brown fox jumps over the lazy dog\n".repeat(1000)
            .getBytes(StandardCharsets.UTF_8);
    private static final Digest DIGEST = Digest.sha256(DATA);

    /** Reads everything with the given chunk size (0 = byte by byte). */
    private static byte[] readAll(InputStream in, int chunk) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        if (chunk == 0) {
            int b;
            while ((b = in.read()) >= 0) {
                out.write(b);
            }
        } else {
            byte[] buf = new byte[chunk];
            int n;
            while ((n = in.read(buf, 0, buf.length)) >= 0) {
                out.write(buf, 0, n);
            }
        }
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 7, 4096, 1 << 20})
    void passesMatchingDataThrough(int chunk) throws IOException {
        VerifyingInputStream v = new VerifyingInputStream(new ByteArrayInputStream(DATA), DIGEST, DATA.length);
        assertThat(readAll(v, chunk)).isEqualTo(DATA);
        assertThat(v.verified()).isTrue();
        assertThat(v.count()).isEqualTo(DATA.length);
        assertThat(v.digest()).isEqualTo(DIGEST);
    }

    @Test
    void unknownSizeIsAccepted() throws IOException {
        VerifyingInputStream v = new VerifyingInputStream(new ByteArrayInputStream(DATA), DIGEST, -1);
        v.drain();
        assertThat(v.verified()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4096})
    void digestMismatchFailsTheReadThatHitsEof(int chunk) throws IOException {
        byte[] corrupt = DATA.clone();
        corrupt[corrupt.length / 2] ^= 1;
        VerifyingInputStream v = new VerifyingInputStream(new ByteArrayInputStream(corrupt), DIGEST, corrupt.length);
        // All the data comes through; only the final read fails.
        byte[] buf = new byte[corrupt.length];
        int off = 0;
        while (off < buf.length) {
            int n = chunk == 0 ? single(v, buf, off) : v.read(buf, off, Math.min(chunk, buf.length - off));
            assertThat(n).isPositive();
            off += n;
        }
        assertThat(buf).isEqualTo(corrupt);
        assertThat(v.verified()).isFalse();
        assertThatThrownBy(() -> {
            if (chunk == 0) {
                v.read();
            } else {
                v.read(new byte[10], 0, 10);
            }
        }).isInstanceOf(DigestMismatchException.class)
                .hasMessage("Digest did not match, expected " + DIGEST + ", got " + Digest.sha256(corrupt))
                .satisfies(e -> {
                    DigestMismatchException d = (DigestMismatchException) e;
                    assertThat(d.code()).isEqualTo(ErrorCode.DIGEST_MISMATCH);
                    assertThat(d.expected()).isEqualTo(DIGEST);
                    assertThat(d.actual()).isEqualTo(Digest.sha256(corrupt));
                });
        // Reading again keeps failing: the stream never reports a clean EOF.
        assertThatThrownBy(() -> v.read(new byte[10], 0, 10)).isInstanceOf(DigestMismatchException.class);
        assertThatThrownBy(v::drain).isInstanceOf(DigestMismatchException.class);
        assertThat(v.verified()).isFalse();
    }

    private static int single(InputStream in, byte[] buf, int off) throws IOException {
        int b = in.read();
        if (b < 0) {
            return -1;
        }
        buf[off] = (byte) b;
        return 1;
    }

    @Test
    void digestMismatchWithUnknownSize() {
        byte[] other = Arrays.copyOf(DATA, DATA.length - 1);
        VerifyingInputStream v = new VerifyingInputStream(new ByteArrayInputStream(other), DIGEST, -1);
        assertThatThrownBy(v::drain).isInstanceOf(DigestMismatchException.class);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4096})
    void tooLongFailsAsSoonAsTheExtraBytesArrive(int chunk) {
        byte[] longer = Arrays.copyOf(DATA, DATA.length + 100_000);
        VerifyingInputStream v = new VerifyingInputStream(new ByteArrayInputStream(longer), DIGEST, DATA.length);
        assertThatThrownBy(() -> readAll(v, chunk))
                .isInstanceOf(ImageException.class)
                .hasMessage("blob " + DIGEST + " is larger than its expected size " + DATA.length)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.SIZE_MISMATCH));
        // It fails before reading the whole oversized stream.
        assertThat(v.count()).isLessThan(longer.length);
        assertThat(v.verified()).isFalse();
    }

    @Test
    void tooLongEvenWithTheRightPrefixDigest() {
        // The first DATA.length bytes have the expected digest, but more data follows.
        byte[] longer = Arrays.copyOf(DATA, DATA.length + 1);
        VerifyingInputStream v = new VerifyingInputStream(new ByteArrayInputStream(longer), DIGEST, DATA.length);
        assertThatThrownBy(v::drain).isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.SIZE_MISMATCH));
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 4096})
    void tooShortFailsAtEof(int chunk) {
        byte[] shorter = Arrays.copyOf(DATA, DATA.length - 10);
        VerifyingInputStream v = new VerifyingInputStream(new ByteArrayInputStream(shorter), DIGEST, DATA.length);
        assertThatThrownBy(() -> readAll(v, chunk))
                .isInstanceOf(ImageException.class)
                .hasMessage("blob " + DIGEST + " size mismatch: expected " + DATA.length + " bytes, got "
                        + shorter.length)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.SIZE_MISMATCH));
    }

    @Test
    void wrongSizeWithTheRightDigestStillFails() {
        // The data is intact, but the descriptor claims another size: that must not pass either.
        VerifyingInputStream v = new VerifyingInputStream(new ByteArrayInputStream(DATA), DIGEST, DATA.length + 1);
        assertThatThrownBy(v::drain).isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.SIZE_MISMATCH));
    }

    @Test
    void skipIsDigestedToo() throws IOException {
        VerifyingInputStream v = new VerifyingInputStream(new ByteArrayInputStream(DATA), DIGEST, DATA.length);
        assertThat(v.skip(100)).isEqualTo(100);
        v.drain();
        assertThat(v.verified()).isTrue();

        byte[] corrupt = DATA.clone();
        corrupt[5] ^= 1;
        VerifyingInputStream c = new VerifyingInputStream(new ByteArrayInputStream(corrupt), DIGEST, DATA.length);
        // Skipping over the corrupt byte must not hide it.
        assertThatThrownBy(() -> {
            c.skip(100);
            c.drain();
        }).isInstanceOf(DigestMismatchException.class);
    }

    @Test
    void sha512DigestsAreVerifiedWithSha512() throws IOException {
        Digest d = Digest.compute(DigestAlgorithm.SHA512, DATA);
        VerifyingInputStream v = new VerifyingInputStream(new ByteArrayInputStream(DATA), d, DATA.length);
        v.drain();
        assertThat(v.verified()).isTrue();
        assertThat(v.digest()).isEqualTo(d);
    }

    @Test
    void emptyStream() throws IOException {
        Digest empty = Digest.sha256(new byte[0]);
        VerifyingInputStream v = new VerifyingInputStream(InputStream.nullInputStream(), empty, 0);
        assertThat(v.read()).isEqualTo(-1);
        assertThat(v.verified()).isTrue();
    }
}
