package dev.kopi.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kopi.config.RegistriesConfParser;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** registries.conf (TOML, v1 and v2). */
class RegistriesConfFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void registriesConf(byte[] input) {
        String toml = new String(input, StandardCharsets.UTF_8);
        Path origin = Path.of("/fuzz/registries.conf");
        Untrusted.parse(() -> RegistriesConfParser.parse(new StringReader(toml), origin, false));
        Untrusted.parse(() -> RegistriesConfParser.parse(new StringReader(toml), origin, true));
    }
}
