package dev.kopi.transport.dir;

import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.digest.SizeLimits;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.signature.Signature;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Reads a {@code dir:} image. */
final class DirImageSource implements ImageSource {
    private final DirReference ref;

    DirImageSource(DirReference ref) {
        this.ref = ref;
    }

    @Override
    public ImageReference reference() {
        return ref;
    }

    @Override
    public RawManifest fetchManifest(Optional<Digest> instance) throws IOException {
        Path p = DirReference.manifestPath(ref.resolvedPath(), instance);
        return new RawManifest(LocalPaths.readAtMost(p, SizeLimits.MANIFEST, "manifest " + p), null);
    }

    @Override
    public BlobStream openBlob(BlobInfo info) throws IOException {
        Path p = DirReference.blobPath(ref.resolvedPath(), info.digest());
        try {
            long size = Files.size(p);
            return new BlobStream(Files.newInputStream(p), size);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, LocalPaths.goError("open", p, e), e);
        }
    }

    @Override
    public List<Signature> fetchSignatures(Optional<Digest> instance) throws IOException {
        List<Signature> sigs = new ArrayList<>();
        for (int i = 0; ; i++) {
            Path p = DirReference.signaturePath(ref.resolvedPath(), i, instance);
            try (InputStream in = Files.newInputStream(p)) {
                sigs.add(new Signature(SizeLimits.readAtMost(in, SizeLimits.SIGNATURE, "signature " + p)));
            } catch (NoSuchFileException e) {
                return sigs;
            }
        }
    }

    @Override
    public void close() {
    }
}
