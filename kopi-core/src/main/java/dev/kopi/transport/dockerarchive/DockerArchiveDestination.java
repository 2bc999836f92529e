package dev.kopi.transport.dockerarchive;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.tarball.ArchiveWriter;
import dev.kopi.transport.tarball.TarballDestination;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a {@code docker-archive:} file. As containers/image, an existing non-empty regular file is refused
 * ("docker-archive doesn't support modifying existing images"), and non-regular files (pipes, devices) are written
 * in place. Unlike containers/image, a regular file is written atomically: the archive goes to a temporary file in
 * the target's directory, renamed over the target on commit; closing without commit deletes the temporary file and
 * leaves the target as it was. With {@code copy --append} (beyond skopeo) an existing archive is kept: its images
 * are written into the new file first.
 */
final class DockerArchiveDestination {
    private DockerArchiveDestination() {
    }

    static TarballDestination open(DockerArchiveReference reference, DockerReference ref, ImageContext ctx)
            throws IOException {
        List<DockerReference> repoTags = new ArrayList<>();
        if (ref != null) {
            repoTags.add(ref);
        }
        for (String t : ctx.additionalTags()) {
            DockerReference parsed;
            try {
                parsed = DockerReference.parseNormalized(t);
            } catch (InvalidReferenceException e) {
                throw new InvalidReferenceException("error parsing additional-tag '" + t + "': " + e.getMessage(), e);
            }
            if (parsed.tag().isEmpty() || parsed.digest().isPresent()) {
                throw new InvalidReferenceException("additional-tag '" + t + "' must be a tagged reference");
            }
            repoTags.add(parsed);
        }

        String p = reference.path();
        Path target = Path.of(p);
        String openPrefix = "opening file " + GoStrconv.quote(p) + ": open " + p + ": ";
        boolean direct = false;
        boolean append = false;
        if (Files.exists(target)) {
            if (Files.isDirectory(target)) {
                throw new ImageException(ErrorCode.INVALID_INPUT, openPrefix + "is a directory");
            }
            if (Files.isRegularFile(target)) {
                if (Files.size(target) != 0) {
                    if (!ctx.archiveAppend()) {
                        throw new ImageException(ErrorCode.INVALID_INPUT,
                                "docker-archive doesn't support modifying existing images");
                    }
                    append = true;
                }
                target = target.toRealPath(); // replace the file a symlink points at, not the symlink
            } else {
                direct = true;
            }
        } else if (Files.isSymbolicLink(target)) {
            throw new ImageException(ErrorCode.IO, openPrefix + "no such file or directory"); // dangling link
        }

        if (direct) {
            OutputStream out;
            try {
                out = Files.newOutputStream(target, StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw new ImageException(ErrorCode.IO, openPrefix + describe(e), e);
            }
            return direct(reference, repoTags, ctx, out);
        }

        Path dir = target.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new ImageException(ErrorCode.IO, openPrefix + "no such file or directory");
        }
        Path tmp;
        try {
            tmp = dev.kopi.internal.io.AtomicFiles.publicFile(
                    Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp"));
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, openPrefix + describe(e), e);
        }
        FileChannel ch = null;
        TarballDestination dest = null;
        try {
            ch = FileChannel.open(tmp, StandardOpenOption.WRITE);
            dest = atomic(reference, repoTags, ctx, target, tmp, ch, append);
        } finally {
            if (dest == null) {
                if (ch != null) {
                    ch.close();
                }
                Files.deleteIfExists(tmp);
            }
        }
        return dest;
    }

    private static TarballDestination atomic(DockerArchiveReference reference, List<DockerReference> repoTags,
            ImageContext ctx, Path target, Path tmp, FileChannel ch, boolean append) throws IOException {
        OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 20);
        ArchiveWriter writer = new ArchiveWriter(out);
        if (append) {
            // copy --append: the images already there go first, unchanged (the new image's tags move to it)
            try (dev.kopi.transport.tarball.ArchiveReader existing = dev.kopi.transport.tarball.ArchiveReader.open(
                    target, ctx.tmpDir())) {
                dev.kopi.transport.tarball.ArchiveAppend.copyExisting(existing, writer, repoTags);
            } catch (IOException e) {
                throw ImageException.wrap("appending to " + GoStrconv.quote(target.toString()), e);
            }
        }
        boolean[] committed = {false};
        TarballDestination.Hook onCommit = () -> {
            if (committed[0]) {
                return;
            }
            writer.close();
            out.flush();
            ch.force(true);
            ch.close();
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: keep the default permissions
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                throw new ImageException(ErrorCode.IO, "renaming " + GoStrconv.quote(tmp.toString()) + " to "
                        + GoStrconv.quote(target.toString()) + ": " + describe(e), e);
            }
            committed[0] = true;
        };
        TarballDestination.Hook onClose = () -> {
            if (committed[0]) {
                return;
            }
            try {
                ch.close();
            } finally {
                Files.deleteIfExists(tmp);
            }
        };
        return new TarballDestination(reference, writer, repoTags, ctx.tmpDir(), onCommit, onClose);
    }

    private static TarballDestination direct(DockerArchiveReference reference, List<DockerReference> repoTags,
            ImageContext ctx, OutputStream raw) {
        OutputStream out = new BufferedOutputStream(raw, 1 << 20);
        ArchiveWriter writer = new ArchiveWriter(out);
        boolean[] done = {false};
        TarballDestination.Hook finish = () -> {
            if (done[0]) {
                return;
            }
            done[0] = true;
            try {
                writer.close();
                out.flush();
            } finally {
                out.close();
            }
        };
        return new TarballDestination(reference, writer, repoTags, ctx.tmpDir(), finish, finish);
    }

    private static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException fse && fse.getReason() != null) {
            return fse.getReason();
        }
        return String.valueOf(e.getMessage());
    }

}
