package dev.kopi.testkit;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;

/**
 * A gzip writer whose header is fixed (mtime 0, no file name, OS byte 255 "unknown", as Go's compress/gzip writes),
 * so the same input and level always give the same bytes on one zlib build. {@link java.util.zip.GZIPOutputStream}
 * is not used because its OS byte differs between JDK releases.
 */
public final class StableGzipOutputStream extends FilterOutputStream {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final Deflater deflater;
    private final DeflaterOutputStream deflating;
    private final OutputStream raw;
    private final CRC32 crc = new CRC32();
    private long size;
    private boolean closed;

    public StableGzipOutputStream(OutputStream out, int level) throws IOException {
        super(out);
        this.raw = out;
        this.deflater = new Deflater(level, true);
        out.write(HEADER);
        this.deflating = new DeflaterOutputStream(out, deflater, 64 * 1024);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        crc.update(b, off, len);
        size += len;
        deflating.write(b, off, len);
    }

    /** Writes the deflate tail and the gzip trailer without closing the underlying stream. */
    public void finish() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        deflating.finish();
        deflater.end();
        long c = crc.getValue();
        byte[] trailer = new byte[8];
        for (int i = 0; i < 4; i++) {
            trailer[i] = (byte) (c >>> (8 * i));
            trailer[4 + i] = (byte) (size >>> (8 * i));
        }
        raw.write(trailer);
    }

    @Override
    public void close() throws IOException {
        try {
            finish();
        } finally {
            raw.close();
        }
    }
}
