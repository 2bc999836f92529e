package dev.kopi.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kopi.image.ImageConfigs;

/** Image configs (Docker and OCI), converted to OCI form as inspect and format conversion do. */
class ImageConfigFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void configs(byte[] bytes) {
        Untrusted.parse(() -> ImageConfigs.toOciStruct(ImageConfigs.toOciGo(bytes)));
        Untrusted.parse(() -> ImageConfigs.toOciConfigBytes(bytes));
    }
}
