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
public final class OciImageSource implements ImageSource {
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

    @Override
    public void close() {
    }
}
