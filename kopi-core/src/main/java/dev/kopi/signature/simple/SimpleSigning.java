package dev.kopi.signature.simple;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.manifest.Manifests;
import dev.kopi.reference.DockerReference;
import java.time.Instant;
import java.util.List;

/**
 * containers/image's simple signing: a GPG signature over {@link SimpleSigningPayload}, stored as the raw OpenPGP
 * bytes. Signing goes through the user's {@code gpg} ({@link Gpg}); verification is done here with Bouncy Castle
 * ({@link OpenPgp}), with the error texts of containers/image.
 */
public final class SimpleSigning {
    private SimpleSigning() {
    }

    /** A verified signature: what it signs and which key (the primary key's fingerprint) made it. */
    public record Verified(String dockerReference, Digest manifestDigest, String keyFingerprint) {
    }

    /** What a signature claims, read WITHOUT verifying it ({@code untrusted-signature-dump-without-verification}). */
    public record UntrustedInfo(Digest untrustedDockerManifestDigest, String untrustedDockerReference,
            String untrustedCreatorId, Instant untrustedTimestamp, String untrustedShortKeyIdentifier) {
    }

    /** The creator kopi writes in {@code optional.creator}. */
    static String version() {
        String v = SimpleSigning.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0";
    }

    /**
     * Signs {@code manifest} as {@code dockerReference} with the secret key {@code keyIdentity} of the user's
     * GnuPG (containers/image's {@code SignDockerManifestWithOptions}).
     */
    public static byte[] signDockerManifest(byte[] manifest, String dockerReference, String keyIdentity,
            String passphrase) throws ImageException {
        if (passphrase != null && passphrase.contains("\n")) {
            throw ImageException.invalid("invalid passphrase: must not contain a line break");
        }
        Digest d = Manifests.digest(manifest);
        byte[] payload = SimpleSigningPayload.forSigning(d, dockerReference).toJson();
        return Gpg.sign(payload, keyIdentity, passphrase);
    }

    /**
     * Verifies a signature and checks its content with the two rules (containers/image's
     * {@code verifyAndExtractSignature}): the key must be one of {@code acceptedFingerprints}, then the digest
     * rule, then the identity rule run on the signed payload.
     */
    public static Verified verify(byte[] signature, OpenPgp.Keyring keys, List<String> acceptedFingerprints,
            DigestRule digestRule, IdentityRule identityRule) throws ImageException {
        OpenPgp.Verified v = OpenPgp.verify(signature, keys);
        // as containers/image with gpgme: the signing (sub)key's fingerprint, else its primary key's
        String keyIdentity = v.signingKeyFingerprint();
        if (!acceptedFingerprints.contains(keyIdentity)) {
            if (!acceptedFingerprints.contains(v.keyFingerprint())) {
                throw rejected(keyIdentity.equals(v.keyFingerprint())
                        ? "signature by key " + keyIdentity + " is not accepted"
                        : "signature by key " + keyIdentity + " of " + v.keyFingerprint() + " is not accepted");
            }
            keyIdentity = v.keyFingerprint();
        }
        SimpleSigningPayload p;
        try {
            p = SimpleSigningPayload.parseUntrusted(v.content());
        } catch (ImageException e) {
            throw rejected(e.getMessage());
        }
        digestRule.check(p.manifestDigest());
        identityRule.check(p.dockerReference());
        return new Verified(p.dockerReference(), p.manifestDigest(), keyIdentity);
    }

    /** Checks the signed manifest digest. */
    public interface DigestRule {
        void check(Digest signed) throws ImageException;
    }

    /** Checks the signed docker reference. */
    public interface IdentityRule {
        void check(String signed) throws ImageException;
    }

    private static ImageException rejected(String message) {
        return new ImageException(ErrorCode.POLICY_REJECTED, message);
    }

    /**
     * Verifies a signature of {@code manifest} as {@code expectedDockerReference} by one of {@code fingerprints}
     * (containers/image's {@code VerifyImageManifestSignatureUsingKeyIdentityList}, used by standalone-verify).
     */
    public static Verified verifyDockerManifestSignature(byte[] signature, byte[] manifest,
            String expectedDockerReference, OpenPgp.Keyring keys, List<String> fingerprints) throws ImageException {
        DockerReference expected;
        try {
            expected = DockerReference.parseNormalized(expectedDockerReference);
        } catch (InvalidReferenceException e) {
            throw e;
        }
        return verify(signature, keys, fingerprints, signed -> {
            if (!Manifests.matchesDigest(manifest, signed)) {
                throw rejected("Signature for docker digest " + dev.kopi.internal.go.GoStrconv.quote(signed.toString())
                        + " does not match");
            }
        }, signed -> {
            DockerReference r;
            try {
                r = DockerReference.parseNormalized(signed);
            } catch (InvalidReferenceException e) {
                throw rejected("Invalid docker reference " + dev.kopi.internal.go.GoStrconv.quote(signed)
                        + " in signature");
            }
            if (!r.toString().equals(expected.toString())) {
                throw rejected("Docker reference " + dev.kopi.internal.go.GoStrconv.quote(signed) + " does not match "
                        + dev.kopi.internal.go.GoStrconv.quote(expectedDockerReference));
            }
        });
    }

    /** Reads what a signature claims without verifying it. */
    public static UntrustedInfo untrustedInformation(byte[] signature) throws ImageException {
        OpenPgp.Untrusted u = OpenPgp.untrustedContents(signature);
        SimpleSigningPayload p = SimpleSigningPayload.parseUntrusted(u.content());
        return new UntrustedInfo(p.manifestDigest(), p.dockerReference(), p.creator(),
                p.timestamp() == null ? null : Instant.ofEpochSecond(p.timestamp()), u.shortKeyIdentifier());
    }
}
