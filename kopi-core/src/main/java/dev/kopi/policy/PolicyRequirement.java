package dev.kopi.policy;

import java.util.List;

/**
 * One requirement of policy.json (containers/image's {@code PolicyRequirement}); an image is allowed when every
 * requirement of its scope allows it.
 */
public sealed interface PolicyRequirement {
    /** The JSON {@code type}. */
    String type();

    /** Whether this requirement verifies signatures (for {@code --require-signed}). */
    default boolean verifiesSignatures() {
        return false;
    }

    /** {@code insecureAcceptAnything}. */
    record InsecureAcceptAnything() implements PolicyRequirement {
        public String type() {
            return "insecureAcceptAnything";
        }
    }

    /** {@code reject}. */
    record Reject() implements PolicyRequirement {
        public String type() {
            return "reject";
        }
    }

    /**
     * {@code signedBy}: a simple-signing (GPG) signature by one of the keys. Exactly one of the key sources is set.
     *
     * @param keyType {@code GPGKeys} (the only one implemented, as in containers/image), {@code signedByGPGKeys},
     *     {@code X509Certificates} or {@code signedByX509CAs}
     * @param keyPath a file of keys, or null
     * @param keyPaths files of keys, or null
     * @param keyData the keys themselves, or null
     */
    record SignedBy(String keyType, String keyPath, List<String> keyPaths, byte[] keyData,
            ReferenceMatch signedIdentity) implements PolicyRequirement {
        public String type() {
            return "signedBy";
        }

        @Override
        public boolean verifiesSignatures() {
            return true;
        }
    }

    /** {@code signedBaseLayer}: parsed, and (as in containers/image) never allows an image. */
    record SignedBaseLayer(ReferenceMatch baseLayerIdentity) implements PolicyRequirement {
        public String type() {
            return "signedBaseLayer";
        }
    }

    /**
     * {@code sigstoreSigned}: a sigstore signature by one of the public keys. Fulcio, Rekor and PKI roots are
     * parsed but not verified by kopi (such a requirement rejects every image, with a message that says so).
     */
    record SigstoreSigned(String keyPath, List<String> keyPaths, byte[] keyData, List<byte[]> keyDatas,
            boolean fulcio, boolean rekor, boolean pki, ReferenceMatch signedIdentity) implements PolicyRequirement {
        public String type() {
            return "sigstoreSigned";
        }

        @Override
        public boolean verifiesSignatures() {
            return true;
        }
    }
}
