package dev.kopi.internal.path;

import dev.kopi.digest.SizeLimits;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Path helpers shared by the file-based transports (dir, oci, archives). */
public final class LocalPaths {
    private LocalPaths() {
    }

    /**
     * Resolves a path to an absolute, symlink-free form as containers/image's ResolvePathToFullyExplicit: the
     * longest existing prefix is resolved with real-path semantics, the rest appended.
     */
    public static Path resolveFullyExplicit(String path) throws InvalidReferenceException {
        Path p = of(path.isEmpty() ? "." : path).toAbsolutePath().normalize();
        Path existing = p;
        List<Path> rest = new ArrayList<>();
        while (existing != null && !Files.exists(existing, LinkOption.NOFOLLOW_LINKS)) {
            rest.add(0, existing.getFileName());
            existing = existing.getParent();
        }
        if (existing == null) {
            return p;
        }
        try {
            Path r = existing.toRealPath();
            for (Path part : rest) {
                r = r.resolve(part);
            }
            return r;
        } catch (IOException e) {
            throw new InvalidReferenceException("resolving path " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * {@link Path#of} for a path the user typed: a name the OS cannot hold (a NUL byte) is Go's {@code invalid
     * argument} error, not a crash.
     */
    public static Path of(String path) throws InvalidReferenceException {
        try {
            return Path.of(path);
        } catch (java.nio.file.InvalidPathException e) {
            throw new InvalidReferenceException("lstat " + path + ": invalid argument", e);
        }
    }

    /** policy.json namespaces of a path: the path itself, then each parent up to (not including) "/". */
    public static List<String> pathNamespaces(String resolved) {
        List<String> res = new ArrayList<>();
        String path = resolved;
        while (true) {
            int lastSlash = path.lastIndexOf('/');
            if (lastSlash == -1 || path.equals("/")) {
                break;
            }
            res.add(path);
            path = path.substring(0, lastSlash);
        }
        return res;
    }

    /** policy.json scope check for path-based transports. */
    public static void validatePathScope(String scope) throws InvalidReferenceException {
        if (!scope.startsWith("/")) {
            throw new InvalidReferenceException("Invalid scope " + scope + ": must be an absolute path");
        }
        if (scope.equals("/")) {
            throw new InvalidReferenceException("Invalid scope \"/\": Use the generic default scope \"\"");
        }
        String cleaned = of(scope).normalize().toString();
        if (!cleaned.equals(scope)) {
            throw new InvalidReferenceException("Invalid scope " + scope
                    + ": Uses non-canonical path format, perhaps try with path " + cleaned);
        }
    }

    /** Go's error text for a failed file operation: {@code open PATH: no such file or directory}. */
    public static String goError(String op, Path path, IOException e) {
        String reason;
        if (e instanceof java.nio.file.NoSuchFileException) {
            reason = "no such file or directory";
        } else if (e instanceof java.nio.file.AccessDeniedException) {
            reason = "permission denied";
        } else if (e instanceof java.nio.file.NotDirectoryException) {
            reason = "not a directory";
        } else if (e instanceof java.nio.file.FileAlreadyExistsException) {
            reason = "file exists";
        } else if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null
                && !fse.getReason().isEmpty()) {
            // The JDK reports strerror text ("Not a directory"); Go's syscall errors are the same text, lowercase.
            reason = Character.toLowerCase(fse.getReason().charAt(0)) + fse.getReason().substring(1);
        } else {
            reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return op + " " + path + ": " + reason;
    }

    /**
     * Reads a small local file (a manifest, index.json) of at most {@code limit} bytes (see
     * {@link SizeLimits#readAtMost}). A file that cannot be read is an {@link ErrorCode#IO} error with Go's
     * {@code open PATH: reason} text.
     */
    public static byte[] readAtMost(Path p, int limit, String what) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return SizeLimits.readAtMost(in, limit, what);
        } catch (ImageException e) {
            throw e;
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, goError("open", p, e), e);
        }
    }
}
