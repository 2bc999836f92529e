package dev.kopi.internal.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Stream copying with a buffer sized for layers (InputStream.transferTo uses 8 KiB, costing many syscalls). */
public final class Streams {
    private static final int BUFFER = 256 * 1024;

    private Streams() {
    }

    /** Copies everything from {@code in} to {@code out}; returns the byte count. Closes neither. */
    public static long copy(InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[BUFFER];
        long total = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }
}
