package dev.kopi.copy;

import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.blob.Compression;
import dev.kopi.blob.CompressionAlgorithm;
import dev.kopi.digest.Digest;
import dev.kopi.digest.VerifyingInputStream;
import dev.kopi.encryption.LayerCrypto;
import dev.kopi.encryption.OciCrypt;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.ImageConfigs;
import dev.kopi.image.ImageInspector;
import dev.kopi.image.RawManifest;
import dev.kopi.image.Schema1Conversions;
import dev.kopi.image.UnparsedImage;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.io.Pipe;
import dev.kopi.internal.io.Streams;
import dev.kopi.log.Log;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.ImageManifest;
import dev.kopi.manifest.ManifestList;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.OciIndex;
import dev.kopi.manifest.OciManifest;
import dev.kopi.manifest.PlatformMatcher;
import dev.kopi.manifest.Schema1Manifest;
import dev.kopi.manifest.Schema1V1Compatibility;
import dev.kopi.manifest.Schema2List;
import dev.kopi.manifest.Schema2Manifest;
import dev.kopi.signature.Signature;
import dev.kopi.transport.DestinationCapabilities;
import dev.kopi.transport.DestinationCapabilities.LayerCompression;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageDestination.PutBlobOptions;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Copies an image (or a list of images) from any source to any destination, as containers/image's copy.Image
 * does: destination opened first, then the source; layers in parallel through a verifying stream pipeline, then
 * the config, then the manifest (converted when the destination or {@code --format} asks), then signatures,
 * then commit. A failure before commit leaves the destination as it was.
 */
public final class Copier {
    private final CopyOptions options;
    private final CopyListener listener;

    private Copier(CopyOptions options) {
        this.options = options;
        this.listener = options.listener();
    }

    /** Copies {@code src} to {@code dest}. */
    public static CopyResult copy(ImageReference src, ImageReference dest, CopyOptions options) throws IOException {
        return new Copier(options).run(src, dest);
    }

    private CopyResult run(ImageReference srcRef, ImageReference destRef) throws IOException {
        ExecutorService transforms = Executors.newCachedThreadPool(daemonThreads("kopi-transform"));
        try (ImageDestination dest = open(() -> destRef.newImageDestination(options.destinationContext()),
                "initializing destination " + destRef.imageName());
             ImageSource src = open(() -> srcRef.newImageSource(options.sourceContext()),
                     "initializing source " + srcRef.imageName())) {
            if (options.attached().any()) {
                requireAttachedSupport(src, dest);
            }
            UnparsedImage top = new UnparsedImage(src, Optional.empty());
            RawManifest raw;
            try {
                raw = top.manifest();
            } catch (IOException e) {
                throw ImageException.wrap("determining manifest MIME type for " + srcRef.imageName(), e);
            }
            CopyResult result;
            if (!MediaTypes.isList(raw.mediaType())) {
                result = copySingle(src, dest, top, false, options.forceManifestType(), transforms);
            } else if (options.multiArch() != MultiArch.SYSTEM) {
                ManifestList list;
                try {
                    list = (ManifestList) Manifests.parse(raw.bytes(), raw.mediaType());
                } catch (ImageException e) {
                    throw ImageException.wrap("parsing manifest list for " + srcRef.imageName(), e);
                }
                result = copyList(src, dest, top, list, transforms);
            } else {
                ManifestList list;
                try {
                    list = (ManifestList) Manifests.parse(raw.bytes(), raw.mediaType());
                } catch (ImageException e) {
                    throw ImageException.wrap("parsing primary manifest as list for " + srcRef.imageName(), e);
                }
                Digest d;
                try {
                    d = PlatformMatcher.chooseInstance(list, options.sourceContext().overrideOs(),
                            options.sourceContext().overrideArch(), options.sourceContext().overrideVariant());
                } catch (ImageException e) {
                    throw ImageException.wrap("choosing an image from manifest list " + srcRef.imageName(), e);
                }
                try {
                    result = copySingle(src, dest, new UnparsedImage(src, Optional.of(d)), false,
                            options.forceManifestType(), transforms);
                } catch (IOException e) {
                    throw ImageException.wrap("copying system image from manifest list", e);
                }
            }
            if (options.attached().any()) {
                copyAttached(src, dest);
            }
            if (dest instanceof dev.kopi.transport.TopLevelManifestAware aware) {
                aware.setTopLevelManifest(raw.bytes());
            }
            try {
                dest.commit();
            } catch (IOException e) {
                throw ImageException.wrap("committing the finished image", e);
            }
            return result;
        } finally {
            transforms.shutdownNow();
        }
    }

    // ---- attached artifacts (--referrers, --digest-tags) ----

    /** A manifest this copy wrote: its digest at the source and at the destination. */
    private record CopiedManifest(Digest source, Digest destination) {
    }

    /** Every manifest written so far (instances, then their list), in order; attached artifacts hang off these. */
    private final List<CopiedManifest> copiedManifests = new ArrayList<>();
    /** Manifests this copy signed ({@code --sign-by*}): their {@code .sig} tag may hold the new signatures. */
    private final Set<Digest> signedHere = new java.util.HashSet<>();

    /**
     * Records a manifest this copy wrote, when attached artifacts are to follow it; the source's digest is only
     * computed when the copy changed the bytes.
     */
    private void recordCopied(byte[] source, byte[] written, Digest writtenDigest) throws ImageException {
        if (options.attached().any()) {
            Digest sourceDigest = source == written ? writtenDigest : Manifests.digest(source);
            copiedManifests.add(new CopiedManifest(sourceDigest, writtenDigest));
        }
    }

    /** Fails, before anything is copied, when either side cannot list or store attached artifacts. */
    private static void requireAttachedSupport(ImageSource src, ImageDestination dest) throws ImageException {
        if (!(src instanceof dev.kopi.transport.ReferrerSource)) {
            throw ImageException.unsupported("copying referrers and digest tags: source transport \""
                    + src.reference().transport().name() + "\" does not support them");
        }
        if (!(dest instanceof dev.kopi.transport.ReferrerDestination)) {
            throw ImageException.unsupported("copying referrers and digest tags: destination transport \""
                    + dest.reference().transport().name() + "\" does not support them");
        }
    }

