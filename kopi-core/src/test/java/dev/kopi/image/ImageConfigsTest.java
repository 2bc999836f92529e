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

    @Test
    void fieldOrderOfImageSpec111() throws ImageException {
        // image-spec v1.1.1 (containers/image HEAD): created, author, then the embedded Platform (architecture, os,
        // os.version, os.features, variant), config (ArgsEscaped kept), rootfs, history.
        String out = convert("{\"variant\":\"v8\",\"os.features\":[\"win32k\"],\"os.version\":\"10.0\","
                + "\"os\":\"windows\",\"architecture\":\"arm64\",\"author\":\"me\","
                + "\"created\":\"2020-01-01T00:00:00Z\",\"history\":[{\"empty_layer\":true,\"comment\":\"c\","
                + "\"author\":\"a\",\"created_by\":\"b\",\"created\":\"2020-01-01T00:00:00Z\"}],"
                + "\"rootfs\":{\"diff_ids\":[],\"type\":\"layers\"},"
                + "\"config\":{\"ArgsEscaped\":true,\"StopSignal\":\"s\",\"Labels\":{\"l\":\"v\"},"
                + "\"WorkingDir\":\"/w\",\"Volumes\":{\"/v\":{}},\"Cmd\":[\"c\"],\"Entrypoint\":[\"e\"],"
                + "\"Env\":[\"E=1\"],\"ExposedPorts\":{\"1/tcp\":{}},\"User\":\"u\"}}");
        assertThat(out).isEqualTo("{\"created\":\"2020-01-01T00:00:00Z\",\"author\":\"me\","
                + "\"architecture\":\"arm64\",\"os\":\"windows\",\"os.version\":\"10.0\","
                + "\"os.features\":[\"win32k\"],\"variant\":\"v8\","
                + "\"config\":{\"User\":\"u\",\"ExposedPorts\":{\"1/tcp\":{}},\"Env\":[\"E=1\"],"
                + "\"Entrypoint\":[\"e\"],\"Cmd\":[\"c\"],\"Volumes\":{\"/v\":{}},\"WorkingDir\":\"/w\","
                + "\"Labels\":{\"l\":\"v\"},\"StopSignal\":\"s\",\"ArgsEscaped\":true},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                + "\"history\":[{\"created\":\"2020-01-01T00:00:00Z\",\"created_by\":\"b\",\"author\":\"a\","
                + "\"comment\":\"c\",\"empty_layer\":true}]}");
    }

    @Test
    void falseAndEmptyValuesAreOmitted() throws ImageException {
        String out = convert("{\"architecture\":\"\",\"os\":\"\",\"author\":\"\",\"variant\":\"\","
                + "\"created\":null,\"config\":{\"ArgsEscaped\":false,\"User\":\"\",\"Cmd\":null,\"Env\":[]},"
                + "\"history\":[{\"empty_layer\":false}]}");
        assertThat(out).isEqualTo("{\"architecture\":\"\",\"os\":\"\",\"config\":{},"
                + "\"rootfs\":{\"type\":\"\",\"diff_ids\":null},\"history\":[{}]}");
    }

    @Test
    void convertedConfigIsStableUnderASecondConversion() throws ImageException {
        String once = convert("{\"architecture\":\"amd64\",\"os\":\"linux\",\"created\":\"2020-01-01T00:00:00.10Z\","
                + "\"config\":{\"Labels\":{\"b\":\"1\",\"a\":\"<\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        assertThat(convert(once)).isEqualTo(once);
        assertThat(once).contains("\"created\":\"2020-01-01T00:00:00.1Z\"").contains("\"a\":\"\\u003c\"");
    }
}
