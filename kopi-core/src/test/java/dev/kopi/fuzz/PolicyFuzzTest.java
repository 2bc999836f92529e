package dev.kopi.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kopi.policy.PolicyContext;

/** policy.json: a syntax or schema error must be an error, never an accept and never a crash. */
class PolicyFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void policies(byte[] bytes) {
        try (Untrusted.Scratch s = Untrusted.file(bytes, ".json")) {
            Untrusted.parse(() -> PolicyContext.load(s.file()));
        }
    }
}