    /**
     * Copies the artifacts attached to the manifests this copy wrote, byte for byte: with {@code --referrers} every
     * manifest whose subject is one of them, then their referrers in turn; with {@code --digest-tags} cosign's
     * digest tags of all of these. A manifest whose digest the copy changed keeps nothing: its artifacts would
     * name a subject the destination does not have.
     */
    private void copyAttached(ImageSource src, ImageDestination dest) throws IOException {
        dev.kopi.transport.ReferrerSource rs = (dev.kopi.transport.ReferrerSource) src;
        dev.kopi.transport.ReferrerDestination rd = (dev.kopi.transport.ReferrerDestination) dest;
        List<Digest> subjects = new ArrayList<>();
        for (CopiedManifest c : copiedManifests) {
            if (!c.source().equals(c.destination())) {
                Log.warn("Not copying the artifacts attached to " + c.source() + ": the copy changed its digest to "
                        + c.destination());
            } else if (!subjects.contains(c.source())) {
                subjects.add(c.source());
            }
        }
        List<Digest> all = new ArrayList<>(subjects);
        if (options.attached().referrers()) {
            Set<Digest> seen = new java.util.HashSet<>(subjects);
            java.util.ArrayDeque<Digest> todo = new java.util.ArrayDeque<>(subjects);
            while (!todo.isEmpty()) {
                Digest subject = todo.poll();
                List<Descriptor> referrers;
                try {
                    referrers = rs.fetchReferrers(subject);
                } catch (IOException e) {
                    throw ImageException.wrap("listing referrers of " + subject, e);
                }
                for (Descriptor r : referrers) {
                    if (r.digest() == null || !seen.add(r.digest())) {
                        continue;
                    }
                    if (copyReferrer(src, dest, rd, r, subject)) {
                        todo.add(r.digest());
                        all.add(r.digest());
                    }
                }
            }
        }
        if (options.attached().digestTags()) {
            for (Digest d : all) {
                for (String tag : dev.kopi.manifest.Referrers.cosignTags(d)) {
                    if (tag.endsWith(".sig") && signedHere.contains(d)) {
                        // the source's .sig would replace the attachments this copy just signed into
                        Log.warn("Not copying digest tag " + tag + ": this copy stored new signatures of " + d);
                        continue;
                    }
                    copyDigestTag(src, dest, rs, rd, tag);
                }
            }
        }
    }

    /** Copies one referrer (its blobs, its child manifests, then itself); false when it is not one of subject. */
    private boolean copyReferrer(ImageSource src, ImageDestination dest, dev.kopi.transport.ReferrerDestination rd,
            Descriptor r, Digest subject) throws IOException {
        RawManifest m;
        try {
            m = fetchVerified(src, r.digest(), "reading referrer " + r.digest() + " of " + subject);
        } catch (ImageException e) {
            if (!ImageException.hasCode(e, ErrorCode.NOT_FOUND)) {
                throw e;
            }
            // a stale entry of the tag schema's index (the referrer was deleted): nothing to copy
            Log.warn("Not copying " + r.digest() + ", listed as a referrer of " + subject + ": " + e.getMessage());
            return false;
        }
        Parsed p = parse(m, r.mediaType(), "referrer " + r.digest() + " of " + subject);
        Optional<Descriptor> named = dev.kopi.manifest.Referrers.subjectOf(p.manifest());
        if (named.isEmpty() || !subject.equals(named.get().digest())) {
            Log.warn("Not copying " + r.digest() + ", listed as a referrer of " + subject + ": its subject is "
                    + named.map(d -> String.valueOf(d.digest())).orElse("missing"));
            return false;
        }
        listener.copyingReferrer(r.digest(), subject);
        copyContent(src, dest, p.manifest());
        try {
            rd.putReferrer(m.bytes(), p.mediaType(), subject);
        } catch (IOException e) {
            throw ImageException.wrap("writing referrer " + r.digest() + " of " + subject, e);
        }
        return true;
    }

    /** Copies the manifest under cosign's digest tag {@code tag}, with its blobs, when the source has the tag. */
    private void copyDigestTag(ImageSource src, ImageDestination dest, dev.kopi.transport.ReferrerSource rs,
            dev.kopi.transport.ReferrerDestination rd, String tag) throws IOException {
        Optional<RawManifest> m;
        try {
            m = rs.fetchTaggedManifest(tag);
        } catch (IOException e) {
            throw ImageException.wrap("reading digest tag " + tag, e);
        }
        if (m.isEmpty()) {
            return;
        }
        byte[] bytes = m.get().bytes();
        Parsed p = parse(m.get(), null, "digest tag " + tag);
        listener.copyingDigestTag(tag, Manifests.digest(bytes));
        copyContent(src, dest, p.manifest());
        try {
            rd.putTaggedManifest(bytes, p.mediaType(), tag);
        } catch (IOException e) {
            throw ImageException.wrap("writing digest tag " + tag, e);
        }
    }

    /** Copies what a manifest references, as it is: its config and layers, or its child manifests with theirs. */
    private void copyContent(ImageSource src, ImageDestination dest, dev.kopi.manifest.Manifest m)
            throws IOException {
        if (m instanceof ImageManifest im) {
            if (im.config() != null && im.config().digest() != null) {
                copyBlobAsIs(src, dest, im.config().toBlobInfo(), PutBlobOptions.CONFIG);
            }
            List<Descriptor> layers = im.layers();
            for (int i = 0; i < layers.size(); i++) {
                copyBlobAsIs(src, dest, layers.get(i).toBlobInfo(), PutBlobOptions.layer(i));
            }
        } else if (m instanceof ManifestList list) {
            for (Descriptor child : list.instances()) {
                RawManifest cm = fetchVerified(src, child.digest(), "reading manifest " + child.digest());
                Parsed p = parse(cm, child.mediaType(), "manifest " + child.digest());
                copyContent(src, dest, p.manifest());
                dest.putManifest(cm.bytes(), p.mediaType(), Optional.of(child.digest()));
            }
        }
    }

    /** A manifest of an attached artifact and its effective media type. */
    private record Parsed(String mediaType, dev.kopi.manifest.Manifest manifest) {
    }

    /**
     * Parses a manifest read for an attached artifact: its media type from the bytes, else as served, else as
     * {@code listed} in the descriptor that named it; errors say {@code what} was parsed.
     */
    private static Parsed parse(RawManifest m, String listed, String what) throws ImageException {
        String mt = Manifests.effectiveMimeType(m.bytes(), m.mediaType() != null ? m.mediaType() : listed);
        try {
            return new Parsed(mt, Manifests.parse(m.bytes(), mt));
        } catch (ImageException e) {
            throw new ImageException(e.code(), "parsing " + what + ": " + e.getMessage(), e);
        }
    }

    /** A manifest by digest, checked against it. */
    private static RawManifest fetchVerified(ImageSource src, Digest digest, String what) throws IOException {
        try {
            return new UnparsedImage(src, Optional.of(digest)).manifest();
        } catch (IOException e) {
            throw ImageException.wrap(what, e);
        }
    }

    private interface Opener<T> {
        T open() throws IOException;
    }

    /**
     * containers/image's requiresOCIEncryption: encrypting layers, or copying encrypted layers as they are, needs
     * an OCI manifest. Returns the manifest type to force: OCI then, else {@code forced} as given.
     */
    private String requireOciForEncryption(ImageManifest src, DestinationCapabilities caps, String forced)
            throws ImageException {
        LayerCrypto crypto = options.crypto();
        boolean keepsEncrypted = src.layers().stream().anyMatch(l -> OciCrypt.isEncrypted(l.mediaType())
                && (crypto == null || !crypto.decrypts(l)));
        if (!(crypto != null && crypto.encrypting()) && !keepsEncrypted) {
            return forced;
        }
        if (forced != null && !forced.equals(MediaTypes.OCI_MANIFEST)) {
            throw ImageException.invalid("encryption required together with format " + forced
                    + ", which does not support encryption");
        }
        List<String> supported = caps.supportedManifestMimeTypes();
        if (!supported.isEmpty() && !supported.contains(MediaTypes.OCI_MANIFEST)) {
            throw ImageException.unsupported("encryption required but the destination only supports MIME types ["
                    + String.join(", ", supported) + "], none of which support encryption");
        }
        return MediaTypes.OCI_MANIFEST;
    }

