package dev.kopi.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kopi.config.RegistriesD;
import java.nio.charset.StandardCharsets;

/** registries.d YAML files (lookaside, use-sigstore-attachments). */
class RegistriesDFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void registriesD(byte[] input) {
        String yaml = new String(input, StandardCharsets.UTF_8);
        Untrusted.parse(() -> {
            RegistriesD d = RegistriesD.parseFile(yaml);
            d.lookasideTopLevel("registry.example/ns/app", java.util.List.of("registry.example/ns",
                    "registry.example"), false);
            d.useSigstoreAttachments("registry.example/ns/app", java.util.List.of("registry.example/ns"));
        });
    }
}
