package dev.kopi.transport.storage;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A tar reader that keeps every byte that is not file content (headers, PAX and GNU long-name records, padding,
 * end-of-archive blocks), as tar-split's fork of Go's {@code archive/tar} does with {@code RawAccounting}: after
 * {@link #next()}, {@link #rawBytes()} returns the raw bytes read since the previous call. Headers are parsed as
 * Go's reader parses them (V7, USTAR, PAX, GNU, STAR formats; octal and base-256 numbers; checksums), so names and
 * sizes match what containers/storage records. Sparse files are refused.
 */
final class RawTarReader {
    static final byte TYPE_REG = '0';
    static final byte TYPE_REGA = '\0';
    static final byte TYPE_LINK = '1';
    static final byte TYPE_SYMLINK = '2';
    static final byte TYPE_CHAR = '3';
    static final byte TYPE_BLOCK = '4';
    static final byte TYPE_DIR = '5';
    static final byte TYPE_FIFO = '6';
    static final byte TYPE_CONT = '7';
    static final byte TYPE_XHEADER = 'x';
    static final byte TYPE_XGLOBAL = 'g';
    static final byte TYPE_GNU_SPARSE = 'S';
    static final byte TYPE_GNU_LONGNAME = 'L';
    static final byte TYPE_GNU_LONGLINK = 'K';

    static final String ERR_HEADER = "archive/tar: invalid tar header";
    private static final int BLOCK = 512;
    private static final int MAX_SPECIAL_FILE = 1 << 20;

    /** A parsed header. {@code name} and {@code linkname} are the raw bytes Go's string holds. */
    record Header(byte typeflag, byte[] name, byte[] linkname, long mode, long uid, long gid, long size,
            Instant modTime, Instant accessTime, long devMajor, long devMinor, Map<String, byte[]> xattrs) {
        String nameString() {
            return new String(name, StandardCharsets.UTF_8);
        }

        String linknameString() {
            return new String(linkname, StandardCharsets.UTF_8);
        }

        /** Types whose data section is empty whatever the size field says (Go's {@code isHeaderOnlyType}). */
        boolean headerOnly() {
            return headerOnlyType(typeflag);
        }
    }

    private final InputStream in;
    private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
    private final byte[] blk = new byte[BLOCK];
    private long pad;
    private long remaining; // data bytes of the current entry not yet read
    private boolean eof;

    RawTarReader(InputStream in) {
        this.in = in;
    }

    /** The raw bytes read since the last call (headers, padding), then forgets them. */
    byte[] rawBytes() {
        byte[] b = raw.toByteArray();
        raw.reset();
        return b;
    }

    /**
     * Advances to the next entry; null at the end of the archive (the end-of-archive blocks, if any, are then in
     * {@link #rawBytes()}). Any unread data of the current entry is kept as raw bytes, as tar-split's reader does.
     */
    Header next() throws IOException {
        if (eof) {
            return null;
        }
        raw.reset();
        Map<String, String> pax = null;
        byte[] gnuLongName = null;
        byte[] gnuLongLink = null;
        while (true) {
            if (remaining > 0) {
                copyRaw(remaining);
                remaining = 0;
            }
            if (pad > 0) {
                byte[] p = new byte[(int) pad];
                int n = readFully(p);
                if (n < p.length) {
                    eof = true; // a truncated padding is dropped, as tar-split's reader fails there
                    return null;
                }
                raw.write(p, 0, n);
                pad = 0;
            }
            Header hdr = readHeader();
            if (hdr == null) {
                eof = true;
                return null;
            }
            long nb = hdr.headerOnly() ? 0 : hdr.size();
            if (nb < 0) {
                throw new IOException(ERR_HEADER);
            }
            pad = padding(nb);
            remaining = nb;
            switch (hdr.typeflag()) {
                case TYPE_XHEADER, TYPE_XGLOBAL -> {
                    byte[] data = readSpecial();
                    Map<String, String> records = parsePax(data);
                    if (hdr.typeflag() == TYPE_XGLOBAL) {
                        Header merged = merge(hdr, records);
                        return new Header(TYPE_XGLOBAL, merged.name(), new byte[0], 0, 0, 0, 0, null, null, 0, 0,
                                merged.xattrs());
                    }
                    pax = records;
                }
                case TYPE_GNU_LONGNAME, TYPE_GNU_LONGLINK -> {
                    byte[] data = readSpecial();
                    byte[] s = cstring(data, 0, data.length);
                    if (hdr.typeflag() == TYPE_GNU_LONGNAME) {
                        gnuLongName = s;
                    } else {
                        gnuLongLink = s;
                    }
                }
                default -> {
                    if (hdr.typeflag() == TYPE_GNU_SPARSE || (pax != null && isSparse(pax))) {
                        throw new IOException("sparse files in layers are not supported");
                    }
                    Header h = merge(hdr, pax);
                    byte[] name = gnuLongName != null && gnuLongName.length > 0 ? gnuLongName : h.name();
                    byte[] link = gnuLongLink != null && gnuLongLink.length > 0 ? gnuLongLink : h.linkname();
                    byte type = h.typeflag();
                    if (type == TYPE_REGA) {
                        type = name.length > 0 && name[name.length - 1] == '/' ? TYPE_DIR : TYPE_REG;
                    }
                    h = new Header(type, name, link, h.mode(), h.uid(), h.gid(), h.size(), h.modTime(),
                            h.accessTime(), h.devMajor(), h.devMinor(), h.xattrs());
                    nb = h.headerOnly() ? 0 : h.size();
                    if (nb < 0) {
                        throw new IOException(ERR_HEADER);
                    }
                    pad = padding(nb);
                    remaining = nb;
                    return h;
                }
            }
        }
    }

    /** Reads data of the current entry (at most what is left of it); -1 at its end. */
    int read(byte[] b, int off, int len) throws IOException {
        if (remaining <= 0) {
            return -1;
        }
        int n = in.read(b, off, (int) Math.min(len, remaining));
        if (n < 0) {
            throw new EOFException("unexpected EOF");
        }
        remaining -= n;
        return n;
    }

    /** The data of the current entry as a stream (not closing the archive). */
    InputStream entryStream() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                int n = RawTarReader.this.read(one, 0, 1);
                return n < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return len == 0 ? 0 : RawTarReader.this.read(b, off, len);
            }
        };
    }

    /** Reads up to {@code b.length} bytes after the end of the archive; -1 when the stream has ended. */
    int readTrailing(byte[] b) throws IOException {
        int n = 0;
        while (n < b.length) {
            int r = in.read(b, n, b.length - n);
            if (r < 0) {
                return n == 0 ? -1 : n;
            }
            n += r;
        }
        return n;
    }

    // ---- internals ----

    private void copyRaw(long n) throws IOException {
        byte[] buf = new byte[(int) Math.min(n, 65536)];
        while (n > 0) {
            int r = in.read(buf, 0, (int) Math.min(buf.length, n));
            if (r < 0) {
                throw new EOFException("unexpected EOF");
            }
            raw.write(buf, 0, r);
            n -= r;
        }
    }

    private byte[] readSpecial() throws IOException {
        if (remaining > MAX_SPECIAL_FILE) {
            throw new IOException("archive/tar: header field too long");
        }
        byte[] data = new byte[(int) remaining];
        int n = readFully(data);
        if (n < data.length) {
            throw new EOFException("unexpected EOF");
        }
        remaining = 0;
        raw.write(data, 0, data.length);
        return data;
    }

    private int readFully(byte[] b) throws IOException {
        int n = 0;
        while (n < b.length) {
            int r = in.read(b, n, b.length - n);
            if (r < 0) {
                break;
            }
            n += r;
        }
        return n;
    }

    /** Reads a header block; null at a clean end of archive. */
    private Header readHeader() throws IOException {
        int n = readFully(blk);
        if (n == 0) {
            return null;
        }
        if (n < BLOCK) {
            throw new EOFException("unexpected EOF");
        }
        raw.write(blk, 0, BLOCK);
        if (isZero(blk)) {
            n = readFully(blk);
            if (n == 0) {
                return null;
            }
            if (n < BLOCK) {
                throw new EOFException("unexpected EOF");
            }
            raw.write(blk, 0, BLOCK);
            if (isZero(blk)) {
                return null;
            }
            throw new IOException(ERR_HEADER);
        }
        Parser p = new Parser();
        int format = format(blk, p);
        if (format == FORMAT_UNKNOWN) {
            throw new IOException(ERR_HEADER);
        }
        byte type = blk[156];
        byte[] name = cstring(blk, 0, 100);
        byte[] link = cstring(blk, 157, 100);
        long size = p.numeric(blk, 124, 12);
        long mode = p.numeric(blk, 100, 8);
        long uid = p.numeric(blk, 108, 8);
        long gid = p.numeric(blk, 116, 8);
        Instant mtime = Instant.ofEpochSecond(p.numeric(blk, 136, 12));
        Instant atime = null;
        long devMajor = 0;
        long devMinor = 0;
        if (format != FORMAT_V7) {
            devMajor = p.numeric(blk, 329, 8);
            devMinor = p.numeric(blk, 337, 8);
            byte[] prefix = new byte[0];
            if (format == FORMAT_USTAR) {
                prefix = cstring(blk, 345, 155);
            } else if (format == FORMAT_STAR) {
                prefix = cstring(blk, 345, 131);
                atime = Instant.ofEpochSecond(p.numeric(blk, 476, 12));
            } else if (format == FORMAT_GNU) {
                Parser p2 = new Parser();
                if (blk[345] != 0) {
                    atime = Instant.ofEpochSecond(p2.numeric(blk, 345, 12));
                }
                if (blk[357] != 0) {
                    p2.numeric(blk, 357, 12);
                }
                if (p2.err) {
                    atime = null;
                    byte[] s = cstring(blk, 345, 155);
                    if (ascii(s)) {
                        prefix = s;
                    }
                }
            }
            if (prefix.length > 0) {
                byte[] full = new byte[prefix.length + 1 + name.length];
                System.arraycopy(prefix, 0, full, 0, prefix.length);
                full[prefix.length] = '/';
                System.arraycopy(name, 0, full, prefix.length + 1, name.length);
                name = full;
            }
        }
        if (p.err) {
            throw new IOException(ERR_HEADER);
        }
        return new Header(type, name, link, mode, uid, gid, size, mtime, atime, devMajor, devMinor, Map.of());
    }

    private static final int FORMAT_UNKNOWN = 0;
    private static final int FORMAT_V7 = 1;
    private static final int FORMAT_USTAR = 2; // USTAR or PAX
    private static final int FORMAT_GNU = 3;
    private static final int FORMAT_STAR = 4;

    private static int format(byte[] b, Parser p) {
        long value = p.octal(b, 148, 8);
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < BLOCK; i++) {
            byte c = (i >= 148 && i < 156) ? (byte) ' ' : b[i];
            unsigned += c & 0xff;
            signed += c;
        }
        if (p.err || (value != unsigned && value != signed)) {
            return FORMAT_UNKNOWN;
        }
        boolean ustarMagic = matches(b, 257, "ustar\0");
        if (ustarMagic && matches(b, 508, "tar\0")) {
            return FORMAT_STAR;
        }
        if (ustarMagic) {
            return FORMAT_USTAR;
        }
        if (matches(b, 257, "ustar ") && matches(b, 263, " \0")) {
            return FORMAT_GNU;
        }
        return FORMAT_V7;
    }

    private static boolean matches(byte[] b, int off, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[off + i] != (byte) s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static boolean ascii(byte[] s) {
        for (byte c : s) {
            if (c < 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean isZero(byte[] b) {
        for (byte c : b) {
            if (c != 0) {
                return false;
            }
        }
        return true;
    }

    /** Bytes up to the first NUL (Go's {@code parseString}). */
    static byte[] cstring(byte[] b, int off, int len) {
        for (int i = 0; i < len; i++) {
            if (b[off + i] == 0) {
                return Arrays.copyOfRange(b, off, off + i);
            }
        }
        return Arrays.copyOfRange(b, off, off + len);
    }

    private static long padding(long n) {
        return -n & (BLOCK - 1);
    }

    static boolean headerOnlyType(byte t) {
        return t == TYPE_LINK || t == TYPE_SYMLINK || t == TYPE_CHAR || t == TYPE_BLOCK || t == TYPE_DIR
                || t == TYPE_FIFO;
    }

    private static boolean isSparse(Map<String, String> pax) {
        for (String k : pax.keySet()) {
            if (k.startsWith("GNU.sparse.")) {
                return true;
            }
        }
        return false;
    }

    /** Parses PAX records ({@code "%d %s=%s\n"}); keys and values keep their bytes (ISO-8859-1 strings). */
    static Map<String, String> parsePax(byte[] data) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        String s = new String(data, StandardCharsets.ISO_8859_1);
        int pos = 0;
        while (pos < s.length()) {
            int sp = s.indexOf(' ', pos);
            if (sp < 0) {
                throw new IOException(ERR_HEADER);
            }
            long len;
            try {
                len = Long.parseLong(s.substring(pos, sp));
            } catch (NumberFormatException e) {
                throw new IOException(ERR_HEADER);
            }
            if (len < 5 || pos + len > s.length() || sp - pos >= len) {
                throw new IOException(ERR_HEADER);
            }
            String rec = s.substring(sp + 1, (int) (pos + len));
            if (!rec.endsWith("\n")) {
                throw new IOException(ERR_HEADER);
            }
            rec = rec.substring(0, rec.length() - 1);
            int eq = rec.indexOf('=');
            if (eq < 0) {
                throw new IOException(ERR_HEADER);
            }
            String key = rec.substring(0, eq);
            String value = rec.substring(eq + 1);
            if (key.isEmpty() || key.indexOf('\0') >= 0) {
                throw new IOException(ERR_HEADER);
            }
            out.put(key, value);
            pos += (int) len;
        }
        return out;
    }

    private static Header merge(Header h, Map<String, String> pax) throws IOException {
        if (pax == null || pax.isEmpty()) {
            return h;
        }
        byte[] name = h.name();
        byte[] link = h.linkname();
        long uid = h.uid();
        long gid = h.gid();
        long size = h.size();
        Instant mtime = h.modTime();
        Instant atime = h.accessTime();
        Map<String, byte[]> xattrs = new LinkedHashMap<>(h.xattrs());
        try {
            for (Map.Entry<String, String> e : pax.entrySet()) {
                String k = e.getKey();
                String v = e.getValue();
                if (v.isEmpty()) {
                    continue;
                }
                switch (k) {
                    case "path" -> name = v.getBytes(StandardCharsets.ISO_8859_1);
                    case "linkpath" -> link = v.getBytes(StandardCharsets.ISO_8859_1);
                    case "uid" -> uid = Long.parseLong(v);
                    case "gid" -> gid = Long.parseLong(v);
                    case "atime" -> atime = paxTime(v);
                    case "mtime" -> mtime = paxTime(v);
                    case "size" -> size = Long.parseLong(v);
                    default -> {
                        if (k.startsWith("SCHILY.xattr.")) {
                            xattrs.put(k.substring("SCHILY.xattr.".length()),
                                    v.getBytes(StandardCharsets.ISO_8859_1));
                        }
                    }
                }
            }
        } catch (NumberFormatException | java.time.DateTimeException e) {
            throw new IOException(ERR_HEADER);
        }
        return new Header(h.typeflag(), name, link, h.mode(), uid, gid, size, mtime, atime, h.devMajor(),
                h.devMinor(), xattrs);
    }

    private static Instant paxTime(String v) {
        String secs = v;
        String frac = "";
        int dot = v.indexOf('.');
        if (dot >= 0) {
            secs = v.substring(0, dot);
            frac = v.substring(dot + 1);
        }
        long s = Long.parseLong(secs.isEmpty() ? "0" : secs);
        if (!frac.chars().allMatch(Character::isDigit)) {
            throw new NumberFormatException(v);
        }
        String nanos = (frac + "000000000").substring(0, 9);
        long ns = Long.parseLong(nanos);
        boolean negative = secs.startsWith("-");
        return negative && ns != 0 ? Instant.ofEpochSecond(s, -ns) : Instant.ofEpochSecond(s, ns);
    }

    /** Go's numeric field parser: base-256 when the top bit is set, else octal; errors are sticky. */
    private static final class Parser {
        boolean err;

        long numeric(byte[] b, int off, int len) {
            if (len > 0 && (b[off] & 0x80) != 0) {
                int inv = (b[off] & 0x40) != 0 ? 0xff : 0;
                long x = 0;
                for (int i = 0; i < len; i++) {
                    int c = (b[off + i] & 0xff) ^ inv;
                    if (i == 0) {
                        c &= 0x7f;
                    }
                    if ((x >>> 56) > 0) {
                        err = true;
                        return 0;
                    }
                    x = x << 8 | c;
                }
                if ((x >>> 63) > 0) {
                    err = true;
                    return 0;
                }
                return inv == 0xff ? ~x : x;
            }
            return octal(b, off, len);
        }

        long octal(byte[] b, int off, int len) {
            int start = off;
            int end = off + len;
            while (start < end && (b[start] == ' ' || b[start] == 0)) {
                start++;
            }
            while (end > start && (b[end - 1] == ' ' || b[end - 1] == 0)) {
                end--;
            }
            if (start == end) {
                return 0;
            }
            byte[] s = cstring(b, start, end - start);
            if (s.length == 0) {
                err = true;
                return 0;
            }
            long x = 0;
            for (byte c : s) {
                if (c < '0' || c > '7' || (x >>> 61) != 0) {
                    err = true;
                    return 0;
                }
                x = x << 3 | (c - '0');
            }
            return x;
        }
    }
}