    private static <T> T open(Opener<T> opener, String what) throws IOException {
        try {
            return opener.open();
        } catch (IOException e) {
            throw ImageException.wrap(what, e);
        }
    }

    // ---- lists ----

    private CopyResult copyList(ImageSource src, ImageDestination dest, UnparsedImage top, ManifestList list,
            ExecutorService transforms) throws IOException {
        DestinationCapabilities caps = dest.capabilities();
        if (!caps.supportsManifestLists()) {
            throw ImageException.unsupported("copying multiple images: destination transport \""
                    + dest.reference().transport().name() + "\" does not support copying multiple images as a group");
        }
        List<Signature> listSigs = sourceSignatures(dest, top, true);
        String cannotModify = cannotModifyReason(listSigs);
        String listType = targetListType(list.mediaType(), caps.supportedManifestMimeTypes());
        String instanceForce = options.forceManifestType();
        if (instanceForce == null && !listType.equals(list.mediaType())) {
            instanceForce = listType.equals(MediaTypes.OCI_INDEX) ? MediaTypes.OCI_MANIFEST : MediaTypes.DOCKER_V2S2;
        }
        if (cannotModify != null && !listType.equals(list.mediaType())) {
            throw cannotModifyList(listType, cannotModify);
        }
        List<Descriptor> instances = list.instances();
        boolean subset = options.multiArch().isSubset();
        if (subset) {
            try {
                instances = options.multiArch().select(list);
            } catch (ImageException e) {
                throw ImageException.wrap("choosing images from manifest list " + src.reference().imageName(), e);
            }
        }
        List<Descriptor> updated = new ArrayList<>(instances);
        boolean copyInstances = subset || options.multiArch() == MultiArch.ALL;
        listener.copyingImages(copyInstances ? instances.size() : 0, list.instances().size());
        if (copyInstances) {
            for (int i = 0; i < instances.size(); i++) {
                Descriptor inst = instances.get(i);
                listener.copyingImage(inst.digest(), i + 1, instances.size());
                CopyResult r;
                try {
                    r = copySingle(src, dest, new UnparsedImage(src, Optional.of(inst.digest())), true,
                            instanceForce, transforms);
                } catch (IOException e) {
                    throw ImageException.wrap("copying image " + (i + 1) + "/" + instances.size()
                            + " from manifest list", e);
                }
                updated.set(i, inst.withDigestSize(r.manifestDigest(), r.manifest().length).withMediaType(r.mediaType()));
            }
        }
        byte[] listBytes;
        boolean changed = !updated.equals(list.instances()) || !listType.equals(list.mediaType());
        if (changed && cannotModify != null) {
            throw cannotModifyList(listType, cannotModify);
        }
        if (changed) {
            listBytes = convertList(list, listType, updated).serialize();
        } else {
            listBytes = top.manifest().bytes();
        }
        listener.writingManifestList();
        dest.putManifest(listBytes, listType, Optional.empty());
        Digest listDigest = Manifests.digest(listBytes);
        recordCopied(top.manifest().bytes(), listBytes, listDigest);
        List<Signature> newListSigs = createSignatures(dest, listBytes);
        if (!newListSigs.isEmpty()) {
            signedHere.add(listDigest);
            List<Signature> all = new ArrayList<>(listSigs);
            all.addAll(newListSigs);
            listSigs = all;
        }
        listener.storingListSignatures();
        if (!listSigs.isEmpty()) {
            dest.putSignatures(listSigs, Optional.empty());
        }
        return new CopyResult(listBytes, listType, listDigest);
    }

    private String targetListType(String srcListType, List<String> supported) throws ImageException {
        String forced = options.forceManifestType();
        if (forced != null) {
            return switch (forced) {
                case MediaTypes.OCI_MANIFEST -> MediaTypes.OCI_INDEX;
                case MediaTypes.DOCKER_V2S2, MediaTypes.DOCKER_V2S1, MediaTypes.DOCKER_V2S1_SIGNED ->
                        MediaTypes.DOCKER_V2_LIST;
                default -> throw ImageException.unsupported("Manifest list must be converted to type \"" + forced
                        + "\" to be written to destination, but we cannot convert lists to it");
            };
        }
        if (supported.isEmpty() || supported.contains(srcListType)) {
            return srcListType;
        }
        for (String t : supported) {
            if (MediaTypes.isList(t)) {
                return t;
            }
        }
        throw ImageException.unsupported("destination does not accept manifest lists of type " + srcListType);
    }

    private static ManifestList convertList(ManifestList list, String listType, List<Descriptor> instances) {
        if (listType.equals(MediaTypes.OCI_INDEX)) {
            if (list instanceof OciIndex oci) {
                return oci.withInstances(instances);
            }
            return new OciIndex(MediaTypes.OCI_INDEX, "", instances, null, Map.of());
        }
        List<Descriptor> docker = new ArrayList<>();
        for (Descriptor d : instances) {
            docker.add(new Descriptor(d.mediaType(), d.digest(), d.size(), d.urls(), Map.of(), null, d.platform(),
                    null));
        }
        return new Schema2List(docker);
    }

    // ---- single images ----

