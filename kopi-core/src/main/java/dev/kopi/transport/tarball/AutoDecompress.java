package dev.kopi.transport.tarball;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * Detects gzip, bzip2, xz and zstd by their magic bytes (containers/image's {@code compression.AutoDecompress}) and
 * returns a decompressing stream, or the data unchanged.
 */
public final class AutoDecompress {
    private static final byte[] GZIP = {0x1F, (byte) 0x8B, 0x08};
    private static final byte[] BZIP2 = {0x42, 0x5A, 0x68};
    private static final byte[] XZ = {(byte) 0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00};
    private static final byte[] ZSTD = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};

    /** The result: the (possibly decompressing) stream and whether the input was compressed. */
    public record Result(InputStream stream, boolean compressed) {
    }

    private AutoDecompress() {
    }

    public static Result open(InputStream in) throws IOException {
        InputStream b = in.markSupported() ? in : new BufferedInputStream(in, 65536);
        b.mark(16);
        byte[] head = new byte[8];
        int n = 0;
        while (n < head.length) {
            int r = b.read(head, n, head.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        b.reset();
        if (startsWith(head, n, GZIP)) {
            return new Result(new GZIPInputStream(b, 65536), true);
        }
        if (startsWith(head, n, BZIP2)) {
            return new Result(new BZip2CompressorInputStream(b, true), true);
        }
        if (startsWith(head, n, XZ)) {
            return new Result(new XZCompressorInputStream(b, true), true);
        }
        if (startsWith(head, n, ZSTD)) {
            return new Result(new com.github.luben.zstd.ZstdInputStream(b), true);
        }
        return new Result(b, false);
    }

    private static boolean startsWith(byte[] head, int n, byte[] magic) {
        if (n < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head[i] != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
