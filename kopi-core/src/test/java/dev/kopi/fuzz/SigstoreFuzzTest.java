package dev.kopi.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.kopi.signature.Signature;
import dev.kopi.signature.sigstore.Sigstore;
import dev.kopi.signature.sigstore.SigstoreSignature;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;

/**
 * Sigstore material from registries and lookasides: signature blobs (c/image's sigstore-json form), cosign payloads
 * and public keys. A verification of fuzzed bytes must fail with kopi's error, never crash, never succeed.
 */
class SigstoreFuzzTest {
    private static final List<PublicKey> KEYS = keys();

    private static List<PublicKey> keys() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return List.of(g.generateKeyPair().getPublic());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30s")
    void sigstore(byte[] input) {
        Untrusted.parse(() -> Sigstore.parsePayload(input));
        Untrusted.parse(() -> SigstoreSignature.fromBlob(input));
        Untrusted.parse(() -> Sigstore.parsePublicKeys(input));
        try {
            Sigstore.verify(new Signature(input), KEYS);
            throw new AssertionError("fuzzed bytes verified as a signature by a fresh key");
        } catch (dev.kopi.error.ImageException expected) {
            // rejected, as it must be
        }
    }
}
