package dev.kopi.internal.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** A deterministic byte stream of any length, generated on the fly (never held in memory). */
final class PatternStream extends InputStream {
    private final long size;
    private long pos;
    private long state;

    PatternStream(long size, long seed) {
        this.size = size;
        this.state = seed * 0x9E3779B97F4A7C15L + 1;
    }

    private byte next() {
        state ^= state << 13;
        state ^= state >>> 7;
        state ^= state << 17;
        return (byte) state;
    }

    @Override
    public int read() {
        if (pos >= size) {
            return -1;
        }
        pos++;
        return next() & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (pos >= size) {
            return -1;
        }
        int n = (int) Math.min(len, size - pos);
        for (int i = 0; i < n; i++) {
            b[off + i] = next();
        }
        pos += n;
        return n;
    }

    /** SHA-256 hex of the pattern with this size and seed. */
    static String sha256(long size, long seed) throws IOException {
        return sha256Of(new PatternStream(size, seed));
    }

    static String sha256Of(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) >= 0) {
            md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /** Counts and hashes everything {@code in} yields: "count:sha". */
    static String countAndHash(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[65536];
        long count = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            md.update(buf, 0, n);
            count += n;
        }
        return count + ":" + HexFormat.of().formatHex(md.digest());
    }

    static void copy(long size, long seed, OutputStream out) throws IOException {
        new PatternStream(size, seed).transferTo(out);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
