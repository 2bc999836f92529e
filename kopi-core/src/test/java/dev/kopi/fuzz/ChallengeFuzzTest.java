package dev.kopi.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kopi.transport.docker.auth.Challenge;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code WWW-Authenticate} headers from a registry (any server the user names); one header per line. */
class ChallengeFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void challenges(byte[] input) {
        List<String> headers = new String(input, StandardCharsets.ISO_8859_1).lines().toList();
        Untrusted.parse(() -> {
            for (Challenge c : Challenge.parseAll(headers)) {
                c.parameter("realm");
                c.scheme();
            }
        });
    }
}
