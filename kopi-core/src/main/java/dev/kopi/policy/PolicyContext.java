package dev.kopi.policy;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.UnparsedImage;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.manifest.Manifests;
import dev.kopi.signature.Signature;
import dev.kopi.signature.SignatureFormats;
import dev.kopi.signature.simple.OpenPgp;
import dev.kopi.signature.simple.SimpleSigning;
import dev.kopi.signature.sigstore.Sigstore;
import dev.kopi.transport.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A loaded policy.json, evaluated on a source image before anything is copied (containers/image's
 * {@code PolicyContext.IsRunningImageAllowed}). Requirements are looked up as there: the transport's scopes
 * (identity, then namespaces most specific first, then ""), else the default; every requirement must allow the
 * image. A rejection is a POLICY_REJECTED {@link ImageException} whose message is containers/image's text for the
 * requirement that failed.
 */
public final class PolicyContext {
    private final List<PolicyRequirement> defaultReqs;
    private final Map<String, Map<String, List<PolicyRequirement>>> transports;
    private final boolean requireSignatures;
    private final SigstoreCrypto sigstore;

    /** The sigstore crypto the policy calls: {@link Sigstore} (unit tests give a fake). */
    interface SigstoreCrypto {
        List<PublicKey> parsePublicKeys(byte[] pem) throws ImageException;

        Sigstore.Payload verify(Signature signature, List<PublicKey> keys) throws ImageException;
    }

    private static final SigstoreCrypto SIGSTORE = new SigstoreCrypto() {
        public List<PublicKey> parsePublicKeys(byte[] pem) throws ImageException {
            return Sigstore.parsePublicKeys(pem);
        }

        public Sigstore.Payload verify(Signature signature, List<PublicKey> keys) throws ImageException {
            return Sigstore.verify(signature, keys);
        }
    };

    private PolicyContext(List<PolicyRequirement> defaultReqs,
            Map<String, Map<String, List<PolicyRequirement>>> transports, boolean requireSignatures) {
        this(defaultReqs, transports, requireSignatures, SIGSTORE);
    }

    private PolicyContext(List<PolicyRequirement> defaultReqs,
            Map<String, Map<String, List<PolicyRequirement>>> transports, boolean requireSignatures,
            SigstoreCrypto sigstore) {
        this.defaultReqs = defaultReqs;
        this.transports = transports;
        this.requireSignatures = requireSignatures;
        this.sigstore = sigstore;
    }

    /** This policy with other sigstore crypto (for tests of the policy's own logic). */
    PolicyContext withSigstoreCrypto(SigstoreCrypto crypto) {
        return new PolicyContext(defaultReqs, transports, requireSignatures, crypto);
    }

    /**
     * {@code --require-signed}: this policy, but an image is allowed only if a signature requirement verified it
     * (containers/image's {@code RequireSignatureVerification}).
     */
    public PolicyContext requiringSignatures() {
        return new PolicyContext(defaultReqs, transports, true, sigstore);
    }

    /** {@code --insecure-policy}: everything is allowed. */
    public static PolicyContext insecureAcceptAnything() {
        return new PolicyContext(List.of(new PolicyRequirement.InsecureAcceptAnything()), Map.of(), false);
    }

    /** The default policy path skopeo uses: {@code $HOME/.config/containers/policy.json}, else /etc/containers/policy.json. */
    public static Path defaultPath() {
        String home = System.getenv("HOME");
        if (home != null && !home.isEmpty()) {
            Path user = Path.of(home, ".config", "containers", "policy.json");
            if (Files.exists(user)) {
                return user;
            }
        }
        return Path.of("/etc/containers/policy.json");
    }

