package dev.kopi.transport.dockerarchive;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.io.AtomicFiles;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.ImageTransport;
import dev.kopi.transport.Transports;
import dev.kopi.transport.tarball.ArchiveAppend;
import dev.kopi.transport.tarball.ArchiveReader;
import dev.kopi.transport.tarball.ArchiveWriter;
import dev.kopi.transport.tarball.TarballDestination;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;

/**
 * Several images written into one {@code docker-archive:} file (for {@code sync --dest docker-archive}, beyond
 * skopeo): one docker-save tar is written to a temporary file beside the target, starting with the images of the
 * existing archive (if any); each image is added with its tag, which moves to it from an earlier image that had it
 * (as {@code copy --append} does). {@link #commit()} finishes the tar and renames it over the target; closing
 * without commit leaves the target as it was.
 *
 * <p>Every blob is spooled to a temporary file (and checked) before it goes into the tar, so an image whose source
 * fails half-way leaves nothing but whole, unused blob files behind, and later images can still be added. A
 * failure writing the tar itself spoils the batch: {@link #commit()} then refuses.
 */
public final class DockerArchiveBatch implements Closeable {
    private final String file;
    private final Path target;
    private final Path tmp;
    private final FileChannel channel;
    private final OutputStream out;
    private final ArchiveWriter writer;
    private final Path spoolDir;
    private volatile IOException broken;
    private boolean committed;

