package dev.kopi.internal.unix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * File-system calls Java 17 cannot make, through JNA: {@code mknod(2)} and the {@code l*xattr(2)} family for any
 * name space ({@code trusted.*} included, which the JDK's user-defined attribute view cannot reach). Failures are
 * {@link UnixFds.ErrnoException}s named after the call and the path, as Go prints them
 * ({@code "setxattr /x trusted.overlay.opaque: operation not permitted"} style).
 */
public final class UnixFiles {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EEXIST = 17;
    public static final int ENODATA = 61;
    public static final int EOPNOTSUPP = 95;
    public static final int S_IFCHR = 0020000;

    /** libc as JNA maps it (LP64 Linux: {@code dev_t}, {@code size_t} and {@code ssize_t} are longs). */
    interface LibC extends Library {
        int mknod(String path, int mode, long dev) throws LastErrorException;

        int lsetxattr(String path, String name, byte[] value, long size, int flags) throws LastErrorException;

        long lgetxattr(String path, String name, byte[] value, long size) throws LastErrorException;

        String strerror(int errnum);
    }

    private static volatile LibC libc;

    private UnixFiles() {
    }

    private static LibC lib() throws ImageException {
        LibC l = libc;
        if (l == null) {
            if (!Platform.isLinux() || Native.POINTER_SIZE != 8) {
                throw new ImageException(ErrorCode.UNSUPPORTED,
                        "device nodes and extended attributes need Linux on a 64-bit machine");
            }
            try {
                l = Native.load("c", LibC.class);
            } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
                throw new ImageException(ErrorCode.UNSUPPORTED, "loading the native C library through JNA: "
                        + e.getMessage(), null);
            }
            libc = l;
        }
        return l;
    }

    private static UnixFds.ErrnoException errno(String call, LastErrorException e) throws ImageException {
        int n = e.getErrorCode();
        String text = lib().strerror(n);
        text = text == null ? "errno " + n
                : text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
        return new UnixFds.ErrnoException(call, n, text);
    }

    /** {@code mknod(path, mode, makedev(major, minor))}; {@code mode} includes the file type bits. */
    public static void mknod(Path path, int mode, long major, long minor) throws java.io.IOException {
        long dev = ((major & 0xfffff000L) << 32) | ((major & 0xfffL) << 8)
                | ((minor & 0xffffff00L) << 12) | (minor & 0xffL);
        try {
            lib().mknod(path.toString(), mode, dev);
        } catch (LastErrorException e) {
            throw errno("mknod " + path, e);
        } catch (UnsatisfiedLinkError e) {
            throw new ImageException(ErrorCode.UNSUPPORTED, "mknod " + path + ": the C library has no mknod: "
                    + e.getMessage(), null);
        }
    }

    /** {@code lsetxattr(path, name, value, 0)}: creates or replaces the attribute, not following symlinks. */
    public static void lsetxattr(Path path, String name, byte[] value) throws java.io.IOException {
        try {
            lib().lsetxattr(path.toString(), name, value, value.length, 0);
        } catch (LastErrorException e) {
            throw errno("lsetxattr " + path + " " + name, e);
        }
    }

    /**
     * {@code lgetxattr(path, name)}: the attribute's value, or {@code null} when the file has no such attribute
     * (ENODATA) or the file system has no attributes at all (EOPNOTSUPP).
     */
    public static byte[] lgetxattr(Path path, String name) throws java.io.IOException {
        byte[] buf = new byte[256];
        while (true) {
            try {
                long n = lib().lgetxattr(path.toString(), name, buf, buf.length);
                return Arrays.copyOf(buf, (int) n);
            } catch (LastErrorException e) {
                int code = e.getErrorCode();
                if (code == ENODATA || code == EOPNOTSUPP) {
                    return null;
                }
                if (code == 34 /* ERANGE */ && buf.length < 65536) {
                    buf = new byte[buf.length * 16];
                    continue;
                }
                throw errno("lgetxattr " + path + " " + name, e);
            }
        }
    }
}
