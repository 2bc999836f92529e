package dev.kopi.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.error.ImageException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Unit tests of the Docker → OCI config mapping; ImageConfigsSkopeoTest compares it with skopeo's output. */
class ImageConfigsTest {
    private static String convert(String config) throws ImageException {
        return new String(ImageConfigs.toOciConfigBytes(config.getBytes(StandardCharsets.UTF_8)),
                StandardCharsets.UTF_8);
    }

    @Test
    void mapKeysAreSortedAsGoSortsThem() throws ImageException {
        // Go sorts map keys by UTF-8 bytes: U+FF21 < U+FFFD < U+1F600
        String out = convert("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
                + "\"ExposedPorts\":{\"\ud83d\ude00\":{},\"\ufffd\":{},\"\uff21\":{}},"
                + "\"Labels\":{\"\ud83d\ude00\":\"1\",\"\ufffd\":\"2\",\"\uff21\":\"3\"}}}");
        assertThat(out).isEqualTo("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{"
                + "\"ExposedPorts\":{\"\uff21\":{},\"\ufffd\":{},\"\ud83d\ude00\":{}},"
                + "\"Labels\":{\"\uff21\":\"3\",\"\ufffd\":\"2\",\"\ud83d\ude00\":\"1\"}},"
                + "\"rootfs\":{\"type\":\"\",\"diff_ids\":null}}");
    }
}
