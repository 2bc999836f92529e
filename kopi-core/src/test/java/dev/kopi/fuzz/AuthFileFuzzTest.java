package dev.kopi.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kopi.config.AuthFile;
import java.nio.file.Path;

/** auth.json, docker config.json and the legacy ~/.dockercfg. */
class AuthFileFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void authFiles(byte[] bytes) {
        Untrusted.parse(() -> AuthFile.parse(bytes, Path.of("/fuzz/auth.json"), false));
        Untrusted.parse(() -> AuthFile.parse(bytes, Path.of("/fuzz/.dockercfg"), true));
    }
}
