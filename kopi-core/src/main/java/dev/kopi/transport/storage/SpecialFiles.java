package dev.kopi.transport.storage;

import dev.kopi.error.ImageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * File-system calls the JDK only offers through the {@code unix} attribute view (lchown, chmod with
 * setuid/setgid/sticky bits), and the ones it does not offer at all (device nodes, FIFOs), for which the
 * coreutils {@code mknod}/{@code mkfifo} commands stand in.
 */
final class SpecialFiles {
    private SpecialFiles() {
    }

    /** lchown(2). */
    static void lchown(Path p, long uid, long gid) throws IOException {
        Files.setAttribute(p, "unix:uid", (int) uid, LinkOption.NOFOLLOW_LINKS);
        Files.setAttribute(p, "unix:gid", (int) gid, LinkOption.NOFOLLOW_LINKS);
    }

    /** chmod(2) with all 12 mode bits. */
    static void chmod(Path p, int mode) throws IOException {
        Files.setAttribute(p, "unix:mode", mode & 07777);
    }

    /** symlink(2) with the target exactly as given. */
    static void symlink(Path link, String target) throws IOException {
        Files.createSymbolicLink(link, Path.of(target));
    }

    /** mknod(2) for a block or character device or a FIFO. */
    static void mknod(Path p, byte type, int perm, long major, long minor) throws IOException {
        List<String> cmd;
        String mode = Integer.toOctalString(perm & 07777);
        if (type == RawTarReader.TYPE_FIFO) {
            cmd = List.of("mkfifo", "-m", mode, "--", p.toString());
        } else {
            cmd = List.of("mknod", "-m", mode, "--", p.toString(), type == RawTarReader.TYPE_BLOCK ? "b" : "c",
                    Long.toString(major), Long.toString(minor));
        }
        run(cmd, "creating " + (type == RawTarReader.TYPE_FIFO ? "FIFO " : "device node ") + p);
    }

    /** Sets a special file's times without opening it ({@code touch -h}, which uses utimensat). */
    static void setTimesNoOpen(Path p, java.time.Instant atime, java.time.Instant mtime) throws IOException {
        run(List.of("touch", "-h", "-a", "-d", "@" + atime.getEpochSecond() + "." + String.format("%09d",
                atime.getNano()), "--", p.toString()), "setting the access time of " + p);
        run(List.of("touch", "-h", "-m", "-d", "@" + mtime.getEpochSecond() + "." + String.format("%09d",
                mtime.getNano()), "--", p.toString()), "setting the modification time of " + p);
    }

    private static void run(List<String> cmd, String what) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process proc;
        try {
            proc = pb.start();
        } catch (IOException e) {
            throw new ImageException(dev.kopi.error.ErrorCode.IO, what + ": " + e.getMessage(), e);
        }
        try {
            byte[] out = proc.getInputStream().readAllBytes();
            if (!proc.waitFor(60, TimeUnit.SECONDS)) {
                proc.destroyForcibly();
                throw new IOException(what + ": " + cmd.get(0) + " timed out");
            }
            if (proc.exitValue() != 0) {
                throw new IOException(what + ": " + new String(out, StandardCharsets.UTF_8).trim());
            }
        } catch (InterruptedException e) {
            proc.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException(what + ": interrupted");
        }
    }

    /** Whether this process runs in a user namespace (its uid_map is not the identity over all IDs). */
    static boolean inUserNamespace() {
        try {
            String map = Files.readString(Path.of("/proc/self/uid_map")).trim();
            String[] f = map.split("\\s+");
            return !(f.length == 3 && f[0].equals("0") && f[1].equals("0") && f[2].equals("4294967295"));
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
