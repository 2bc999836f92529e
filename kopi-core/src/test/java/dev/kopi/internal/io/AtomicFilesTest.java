package dev.kopi.internal.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.digest.VerifyingInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link AtomicFiles#storeBlob}, the putBlob of the dir: and oci: destinations. */
class AtomicFilesTest {
    private static final byte[] DATA = "hello blob".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path tmp;

    private Path pathFor(Digest d) {
        return tmp.resolve("blobs").resolve(d.algorithm().prefix()).resolve(d.encoded());
    }

    private long tempFiles() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".tmp")).count();
        }
    }

    @Test
    void unknownDigestIsComputedAsSha256AndTheFileCreatedOnce() throws IOException {
        Digest want = Digest.sha256(DATA);
        BlobInfo unknown = new BlobInfo(null, -1, null);
        AtomicFiles.StoredBlob first = AtomicFiles.storeBlob(new ByteArrayInputStream(DATA), unknown, tmp,
                this::pathFor);
        assertThat(first.info().digest()).isEqualTo(want);
        assertThat(first.info().size()).isEqualTo(DATA.length);
        assertThat(first.created()).isEqualTo(pathFor(want));
        assertThat(Files.readAllBytes(pathFor(want))).isEqualTo(DATA);

        AtomicFiles.StoredBlob again = AtomicFiles.storeBlob(new ByteArrayInputStream(DATA), unknown, tmp,
                this::pathFor);
        assertThat(again.info()).isEqualTo(first.info());
        assertThat(again.created()).isNull();
        assertThat(tempFiles()).isZero();
    }

    @Test
    void knownDigestKeepsItsAlgorithmAndAMismatchStoresNothing() throws IOException {
        Digest sha512 = Digest.compute(DigestAlgorithm.SHA512, DATA);
        BlobInfo info = new BlobInfo(sha512, -1, null);
        AtomicFiles.StoredBlob stored = AtomicFiles.storeBlob(
                new VerifyingInputStream(new ByteArrayInputStream(DATA), sha512, -1), info, tmp, this::pathFor);
        assertThat(stored.info().digest()).isEqualTo(sha512);
        assertThat(stored.created()).isEqualTo(pathFor(sha512));

        Digest wrong = Digest.sha256("other".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> AtomicFiles.storeBlob(
                new VerifyingInputStream(new ByteArrayInputStream(DATA), wrong, -1), new BlobInfo(wrong, -1, null), tmp,
                this::pathFor)).isInstanceOf(IOException.class);
        assertThat(pathFor(wrong)).doesNotExist();
        assertThat(tempFiles()).isZero();
    }
}
