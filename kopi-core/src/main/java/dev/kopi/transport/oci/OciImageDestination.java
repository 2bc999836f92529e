package dev.kopi.transport.oci;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.internal.io.AtomicFiles;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.signature.Signature;
import dev.kopi.transport.DestinationCapabilities;
import dev.kopi.transport.DestinationCapabilities.LayerCompression;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Writes an image into an OCI layout. Blobs go into {@code blobs/} as they arrive (each atomically); index.json
 * is updated under a lock at {@link #commit()}. Blobs this destination created are removed again when it is
 * closed without commit, so a failed copy leaves the layout exactly as it was.
 */
public final class OciImageDestination implements ImageDestination, dev.kopi.transport.ReferrerDestination {
    private final ImageReference ref;
    private final OciReference layoutRef;
    private final OciLayout layout;
    private final DestinationCapabilities caps;
    private final ConcurrentLinkedQueue<Path> created = new ConcurrentLinkedQueue<>();
    private Descriptor topLevel;
    private boolean committed;

    /** @param ref the reference to report (an oci-archive destination reports its archive reference) */
    public OciImageDestination(ImageReference ref, OciReference layoutRef, OciLayout layout, ImageContext ctx)
            throws IOException {
        this.ref = ref;
        this.layoutRef = layoutRef;
        this.layout = layout;
        this.caps = new DestinationCapabilities(List.of(MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX),
                ctx.ociAcceptUncompressedLayers() ? LayerCompression.PRESERVE : LayerCompression.COMPRESS,
                true, false, false, true, true);
        if (Files.exists(layout.indexPath())) {
            layout.readIndex();
        }
    }

    OciImageDestination(OciReference ref, OciLayout layout, ImageContext ctx) throws IOException {
        this(ref, ref, layout, ctx);
    }

    @Override
    public ImageReference reference() {
        return ref;
    }

    @Override
    public DestinationCapabilities capabilities() {
        return caps;
    }

    @Override
    public Optional<BlobInfo> tryReusingBlob(BlobInfo info) throws IOException {
        if (info.digest() == null) {
            return Optional.empty();
        }
        Path p = layout.blobPath(info.digest());
        if (Files.isRegularFile(p)) {
            return Optional.of(info.withDigestAndSize(info.digest(), Files.size(p)));
        }
        return Optional.empty();
    }

    @Override
    public BlobInfo putBlob(InputStream stream, BlobInfo info, PutBlobOptions options) throws IOException {
        AtomicFiles.StoredBlob stored = AtomicFiles.storeBlob(stream, info, layout.dir(), layout::blobPath);
        if (stored.created() != null) {
            created.add(stored.created());
        }
        return stored.info();
    }

    @Override
    public void putManifest(byte[] manifest, String mediaType, Optional<Digest> instance) throws IOException {
        Digest d = instance.isPresent() ? instance.get() : Manifests.digest(manifest);
        Path target = layout.blobPath(d);
        if (!Files.exists(target)) {
            AtomicFiles.write(target, manifest);
            created.add(target);
        }
        if (instance.isEmpty()) {
            Map<String, String> ann = layoutRef.image().isEmpty() ? Map.of()
                    : Map.of(OciLayout.REF_NAME, layoutRef.image());
            topLevel = new Descriptor(Manifests.guessMimeType(manifest), d, manifest.length, null, ann, null, null,
                    null);
        }
    }

    /** Attached manifests to list in index.json at commit: referrers untagged, digest tags with their name. */
    private final List<Descriptor> attached = new ArrayList<>();

    /** Stores the referrer as a blob; {@link #commit()} lists it in index.json (untagged), as oras does. */
    @Override
    public void putReferrer(byte[] manifest, String mediaType, Digest subject) throws IOException {
        Digest d = Manifests.digest(manifest);
        putManifest(manifest, mediaType, Optional.of(d));
        Descriptor desc = dev.kopi.manifest.Referrers.descriptorFor(manifest, mediaType);
        synchronized (attached) {
            attached.add(desc);
        }
    }

    /** Stores the manifest as a blob; {@link #commit()} lists it in index.json under the name {@code tag}. */
    @Override
    public void putTaggedManifest(byte[] manifest, String mediaType, String tag) throws IOException {
        Digest d = Manifests.digest(manifest);
        putManifest(manifest, mediaType, Optional.of(d));
        Descriptor desc = new Descriptor(Manifests.effectiveMimeType(manifest, mediaType), d, manifest.length, null,
                Map.of(OciLayout.REF_NAME, tag), null, null, null);
        synchronized (attached) {
            attached.add(desc);
        }
    }

    /** index.json with an untagged entry added unless it lists the digest already; tagged ones as addManifest. */
    private static dev.kopi.manifest.OciIndex addAttached(dev.kopi.manifest.OciIndex index, Descriptor desc) {
        if (!desc.annotations().containsKey(OciLayout.REF_NAME)) {
            for (Descriptor m : index.instances()) {
                if (m.digest().equals(desc.digest())) {
                    return index;
                }
            }
            List<Descriptor> all = new ArrayList<>(index.instances());
            all.add(desc);
            return index.withInstances(all);
        }
        return OciLayout.addManifest(index, desc);
    }

    @Override
    public void putSignatures(List<Signature> signatures, Optional<Digest> instance) throws IOException {
        if (!signatures.isEmpty()) {
            checkSignaturesSupported();
        }
    }

    @Override
    public void checkSignaturesSupported() throws IOException {
        throw ImageException.unsupported("Pushing signatures for OCI images is not supported");
    }

    @Override
    public void commit() throws IOException {
        if (topLevel == null) {
            throw ImageException.invalid("internal error: commit without a manifest");
        }
        Descriptor desc = topLevel;
        List<Descriptor> extra;
        synchronized (attached) {
            extra = List.copyOf(attached);
        }
        layout.updateIndex(index -> {
            dev.kopi.manifest.OciIndex out = OciLayout.addManifest(index, desc);
            for (Descriptor a : extra) {
                out = addAttached(out, a);
            }
            return out;
        });
        committed = true;
    }

    @Override
    public void close() {
        if (!committed && !created.isEmpty()) {
            List<Path> mine = new ArrayList<>(created);
            // Under the layout's lock, and sparing what index.json now reaches: a concurrent writer may have
            // committed an image that reuses a blob this copy created.
            try {
                if (!Files.exists(layout.dir().resolve("oci-layout"))) {
                    for (Path p : mine) {
                        Files.deleteIfExists(p); // a layout nobody has committed to: nothing to spare
                    }
                    return;
                }
                layout.withLock(() -> {
                    java.util.Set<Path> keep = new java.util.HashSet<>();
                    for (Digest d : layout.referencedBlobs()) {
                        keep.add(layout.blobPath(d));
                    }
                    for (Path p : mine) {
                        if (!keep.contains(p)) {
                            Files.deleteIfExists(p);
                        }
                    }
                    return null;
                }, false);
            } catch (IOException | RuntimeException e) {
                // best effort
            }
        }
    }
}
