package dev.kopi.transport.tarball;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;

/**
 * An index of the entries of an uncompressed tar file, built by one pass over the headers (data is skipped, never
 * read). It understands V7, USTAR (with name prefix), PAX (path, linkpath, size) and GNU long name/link entries.
 * As Go's {@code archive/tar}, a header checksum mismatch is "archive/tar: invalid tar header" and data or a header
 * cut short is "unexpected EOF"; such an error does not make the index unusable: entries found before it remain,
 * and {@link #scanError()} reports it, so that callers can mirror containers/image, which scans linearly and only
 * fails when it reaches the damage.
 */
public final class TarIndex {
    /** One entry: its cleaned name, raw header name, type flag, link target, data offset and size. */
    public record Entry(String cleanName, String rawName, char type, String linkName, long dataOffset, long size) {
        public boolean isRegular() {
            return type == '0' || type == '\0' || type == '7';
        }

        public boolean isSymlink() {
            return type == '2';
        }
    }

    private final Map<String, Entry> first; // by cleaned name, first occurrence wins (as a linear scan finds it)
    private final List<Entry> all;
    private final IOException scanError;

    private TarIndex(Map<String, Entry> first, List<Entry> all, IOException scanError) {
        this.first = first;
        this.all = all;
        this.scanError = scanError;
    }

    /** Every entry in archive order (up to a scan error, if any). */
    public List<Entry> entries() {
        return all;
    }

    /** The first entry whose Go-cleaned name is {@code path.Clean(componentPath)}, or null. */
    public Entry find(String componentPath) {
        return first.get(GoCompat.cleanPath(componentPath));
    }

    /** The error that ended the scan early, or null when the whole archive was read. */
    public IOException scanError() {
        return scanError;
    }

    /** Indexes the tar file open on {@code ch}. Never throws for damaged data; see {@link #scanError()}. */
    public static TarIndex build(FileChannel ch) throws IOException {
        Map<String, Entry> first = new LinkedHashMap<>();
        List<Entry> all = new ArrayList<>();
        long fileSize = ch.size();
        long pos = 0;
        ByteBuffer buf = ByteBuffer.allocate(TarWriter.BLOCK);
        String longName = null;
        String longLink = null;
        Map<String, String> pax = null;
        Map<String, String> globalPax = new LinkedHashMap<>();
        IOException error = null;
        try {
            while (true) {
                if (pos > fileSize) {
                    throw new EOFException("unexpected EOF"); // the previous entry's padding is cut short
                }
                byte[] blk = readBlock(ch, pos, buf);
                if (blk == null) {
                    break; // clean EOF at a header boundary
                }
                pos += TarWriter.BLOCK;
                if (isZero(blk)) {
                    byte[] second = readBlock(ch, pos, buf);
                    if (second == null || isZero(second)) {
                        break;
                    }
                    throw new IOException("archive/tar: invalid tar header");
                }
                if (!checksumOk(blk)) {
                    throw new IOException("archive/tar: invalid tar header");
                }
                char type = (char) (blk[156] & 0xff);
                long size = parseNumeric(blk, 124, 12);
                Map<String, String> effPax = new LinkedHashMap<>(globalPax);
                if (pax != null) {
                    effPax.putAll(pax);
                }
                if (effPax.containsKey("size")) {
                    try {
                        size = Long.parseLong(effPax.get("size"));
                    } catch (NumberFormatException e) {
                        throw new IOException("archive/tar: invalid tar header");
                    }
                }
                if (size < 0) {
                    throw new IOException("archive/tar: invalid tar header");
                }
                // Go: hard links, symlinks, devices, dirs and fifos carry no data even if the size field says so.
                if (type == '1' || type == '2' || type == '3' || type == '4' || type == '5' || type == '6') {
                    size = 0;
                }
                long dataOffset = pos;
                if (dataOffset + size > fileSize) {
                    throw new EOFException("unexpected EOF");
                }
                long padded = (size + TarWriter.BLOCK - 1) / TarWriter.BLOCK * TarWriter.BLOCK;
                switch (type) {
                    case 'x', 'g' -> {
                        Map<String, String> recs = parsePax(readData(ch, dataOffset, size));
                        if (type == 'g') {
                            globalPax.putAll(recs);
                        } else {
                            pax = recs;
                        }
                        pos += padded;
                        continue;
                    }
                    case 'L' -> {
                        longName = cString(readData(ch, dataOffset, size), 0, (int) size);
                        pos += padded;
                        continue;
                    }
                    case 'K' -> {
                        longLink = cString(readData(ch, dataOffset, size), 0, (int) size);
                        pos += padded;
                        continue;
                    }
                    default -> {
                        // an ordinary entry
                    }
                }
                String name = cString(blk, 0, 100);
                String magic = new String(blk, 257, 6, StandardCharsets.ISO_8859_1);
                if (magic.equals("ustar\0")) {
                    String prefix = cString(blk, 345, 155);
                    if (!prefix.isEmpty()) {
                        name = prefix + "/" + name;
                    }
                }
                String link = cString(blk, 157, 100);
                if (longName != null) {
                    name = longName;
                }
                if (longLink != null) {
                    link = longLink;
                }
                if (effPax.containsKey("path")) {
                    name = effPax.get("path");
                }
                if (effPax.containsKey("linkpath")) {
                    link = effPax.get("linkpath");
                }
                Entry e = new Entry(GoCompat.cleanPath(name), name, type, link, dataOffset, size);
                all.add(e);
                first.putIfAbsent(e.cleanName(), e);
                pos += padded;
                pax = null;
                longName = null;
                longLink = null;
            }
        } catch (IOException e) {
            error = e;
        }
        return new TarIndex(Collections.unmodifiableMap(first), Collections.unmodifiableList(all), error);
    }

