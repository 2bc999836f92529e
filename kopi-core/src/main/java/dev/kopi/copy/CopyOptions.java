package dev.kopi.copy;

import dev.kopi.blob.CompressionAlgorithm;
import dev.kopi.policy.PolicyContext;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signer;
import dev.kopi.transport.ImageContext;
import java.util.List;

/**
 * Options of one copy, skopeo's {@code copy} flags as a value. Start from {@link #defaults()} and change what you
 * need with the {@code with*} methods, or call the constructor with every field (null means the default).
 *
 * @param sourceContext how to reach the source ({@code --src-*} flags); null for {@link ImageContext#defaults()}
 * @param destinationContext how to reach the destination ({@code --dest-*} flags); null for the defaults
 * @param forceManifestType {@code --format} as a MIME type (see {@link dev.kopi.manifest.MediaTypes}), null to
 *     keep the source's where possible
 * @param multiArch what to copy of a list; null for {@link MultiArch#SYSTEM}
 * @param removeSignatures {@code --remove-signatures}
 * @param preserveDigests {@code --preserve-digests}: fail rather than change any digest
 * @param compressionFormat {@code --dest-compress-format}, null for gzip when compressing
 * @param compressionLevel {@code --dest-compress-level}, null for the default
 * @param maxParallel layers copied at once; 0 or less for 6 ({@code --image-parallel-copies})
 * @param listener hears the progress, from the copy's worker threads; null for {@link CopyListener#NONE}
 * @param policy the trust policy checked on the source before anything is copied; null accepts anything (as
 *     {@code --insecure-policy}). {@link PolicyContext#load} reads a {@code policy.json}.
 * @param signers signatures to add to the copied image ({@code --sign-by}, {@code --sign-by-sigstore-private-key});
 *     null or empty for none
 * @param signIdentity the identity signatures claim ({@code --sign-identity}); null for the destination's Docker
 *     reference
 * @param crypto layer encryption or decryption ({@code --encryption-key}, {@code --encrypt-layer},
 *     {@code --decryption-key}; see {@link dev.kopi.encryption.OciCrypt}); null for none
 * @param attached artifacts attached to the copied manifests to copy too ({@code --referrers},
 *     {@code --digest-tags}); null for {@link AttachedArtifacts#NONE}
 */
