package dev.kopi.transport.storage;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.unix.UnixFds;
import dev.kopi.internal.unix.UnixFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;

/**
 * Whiteouts as c/storage's overlay driver stores them in a layer's {@code diff/} directory, and the archive
 * entries they stand for:
 * <ul>
 * <li>{@code .wh.NAME} in an archive is a character device {@code NAME} with device number 0/0, owned as the
 * whiteout entry was;</li>
 * <li>{@code DIR/.wh..wh..opq} is the attribute {@code trusted.overlay.opaque=y} on {@code DIR} (rootless
 * overlayfs with {@code userxattr} uses {@code user.overlay.opaque}, which is read too).</li>
 * </ul>
 * Creating them needs the privileges overlayfs itself needs (mknod of a 0/0 device, {@code trusted.*}
 * attributes); without them the error says so.
 */
final class OverlayWhiteouts {
    static final String OPAQUE_XATTR = "trusted.overlay.opaque";
    static final String USER_OPAQUE_XATTR = "user.overlay.opaque";

    private OverlayWhiteouts() {
    }

    /**
     * Applies the whiteout entry {@code base} (a name starting {@code .wh.}) found in directory {@code dir} of a
     * diff tree, as c/storage's overlay whiteout converter does on read.
     */
    static void apply(Path dir, String base, long uid, long gid, boolean ignoreChownErrors) throws IOException {
        if (base.equals(LayerUnpacker.WHITEOUT_OPAQUE)) {
            markOpaque(dir);
            return;
        }
        Path hidden = dir.resolve(base.substring(LayerUnpacker.WHITEOUT_PREFIX.length()));
        makeWhiteout(hidden);
        try {
            SpecialFiles.lchown(hidden, uid, gid);
        } catch (IOException e) {
            if (!ignoreChownErrors) {
                throw e;
            }
        }
    }

    /** Creates the overlay whiteout for {@code hidden}: a character device 0/0 with no permission bits. */
    static void makeWhiteout(Path hidden) throws IOException {
        try {
            UnixFiles.mknod(hidden, UnixFiles.S_IFCHR, 0, 0);
        } catch (UnixFds.ErrnoException e) {
            throw failure("creating the overlay whiteout " + GoStrconv.quote(hidden.toString())
                    + " (a 0/0 character device)", e);
        }
    }

    /** Marks {@code dir} opaque: lower layers' content of it is hidden. */
    static void markOpaque(Path dir) throws IOException {
        try {
            UnixFiles.lsetxattr(dir, OPAQUE_XATTR, new byte[] {'y'});
        } catch (UnixFds.ErrnoException e) {
            throw failure("marking " + GoStrconv.quote(dir.toString()) + " opaque (" + OPAQUE_XATTR + "=y)", e);
        }
    }

    private static ImageException failure(String what, UnixFds.ErrnoException e) {
        String hint = e.errno() == UnixFiles.EPERM || e.errno() == UnixFiles.EOPNOTSUPP
                ? " (the overlay driver stores whiteouts as overlayfs does, which needs root; configure a"
                        + " mount_program, or use the vfs driver)"
                : "";
        return new ImageException(ErrorCode.IO, what + ": " + e.getMessage() + hint, e);
    }

    /** Whether {@code p} is an overlay whiteout: a character device with device number 0/0. */
    static boolean isWhiteout(Path p) throws IOException {
        Map<String, Object> st;
        try {
            st = Files.readAttributes(p, "unix:mode,rdev", LinkOption.NOFOLLOW_LINKS);
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
        return (((Integer) st.get("mode")) & 0170000) == UnixFiles.S_IFCHR && ((Long) st.get("rdev")) == 0L;
    }

    /** Whether directory {@code dir} is marked opaque ({@code trusted.} or {@code user.overlay.opaque=y}). */
    static boolean isOpaque(Path dir) throws IOException {
        for (String name : new String[] {OPAQUE_XATTR, USER_OPAQUE_XATTR}) {
            byte[] v = UnixFiles.lgetxattr(dir, name);
            if (v != null && v.length == 1 && v[0] == 'y') {
                return true;
            }
        }
        return false;
    }
}
