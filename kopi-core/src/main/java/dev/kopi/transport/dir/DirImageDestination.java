package dev.kopi.transport.dir;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.io.AtomicFiles;
import dev.kopi.signature.Signature;
import dev.kopi.transport.DestinationCapabilities;
import dev.kopi.transport.DestinationCapabilities.LayerCompression;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Writes a {@code dir:} image. Everything goes to a hidden staging directory beside the target; {@link #commit()}
 * swaps it into place, so a failed copy leaves the user's directory as it was. Like skopeo, an existing target
 * is replaced only when it is empty or is itself an image directory.
 */
final class DirImageDestination implements ImageDestination {
    private final DirReference ref;
    private final Path target;
    private final Path staging;
    private final DestinationCapabilities caps;
    private boolean committed;

    DirImageDestination(DirReference ref, ImageContext ctx) throws IOException {
        this.ref = ref;
        this.target = ref.resolvedPath();
        if (ctx.dirForceCompress() && ctx.dirForceDecompress()) {
            throw ImageException.invalid("Cannot compress and decompress at the same time");
        }
        LayerCompression lc = ctx.dirForceCompress() ? LayerCompression.COMPRESS
                : ctx.dirForceDecompress() ? LayerCompression.DECOMPRESS : LayerCompression.PRESERVE;
        this.caps = new DestinationCapabilities(List.of(), lc, false, false, true, true, true);
        checkReplaceable(target);
        Path parent = target.getParent();
        try {
            Files.createDirectories(parent);
            this.staging = AtomicFiles.publicDir(Files.createTempDirectory(parent, "." + target.getFileName() + ".kopi-"));
            Files.writeString(staging.resolve("version"), DirReference.VERSION, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "creating directory for " + ref.path() + ": " + e.getMessage(), e);
        }
    }

    private static void checkReplaceable(Path target) throws IOException {
        if (!Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        if (!Files.isDirectory(target)) {
            // containers/image: os.ReadDir on the path fails, and that error is returned as it is
            throw new ImageException(ErrorCode.IO, "readdirent " + target + ": not a directory");
        }
        try (Stream<Path> s = Files.list(target)) {
            if (s.findAny().isEmpty()) {
                return;
            }
        }
        Path version = target.resolve("version");
        if (!Files.isRegularFile(version)
                || !DirReference.VERSION.equals(Files.readString(version, StandardCharsets.UTF_8))) {
            throw new ImageException(ErrorCode.INVALID_INPUT,
                    "not a containers image directory, don't want to overwrite important data");
        }
    }

    @Override
    public ImageReference reference() {
        return ref;
    }

    @Override
    public DestinationCapabilities capabilities() {
        return caps;
    }

    /** Blobs of this image (digests) to offer to the run's {@link dev.kopi.transport.LocalBlobs} once committed. */
    private final java.util.Set<Digest> blobs = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** The run this image belongs to (bound on the thread that opened it), or null. */
    private final dev.kopi.transport.LocalBlobs run = dev.kopi.transport.LocalBlobs.current();

    /**
     * Within a sync run: a blob another image of the run already wrote is linked (or copied) from there; and when
     * this image replaces an earlier version of itself ({@code sync --incremental}), a blob of that version whose
     * content checks out against the digest is linked from it.
     */
    @Override
    public Optional<BlobInfo> tryReusingBlob(BlobInfo info) throws IOException {
        if (run == null || info.digest() == null) {
            return Optional.empty();
        }
        Path at = DirReference.blobPath(staging, info.digest());
        if (run.placeAt(info.digest(), info.size(), at)
                || run.placeVerifiedAt(DirReference.blobPath(target, info.digest()), info.digest(), info.size(), at)) {
            blobs.add(info.digest());
            return Optional.of(info);
        }
        return Optional.empty();
    }

    @Override
    public BlobInfo putBlob(InputStream stream, BlobInfo info, PutBlobOptions options) throws IOException {
        BlobInfo stored = AtomicFiles.storeBlob(stream, info, staging, d -> DirReference.blobPath(staging, d)).info();
        blobs.add(stored.digest());
        return stored;
    }

    @Override
    public void putManifest(byte[] manifest, String mediaType, Optional<Digest> instance) throws IOException {
        AtomicFiles.write(DirReference.manifestPath(staging, instance), manifest);
    }

    @Override
    public void putSignatures(List<Signature> signatures, Optional<Digest> instance) throws IOException {
        for (int i = 0; i < signatures.size(); i++) {
            AtomicFiles.write(DirReference.signaturePath(staging, i, instance), signatures.get(i).blob());
        }
    }

    @Override
    public void commit() throws IOException {
        checkReplaceable(target);
        Path old = null;
        if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
            old = Files.createTempDirectory(target.getParent(), "." + target.getFileName() + ".kopi-old-");
            Files.delete(old);
            Files.move(target, old);
        }
        try {
            Files.move(staging, target);
        } catch (IOException e) {
            if (old != null) {
                Files.move(old, target);
            }
            throw new ImageException(ErrorCode.IO, "committing " + ref.path() + ": " + e.getMessage(), e);
        }
        committed = true;
        if (old != null) {
            AtomicFiles.deleteTreeQuietly(old);
        }
        if (run != null) {
            for (Digest d : blobs) {
                run.record(d, DirReference.blobPath(target, d));
            }
        }
    }

    @Override
    public void close() {
        if (!committed) {
            AtomicFiles.deleteTreeQuietly(staging);
        }
    }
}
