package dev.kopi.transport.oci;

import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.digest.SizeLimits;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.manifest.Descriptor;
import dev.kopi.signature.Signature;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Reads one image (or index) of an OCI layout. */
public final class OciImageSource implements ImageSource, dev.kopi.transport.ReferrerSource {
    private final ImageReference ref;
    private final OciLayout layout;
    private final Descriptor descriptor;
    /** The list when index.json itself is a multi-platform index (see {@link OciLayout#implicitPlatformIndex}). */
    private final RawManifest implicitIndex;

    /** @param ref the reference to report (an oci-archive source reports its archive reference) */
    public OciImageSource(ImageReference ref, OciReference layoutRef, OciLayout layout) throws IOException {
        this.ref = ref;
        this.layout = layout;
        this.implicitIndex = layout.implicitPlatformIndex(layoutRef).orElse(null);
        this.descriptor = implicitIndex != null ? null : layout.findDescriptor(layoutRef);
    }

    OciImageSource(OciReference ref, OciLayout layout) throws IOException {
        this(ref, ref, layout);
    }

    @Override
    public ImageReference reference() {
        return ref;
    }

    @Override
    public RawManifest fetchManifest(Optional<Digest> instance) throws IOException {
        if (instance.isEmpty() && implicitIndex != null) {
            return implicitIndex;
        }
        Digest d = instance.isPresent() ? instance.get() : descriptor.digest();
        String mt = instance.isPresent() ? null : descriptor.mediaType();
        Path p = layout.blobPath(d);
        return new RawManifest(LocalPaths.readAtMost(p, SizeLimits.MANIFEST, "manifest " + d),
                mt == null || mt.isEmpty() ? null : mt);
    }

    @Override
    public BlobStream openBlob(BlobInfo info) throws IOException {
        Path p = layout.blobPath(info.digest());
        try {
            return new BlobStream(Files.newInputStream(p), Files.size(p));
        } catch (IOException e) {
            if (!info.urls().isEmpty()) {
                throw ImageException.unsupported("reading foreign layer " + info.digest() + " from its URLs is not supported");
            }
            throw new ImageException(ErrorCode.IO, LocalPaths.goError("open", p, e), e);
        }
    }

    @Override
    public List<Signature> fetchSignatures(Optional<Digest> instance) {
        return List.of();
    }

    /** An OCI manifest or index index.json lists: its name (or null), bytes and subject, read once per source. */
    private record Listed(String refName, Digest digest, byte[] bytes, String mediaType, Optional<Digest> subject) {
    }

    /** index.json's OCI manifests and indexes, in its order; read on the first {@link #fetchReferrers}. */
    private List<Listed> listed;

    private synchronized List<Listed> listed() throws IOException {
        if (listed != null) {
            return listed;
        }
        List<Listed> out = new java.util.ArrayList<>();
        if (Files.exists(layout.indexPath())) {
            for (Descriptor d : layout.readIndex().instances()) {
                String mt = d.mediaType();
                if (!mt.equals(dev.kopi.manifest.MediaTypes.OCI_MANIFEST)
                        && !mt.equals(dev.kopi.manifest.MediaTypes.OCI_INDEX)) {
                    continue;
                }
                Path p = layout.blobPath(d.digest());
                if (!Files.isRegularFile(p) || Files.size(p) > SizeLimits.MANIFEST) {
                    continue;
                }
                byte[] bytes = Files.readAllBytes(p);
                Optional<Digest> subject;
                try {
                    subject = dev.kopi.manifest.Referrers.subjectOf(dev.kopi.manifest.Manifests.parse(bytes, mt))
                            .map(Descriptor::digest);
                } catch (ImageException e) {
                    subject = Optional.empty(); // not ours to judge: not a referrer
                }
                out.add(new Listed(d.annotations().get(OciLayout.REF_NAME), d.digest(), bytes, mt, subject));
            }
        }
        listed = out;
        return out;
    }

    /**
     * The manifests index.json lists whose {@code subject} is {@code subject} (as oras and regclient keep
     * referrers in a layout), and those the referrers tag schema's index lists when index.json tags one. The
     * layout's manifests are read once per source, however many subjects are asked about.
     */
    @Override
    public List<Descriptor> fetchReferrers(Digest subject) throws IOException {
        java.util.Map<Digest, Descriptor> found = new java.util.LinkedHashMap<>();
        String fallback = dev.kopi.manifest.Referrers.fallbackTag(subject);
        for (Listed e : listed()) {
            if (fallback.equals(e.refName())) {
                for (Descriptor r : dev.kopi.manifest.Referrers.parseIndex(e.bytes(), e.mediaType(),
                        "referrers tag " + fallback).instances()) {
                    if (r.digest() != null && Files.isRegularFile(layout.blobPath(r.digest()))) {
                        found.putIfAbsent(r.digest(), r); // (a stale entry of a deleted referrer is left out)
                    }
                }
            } else if (e.subject().filter(subject::equals).isPresent()) {
                found.putIfAbsent(e.digest(), dev.kopi.manifest.Referrers.descriptorFor(e.bytes(), e.mediaType()));
            }
        }
        return List.copyOf(found.values());
    }

    @Override
    public Optional<RawManifest> fetchTaggedManifest(String tag) throws IOException {
        if (!Files.exists(layout.indexPath())) {
            return Optional.empty();
        }
        for (Descriptor d : layout.readIndex().instances()) {
            if (tag.equals(d.annotations().get(OciLayout.REF_NAME))) {
                Path p = layout.blobPath(d.digest());
                return Optional.of(new RawManifest(LocalPaths.readAtMost(p, SizeLimits.MANIFEST, "manifest " + d.digest()),
                        d.mediaType().isEmpty() ? null : d.mediaType()));
            }
        }
        return Optional.empty();
    }

    @Override
    public void close() {
    }
}
