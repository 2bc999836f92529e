package dev.kopi.transport.ociarchive;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.internal.io.AtomicFiles;
import dev.kopi.internal.io.BigTemp;
import dev.kopi.signature.Signature;
import dev.kopi.transport.DestinationCapabilities;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.oci.OciImageDestination;
import dev.kopi.transport.oci.OciLayout;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Writes an OCI layout into a temp directory, then on commit tars it to a temp file beside the target and renames
 * it into place; like skopeo, the archive then holds just this image, unless {@code copy --append} (beyond skopeo)
 * asked to add it to the images already in the archive.
 */
final class OciArchiveImageDestination implements ImageDestination, dev.kopi.transport.ReferrerDestination {
    private final OciArchiveReference ref;
    private final Path tmp;
    private final OciImageDestination inner;
    private boolean committed;

    OciArchiveImageDestination(OciArchiveReference ref, ImageContext ctx) throws IOException {
        this.ref = ref;
        try {
            this.tmp = BigTemp.mkdirTemp(ctx.tmpDir(), "oci");
        } catch (ImageException e) {
            throw new ImageException(e.code(), "creating oci reference: creating temp directory: " + e.getMessage(),
                    e);
        }
        try {
            Path existing = ref.resolvedFile();
            if (ctx.archiveAppend() && Files.isRegularFile(existing) && Files.size(existing) > 0) {
                // copy --append: start from the archive's layout, so its images stay and the new one is added
                try {
                    OciTar.extract(existing, tmp);
                } catch (IOException e) {
                    throw ImageException.wrap("appending to \"" + existing + "\"", e);
                }
            }
            this.inner = new OciImageDestination(ref, ref.layoutRef().inDirectory(tmp), OciLayout.at(tmp, null), ctx);
        } catch (IOException | RuntimeException e) {
            AtomicFiles.deleteTreeQuietly(tmp);
            throw e;
        }
    }

    @Override
    public ImageReference reference() {
        return ref;
    }

    @Override
    public DestinationCapabilities capabilities() {
        return inner.capabilities();
    }

    @Override
    public Optional<BlobInfo> tryReusingBlob(BlobInfo info) throws IOException {
        return inner.tryReusingBlob(info);
    }

    @Override
    public BlobInfo putBlob(InputStream stream, BlobInfo info, PutBlobOptions options) throws IOException {
        return inner.putBlob(stream, info, options);
    }

    @Override
    public void putManifest(byte[] manifest, String mediaType, Optional<Digest> instance) throws IOException {
        inner.putManifest(manifest, mediaType, instance);
    }

    @Override
    public void putSignatures(List<Signature> signatures, Optional<Digest> instance) throws IOException {
        inner.putSignatures(signatures, instance);
    }

    @Override
    public void checkSignaturesSupported() throws IOException {
        inner.checkSignaturesSupported();
    }

    @Override
    public void commit() throws IOException {
        inner.commit();
        OciTar.replace(tmp, ref.resolvedFile());
        committed = true;
    }

    @Override
    public void close() throws IOException {
        try {
            inner.close();
        } finally {
            AtomicFiles.deleteTreeQuietly(tmp);
        }
    }

    @Override
    public void putReferrer(byte[] manifest, String mediaType, Digest subject) throws IOException {
        inner.putReferrer(manifest, mediaType, subject);
    }

    @Override
    public void putTaggedManifest(byte[] manifest, String mediaType, String tag) throws IOException {
        inner.putTaggedManifest(manifest, mediaType, tag);
    }
}