    private CopyResult copySingle(ImageSource src, ImageDestination dest, UnparsedImage image, boolean asInstance,
            String forced, ExecutorService transforms) throws IOException {
        // As containers/image: the MIME type, then the policy, and only then parsing.
        RawManifest raw;
        try {
            raw = image.manifest();
        } catch (IOException e) {
            throw ImageException.wrap("determining manifest MIME type for " + src.reference().imageName(), e);
        }
        if (MediaTypes.isList(raw.mediaType())) {
            throw ImageException.invalid(
                    "Unexpectedly received a manifest list instead of a manifest for a single image");
        }
        if (options.policy() != null) {
            // the policy sees the image's manifest and signatures; nothing has been written yet
            try {
                options.policy().requireAllowed(image);
            } catch (IOException e) {
                throw ImageException.wrap("Source image rejected", e);
            }
        }
        ImageManifest srcManifest;
        try {
            srcManifest = (ImageManifest) Manifests.parse(raw.bytes(), raw.mediaType());
        } catch (ImageException e) {
            throw ImageException.wrap("initializing image from source " + src.reference().imageName(), e);
        }
        List<Signature> sigs = sourceSignatures(dest, image, false);
        String cannotModify = cannotModifyReason(sigs);
        DestinationCapabilities caps = dest.capabilities();
        // As containers/image: a manifest that must not change is written as it is (the destination may refuse
        // it), and its layers are copied as they are.
        String targetType = targetType(srcManifest.mediaType(), caps.supportedManifestMimeTypes(),
                requireOciForEncryption(srcManifest, caps, forced), options.compressionFormat());
        if (cannotModify != null) {
            targetType = srcManifest.mediaType();
        }
        boolean converting = !targetType.equals(srcManifest.mediaType());
        if (converting && srcManifest instanceof OciManifest oci && oci.isArtifact()) {
            throw ImageException.unsupported("cannot convert an OCI artifact with config type \""
                    + oci.config().mediaType() + "\" to " + targetType);
        }
        boolean srcSchema1 = srcManifest instanceof Schema1Manifest;
        boolean targetSchema1 = MediaTypes.isSchema1(targetType);
        // Converting from schema1 builds a config, which needs the layers' DiffIDs: compute them while copying.
        boolean needDiffIds = srcSchema1 && !targetSchema1;
        boolean targetOci = targetType.equals(MediaTypes.OCI_MANIFEST);
        List<Descriptor> srcLayers = layersForCopy(src, dest, image, srcManifest);
        List<CopiedLayer> copied = copyLayers(src, dest, srcLayers, targetOci, converting, needDiffIds,
                cannotModify == null, transforms);
        List<Descriptor> layers = new ArrayList<>();
        for (CopiedLayer c : copied) {
            layers.add(c.descriptor());
        }

        byte[] bytes;
        if (srcSchema1 && targetSchema1) {
            Schema1Manifest s1 = (Schema1Manifest) srcManifest;
            Schema1Manifest out = s1;
            boolean changed = converting;
            if (!sameLayers(s1.layers(), layers)) {
                out = out.withLayers(layers);
                changed = true;
            }
            Schema1Manifest named = withEmbeddedReference(out, dest);
            if (named != out) {
                if (cannotModify != null) {
                    throw ImageException.invalid("Copying a schema1 image with an embedded Docker reference to "
                            + dest.reference().imageName() + " (Docker reference "
                            + dest.reference().dockerReference().map(Object::toString).orElse("")
                            + ") would change the manifest, which we cannot do: " + GoStrconv.quote(cannotModify));
                }
                out = named;
                changed = true;
            }
            if (changed && options.preserveDigests()) {
                throw ImageException.invalid("Instructed to preserve digests, but the layers would change");
            }
            bytes = changed ? out.serialize() : raw.bytes();
        } else if (srcSchema1) {
            bytes = fromSchema1(src, dest, (Schema1Manifest) srcManifest, targetType, copied).serialize();
        } else if (targetSchema1) {
            bytes = toSchema1(src, dest, srcManifest, layers).serialize();
        } else {
            Descriptor config = copyConfig(src, dest, srcManifest, targetType);
            ImageManifest out = buildManifest(srcManifest, targetType, config, layers);
            if (!converting && sameLayers(srcManifest.layers(), layers)) {
                bytes = raw.bytes();
            } else {
                if (options.preserveDigests()) {
                    throw ImageException.invalid("Instructed to preserve digests, but the layers would change");
                }
                bytes = out.serialize();
            }
        }
        Digest digest = Manifests.digest(bytes);
        recordCopied(raw.bytes(), bytes, digest);
        listener.writingManifest();
        try {
            dest.putManifest(bytes, targetType, asInstance ? Optional.of(digest) : Optional.empty());
        } catch (IOException e) {
            throw ImageException.wrap("writing manifest", e);
        }
        List<Signature> newSigs = createSignatures(dest, bytes);
        if (!newSigs.isEmpty()) {
            signedHere.add(digest);
            List<Signature> all = new ArrayList<>(sigs);
            all.addAll(newSigs);
            sigs = all;
        }
        if (!sigs.isEmpty()) {
            listener.storingSignatures();
            try {
                dest.putSignatures(sigs, asInstance ? Optional.of(digest) : Optional.empty());
            } catch (IOException e) {
                throw ImageException.wrap("writing signatures", e);
            }
        }
        return new CopyResult(bytes, targetType, digest);
    }

    /**
     * Signs the manifest just written with each of the copy's signers (containers/image's {@code createSignatures}):
     * as {@code --sign-identity}, else as the destination's Docker reference.
     */
    private List<Signature> createSignatures(ImageDestination dest, byte[] manifest) throws ImageException {
        List<dev.kopi.signature.Signer> signers = options.signers();
        if (signers.isEmpty()) {
            return List.of();
        }
        dev.kopi.reference.DockerReference identity = options.signIdentity();
        if (identity != null) {
            if (identity.isNameOnly()) {
                throw ImageException.invalid("Sign identity must be a fully specified reference " + identity);
            }
        } else {
            identity = dest.reference().dockerReference().orElse(null);
            if (identity == null) {
                throw ImageException.invalid("Cannot determine canonical Docker reference for destination "
                        + dest.reference().imageName());
            }
        }
        List<Signature> out = new ArrayList<>();
        for (int i = 0; i < signers.size(); i++) {
            dev.kopi.signature.Signer signer = signers.get(i);
            listener.creatingSignature(signer.progressMessage(), i + 1, signers.size());
            try {
                out.add(signer.sign(manifest, identity));
            } catch (ImageException e) {
                throw new ImageException(e.code(), (signers.size() == 1 ? "creating signature: "
                        : "creating signature " + (i + 1) + ": ") + e.getMessage(), e);
            }
        }
        return out;
    }

    /**
     * A schema1 manifest names its repository and tag; copying it to a destination with another Docker reference
     * updates them (containers/image's {@code updateEmbeddedDockerReference}).
     */
    private static Schema1Manifest withEmbeddedReference(Schema1Manifest m, ImageDestination dest) {
        Optional<dev.kopi.reference.DockerReference> ref = dest.reference().dockerReference();
        if (ref.isEmpty()) {
            return m;
        }
        String name = ref.get().path();
        String tag = ref.get().tag().orElse("");
        if (m.name().equals(name) && m.tag().equals(tag)) {
            return m;
        }
        return m.withNameAndTag(name, tag);
    }

    /**
     * Converts an image to schema1 (containers/image's {@code convertToManifestSchema1}): the config's history
     * becomes fsLayers and v1Compatibility entries, with the gzipped empty layer (stored here) for empty ones.
     * Schema1 has no config blob, so none is copied.
     */
    private Schema1Manifest toSchema1(ImageSource src, ImageDestination dest, ImageManifest m,
            List<Descriptor> copied) throws IOException {
        byte[] config = ImageInspector.fetchConfig(src, m);
        List<Digest> sourceDigests = new ArrayList<>();
        for (Descriptor d : m.layers()) {
            sourceDigests.add(d.digest());
        }
        List<Digest> destDigests = new ArrayList<>();
        for (Descriptor d : copied) {
            destDigests.add(d.digest());
        }
        Schema1Conversions.ToSchema1 converted;
        try {
            converted = Schema1Conversions.toSchema1(config, sourceDigests, destDigests,
                    dest.reference().dockerReference());
        } catch (ImageException e) {
            throw new ImageException(e.code(), "creating an updated image manifest: " + e.getMessage(), e);
        }
        if (converted.usesEmptyLayer()) {
            byte[] empty = Schema1Conversions.gzippedEmptyLayer();
            BlobInfo info = new BlobInfo(Schema1Conversions.GZIPPED_EMPTY_LAYER_DIGEST, empty.length,
                    MediaTypes.DOCKER_LAYER_GZIP);
            BlobInfo stored;
            try {
                stored = dest.putBlob(new ByteArrayInputStream(empty), info, new PutBlobOptions(false, -1));
            } catch (IOException e) {
                throw ImageException.wrap("creating an updated image manifest: uploading empty layer", e);
            }
            checkStored(info, stored);
        }
        return converted.manifest();
    }

