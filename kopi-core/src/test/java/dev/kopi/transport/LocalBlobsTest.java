package dev.kopi.transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.digest.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalBlobsTest {
    @TempDir
    Path tmp;

    @Test
    void placesARecordedBlobOfTheRightSizeOnly() throws Exception {
        byte[] data = "layer".getBytes(StandardCharsets.UTF_8);
        Digest d = Digest.sha256(data);
        Path first = tmp.resolve("img1/" + d.hex());
        Files.createDirectories(first.getParent());
        Files.write(first, data);
        LocalBlobs run = LocalBlobs.open();
        assertThat(run.placeAt(d, data.length, tmp.resolve("img0/" + d.hex()))).as("nothing recorded yet").isFalse();
        run.record(d, first);
        Path second = tmp.resolve("img2/" + d.hex());
        assertThat(run.placeAt(d, data.length + 1, second)).as("wrong size").isFalse();
        run.record(d, first);
        assertThat(run.placeAt(d, data.length, second)).isTrue();
        assertThat(Files.readAllBytes(second)).isEqualTo(data);
        assertThat(run.reused()).isEqualTo(1);
        Files.delete(first);
        assertThat(run.placeAt(d, -1, tmp.resolve("img3/" + d.hex()))).as("the file is gone").isFalse();
    }

    @Test
    void bindingIsPerThread() throws Exception {
        LocalBlobs run = LocalBlobs.open();
        assertThat(LocalBlobs.current()).isNull();
        try (AutoCloseable b = run.bind()) {
            assertThat(LocalBlobs.current()).isSameAs(run);
        }
        assertThat(LocalBlobs.current()).isNull();
    }
}
