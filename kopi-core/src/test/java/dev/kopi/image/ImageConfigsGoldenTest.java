package dev.kopi.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Docker → OCI config conversion against golden files written by skopeo 1.9.3 (see the README beside them). */
class ImageConfigsGoldenTest {
    private static byte[] resource(String name) throws Exception {
        try (InputStream in = ImageConfigsGoldenTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"rich", "minimal", "mixedcase"})
    void convertsAsSkopeoDid(String name) throws Exception {
        byte[] in = resource("schema2-" + name + ".config.json");
        byte[] expected = resource("schema2-" + name + "-to-oci.config.json");
        assertThat(new String(ImageConfigs.toOciConfigBytes(in), StandardCharsets.UTF_8))
                .isEqualTo(new String(expected, StandardCharsets.UTF_8));
    }
}