    private DockerArchiveBatch(String file, Path target, Path tmp, FileChannel channel, Path spoolDir) {
        this.file = file;
        this.target = target;
        this.tmp = tmp;
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 20);
        this.writer = new ArchiveWriter(out);
        this.spoolDir = spoolDir;
    }

    /** Opens a batch for {@code file} (as given): a regular file, existing or not; nothing is replaced yet. */
    public static DockerArchiveBatch open(String file, ImageContext ctx) throws IOException {
        DockerArchiveReference ref = (DockerArchiveReference) Transports.parseImageName("docker-archive:" + file);
        Path target = Path.of(ref.path());
        String what = "writing archive " + GoStrconv.quote(file);
        boolean existing = false;
        if (Files.exists(target)) {
            if (!Files.isRegularFile(target)) {
                throw new ImageException(ErrorCode.INVALID_INPUT, what + ": not a regular file");
            }
            target = target.toRealPath();
            existing = Files.size(target) > 0;
        }
        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ImageException(ErrorCode.IO, what + ": no such directory");
        }
        Path tmp = AtomicFiles.publicFile(Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp"));
        DockerArchiveBatch batch = null;
        boolean ok = false;
        try {
            batch = new DockerArchiveBatch(file, target, tmp, FileChannel.open(tmp, StandardOpenOption.WRITE),
                    ctx.tmpDir());
            if (existing) {
                try (ArchiveReader old = ArchiveReader.open(target, ctx.tmpDir())) {
                    ArchiveAppend.copyExisting(old, batch.writer, List.of());
                } catch (IOException e) {
                    throw ImageException.wrap("reading existing archive " + GoStrconv.quote(file), e);
                }
            }
            ok = true;
            return batch;
        } finally {
            if (!ok) {
                if (batch != null) {
                    batch.close();
                }
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The file as given. */
    public String file() {
        return file;
    }

    /**
     * The reference an image of the batch is copied to: {@code docker-archive:FILE:TAG} by name; its destination
     * adds the image to this batch.
     */
    public ImageReference reference(DockerReference tag) throws ImageException {
        return new BatchReference(DockerArchiveReference.of(file, tag, -1), tag);
    }

    /** Finishes the tar ({@code manifest.json}, {@code repositories}) and renames it over the target. */
    public synchronized void commit() throws IOException {
        if (broken != null) {
            throw ImageException.wrap("writing archive " + GoStrconv.quote(file), broken);
        }
        try {
            writer.close();
            out.flush();
            channel.force(true);
            channel.close();
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
            AtomicFiles.move(tmp, target);
            committed = true;
        } catch (IOException e) {
            throw ImageException.wrap("writing archive " + GoStrconv.quote(file), e);
        }
    }

    /** Deletes the temporary file unless committed. */
    @Override
    public synchronized void close() throws IOException {
        if (committed) {
            return;
        }
        try {
            channel.close();
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** A step that writes to the tar. */
    @FunctionalInterface
    private interface TarWrite<T> {
        T run() throws IOException;
    }

    /**
     * Runs a step that writes to the tar: an I/O failure there (not a rejected input, which writes nothing) spoils
     * the batch.
     */
    private <T> T writing(TarWrite<T> step) throws IOException {
        try {
            return step.run();
        } catch (ImageException e) {
            if (e.code() == ErrorCode.IO && broken == null) {
                broken = e;
            }
            throw e;
        } catch (IOException e) {
            if (broken == null) {
                broken = e;
            }
            throw e;
        }
    }

    /** A reference named like {@code docker-archive:FILE:TAG} whose destination writes into the batch. */
    private final class BatchReference implements ImageReference {
        private final DockerArchiveReference named;
        private final DockerReference tag;

        BatchReference(DockerArchiveReference named, DockerReference tag) {
            this.named = named;
            this.tag = tag;
        }

        @Override public ImageTransport transport() { return named.transport(); }
        @Override public String stringWithinTransport() { return named.stringWithinTransport(); }
        @Override public Optional<DockerReference> dockerReference() { return named.dockerReference(); }
        @Override public String policyConfigurationIdentity() { return named.policyConfigurationIdentity(); }
        @Override public List<String> policyConfigurationNamespaces() { return named.policyConfigurationNamespaces(); }

        @Override
        public ImageSource newImageSource(ImageContext ctx) throws IOException {
            throw new ImageException(ErrorCode.UNSUPPORTED, "reading " + named.imageName()
                    + " before the archive is written");
        }

        @Override
        public ImageDestination newImageDestination(ImageContext ctx) throws IOException {
            if (broken != null) {
                throw ImageException.wrap("writing archive " + GoStrconv.quote(file), broken);
            }
            return new BatchDestination(this, List.of(tag));
        }

        @Override
        public void deleteImage(ImageContext ctx) throws IOException {
            named.deleteImage(ctx);
        }

        @Override
        public String toString() {
            return imageName();
        }
    }

    /** Adds one image to the batch's writer; commit and close are the batch's. */
    private final class BatchDestination extends TarballDestination {
        private final List<DockerReference> tags;

        BatchDestination(ImageReference ref, List<DockerReference> tags) {
            super(ref, writer, tags, spoolDir, () -> { }, () -> { });
            this.tags = tags;
        }

        @Override
        public BlobInfo putBlob(InputStream stream, BlobInfo info, PutBlobOptions options) throws IOException {
            // The whole blob first: a source failing half-way must not leave a short entry in the shared tar.
            AtomicFiles.Spooled spooled = AtomicFiles.spool(stream, spoolDir, DigestAlgorithm.SHA256);
            try {
                Digest d = spooled.info().digest();
                if (info.digest() != null && info.digest().algorithm() == DigestAlgorithm.SHA256
                        && !info.digest().equals(d)) {
                    throw new ImageException(ErrorCode.DIGEST_MISMATCH, "writing blob to archive "
                            + GoStrconv.quote(file) + ": digest " + d + " does not match expected " + info.digest());
                }
                try (InputStream in = Files.newInputStream(spooled.file())) {
                    BlobInfo whole = info.withDigestAndSize(d, spooled.info().size());
                    return writing(() -> super.putBlob(in, whole, options));
                }
            } finally {
                Files.deleteIfExists(spooled.file());
            }
        }

        @Override
        public void putManifest(byte[] manifest, String mediaType, Optional<Digest> instance) throws IOException {
            writing(() -> {
                super.putManifest(manifest, mediaType, instance);
                return null;
            });
            JsonNode cfg = dev.kopi.manifest.Manifests.readTree(manifest, "manifest").path("config").path("digest");
            writer.untagOthers(tags, Digest.parse(cfg.asText()));
        }
    }
}