    /**
     * Converts a schema1 image to {@code targetType} (containers/image's {@code convertToManifestSchema2}, then
     * {@code convertToManifestOCI1}): a config is built from the history and the layers' DiffIDs and stored, and
     * the layers of throwaway history entries are left out of the manifest.
     */
    private ImageManifest fromSchema1(ImageSource src, ImageDestination dest, Schema1Manifest m, String targetType,
            List<CopiedLayer> copied) throws IOException {
        List<Schema1V1Compatibility> history;
        try {
            history = m.historyRootFirst();
        } catch (ImageException e) {
            throw new ImageException(e.code(), "creating an updated image manifest: " + e.getMessage(), e);
        }
        List<Digest> diffIds = new ArrayList<>();
        List<Descriptor> layers = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            if (!history.get(i).throwAway()) {
                diffIds.add(copied.get(i).diffId());
                layers.add(copied.get(i).descriptor());
            }
        }
        byte[] config;
        try {
            config = Schema1Conversions.toSchema2Config(m, diffIds);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "creating an updated image manifest: " + e.getMessage(), e);
        }
        boolean oci = targetType.equals(MediaTypes.OCI_MANIFEST);
        if (oci) {
            config = ImageConfigs.toOciConfigBytes(config);
        }
        String configType = oci ? MediaTypes.OCI_CONFIG : MediaTypes.DOCKER_CONFIG;
        BlobInfo info = new BlobInfo(Digest.sha256(config), config.length, configType);
        putSmallBlob(dest, config, info);
        Descriptor configDesc = new Descriptor(configType, info.digest(), info.size());
        List<Descriptor> out = new ArrayList<>();
        for (Descriptor l : layers) {
            out.add(new Descriptor(l.mediaType(), l.digest(), l.size()));
        }
        if (oci) {
            return new OciManifest(MediaTypes.OCI_MANIFEST, "", configDesc, out, null, Map.of());
        }
        return new Schema2Manifest(configDesc, out);
    }

    /**
     * Why the manifest (or list) must be written unchanged, null if it may change (containers/image's
     * {@code cannotModifyManifestReason}).
     */
    private String cannotModifyReason(List<Signature> sigs) {
        if (options.preserveDigests()) {
            return "Instructed to preserve digests";
        }
        return sigs.isEmpty() ? null : "Would invalidate signatures";
    }

    private static ImageException cannotModifyList(String listType, String reason) {
        return ImageException.invalid("Manifest list must be converted to type " + GoStrconv.quote(listType)
                + " to be written to destination, but we cannot modify it: " + GoStrconv.quote(reason));
    }

    /**
     * The source's signatures, none with {@code --remove-signatures} (containers/image's {@code sourceSignatures}):
     * if there are any, the destination must be able to store them, which is checked before anything is copied.
     */
    private List<Signature> sourceSignatures(ImageDestination dest, UnparsedImage image, boolean list)
            throws IOException {
        if (options.removeSignatures()) {
            return List.of();
        }
        if (list) {
            listener.gettingListSignatures();
        } else {
            listener.gettingSignatures();
        }
        List<Signature> sigs;
        try {
            sigs = image.signatures();
        } catch (IOException e) {
            throw ImageException.wrap("reading signatures", e);
        }
        if (!sigs.isEmpty()) {
            listener.checkingSignatureSupport(list);
            try {
                dest.checkSignaturesSupported();
            } catch (ImageException e) {
                throw new ImageException(e.code(), "Can not copy signatures to " + dest.reference().imageName()
                        + ": " + e.getMessage(), e);
            }
        }
        return sigs;
    }

    private static boolean sameLayers(List<Descriptor> a, List<Descriptor> b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            Descriptor x = a.get(i);
            Descriptor y = b.get(i);
            if (!x.digest().equals(y.digest()) || !x.mediaType().equals(y.mediaType())
                    || (x.size() != y.size() && x.size() >= 0)) {
                return false;
            }
        }
        return true;
    }

    /** Manifest types to convert to, best first, when the source's cannot be kept (containers/image's order). */
    private static final List<String> PREFERRED_TYPES = List.of(MediaTypes.DOCKER_V2S2, MediaTypes.DOCKER_V2S1_SIGNED);
    /** What a destination that names no types accepts. */
    private static final List<String> ALL_TYPES = List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_V2S2,
            MediaTypes.DOCKER_V2S1_SIGNED, MediaTypes.DOCKER_V2S1);

    /**
     * The manifest type to write (containers/image's {@code determineManifestConversion}): the source's when the
     * destination (or {@code --format}) allows it, else v2s2, else schema1, else the destination's first type.
     */
    static String targetType(String srcType, List<String> destSupported, String forced) throws ImageException {
        return targetType(srcType, destSupported, forced, null);
    }

    /**
     * As {@link #targetType(String, List, String)}; a requested layer compression other than gzip (zstd) limits
     * the candidates to the manifest types that can describe it (OCI), as the newest containers/image does.
     */
    static String targetType(String srcType, List<String> destSupported, String forced,
            CompressionAlgorithm compression) throws ImageException {
        List<String> candidates = forced != null ? List.of(forced) : destSupported;
        if (candidates.isEmpty()) {
            candidates = ALL_TYPES;
        }
        List<String> supported = candidates;
        if (compression != null && compression != CompressionAlgorithm.GZIP) {
            supported = new ArrayList<>();
            for (String t : candidates) {
                if (compression == CompressionAlgorithm.ZSTD && t.equals(MediaTypes.OCI_MANIFEST)) {
                    supported.add(t);
                }
            }
            if (supported.isEmpty()) {
                String alg = compression.cliName();
                if (forced != null) {
                    throw ImageException.unsupported("compression using " + alg + " required together with format "
                            + forced + ", which does not support it");
                }
                if (destSupported.isEmpty()) {
                    throw ImageException.unsupported("compression using " + alg
                            + " required, but none of the known manifest formats support it");
                }
                throw ImageException.unsupported("compression using " + alg + " required but the destination only "
                        + "supports MIME types [" + String.join(", ", destSupported) + "], none of which support it");
            }
        }
        if (supported.contains(srcType)) {
            return srcType;
        }
        for (String t : PREFERRED_TYPES) {
            if (supported.contains(t)) {
                return t;
            }
        }
        for (String t : supported) {
            if (MediaTypes.MANIFEST_TYPES.contains(t) && !MediaTypes.isList(t)) {
                return t;
            }
        }
        throw ImageException.unsupported("Manifest type " + srcType + " is not supported by the destination");
    }

    private static ImageManifest buildManifest(ImageManifest src, String targetType, Descriptor config,
            List<Descriptor> layers) {
        if (targetType.equals(MediaTypes.OCI_MANIFEST)) {
            if (src instanceof OciManifest oci) {
                return oci.withConfig(config).withLayers(layers);
            }
            List<Descriptor> ociLayers = new ArrayList<>();
            for (Descriptor l : layers) {
                // annotations: a Docker layer has none, but an encrypted one has ocicrypt's (dev.kopi.encryption)
                ociLayers.add(new Descriptor(l.mediaType(), l.digest(), l.size(), l.urls(), l.annotations(), null,
                        null, null));
            }
            return new OciManifest(MediaTypes.OCI_MANIFEST, "", config, ociLayers, null, Map.of());
        }
        List<Descriptor> dl = new ArrayList<>();
        for (Descriptor l : layers) {
            dl.add(new Descriptor(l.mediaType(), l.digest(), l.size(), l.urls(), null, null, null, null));
        }
        return new Schema2Manifest(new Descriptor(MediaTypes.DOCKER_CONFIG, config.digest(), config.size()), dl);
    }

    private Descriptor copyConfig(ImageSource src, ImageDestination dest, ImageManifest m, String targetType)
            throws IOException {
        Descriptor c = m.config();
        if (targetType.equals(MediaTypes.OCI_MANIFEST) && m instanceof Schema2Manifest) {
            byte[] converted = ImageConfigs.toOciConfigBytes(ImageInspector.fetchConfig(src, m));
            BlobInfo info = new BlobInfo(Digest.sha256(converted), converted.length, MediaTypes.OCI_CONFIG);
            putSmallBlob(dest, converted, info);
            return new Descriptor(MediaTypes.OCI_CONFIG, info.digest(), info.size());
        }
        if (targetType.equals(MediaTypes.DOCKER_V2S2) && m instanceof OciManifest) {
            copyBlobAsIs(src, dest, c.toBlobInfo(), PutBlobOptions.CONFIG);
            return new Descriptor(MediaTypes.DOCKER_CONFIG, c.digest(), c.size());
        }
        copyBlobAsIs(src, dest, c.toBlobInfo(), PutBlobOptions.CONFIG);
        return c;
    }

    private void putSmallBlob(ImageDestination dest, byte[] data, BlobInfo info) throws IOException {
        listener.blobStarted(info, true);
        if (dest.tryReusingBlob(info).isPresent()) {
            listener.blobSkipped(info, true);
            return;
        }
        BlobInfo stored = dest.putBlob(new ByteArrayInputStream(data), info, PutBlobOptions.CONFIG);
        checkStored(info, stored);
        listener.blobDone(info, true);
    }

    private void copyBlobAsIs(ImageSource src, ImageDestination dest, BlobInfo info, PutBlobOptions opts)
            throws IOException {
        listener.blobStarted(info, opts.isConfig());
        if (dest.tryReusingBlob(info).isPresent()) {
            listener.blobSkipped(info, opts.isConfig());
            return;
        }
        try (BlobStream bs = openBlob(src, info, opts)) {
            VerifyingInputStream v = new VerifyingInputStream(bs.stream(), info.digest(), expectedSize(info, bs));
            BlobInfo stored = dest.putBlob(new Progress(new ReadErrors(v), info), info, opts);
            v.drain();
            checkStored(info, stored);
        } catch (ImageException e) {
            throw blobError(info, opts, src, e);
        }
        listener.blobDone(info, opts.isConfig());
    }

    private static long expectedSize(BlobInfo info, BlobStream bs) {
        return info.size() > 0 ? info.size() : bs.size();
    }

    /** A blob read failure, as containers/image words it: {@code reading blob DIGEST: ...}. */
    private static final class OpenFailed extends ImageException {
        private static final long serialVersionUID = 1L;

        OpenFailed(ImageException e, String message) {
            super(e.code(), message, e);
        }
    }

    private static BlobStream openBlob(ImageSource src, BlobInfo info, PutBlobOptions opts) throws IOException {
        try {
            return src.openBlob(info);
        } catch (IOException e) {
            ImageException w = ImageException.wrap("reading blob " + info.digest(), e);
            throw new OpenFailed(w, w.getMessage());
        }
    }

    /**
     * How containers/image words a blob failure: {@code reading blob DIGEST: ...} when the source could not open
     * it, else {@code writing blob: ...} (a failure of the source stream then reads {@code happened during read}).
     */
    private static ImageException blobError(BlobInfo info, PutBlobOptions opts, ImageSource src, ImageException e) {
        String prefix = opts.isConfig() ? "copying config: " : "";
        if (e instanceof OpenFailed) {
            return new ImageException(e.code(), prefix + e.getMessage(), e);
        }
        return new ImageException(e.code(), prefix + "writing blob: " + e.getMessage(), e);
    }

    /** Marks failures of the (verified) source stream, so that they read "happened during read: ...". */
    private static final class ReadErrors extends FilterInputStream {
        ReadErrors(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (IOException e) {
                throw ImageException.wrap("happened during read", e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (IOException e) {
                throw ImageException.wrap("happened during read", e);
            }
        }
    }

    private static void checkStored(BlobInfo expected, BlobInfo stored) throws ImageException {
        if (expected.digest() != null && stored.digest() != null && !expected.digest().equals(stored.digest())) {
            throw new ImageException(ErrorCode.DIGEST_MISMATCH, "destination stored blob " + expected.digest()
                    + " as " + stored.digest());
        }
    }

    /** A copied layer: its descriptor at the destination and, when asked for, its DiffID. */
    private record CopiedLayer(Descriptor descriptor, Digest diffId) {
    }

    /**
     * The layers to copy: the manifest's, or, when the source can only provide other representations of them (a
     * containers-storage source has them uncompressed), what {@link ImageSource#layerInfosForCopy} says; the
     * manifest is then rewritten with them, as containers/image does.
     */
    private List<Descriptor> layersForCopy(ImageSource src, ImageDestination dest, UnparsedImage image,
            ImageManifest m) throws IOException {
        List<Descriptor> layers = m.layers();
        Optional<List<BlobInfo>> infos = src.layerInfosForCopy(image.instanceDigest());
        if (infos.isEmpty()) {
            return layers;
        }
        List<BlobInfo> physical = infos.get();
        if (physical.size() != layers.size()) {
            throw ImageException.invalid("source reported " + physical.size() + " layers to copy for a manifest with "
                    + layers.size());
        }
        List<Descriptor> out = new ArrayList<>();
        for (int i = 0; i < layers.size(); i++) {
            Descriptor d = layers.get(i);
            BlobInfo b = physical.get(i);
            String mt = b.mediaType() != null && !b.mediaType().isEmpty() ? b.mediaType() : d.mediaType();
            out.add(d.withDigestSize(b.digest(), b.size()).withMediaType(mt));
        }
        if (!sameLayers(layers, out)) {
            // containers/image's cannotModifyManifestReason, last one wins
            String reason = null;
            if (!options.removeSignatures() && !image.signatures().isEmpty()) {
                reason = "Would invalidate signatures";
            }
            if (dest.reference().dockerReference().flatMap(dev.kopi.reference.DockerReference::digest).isPresent()) {
                reason = "Destination specifies a digest";
            }
            if (options.preserveDigests()) {
                reason = "Instructed to preserve digests";
            }
            if (reason != null) {
                throw ImageException.invalid("Copying this image would require changing layer representation, "
                        + "which we cannot do: " + dev.kopi.internal.go.GoStrconv.quote(reason));
            }
        }
        return out;
    }

    private List<CopiedLayer> copyLayers(ImageSource src, ImageDestination dest, List<Descriptor> layers,
            boolean targetOci, boolean converting, boolean needDiffIds, boolean canModify, ExecutorService transforms)
            throws IOException {
        CopiedLayer[] results = new CopiedLayer[layers.size()];
        // layer encryption (dev.kopi.encryption): which layers, checked before anything is copied
        Set<Integer> toEncrypt = options.crypto() == null ? Set.of()
                : options.crypto().layersToEncrypt(layers.size());
        boolean parallel = src.concurrentBlobReads() && dest.capabilities().concurrentBlobWrites()
                && layers.size() > 1;
        if (!parallel) {
            for (int i = 0; i < layers.size(); i++) {
                try {
                    results[i] = copyLayer(src, dest, layers.get(i), i, targetOci, converting, needDiffIds,
                            canModify, transforms, toEncrypt.contains(i), () -> { });
                } catch (IOException e) {
                    throw ImageException.wrap("copying layer", e);
                }
            }
            return List.of(results);
        }
        int slots = Math.min(options.maxParallel(), layers.size());
        ExecutorService pool = Executors.newFixedThreadPool(slots, daemonThreads("kopi-layer"));
        // As containers/image: a layer starts (and its progress bar appears) only when a slot is free, and layers
        // start in manifest order, so progress lines come out in the same order as skopeo's.
        java.util.concurrent.Semaphore free = new java.util.concurrent.Semaphore(slots);
        try {
            List<Future<CopiedLayer>> futures = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                int idx = i;
                java.util.concurrent.CountDownLatch started = new java.util.concurrent.CountDownLatch(1);
                try {
                    free.acquire();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("copy interrupted");
                }
                futures.add(pool.submit(() -> {
                    try {
                        return copyLayer(src, dest, layers.get(idx), idx, targetOci, converting, needDiffIds,
                                canModify, transforms, toEncrypt.contains(idx), started::countDown);
                    } finally {
                        started.countDown();
                        free.release();
                    }
                }));
                try {
                    started.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("copy interrupted");
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                try {
                    results[i] = futures.get(i).get();
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (c instanceof IOException io) {
                        throw ImageException.wrap("copying layer", io);
                    }
                    if (c instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new IOException(c);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("copy interrupted");
                }
            }
        } finally {
            pool.shutdownNow();
            awaitTermination(pool);
        }
        return List.of(results);
    }

    /**
     * Waits until every layer task has stopped. After a failure the other tasks may still be writing into the
     * destination; closing it under them (which deletes staging files) would leave their late writes behind.
     */
    private static void awaitTermination(ExecutorService pool) {
        boolean interrupted = false;
        while (true) {
            try {
                if (pool.awaitTermination(1, java.util.concurrent.TimeUnit.SECONDS)) {
                    break;
                }
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private enum Op { PRESERVE, COMPRESS, DECOMPRESS, RECOMPRESS }

    /**
     * An uncompressed layer the destination wants compressed: if the source knows a compressed form of it (as
     * containers/image's blob-info cache does, e.g. the blob containers-storage pulled it from) and the destination
     * has, or can mount, that blob, the layer is not compressed and sent again (c/image's {@code CanSubstitute}).
     */
    private CopiedLayer reuseCompressedVariant(ImageSource src, ImageDestination dest, Descriptor layer, BlobInfo info,
            boolean targetOci, CompressionAlgorithm fmt) throws IOException {
        for (BlobInfo variant : src.compressedVariants(info)) {
            Optional<CompressionAlgorithm> alg = Compression.fromMediaType(variant.mediaType());
            if (alg.isEmpty() || (fmt != null && fmt != alg.get())
                    || (fmt == null && alg.get() != CompressionAlgorithm.GZIP)) {
                continue;
            }
            Optional<BlobInfo> reused;
            try {
                reused = dest.tryReusingBlob(variant);
            } catch (IOException e) {
                throw ImageException.wrap("trying to reuse blob " + variant.digest() + " at destination", e);
            }
            if (reused.isPresent()) {
                Log.debug(() -> "Reusing " + variant.digest() + " (compressed) for layer " + info.digest());
                listener.blobSkipped(info, false);
                long size = reused.get().size() >= 0 ? reused.get().size() : variant.size();
                String mt = Compression.layerMediaType(layer.mediaType(), targetOci, alg);
                return new CopiedLayer(layer.withDigestSize(variant.digest(), size).withMediaType(mt), null);
            }
        }
        return null;
    }

    private static final java.util.Set<String> IMAGE_LAYER_TYPES = java.util.Set.of(MediaTypes.DOCKER_LAYER,
            MediaTypes.DOCKER_LAYER_GZIP, MediaTypes.DOCKER_LAYER_ZSTD, MediaTypes.DOCKER_FOREIGN_LAYER_GZIP,
            MediaTypes.OCI_LAYER, MediaTypes.OCI_LAYER_GZIP, MediaTypes.OCI_LAYER_ZSTD, MediaTypes.OCI_LAYER_NONDIST,
            MediaTypes.OCI_LAYER_NONDIST_GZIP, MediaTypes.OCI_LAYER_NONDIST_ZSTD);

    /** Whether a layer of this media type may be compressed or decompressed (schema1 layers have none). */
    static boolean compressionChangeable(String mt) {
        return mt == null || mt.isEmpty() || IMAGE_LAYER_TYPES.contains(mt);
    }

    private static boolean mediaTypeUncompressed(String mt) {
        return mt.endsWith(".tar") || mt.equals(MediaTypes.OCI_LAYER) || mt.equals(MediaTypes.OCI_LAYER_NONDIST);
    }

    /**
     * Copies one layer through the verifying pipeline, (de/re)compressing it as the destination wants.
     *
     * @param needDiffId compute the layer's DiffID on the way (the destination's copy is then never reused: the
     *     layer must be read anyway)
     * @param started called once the layer's start has been reported to the listener
     */
    private CopiedLayer copyLayer(ImageSource src, ImageDestination dest, Descriptor layer, int index,
            boolean targetOci, boolean converting, boolean needDiffId, boolean canModify, ExecutorService transforms,
            boolean toEncrypt, Runnable started) throws IOException {
        // Layer encryption (dev.kopi.encryption), as containers/image's blob pipeline: an encrypted source layer is
        // decrypted before the compression step and handled as its plain form from there on; a layer to encrypt
        // is encrypted after it. Neither reuses a blob the destination has.
        LayerCrypto crypto = options.crypto();
        Descriptor sourceLayer = layer;
        boolean decrypting = crypto != null && crypto.decrypts(layer);
        boolean encrypting = toEncrypt && !OciCrypt.isEncrypted(layer.mediaType());
        if (decrypting) {
            layer = layer.withMediaType(OciCrypt.decryptedMediaType(layer.mediaType()))
                    .withAnnotations(OciCrypt.withoutEncryptionAnnotations(layer.annotations()));
        }
        boolean transformed = decrypting || encrypting;
        // A layer of a manifest that must not change is copied as it is, whatever the destination prefers.
        // So is a blob of an OCI artifact (a Helm chart, an SBOM, ...): only image layer types are (de)compressed,
        // as containers/image's CanChangeLayerCompression decides.
        LayerCompression want = canModify && compressionChangeable(layer.mediaType())
                ? dest.capabilities().desiredLayerCompression() : LayerCompression.PRESERVE;
        CompressionAlgorithm fmt = options.compressionFormat();
        Optional<CompressionAlgorithm> mtAlg = Compression.fromMediaType(layer.mediaType());
        boolean identityByType = want == LayerCompression.PRESERVE
                || (want == LayerCompression.COMPRESS && mtAlg.isPresent() && (fmt == null || fmt == mtAlg.get()))
                || (want == LayerCompression.DECOMPRESS && mediaTypeUncompressed(layer.mediaType()));
        BlobInfo info = layer.toBlobInfo();
        listener.blobStarted(info, false);
        started.run();
        if (identityByType && !needDiffId && !transformed) {
            Optional<BlobInfo> reused;
            try {
                reused = dest.tryReusingBlob(info);
            } catch (IOException e) {
                throw ImageException.wrap("trying to reuse blob " + info.digest() + " at destination", e);
            }
            if (reused.isPresent()) {
                listener.blobSkipped(info, false);
                String mt = converting ? mapMediaType(layer.mediaType(), targetOci, mtAlg) : layer.mediaType();
                return new CopiedLayer(layer.withMediaType(mt), null);
            }
        }
        if (want == LayerCompression.COMPRESS && !identityByType && !needDiffId && mtAlg.isEmpty()) {
            CopiedLayer substituted = reuseCompressedVariant(src, dest, layer, info, targetOci, fmt);
            if (substituted != null) {
                return substituted;
            }
        }
        Descriptor result;
        Digest diffId = null;
        DiffIdTee tee = null;
        try (BlobStream bs = openBlob(src, info, PutBlobOptions.layer(index))) {
            VerifyingInputStream v = new VerifyingInputStream(bs.stream(), info.digest(),
                    layer.size() > 0 ? layer.size() : bs.size());
            InputStream verified = new ReadErrors(v);
            if (decrypting) {
                try {
                    verified = crypto.decrypt(sourceLayer, verified);
                } catch (ImageException e) {
                    throw new OpenFailed(e, e.getMessage());
                }
            }
            if (needDiffId) {
                tee = new DiffIdTee(verified, transforms);
                verified = tee;
            }
            BufferedInputStream in = new BufferedInputStream(new Progress(verified, info), 65536);
            Optional<CompressionAlgorithm> actual = Compression.detect(in);
            Op op = Op.PRESERVE;
            if (want == LayerCompression.COMPRESS) {
                if (actual.isEmpty()) {
                    op = Op.COMPRESS;
                } else if (fmt != null && fmt != actual.get()) {
                    op = Op.RECOMPRESS;
                }
            } else if (want == LayerCompression.DECOMPRESS && actual.isPresent()) {
                op = Op.DECOMPRESS;
            }
            CompressionAlgorithm target = fmt == null ? CompressionAlgorithm.GZIP : fmt;
            InputStream toDest;
            Optional<CompressionAlgorithm> resultAlg;
            switch (op) {
                case COMPRESS -> {
                    toDest = Pipe.start(transforms, out -> {
                        try (var c = Compression.compress(nonClosing(out), target, options.compressionLevel())) {
                            Streams.copy(in, c);
                        }
                    });
                    resultAlg = Optional.of(target);
                }
                case RECOMPRESS -> {
                    InputStream plain = Compression.decompress(in, actual.get());
                    toDest = Pipe.start(transforms, out -> {
                        try (var c = Compression.compress(nonClosing(out), target, options.compressionLevel())) {
                            Streams.copy(plain, c);
                        }
                    });
                    resultAlg = Optional.of(target);
                }
                case DECOMPRESS -> {
                    // Inflate on a transform thread, so that it overlaps the digesting and writing of the output.
                    CompressionAlgorithm alg = actual.get();
                    toDest = Pipe.start(transforms, out -> {
                        try {
                            Streams.copy(Compression.decompress(in, alg), out);
                        } catch (IOException e) {
                            throw preferDigestMismatch(v, e);
                        }
                    });
                    resultAlg = Optional.empty();
                }
                default -> {
                    toDest = in;
                    resultAlg = actual;
                }
            }
            BlobInfo request = op == Op.PRESERVE && !transformed ? info : new BlobInfo(null, -1, info.mediaType(),
                    info.urls(), info.annotations());
            LayerCrypto.Encryption encryption = encrypting ? crypto.encrypt(sourceLayer, toDest) : null;
            BlobInfo stored;
            try {
                stored = dest.putBlob(encryption != null ? encryption.stream() : toDest, request,
                        PutBlobOptions.layer(index));
                if (toDest != in) {
                    toDest.close(); // a pipe: wait until its transform thread no longer reads the source
                }
                if (tee != null) {
                    // The DiffID covers the whole blob: read what the transform left (through the tee).
                    Streams.copy(in, java.io.OutputStream.nullOutputStream());
                }
                v.drain();
            } finally {
                toDest.close();
            }
            if (op == Op.PRESERVE && !transformed) {
                checkStored(info, stored);
            }
            String mt;
            if (op == Op.PRESERVE) {
                mt = converting ? mapMediaType(layer.mediaType(), targetOci, mtAlg.isPresent() ? mtAlg : actual)
                        : layer.mediaType();
            } else {
                mt = Compression.layerMediaType(layer.mediaType(), targetOci, resultAlg);
            }
            result = layer.withDigestSize(stored.digest(), stored.size()).withMediaType(mt);
            if (encryption != null) {
                Map<String, String> annotations = new java.util.TreeMap<>(layer.annotations());
                annotations.putAll(encryption.finish());
                result = result.withMediaType(OciCrypt.encryptedMediaType(mt)).withAnnotations(annotations);
            }
            if (tee != null) {
                diffId = tee.diffId();
                tee = null;
            }
        } catch (ImageException e) {
            throw blobError(info, PutBlobOptions.layer(index), src, e);
        } finally {
            if (tee != null) {
                tee.abort();
            }
        }
        listener.blobDone(info, false);
        return new CopiedLayer(result, diffId);
    }

    /**
     * When a transformed stream fails (say, a corrupt gzip trailer), the real cause is usually corrupt source data:
     * read the rest of the verified stream and report its digest mismatch instead, if there is one.
     */
    private static IOException preferDigestMismatch(VerifyingInputStream v, IOException e) {
        if (ImageException.hasCode(e, ErrorCode.DIGEST_MISMATCH) || v.verified()) {
            return e;
        }
        try {
            v.drain();
        } catch (dev.kopi.error.DigestMismatchException mismatch) {
            mismatch.addSuppressed(e);
            return mismatch;
        } catch (IOException other) {
            return e;
        }
        return e;
    }

    private static String mapMediaType(String mt, boolean targetOci, Optional<CompressionAlgorithm> alg)
            throws ImageException {
        boolean known = mt.startsWith("application/vnd.oci.image.layer.")
                || mt.startsWith("application/vnd.docker.image.rootfs.");
        if (!known) {
            throw ImageException.unsupported("Unknown media type during manifest conversion: \"" + mt + "\"");
        }
        return Compression.layerMediaType(mt, targetOci, mediaTypeUncompressed(mt) ? Optional.empty() : alg);
    }

    private static java.io.OutputStream nonClosing(java.io.OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws IOException {
                flush();
            }
        };
    }

    /** Reports bytes read to the listener. */
    private final class Progress extends FilterInputStream {
        private final BlobInfo info;
        private long done;

        Progress(InputStream in, BlobInfo info) {
            super(in);
            this.info = info;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                listener.blobProgress(info, ++done);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                done += n;
                listener.blobProgress(info, done);
            }
            return n;
        }
    }

    private static ThreadFactory daemonThreads(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
