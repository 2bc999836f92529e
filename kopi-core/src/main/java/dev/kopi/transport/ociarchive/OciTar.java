package dev.kopi.transport.ociarchive;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Streams an OCI layout into and out of a tar file, safely (no entry may escape the directory). */
final class OciTar {
    private OciTar() {
    }

    static void extract(Path archive, Path dir) throws IOException {
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 65536);
             TarArchiveInputStream tar = new TarArchiveInputStream(raw)) {
            TarArchiveEntry e;
            boolean any = false;
            while ((e = tar.getNextEntry()) != null) {
                any = true;
                Path target = dir.resolve(e.getName()).normalize();
                if (!target.startsWith(dir)) {
                    throw new ImageException(ErrorCode.INVALID_INPUT, "untarring file \"" + archive
                            + "\": entry " + e.getName() + " points outside the archive");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isFile()) {
                    Files.createDirectories(target.getParent());
                    try (OutputStream out = Files.newOutputStream(target)) {
                        long n = dev.kopi.internal.io.Streams.copy(tar, out);
                        if (n != e.getSize()) {
                            throw new IOException("unexpected EOF");
                        }
                    }
                }
            }
            if (!any) {
                throw new IOException("no entries (empty or not a tar file)");
            }
        } catch (ImageException e) {
            throw e;
        } catch (IOException | IllegalArgumentException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "creating temp directory: untarring file \"" + dir
                    + "\": " + (e.getMessage() == null ? "unexpected EOF" : e.getMessage()), e);
        }
    }

    /**
     * Tars {@code dir} into a temporary file beside {@code target}, then renames it over {@code target} (which is
     * left as it was on failure).
     */
    static void replace(Path dir, Path target) throws IOException {
        Path parent = target.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Path part = dev.kopi.internal.io.AtomicFiles.publicFile(
                Files.createTempFile(parent, "." + target.getFileName() + ".", ".tmp"));
        try {
            create(dir, part);
            dev.kopi.internal.io.AtomicFiles.move(part, target);
        } finally {
            Files.deleteIfExists(part);
        }
    }

    /** Writes {@code dir}'s tree into a tar at {@code out}: files sorted, fixed owner, no timestamps leaking. */
    static void create(Path dir, Path out) throws IOException {
        try (OutputStream os = Files.newOutputStream(out, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING);
             TarArchiveOutputStream tar = new TarArchiveOutputStream(new java.io.BufferedOutputStream(os, 65536))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            List<Path> paths;
            try (Stream<Path> s = Files.walk(dir)) {
                paths = s.filter(p -> !p.equals(dir)).sorted().toList();
            }
            for (Path p : paths) {
                String name = dir.relativize(p).toString().replace('\\', '/');
                if (Files.isDirectory(p)) {
                    TarArchiveEntry e = new TarArchiveEntry(name + "/");
                    e.setMode(040755);
                    tar.putArchiveEntry(e);
                    tar.closeArchiveEntry();
                } else {
                    TarArchiveEntry e = new TarArchiveEntry(p.toFile(), name);
                    e.setMode(0100644);
                    e.setUserId(0);
                    e.setGroupId(0);
                    e.setUserName("");
                    e.setGroupName("");
                    tar.putArchiveEntry(e);
                    Files.copy(p, tar);
                    tar.closeArchiveEntry();
                }
            }
            tar.finish();
        }
    }
}
