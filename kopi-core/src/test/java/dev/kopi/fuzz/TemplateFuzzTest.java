package dev.kopi.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kopi.template.GoTemplate;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Go templates given to {@code --format}: parsed and run over data shaped like inspect's output. */
class TemplateFuzzTest {
    private static final Map<String, Object> DATA = Map.of("Name", "registry.example/app", "Tags", List.of("1.0", "2"),
            "Labels", Map.of("k", "v"), "Size", 42L, "Layers", List.of());

    @FuzzTest(maxDuration = "30s")
    void templates(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        Untrusted.parse(() -> GoTemplate.parse("fuzz", text).execute(DATA));
    }
}
