package dev.kopi.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.Transports;
import java.nio.charset.StandardCharsets;

/** Image names and docker references, as typed by users and as found in manifests, archives and registries. */
class ReferenceFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void references(byte[] input) {
        String s = new String(input, StandardCharsets.UTF_8);
        Untrusted.parse(() -> DockerReference.parse(s));
        Untrusted.parse(() -> DockerReference.parseNormalized(s));
        Untrusted.parse(() -> DockerReference.parseNamed(s));
        Untrusted.parse(() -> Transports.parseImageName(s));
    }
}
