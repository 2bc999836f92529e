package dev.kopi.transport.tarball;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a tar stream with exactly the headers Go's {@code archive/tar} writes for the entries containers/image
 * produces: USTAR headers with NUL-terminated zero-padded octal fields, mode 0444 for files and 0 for symlinks,
 * uid/gid 0, empty user/group names, mtime 0; a PAX extended header only when a name, link target or size does not
 * fit USTAR; data padded to 512 bytes; two zero blocks at the end and no further record padding.
 * Not thread-safe.
 */
public final class TarWriter {
    static final int BLOCK = 512;
    private static final long MAX_OCTAL_11 = 077777777777L;

    private final OutputStream out;
    private boolean closed;

    public TarWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes a regular file of exactly {@code size} bytes from {@code data}. */
    public void writeFile(String name, long size, InputStream data) throws IOException {
        writeHeader(name, "", '0', 0444, size);
        byte[] buf = new byte[65536];
        long done = 0;
        int n;
        while (done < size && (n = data.read(buf, 0, (int) Math.min(buf.length, size - done))) > 0) {
            out.write(buf, 0, n);
            done += n;
        }
        if (done == size && data.read() >= 0) {
            done++; // more data than announced
        }
        if (done != size) {
            throw new IOException("Size mismatch when copying " + name + ", expected " + size + ", got "
                    + (done > size ? "more" : Long.toString(done)));
        }
        pad(size);
    }

    public void writeBytes(String name, byte[] data) throws IOException {
        writeHeader(name, "", '0', 0444, data.length);
        out.write(data);
        pad(data.length);
    }

    public void writeSymlink(String name, String target) throws IOException {
        writeHeader(name, target, '2', 0, 0);
    }

    /** Writes the end-of-archive marker (two zero blocks) and flushes; does not close the underlying stream. */
    public void finish() throws IOException {
        if (!closed) {
            out.write(new byte[2 * BLOCK]);
            out.flush();
            closed = true;
        }
    }

    private void pad(long size) throws IOException {
        int rem = (int) (size % BLOCK);
        if (rem != 0) {
            out.write(new byte[BLOCK - rem]);
        }
    }

    private void writeHeader(String name, String link, char type, int mode, long size) throws IOException {
        if (closed) {
            throw new IOException("tar writer already closed");
        }
        Map<String, String> pax = new TreeMap<>();
        String ustarName = name;
        String ustarPrefix = "";
        boolean ustarOk = true;
        if (!isAscii(name) || name.length() > 100) {
            String[] split = splitUstarPath(name);
            if (split == null) {
                ustarOk = false;
            } else {
                ustarPrefix = split[0];
                ustarName = split[1];
            }
            pax.put("path", name);
        }
        if (!isAscii(link) || link.length() > 100) {
            ustarOk = false;
            pax.put("linkpath", link);
        }
        if (size > MAX_OCTAL_11) {
            ustarOk = false;
            pax.put("size", Long.toString(size));
        }
        byte[] blk;
        if (ustarOk) {
            blk = template(ustarName, link, type, mode, size);
            putString(blk, 345, 155, ustarPrefix);
        } else {
            StringBuilder recs = new StringBuilder();
            for (Map.Entry<String, String> e : pax.entrySet()) {
                recs.append(paxRecord(e.getKey(), e.getValue()));
            }
            byte[] data = recs.toString().getBytes(StandardCharsets.UTF_8);
            int slash = name.lastIndexOf('/');
            String paxName = GoCompat.joinPath(name.substring(0, slash + 1), "PaxHeaders.0/" + name.substring(slash + 1));
            paxName = toAscii(paxName);
            if (paxName.length() > 100) {
                paxName = paxName.substring(0, 100);
            }
            paxName = paxName.replaceAll("/+$", "");
            byte[] ph = new byte[BLOCK];
            ph[156] = 'x';
            putString(ph, 0, 100, paxName);
            putOctal(ph, 100, 8, 0);
            putOctal(ph, 108, 8, 0);
            putOctal(ph, 116, 8, 0);
            putOctal(ph, 124, 12, data.length);
            putOctal(ph, 136, 12, 0);
            finishBlock(ph);
            out.write(ph);
            out.write(data);
            pad(data.length);
            blk = template(toAscii(name), toAscii(link), type, mode, size > MAX_OCTAL_11 ? 0 : size);
        }
        finishBlock(blk);
        out.write(blk);
    }

    private static byte[] template(String name, String link, char type, int mode, long size) {
        byte[] b = new byte[BLOCK];
        b[156] = (byte) type;
        putString(b, 0, 100, name);
        putString(b, 157, 100, link);
        putOctal(b, 100, 8, mode);
        putOctal(b, 108, 8, 0);
        putOctal(b, 116, 8, 0);
        putOctal(b, 124, 12, size);
        putOctal(b, 136, 12, 0);
        putOctal(b, 329, 8, 0);
        putOctal(b, 337, 8, 0);
        return b;
    }

    /** Sets the USTAR magic and version and the checksum. */
    private static void finishBlock(byte[] b) {
        System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, b, 257, 6);
        b[263] = '0';
        b[264] = '0';
        long sum = 0;
        for (int i = 0; i < BLOCK; i++) {
            sum += (i >= 148 && i < 156) ? ' ' : (b[i] & 0xff);
        }
        putOctal(b, 148, 7, sum);
        b[155] = ' ';
    }

    private static void putString(byte[] b, int off, int len, String s) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(v, 0, b, off, Math.min(v.length, len));
    }

    private static void putOctal(byte[] b, int off, int len, long v) {
        String s = Long.toOctalString(v);
        if (s.length() > len - 1) {
            s = "0";
        }
        s = "0".repeat(len - 1 - s.length()) + s;
        putString(b, off, len, s);
    }

    private static String paxRecord(String k, String v) {
        int size = k.length() + v.getBytes(StandardCharsets.UTF_8).length + 3;
        size += Integer.toString(size).length();
        String rec = size + " " + k + "=" + v + "\n";
        if (rec.getBytes(StandardCharsets.UTF_8).length != size) {
            size = rec.getBytes(StandardCharsets.UTF_8).length;
            rec = size + " " + k + "=" + v + "\n";
        }
        return rec;
    }

    private static String[] splitUstarPath(String name) {
        int length = name.length();
        if (length <= 100 || !isAscii(name)) {
            return null;
        } else if (length > 156) {
            length = 156;
        } else if (name.charAt(length - 1) == '/') {
            length--;
        }
        int i = name.substring(0, length).lastIndexOf('/');
        int nlen = name.length() - i - 1;
        int plen = i;
        if (i <= 0 || nlen > 100 || nlen == 0 || plen > 155) {
            return null;
        }
        return new String[] {name.substring(0, i), name.substring(i + 1)};
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static String toAscii(String s) {
        if (isAscii(s)) {
            return s;
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) < 0x80) {
                b.append(s.charAt(i));
            }
        }
        return b.toString();
    }
}