public record CopyOptions(ImageContext sourceContext, ImageContext destinationContext, String forceManifestType,
        MultiArch multiArch, boolean removeSignatures, boolean preserveDigests, CompressionAlgorithm compressionFormat,
        Integer compressionLevel, int maxParallel, CopyListener listener, PolicyContext policy, List<Signer> signers,
        DockerReference signIdentity, dev.kopi.encryption.LayerCrypto crypto, AttachedArtifacts attached) {
    /** Every option but the attached artifacts (none). */
    public CopyOptions(ImageContext sourceContext, ImageContext destinationContext, String forceManifestType,
            MultiArch multiArch, boolean removeSignatures, boolean preserveDigests,
            CompressionAlgorithm compressionFormat, Integer compressionLevel, int maxParallel, CopyListener listener,
            PolicyContext policy, List<Signer> signers, DockerReference signIdentity,
            dev.kopi.encryption.LayerCrypto crypto) {
        this(sourceContext, destinationContext, forceManifestType, multiArch, removeSignatures, preserveDigests,
                compressionFormat, compressionLevel, maxParallel, listener, policy, signers, signIdentity, crypto,
                null);
    }

    /** Every option but layer encryption (none). */
    public CopyOptions(ImageContext sourceContext, ImageContext destinationContext, String forceManifestType,
            MultiArch multiArch, boolean removeSignatures, boolean preserveDigests,
            CompressionAlgorithm compressionFormat, Integer compressionLevel, int maxParallel, CopyListener listener,
            PolicyContext policy, List<Signer> signers, DockerReference signIdentity) {
        this(sourceContext, destinationContext, forceManifestType, multiArch, removeSignatures, preserveDigests,
                compressionFormat, compressionLevel, maxParallel, listener, policy, signers, signIdentity, null);
    }

    /** Every option but the sign identity (the destination's) and layer encryption. */
    public CopyOptions(ImageContext sourceContext, ImageContext destinationContext, String forceManifestType,
            MultiArch multiArch, boolean removeSignatures, boolean preserveDigests,
            CompressionAlgorithm compressionFormat, Integer compressionLevel, int maxParallel, CopyListener listener,
            PolicyContext policy, List<Signer> signers) {
        this(sourceContext, destinationContext, forceManifestType, multiArch, removeSignatures, preserveDigests,
                compressionFormat, compressionLevel, maxParallel, listener, policy, signers, null);
    }

    /** Every option but the signers (none). */
    public CopyOptions(ImageContext sourceContext, ImageContext destinationContext, String forceManifestType,
            MultiArch multiArch, boolean removeSignatures, boolean preserveDigests,
            CompressionAlgorithm compressionFormat, Integer compressionLevel, int maxParallel, CopyListener listener,
            PolicyContext policy) {
        this(sourceContext, destinationContext, forceManifestType, multiArch, removeSignatures, preserveDigests,
                compressionFormat, compressionLevel, maxParallel, listener, policy, null);
    }

    /** Fills in the defaults. */
    public CopyOptions {
        signers = signers == null ? List.of() : List.copyOf(signers);
        sourceContext = sourceContext == null ? ImageContext.defaults() : sourceContext;
        destinationContext = destinationContext == null ? ImageContext.defaults() : destinationContext;
        multiArch = multiArch == null ? MultiArch.SYSTEM : multiArch;
        listener = listener == null ? CopyListener.NONE : listener;
        attached = attached == null ? AttachedArtifacts.NONE : attached;
        if (maxParallel <= 0) {
            maxParallel = 6;
        }
    }

    /** Every default: default contexts, the source's manifest type, the system's image of a list, no policy. */
    public static CopyOptions defaults() {
        return new CopyOptions(null, null, null, null, false, false, null, null, 0, null, null);
    }

    /** These options with another progress listener. */
    public CopyOptions withListener(CopyListener l) {
        return new CopyOptions(sourceContext, destinationContext, forceManifestType, multiArch, removeSignatures,
                preserveDigests, compressionFormat, compressionLevel, maxParallel, l, policy,
                signers, signIdentity, crypto, attached);
    }

    /** These options with another trust policy (null accepts anything). */
    public CopyOptions withPolicy(PolicyContext p) {
        return new CopyOptions(sourceContext, destinationContext, forceManifestType, multiArch, removeSignatures,
                preserveDigests, compressionFormat, compressionLevel, maxParallel, listener, p,
                signers, signIdentity, crypto, attached);
    }

    /** These options with other source and destination contexts (null for the defaults). */
    public CopyOptions withContexts(ImageContext source, ImageContext destination) {
        return new CopyOptions(source, destination, forceManifestType, multiArch, removeSignatures, preserveDigests,
                compressionFormat, compressionLevel, maxParallel, listener, policy,
                signers, signIdentity, crypto, attached);
    }

    /** These options with another list handling ({@code --multi-arch}, {@code --all}). */
    public CopyOptions withMultiArch(MultiArch m) {
        return new CopyOptions(sourceContext, destinationContext, forceManifestType, m, removeSignatures,
                preserveDigests, compressionFormat, compressionLevel, maxParallel, listener, policy,
                signers, signIdentity, crypto, attached);
    }

    /** These options with a forced manifest MIME type ({@code --format}); null keeps the source's. */
    public CopyOptions withManifestType(String mimeType) {
        return new CopyOptions(sourceContext, destinationContext, mimeType, multiArch, removeSignatures,
                preserveDigests, compressionFormat, compressionLevel, maxParallel, listener, policy,
                signers, signIdentity, crypto, attached);
    }

    /** These options with signers that sign the copied image (replacing any set before). */
    public CopyOptions withSigners(List<Signer> s) {
        return new CopyOptions(sourceContext, destinationContext, forceManifestType, multiArch, removeSignatures,
                preserveDigests, compressionFormat, compressionLevel, maxParallel, listener, policy, s, signIdentity,
                crypto, attached);
    }

    /** These options with another sign identity ({@code --sign-identity}; null for the destination's reference). */
    public CopyOptions withSignIdentity(DockerReference identity) {
        return new CopyOptions(sourceContext, destinationContext, forceManifestType, multiArch, removeSignatures,
                preserveDigests, compressionFormat, compressionLevel, maxParallel, listener, policy, signers, identity,
                crypto, attached);
    }

    /** These options with layer encryption or decryption ({@link dev.kopi.encryption.OciCrypt}); null for none. */
    public CopyOptions withCrypto(dev.kopi.encryption.LayerCrypto c) {
        return new CopyOptions(sourceContext, destinationContext, forceManifestType, multiArch, removeSignatures,
                preserveDigests, compressionFormat, compressionLevel, maxParallel, listener, policy, signers,
                signIdentity, c, attached);
    }

    /** These options with other attached artifacts to copy ({@code --referrers}, {@code --digest-tags}). */
    public CopyOptions withAttached(AttachedArtifacts a) {
        return new CopyOptions(sourceContext, destinationContext, forceManifestType, multiArch, removeSignatures,
                preserveDigests, compressionFormat, compressionLevel, maxParallel, listener, policy, signers,
                signIdentity, crypto, a);
    }

    /** These options also copying (or not) the referrers of the copied manifests ({@code --referrers}). */
    public CopyOptions withReferrers(boolean on) {
        return withAttached(new AttachedArtifacts(on, attached.digestTags()));
    }

    /** These options also copying (or not) cosign's digest tags of the copied manifests ({@code --digest-tags}). */
    public CopyOptions withDigestTags(boolean on) {
        return withAttached(new AttachedArtifacts(attached.referrers(), on));
    }
}