    /** Reads one header block at {@code pos}: null at a clean end of file, "unexpected EOF" when cut short. */
    private static byte[] readBlock(FileChannel ch, long pos, ByteBuffer buf) throws IOException {
        buf.clear();
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                break;
            }
        }
        if (buf.position() == 0) {
            return null;
        }
        if (buf.hasRemaining()) {
            throw new EOFException("unexpected EOF");
        }
        return buf.array().clone();
    }

    private static byte[] readData(FileChannel ch, long pos, long size) throws IOException {
        if (size > (1 << 20)) {
            throw new IOException("archive/tar: header field too long");
        }
        ByteBuffer b = ByteBuffer.allocate((int) size);
        while (b.hasRemaining()) {
            if (ch.read(b, pos + b.position()) < 0) {
                throw new EOFException("unexpected EOF");
            }
        }
        return b.array();
    }

    private static boolean isZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean checksumOk(byte[] b) {
        long stored;
        try {
            stored = parseNumeric(b, 148, 8);
        } catch (IOException e) {
            return false;
        }
        long unsigned = 0;
        long signed = 0;
        for (int i = 0; i < b.length; i++) {
            int v = (i >= 148 && i < 156) ? ' ' : b[i];
            unsigned += v & 0xff;
            signed += (i >= 148 && i < 156) ? ' ' : b[i];
        }
        return stored == unsigned || stored == signed;
    }

    /** Parses an octal (NUL/space padded) or base-256 number field. */
    private static long parseNumeric(byte[] b, int off, int len) throws IOException {
        if (len > 0 && (b[off] & 0x80) != 0) {
            long v = b[off] & 0x7f;
            if ((b[off] & 0x40) != 0) {
                throw new IOException("archive/tar: invalid tar header"); // negative base-256
            }
            for (int i = 1; i < len; i++) {
                if (v >>> 55 != 0) {
                    throw new IOException("archive/tar: invalid tar header");
                }
                v = (v << 8) | (b[off + i] & 0xff);
            }
            return v;
        }
        String s = new String(b, off, len, StandardCharsets.ISO_8859_1);
        int nul = s.indexOf('\0');
        if (nul >= 0) {
            s = s.substring(0, nul);
        }
        s = s.trim();
        if (s.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseLong(s, 8);
        } catch (NumberFormatException e) {
            throw new IOException("archive/tar: invalid tar header");
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }

    private static Map<String, String> parsePax(byte[] data) throws IOException {
        Map<String, String> recs = new LinkedHashMap<>();
        int i = 0;
        while (i < data.length) {
            int sp = i;
            while (sp < data.length && data[sp] != ' ') {
                sp++;
            }
            if (sp >= data.length) {
                throw new IOException("archive/tar: invalid tar header");
            }
            int len;
            try {
                len = Integer.parseInt(new String(data, i, sp - i, StandardCharsets.US_ASCII));
            } catch (NumberFormatException e) {
                throw new IOException("archive/tar: invalid tar header");
            }
            if (len <= sp - i || i + len > data.length || data[i + len - 1] != '\n') {
                throw new IOException("archive/tar: invalid tar header");
            }
            String rec = new String(data, sp + 1, i + len - 1 - (sp + 1), StandardCharsets.UTF_8);
            int eq = rec.indexOf('=');
            if (eq < 0) {
                throw new IOException("archive/tar: invalid tar header");
            }
            recs.put(rec.substring(0, eq), rec.substring(eq + 1));
            i += len;
        }
        return recs;
    }
}
