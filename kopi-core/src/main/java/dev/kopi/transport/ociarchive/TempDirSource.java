package dev.kopi.transport.ociarchive;

import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.image.RawManifest;
import dev.kopi.internal.io.AtomicFiles;
import dev.kopi.signature.Signature;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** A source reading from an extracted temp directory, deleted on close. */
final class TempDirSource implements ImageSource, dev.kopi.transport.ReferrerSource {
    private final ImageSource inner;
    private final Path tmp;

    TempDirSource(ImageSource inner, Path tmp) {
        this.inner = inner;
        this.tmp = tmp;
    }

    @Override
    public ImageReference reference() {
        return inner.reference();
    }

    @Override
    public RawManifest fetchManifest(Optional<Digest> instance) throws IOException {
        return inner.fetchManifest(instance);
    }

    @Override
    public BlobStream openBlob(BlobInfo info) throws IOException {
        return inner.openBlob(info);
    }

    @Override
    public List<Signature> fetchSignatures(Optional<Digest> instance) throws IOException {
        return inner.fetchSignatures(instance);
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
    public java.util.List<dev.kopi.manifest.Descriptor> fetchReferrers(Digest subject) throws IOException {
        if (inner instanceof dev.kopi.transport.ReferrerSource rs) {
            return rs.fetchReferrers(subject);
        }
        return java.util.List.of();
    }

    @Override
    public Optional<RawManifest> fetchTaggedManifest(String tag) throws IOException {
        if (inner instanceof dev.kopi.transport.ReferrerSource rs) {
            return rs.fetchTaggedManifest(tag);
        }
        return Optional.empty();
    }
}
