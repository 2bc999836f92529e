package dev.kopi.internal.io;

import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.digest.DigestingInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.function.Function;

/** File writes that are never seen half-done: temp file in the target's directory, fsync, atomic rename. */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes bytes to {@code target} atomically. */
    public static void write(Path target, byte[] data) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = publicFile(Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp"));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ch.write(java.nio.ByteBuffer.wrap(data));
                ch.force(true);
            }
            move(tmp, target);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Streams {@code in} to a temp file in {@code dir}, digesting it with {@code algorithm}. The caller renames
     * the returned file (see {@link #move}) once the stream has been verified, or deletes it.
     */
    public static Spooled spool(InputStream in, Path dir, DigestAlgorithm algorithm) throws IOException {
        return spool(in, dir, algorithm, null);
    }

    /**
     * Like {@link #spool(InputStream, Path, DigestAlgorithm)}; when {@code known} is given, the stream is one the
     * caller verifies against that digest (it fails at end of data on a mismatch), so it is only counted, not
     * digested a second time.
     */
    public static Spooled spool(InputStream in, Path dir, DigestAlgorithm algorithm, Digest known)
            throws IOException {
        Files.createDirectories(dir);
        Path tmp = publicFile(Files.createTempFile(dir, ".kopi-blob-", ".tmp"));
        boolean ok = false;
        try {
            DigestingInputStream din = known == null ? new DigestingInputStream(in, algorithm) : null;
            long count;
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
                 OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
                count = Streams.copy(din != null ? din : in, out);
                out.flush();
                ch.force(false);
            }
            ok = true;
            return new Spooled(tmp, new BlobInfo(din != null ? din.digest() : known, count, null));
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** A spooled temp file and the digest/size of its content. */
    public record Spooled(Path file, BlobInfo info) {
    }

    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> FILE_MODE =
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--");
    private static final java.util.Set<java.nio.file.attribute.PosixFilePermission> DIR_MODE =
            java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x");

    /**
     * Gives a temp file that will become user-visible the mode skopeo's files get (0644 under the usual umask);
     * {@code createTempFile} makes 0600.
     */
    public static Path publicFile(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, FILE_MODE);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its default
        }
        return p;
    }

    /** Mode 0755 for a temp directory that will become user-visible. */
    public static Path publicDir(Path p) throws IOException {
        try {
            Files.setPosixFilePermissions(p, DIR_MODE);
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep its default
        }
        return p;
    }

    /**
     * Stores a blob stream in the file its digest names (a {@code putBlob}): spooled to a temp file in
     * {@code tmpDir} as {@link #spool(InputStream, Path, DigestAlgorithm, Digest)} does, with the algorithm of
     * {@code info}'s digest (sha256 when it has none), then renamed to {@code pathFor(digest)} unless that file
     * exists already (same digest, same content).
     *
     * @return {@code info} with the blob's digest and size, and the file when this call created it
     */
    public static StoredBlob storeBlob(InputStream in, BlobInfo info, Path tmpDir, Function<Digest, Path> pathFor)
            throws IOException {
        DigestAlgorithm alg = info.digest() != null ? info.digest().algorithm() : DigestAlgorithm.SHA256;
        Spooled s = spool(in, tmpDir, alg, info.digest());
        try {
            Digest d = s.info().digest();
            Path target = pathFor.apply(d);
            Path created = null;
            if (!Files.exists(target)) {
                Files.createDirectories(target.getParent());
                move(s.file(), target);
                created = target;
            }
            return new StoredBlob(info.withDigestAndSize(d, s.info().size()), created);
        } finally {
            Files.deleteIfExists(s.file());
        }
    }

    /** What {@link #storeBlob} stored: the blob info, and the file it created (null when it was there already). */
    public record StoredBlob(BlobInfo info, Path created) {
    }

    /** Atomic rename, replacing the target. */
    public static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Deletes a file tree, ignoring what is already gone. */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Best-effort {@link #deleteTree} for cleanup paths. */
    public static void deleteTreeQuietly(Path root) {
        try {
            deleteTree(root);
        } catch (IOException e) {
            // cleanup only
        }
    }
}
