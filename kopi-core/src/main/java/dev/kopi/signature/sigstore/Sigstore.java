package dev.kopi.signature.sigstore;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.signature.Signature;
import java.security.PublicKey;
import java.util.List;

/**
 * Sigstore (cosign) signatures: the verification entry point the policy's {@code sigstoreSigned} requirement uses.
 * (Skeleton: the implementation lands with the sigstore work.)
 */
public final class Sigstore {
    private Sigstore() {
    }

    /** What a verified sigstore signature claims: the payload's docker-reference and docker-manifest-digest. */
    public record Payload(String dockerReference, Digest dockerManifestDigest) {
    }

    /**
     * Parses the public keys in {@code pem} (one or more PEM blocks, cosign's {@code PUBLIC KEY}).
     *
     * @throws ImageException INVALID_INPUT when there is no usable key
     */
    public static List<PublicKey> parsePublicKeys(byte[] pem) throws ImageException {
        throw new UnsupportedOperationException("sigstore keys are not implemented yet");
    }

    /**
     * Verifies {@code signature} (containers/image's sigstore blob: NUL, {@code sigstore-json}, newline, JSON) with
     * any of {@code keys} and returns its payload; the caller matches the digest and identity.
     *
     * @throws ImageException POLICY_REJECTED when no key verifies it, INVALID_INPUT when it is not a sigstore blob
     */
    public static Payload verify(Signature signature, List<PublicKey> keys) throws ImageException {
        throw new UnsupportedOperationException("sigstore verification is not implemented yet");
    }
}
