package dev.kopi.transport.docker;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.signature.Signature;
import dev.kopi.transport.DestinationCapabilities;
import dev.kopi.transport.DestinationCapabilities.LayerCompression;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * Writes an image to a registry: blobs first (reused when present, mounted from another repository of the same
 * registry when known there, else uploaded), then the manifest, so the registry never has a manifest whose blobs
 * are missing.
 */
final class DockerImageDestination implements ImageDestination, dev.kopi.transport.ReferrerDestination {
    private static final DestinationCapabilities CAPABILITIES = new DestinationCapabilities(
            List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_V2S2, MediaTypes.DOCKER_V2S1_SIGNED,
                    MediaTypes.DOCKER_V2S1, MediaTypes.DOCKER_V2_LIST, MediaTypes.OCI_INDEX),
            LayerCompression.COMPRESS, true, false, true, true, true);

    private final DockerImageReference ref;
    private final RegistryClient client;
    private final boolean precomputeDigests;
    private final java.nio.file.Path tmpDir;
    private final dev.kopi.config.RegistriesD registriesD;
    private Digest manifestDigest;

    /**
     * @param precomputeDigests {@code --dest-precompute-digests}: a blob of unknown digest is spooled to a file in
     *     {@code tmpDir} and digested first, and not uploaded when the registry has it
     */
    DockerImageDestination(DockerImageReference ref, RegistryClient client, boolean precomputeDigests,
            java.nio.file.Path tmpDir, dev.kopi.config.RegistriesD registriesD) {
        this.ref = ref;
        this.registriesD = registriesD;
        this.client = client;
        this.precomputeDigests = precomputeDigests;
        this.tmpDir = tmpDir;
    }

    @Override
    public ImageReference reference() {
        return ref;
    }

    @Override
    public DestinationCapabilities capabilities() {
        return CAPABILITIES;
    }

    /** Blob claims of this destination's run session (see {@link RegistrySession}) not yet completed. */
    private final java.util.Set<RegistrySession.Claim> claims = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The claim a thread took in {@link #tryReusingBlob} and completes in its next {@link #putBlob}. */
    private final ThreadLocal<RegistrySession.Claim> pending = new ThreadLocal<>();

    @Override
    public Optional<BlobInfo> tryReusingBlob(BlobInfo info) throws IOException {
        if (info.digest() == null) {
            return Optional.empty();
        }
        RegistrySession session = client.session();
        if (session == null) {
            return checkBlob(info);
        }
        // Within a run, a blob is checked once per repository; a copy that finds another copy sending the same
        // blob waits for it instead of sending it again.
        RegistrySession.Claim claim = session.claim(client.registry(), client.repository(), info.digest());
        if (claim.present()) {
            Log.debug(() -> "Blob " + info.digest() + " already known in " + client.name() + " in this run");
            return Optional.of(info);
        }
        if (!claim.owner()) {
            return checkBlob(info);
        }
        claims.add(claim);
        Optional<BlobInfo> found;
        try {
            found = checkBlob(info);
        } catch (IOException | RuntimeException e) {
            release(claim, false);
            throw e;
        }
        if (found.isPresent()) {
            release(claim, true);
        } else {
            pending.set(claim); // the caller uploads it next, on this thread
        }
        return found;
    }

    private void release(RegistrySession.Claim claim, boolean present) {
        claims.remove(claim);
        claim.complete(present);
    }

    private Optional<BlobInfo> checkBlob(BlobInfo info) throws IOException {
        long size = client.blobSize(info.digest());
        if (size >= 0) {
            BlobLocations.record(client.registry(), client.repository(), info.digest());
            return Optional.of(info.withDigestAndSize(info.digest(), info.size() >= 0 ? info.size() : size));
        }
        for (String repo : BlobLocations.candidates(client.registry(), info.digest())) {
            if (repo.equals(client.repository())) {
                continue;
            }
            if (client.mountBlob(info.digest(), repo)) {
                Log.debug(() -> "Mounted " + info.digest() + " from " + repo);
                BlobLocations.record(client.registry(), client.repository(), info.digest());
                return Optional.of(info);
            }
        }
        return Optional.empty();
    }

    @Override
    public BlobInfo putBlob(InputStream stream, BlobInfo info, PutBlobOptions options) throws IOException {
        RegistrySession.Claim claim = pending.get();
        pending.remove();
        BlobInfo stored = null;
        try {
            stored = upload(stream, info);
            return stored;
        } finally {
            if (claim != null) {
                release(claim, stored != null && claim.toString().endsWith("@" + stored.digest()));
            }
            RegistrySession session = client.session();
            if (session != null && stored != null) {
                session.known(client.registry(), client.repository(), stored.digest());
            }
        }
    }

    private BlobInfo upload(InputStream stream, BlobInfo info) throws IOException {
        if (info.digest() == null && precomputeDigests) {
            return precomputeAndPut(stream, info);
        }
        BlobInfo stored = client.uploadBlob(stream, info.digest(), info.size());
        BlobLocations.record(client.registry(), client.repository(), stored.digest());
        return info.withDigestAndSize(stored.digest(), stored.size());
    }

    /**
     * As containers/image with DockerRegistryPushPrecomputeDigests: the stream goes to a temporary file while it is
     * digested; a blob the repository already has is then not uploaded.
     */
    private BlobInfo precomputeAndPut(InputStream stream, BlobInfo info) throws IOException {
        Log.debug(() -> "Precomputing digest layer for " + client.repository());
        java.nio.file.Path tmp = java.nio.file.Files.createTempFile(tmpDir, "kopi-precompute-", ".blob");
        try {
            dev.kopi.digest.DigestingInputStream in = new dev.kopi.digest.DigestingInputStream(stream,
                    dev.kopi.digest.DigestAlgorithm.SHA256);
            long size = java.nio.file.Files.copy(in, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Digest digest = in.digest();
            BlobInfo known = info.withDigestAndSize(digest, size);
            if (client.blobSize(digest) >= 0) {
                BlobLocations.record(client.registry(), client.repository(), digest);
                return known;
            }
            BlobInfo stored;
            try (InputStream file = java.nio.file.Files.newInputStream(tmp)) {
                stored = client.uploadBlob(file, digest, size);
            }
            BlobLocations.record(client.registry(), client.repository(), stored.digest());
            return info.withDigestAndSize(stored.digest(), stored.size());
        } finally {
            java.nio.file.Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void putManifest(byte[] manifest, String mediaType, Optional<Digest> instance) throws IOException {
        String target;
        if (instance.isPresent()) {
            target = instance.get().toString();
        } else if (ref.ref().tag().isPresent()) {
            target = ref.ref().tag().get();
        } else if (ref.ref().digest().isPresent()) {
            Digest want = ref.ref().digest().get();
            if (!Manifests.matchesDigest(manifest, want)) {
                throw ImageException.invalid("Upload of manifest to " + ref.ref() + " failed: digest "
                        + Manifests.digest(manifest, want.algorithm()) + " does not match the digest in the reference");
            }
            target = want.toString();
        } else {
            target = Manifests.digest(manifest).toString();
        }
        client.putManifest(manifest, mediaType, target);
        if (instance.isEmpty()) {
            manifestDigest = Manifests.digest(manifest);
        }
    }

    /**
     * Sigstore signatures become attachments (registries.d {@code use-sigstore-attachments}), the others go to the
     * lookaside staging storage of registries.d ({@code file://} only), as containers/image writes them.
     */
    @Override
    public void putSignatures(List<Signature> signatures, Optional<Digest> instance) throws IOException {
        Digest digest = instance.orElse(manifestDigest);
        if (digest == null) {
            throw new ImageException(dev.kopi.error.ErrorCode.IO, "Unknown manifest digest, can't add signatures");
        }
        if (signatures.isEmpty()) {
            return;
        }
        DockerSignatures.of(client, ref.ref(), registriesD, true).write(signatures, digest);
    }

    /** As containers/image: the registry is reached (ping); lookaside storage always has a location. */
    @Override
    public void checkSignaturesSupported() throws IOException {
        client.ping();
    }

    /**
     * PUT by digest; when the registry's answer has no {@code OCI-Subject} header (no Referrers API), the referrers
     * tag schema's index of {@code subject} is read (an empty one when the tag does not exist), the referrer's
     * descriptor added unless listed already, and the index PUT back under the tag.
     */
    @Override
    public void putReferrer(byte[] manifest, String mediaType, Digest subject) throws IOException {
        Digest digest = Manifests.digest(manifest);
        Optional<String> handled = client.putManifestForSubject(manifest, mediaType, digest.toString());
        if (handled.isPresent()) {
            Log.debug(() -> "Registry " + client.name() + " lists " + digest + " as a referrer of " + handled.get());
            return;
        }
        String tag = dev.kopi.manifest.Referrers.fallbackTag(subject);
        dev.kopi.manifest.Descriptor entry = dev.kopi.manifest.Referrers.descriptorFor(manifest, mediaType);
        Optional<dev.kopi.image.RawManifest> current = client.fetchManifestIfPresent(tag);
        dev.kopi.manifest.OciIndex index = current.isEmpty() ? dev.kopi.manifest.Referrers.emptyIndex()
                : dev.kopi.manifest.Referrers.parseIndex(current.get().bytes(), current.get().mediaType(),
                        "updating referrers tag " + tag + " in " + client.name() + ": the tag");
        Optional<dev.kopi.manifest.OciIndex> updated = dev.kopi.manifest.Referrers.withEntry(index, entry);
        if (updated.isEmpty()) {
            Log.debug(() -> "Referrers tag " + tag + " in " + client.name() + " already lists " + digest);
            return;
        }
        client.putManifest(updated.get().serialize(), MediaTypes.OCI_INDEX, tag);
    }

    @Override
    public void putTaggedManifest(byte[] manifest, String mediaType, String tag) throws IOException {
        client.putManifest(manifest, mediaType, tag);
    }

    @Override
    public void commit() {
    }

    @Override
    public void close() {
        for (RegistrySession.Claim c : List.copyOf(claims)) {
            release(c, false);
        }
        client.close();
    }
}
