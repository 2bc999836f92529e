package dev.kopi.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kopi.InspectOptions;
import dev.kopi.Kopi;

/** oci-archive tar files, read as inspect reads them (the whole reader path). */
class OciArchiveFuzzTest {
    @FuzzTest(maxDuration = "30s")
    void archives(byte[] tar) {
        try (Untrusted.Scratch s = Untrusted.file(tar, ".tar")) {
            Untrusted.parse(() -> Kopi.inspect("oci-archive:" + s.file(), InspectOptions.defaults()));
        }
    }
}