    /** Loads and validates a policy file. */
    public static PolicyContext load(Path path) throws ImageException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, LocalPaths.goError("open", path, e), e);
        }
        try {
            return parse(bytes);
        } catch (ImageException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "invalid policy in \"" + path + "\": " + e.getMessage(), e);
        }
    }

    /** Parses policy.json content. */
    public static PolicyContext parse(byte[] bytes) throws ImageException {
        PolicyParser.Policy p = PolicyParser.parse(bytes);
        return new PolicyContext(p.defaultRequirements(), p.transports(), false);
    }

    /** Go's {@code %v} of a float64 (see {@link dev.kopi.json.ParanoidJson#goFloatV}). */
    static String goFloatV(double d) {
        return dev.kopi.json.ParanoidJson.goFloatV(d);
    }

    /** The requirements that apply to {@code ref} (its scope, most specific first, else the default). */
    public List<PolicyRequirement> requirementsFor(ImageReference ref) {
        Map<String, List<PolicyRequirement>> scopes = transports.get(ref.transport().name());
        if (scopes != null) {
            List<PolicyRequirement> r = scopes.get(ref.policyConfigurationIdentity());
            if (r != null) {
                return r;
            }
            for (String ns : ref.policyConfigurationNamespaces()) {
                r = scopes.get(ns);
                if (r != null) {
                    return r;
                }
            }
            r = scopes.get("");
            if (r != null) {
                return r;
            }
        }
        return defaultReqs;
    }

    /** Fails with POLICY_REJECTED unless the policy allows running (copying) the image being read. */
    public void requireAllowed(UnparsedImage image) throws IOException {
        requireAllowed(PolicyImage.of(image));
    }

    /**
     * Fails with POLICY_REJECTED unless the policy allows the image; the message is the failing requirement's
     * (e.g. {@code Running image dir:/x is rejected by policy.},
     * {@code A signature was required, but no signature exists}). Reading the image may fail with other errors.
     */
    public void requireAllowed(PolicyImage image) throws IOException {
        ImageReference ref = image.reference();
        List<PolicyRequirement> reqs = requirementsFor(ref);
        if (reqs.isEmpty()) {
            throw rejected("List of verification policy requirements must not be empty");
        }
        boolean verified = false;
        for (PolicyRequirement r : reqs) {
            allow(r, image);
            verified |= r.verifiesSignatures();
        }
        if (requireSignatures && !verified) {
            throw rejected("No signature verification policy found for image " + ref.transport().name() + ":"
                    + ref.policyConfigurationIdentity());
        }
    }

    private static ImageException rejected(String message) {
        return new ImageException(ErrorCode.POLICY_REJECTED, message);
    }

    private void allow(PolicyRequirement r, PolicyImage image) throws IOException {
        if (r instanceof PolicyRequirement.Reject) {
            throw rejected("Running image " + image.reference().imageName() + " is rejected by policy.");
        } else if (r instanceof PolicyRequirement.SignedBaseLayer) {
            throw rejected("signedBaseLayer not implemented yet!");
        } else if (r instanceof PolicyRequirement.SignedBy s) {
            allowSignedBy(s, image);
        } else if (r instanceof PolicyRequirement.SigstoreSigned s) {
            allowSigstoreSigned(s, image);
        }
    }

    private static SignatureFormats.Parsed parseFormat(Signature s) throws ImageException {
        try {
            return SignatureFormats.parse(s);
        } catch (ImageException e) {
            throw rejected(e.getMessage());
        }
    }

    /** The summary containers/image gives when no signature was accepted. */
    private static ImageException summary(List<String> rejections, String none) {
        if (rejections.isEmpty()) {
            return rejected(none);
        }
        if (rejections.size() == 1) {
            return rejected(rejections.get(0));
        }
        return rejected("None of the signatures were accepted, reasons: " + String.join("; ", rejections));
    }

    // ---- signedBy ----

    private static void allowSignedBy(PolicyRequirement.SignedBy r, PolicyImage image) throws IOException {
        List<byte[]> simple = new ArrayList<>();
        for (Signature s : image.signatures()) {
            SignatureFormats.Parsed p = parseFormat(s);
            if (p.format().equals(SignatureFormats.SIMPLE_SIGNING)) {
                simple.add(p.chunk());
            }
        }
        List<String> rejections = new ArrayList<>();
        for (byte[] sig : simple) {
            try {
                signatureAccepted(r, image, sig);
                return;
            } catch (ImageException e) {
                rejections.add(e.getMessage());
            }
        }
        throw summary(rejections, "A signature was required, but no signature exists");
    }

    private static List<byte[]> loadSources(String path, List<String> paths, byte[] data) throws ImageException {
        List<byte[]> out = new ArrayList<>();
        if (path != null) {
            out.add(readKeyFile(path));
        }
        if (paths != null) {
            for (String p : paths) {
                out.add(readKeyFile(p));
            }
        }
        if (data != null) {
            out.add(data);
        }
        return out;
    }

    private static byte[] readKeyFile(String p) throws ImageException {
        Path path = Path.of(p);
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw rejected(LocalPaths.goError("open", path, e));
        }
    }

    private static void signatureAccepted(PolicyRequirement.SignedBy r, PolicyImage image, byte[] sig)
            throws IOException {
        switch (r.keyType()) {
            case "GPGKeys" -> {
            }
            case "signedByGPGKeys", "X509Certificates", "signedByX509CAs" ->
                    throw rejected("Unimplemented \"keyType\" value " + GoStrconv.quote(r.keyType()));
            default -> throw rejected("Unknown \"keyType\" value " + GoStrconv.quote(r.keyType()));
        }
        OpenPgp.Keyring keys = OpenPgp.Keyring.empty();
        for (byte[] blob : loadSources(r.keyPath(), r.keyPaths(), r.keyData())) {
            keys = keys.plus(OpenPgp.importKeys(blob));
        }
        if (keys.fingerprints().isEmpty()) {
            throw rejected("No public keys imported");
        }
        SimpleSigning.verify(sig, keys, keys.fingerprints(), digestRule(image), identityRule(r.signedIdentity(),
                image));
    }

    private static SimpleSigning.DigestRule digestRule(PolicyImage image) {
        return signed -> {
            byte[] m;
            try {
                m = image.manifest();
            } catch (ImageException e) {
                throw e;
            } catch (IOException e) {
                throw ImageException.wrap("reading manifest", e);
            }
            if (!Manifests.matchesDigest(m, signed)) {
                throw rejected("Signature for digest " + signed + " does not match");
            }
        };
    }

    private static SimpleSigning.IdentityRule identityRule(ReferenceMatch match, PolicyImage image) {
        return signed -> {
            if (!match.matches(image.reference(), signed)) {
                throw rejected("Signature for identity " + GoStrconv.quote(signed) + " is not accepted");
            }
        };
    }

    // ---- sigstoreSigned ----

    private void allowSigstoreSigned(PolicyRequirement.SigstoreSigned r, PolicyImage image)
            throws IOException {
        List<String> rejections = new ArrayList<>();
        int nonSigstore = 0;
        int nonAttachments = 0;
        for (Signature s : image.signatures()) {
            SignatureFormats.Parsed p = parseFormat(s);
            if (!p.format().equals(SignatureFormats.SIGSTORE)) {
                nonSigstore++;
                continue;
            }
            if (!SignatureFormats.SIGSTORE_SIGNATURE_MIME_TYPE.equals(sigstoreMimeType(p.chunk()))) {
                nonAttachments++;
                continue;
            }
            try {
                sigstoreAccepted(r, image, s);
                return;
            } catch (ImageException e) {
                rejections.add(e.getMessage());
            }
        }
        String none = nonSigstore == 0 && nonAttachments == 0
                ? "A signature was required, but no signature exists"
                : "A signature was required, but no signature exists (" + nonSigstore + " non-sigstore signatures, "
                        + nonAttachments + " sigstore non-signature attachments)";
        throw summary(rejections, none);
    }

    private static String sigstoreMimeType(byte[] chunk) {
        try {
            var n = Manifests.JSON.readTree(chunk);
            var t = n == null ? null : n.get("mimeType");
            return t != null && t.isTextual() ? t.asText() : "";
        } catch (IOException e) {
            return "";
        }
    }

    private void sigstoreAccepted(PolicyRequirement.SigstoreSigned r, PolicyImage image, Signature sig)
            throws IOException {
        if (r.fulcio() || r.pki() || r.rekor()) {
            throw rejected("kopi cannot verify sigstore signatures with Fulcio, Rekor or PKI trust roots");
        }
        List<byte[]> pems = loadSources(r.keyPath(), r.keyPaths(), r.keyData());
        if (r.keyDatas() != null) {
            pems.addAll(r.keyDatas());
        }
        List<PublicKey> keys = new ArrayList<>();
        for (int i = 0; i < pems.size(); i++) {
            try {
                keys.addAll(sigstore.parsePublicKeys(pems.get(i)));
            } catch (ImageException e) {
                throw rejected("parsing public key " + (i + 1) + ": " + e.getMessage());
            }
        }
        if (keys.isEmpty()) {
            throw rejected("Internal inconsistency: \"keyPath\", \"keyPaths\", \"keyData\" and \"keyDatas\" produced "
                    + "no public keys");
        }
        Sigstore.Payload payload;
        try {
            payload = sigstore.verify(sig, keys);
        } catch (ImageException e) {
            throw rejected(e.getMessage());
        }
        Digest d = payload.dockerManifestDigest();
        digestRule(image).check(d);
        identityRule(r.signedIdentity(), image).check(payload.dockerReference());
    }
}
