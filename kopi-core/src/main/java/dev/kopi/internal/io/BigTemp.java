package dev.kopi.internal.io;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.path.LocalPaths;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Temporary files and directories for big data (containers/image's {@code internal/tmpdir}): created in the
 * {@code --tmpdir} directory, named {@code container_images_NAME} plus a random number, with the errors Go's
 * {@code os.MkdirTemp} and {@code os.CreateTemp} report ({@code mkdir PATH: not a directory},
 * {@code stat DIR: no such file or directory}, {@code open PATH: permission denied}).
 */
public final class BigTemp {
    private static final String PREFIX = "container_images_";
    private static final int ATTEMPTS = 10000;

    private BigTemp() {
    }

    /** A new directory (mode 0700) in {@code dir}, as {@code os.MkdirTemp(dir, "container_images_" + name)}. */
    public static Path mkdirTemp(Path dir, String name) throws ImageException {
        for (int i = 0; ; i++) {
            Path p = dir.resolve(PREFIX + name + random());
            try {
                return Files.createDirectory(p, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } catch (FileAlreadyExistsException e) {
                if (i >= ATTEMPTS) {
                    throw error("mkdir", p, e);
                }
            } catch (NoSuchFileException e) {
                if (!Files.exists(dir)) {
                    throw error("stat", dir, e);
                }
                throw error("mkdir", p, e);
            } catch (IOException e) {
                throw error("mkdir", p, e);
            }
        }
    }

    /** A new empty file (mode 0600) in {@code dir}, as {@code os.CreateTemp(dir, "container_images_" + name)}. */
    public static Path createTemp(Path dir, String name) throws ImageException {
        for (int i = 0; ; i++) {
            Path p = dir.resolve(PREFIX + name + random());
            try {
                return Files.createFile(p, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")));
            } catch (FileAlreadyExistsException e) {
                if (i >= ATTEMPTS) {
                    throw error("open", p, e);
                }
            } catch (IOException e) {
                throw error("open", p, e);
            }
        }
    }

    /** Go's random part: a uint32 in decimal. */
    private static String random() {
        return Long.toString(ThreadLocalRandom.current().nextInt() & 0xffffffffL);
    }

    private static ImageException error(String op, Path p, IOException e) {
        return new ImageException(ErrorCode.IO, LocalPaths.goError(op, p, e), e);
    }
}
