package dev.kopi.internal.unix;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Raw file descriptors: messages with descriptors attached over a unix socket, pipes, reads and writes. Every
 * failure is an {@link ErrnoException} carrying the errno and Go's wording ({@code "write |1: broken pipe"} style
 * texts are built by callers from {@link ErrnoException#reason()}).
 */
public final class UnixFds {
    public static final int AF_UNIX = 1;
    public static final int SOCK_SEQPACKET = 5;
    public static final int SOCK_CLOEXEC = 0x80000;
    public static final int O_CLOEXEC = 0x80000;
    public static final int EINTR = 4;
    public static final int EPIPE = 32;
    private static final int SOL_SOCKET = 1;
    private static final int SCM_RIGHTS = 1;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final int MSGHDR_SIZE = 56;
    private static final int CMSGHDR_SIZE = 16;

    /** libc as JNA maps it; {@code ssize_t}/{@code size_t} are Java longs on LP64. */
    interface LibC extends Library {
        int socketpair(int domain, int type, int protocol, int[] sv) throws LastErrorException;

        int pipe2(int[] fds, int flags) throws LastErrorException;

        long read(int fd, byte[] buf, long count) throws LastErrorException;

        long write(int fd, byte[] buf, long count) throws LastErrorException;

        int close(int fd) throws LastErrorException;

        long sendmsg(int fd, Pointer msg, int flags) throws LastErrorException;

        long recvmsg(int fd, Pointer msg, int flags) throws LastErrorException;

        String strerror(int errnum);
    }

    private static volatile LibC libc;

    private UnixFds() {
    }

    /** A failed system call: its errno and the C library's text for it (lower-cased as Go prints it). */
    public static final class ErrnoException extends IOException {
        private static final long serialVersionUID = 1L;
        private final int errno;
        private final String reason;

        ErrnoException(String call, int errno, String reason) {
            super(call + ": " + reason);
            this.errno = errno;
            this.reason = reason;
        }

        public int errno() {
            return errno;
        }

        /** The errno text alone, e.g. {@code broken pipe}. */
        public String reason() {
            return reason;
        }
    }

    /** Fails with UNSUPPORTED unless raw descriptors can be used here (64-bit Linux with JNA's native part). */
    public static void requireSupported() throws ImageException {
        if (!Platform.isLinux() || Native.POINTER_SIZE != 8) {
            throw new ImageException(ErrorCode.UNSUPPORTED,
                    "passing file descriptors needs Linux on a 64-bit machine");
        }
        try {
            lib();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new ImageException(ErrorCode.UNSUPPORTED, "loading the native C library through JNA: "
                    + e.getMessage(), null);
        }
    }

    private static LibC lib() {
        LibC l = libc;
        if (l == null) {
            l = Native.load("c", LibC.class);
            libc = l;
        }
        return l;
    }

    private static ErrnoException errno(String call, LastErrorException e) {
        int n = e.getErrorCode();
        String text = lib().strerror(n);
        text = text == null ? "errno " + n : text.isEmpty() ? text : Character.toLowerCase(text.charAt(0)) + text.substring(1);
        return new ErrnoException(call, n, text);
    }

    /** {@code socketpair(AF_UNIX, SOCK_SEQPACKET|SOCK_CLOEXEC)}: two connected descriptors. */
    public static int[] seqpacketPair() throws ErrnoException {
        int[] sv = new int[2];
        try {
            lib().socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv);
        } catch (LastErrorException e) {
            throw errno("socketpair", e);
        }
        return sv;
    }

    /** {@code pipe2(O_CLOEXEC)}: {@code [read end, write end]}. */
    public static int[] pipe() throws ErrnoException {
        int[] fds = new int[2];
        try {
            lib().pipe2(fds, O_CLOEXEC);
        } catch (LastErrorException e) {
            throw errno("pipe2", e);
        }
        return fds;
    }

    /** Reads up to {@code buf.length} bytes (one message on a SEQPACKET socket); 0 at end of data. */
    public static int read(int fd, byte[] buf) throws ErrnoException {
        while (true) {
            try {
                return (int) lib().read(fd, buf, buf.length);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw errno("read", e);
                }
            }
        }
    }

    /** Writes {@code buf[0..len)} completely. */
    public static void writeFully(int fd, byte[] buf, int len) throws ErrnoException {
        int off = 0;
        while (off < len) {
            byte[] chunk = off == 0 ? buf : java.util.Arrays.copyOfRange(buf, off, len);
            try {
                off += (int) lib().write(fd, chunk, len - off);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw errno("write", e);
                }
            }
        }
    }

    /** Closes a descriptor, ignoring errors (nothing useful can be done about them). */
    public static void closeQuietly(int fd) {
        if (fd < 0) {
            return;
        }
        try {
            lib().close(fd);
        } catch (LastErrorException e) {
            // already closed or interrupted: the descriptor is released either way on Linux
        }
    }

    /** Sends one message with {@code fds} attached as SCM_RIGHTS (none when empty). */
    public static void send(int sock, byte[] data, int[] fds) throws IOException {
        Memory payload = new Memory(Math.max(1, data.length));
        payload.write(0, data, 0, data.length);
        Memory iov = new Memory(16);
        iov.setPointer(0, payload);
        iov.setLong(8, data.length);
        Memory msg = new Memory(MSGHDR_SIZE);
        msg.clear();
        msg.setPointer(16, iov);
        msg.setLong(24, 1);
        if (fds.length > 0) {
            int cmsgLen = CMSGHDR_SIZE + 4 * fds.length;
            int space = (cmsgLen + 7) & ~7;
            Memory ctrl = new Memory(space);
            ctrl.clear();
            ctrl.setLong(0, cmsgLen);
            ctrl.setInt(8, SOL_SOCKET);
            ctrl.setInt(12, SCM_RIGHTS);
            for (int i = 0; i < fds.length; i++) {
                ctrl.setInt(CMSGHDR_SIZE + 4L * i, fds[i]);
            }
            msg.setPointer(32, ctrl);
            msg.setLong(40, space);
        }
        long n;
        while (true) {
            try {
                n = lib().sendmsg(sock, msg, MSG_NOSIGNAL);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw errno("sendmsg", e);
                }
            }
        }
        if (n != data.length) {
            throw new IOException("short write");
        }
    }

    /** One received message and the descriptors that came with it. */
    public record Message(byte[] data, List<Integer> fds) {
    }

    /** Receives one message (at most {@code max} bytes) and up to 8 descriptors; empty data at end of stream. */
    public static Message receive(int sock, int max) throws IOException {
        Memory buf = new Memory(max);
        Memory iov = new Memory(16);
        iov.setPointer(0, buf);
        iov.setLong(8, max);
        int space = (CMSGHDR_SIZE + 4 * 8 + 7) & ~7;
        Memory ctrl = new Memory(space);
        ctrl.clear();
        Memory msg = new Memory(MSGHDR_SIZE);
        msg.clear();
        msg.setPointer(16, iov);
        msg.setLong(24, 1);
        msg.setPointer(32, ctrl);
        msg.setLong(40, space);
        long n;
        while (true) {
            try {
                n = lib().recvmsg(sock, msg, MSG_CMSG_CLOEXEC);
                break;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw errno("recvmsg", e);
                }
            }
        }
        List<Integer> fds = new ArrayList<>();
        long ctrlLen = msg.getLong(40);
        long off = 0;
        while (off + CMSGHDR_SIZE <= ctrlLen) {
            long len = ctrl.getLong(off);
            if (len < CMSGHDR_SIZE) {
                break;
            }
            if (ctrl.getInt(off + 8) == SOL_SOCKET && ctrl.getInt(off + 12) == SCM_RIGHTS) {
                for (long p = off + CMSGHDR_SIZE; p + 4 <= off + len; p += 4) {
                    fds.add(ctrl.getInt(p));
                }
            }
            off += (len + 7) & ~7L;
        }
        return new Message(buf.getByteArray(0, (int) n), List.copyOf(fds));
    }
}
