package dev.kopi.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;

/** Every manifest kind (and unknown MIME types), as a registry or a layout hands them to kopi. */
class ManifestFuzzTest {
    private static final String[] TYPES = {MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX, MediaTypes.DOCKER_V2S2,
        MediaTypes.DOCKER_V2_LIST, MediaTypes.DOCKER_V2S1, MediaTypes.DOCKER_V2S1_SIGNED, "text/plain"};

    @FuzzTest(maxDuration = "30s")
    void manifests(byte[] bytes) {
        Untrusted.parse(() -> Manifests.parse(bytes, Manifests.guessMimeType(bytes)).toString());
        for (String type : TYPES) {
            Untrusted.parse(() -> Manifests.parse(bytes, type).toString());
        }
        Untrusted.parse(() -> Manifests.digest(bytes, DigestAlgorithm.SHA256));
    }
}
