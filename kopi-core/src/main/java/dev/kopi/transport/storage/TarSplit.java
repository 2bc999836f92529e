package dev.kopi.transport.storage;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.kopi.json.GoJson;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;

/**
 * The tar-split format (github.com/vbatts/tar-split) that containers/storage keeps next to each layer
 * ({@code <id>.tar-split.gz}): one JSON object per line, in archive order. Segment entries ({@code "type":2})
 * hold raw archive bytes (headers, padding, end-of-archive blocks) in {@code payload}; file entries
 * ({@code "type":1}) name a file whose {@code size} bytes of content come from the layer's files, with the
 * CRC-64/ISO of that content as {@code payload}. Concatenating segments and file contents gives back the archive
 * exactly as it was applied, so its digest is the layer's DiffID.
 */
final class TarSplit {
    static final int FILE_TYPE = 1;
    static final int SEGMENT_TYPE = 2;

    private static final JsonFactory JSON = new JsonFactory();

    private TarSplit() {
    }

    /**
     * One entry. {@code name} is the file name when it is valid UTF-8, else null and {@code nameRaw} holds its
     * bytes; {@code payload} is a segment's bytes or a file's checksum (null when none).
     */
    record Entry(int type, String name, byte[] nameRaw, long size, byte[] payload, int position) {
        static Entry segment(byte[] payload) {
            return new Entry(SEGMENT_TYPE, null, null, 0, payload, 0);
        }

        static Entry file(byte[] name, long size, byte[] crc) {
            String s = utf8(name);
            return new Entry(FILE_TYPE, s, s == null ? name.clone() : null, size, crc, 0);
        }

        /** The name's bytes, as tar-split's {@code GetNameBytes}. */
        byte[] nameBytes() {
            if (nameRaw != null && nameRaw.length > 0) {
                return nameRaw;
            }
            return name == null ? new byte[0] : name.getBytes(StandardCharsets.UTF_8);
        }

        /** The name as a Java string (raw names are decoded leniently, for messages). */
        String nameString() {
            if (nameRaw != null && nameRaw.length > 0) {
                return new String(nameRaw, StandardCharsets.UTF_8);
            }
            return name == null ? "" : name;
        }

        Entry withPosition(int pos) {
            return new Entry(type, name, nameRaw, size, payload, pos);
        }
    }

    /** The string for valid UTF-8 bytes, null otherwise. */
    static String utf8(byte[] b) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * Writes entries as tar-split's JSON packer does: positions counted from 0, one JSON document and a newline
     * per entry, file names unique after cleaning ({@code duplicates of file paths not supported} otherwise).
     */
    static final class Packer {
        private final OutputStream out;
        private final Set<String> seen = new HashSet<>();
        private int pos;

        Packer(OutputStream out) {
            this.out = out;
        }

        void add(Entry e) throws IOException {
            if (e.type() == FILE_TYPE) {
                String clean = GoPaths.clean(e.nameString());
                if (!seen.add(clean)) {
                    throw new IOException("duplicates of file paths not supported");
                }
            }
            out.write(encode(e.withPosition(pos)));
            pos++;
        }
    }

    /** The JSON line Go's encoder writes for {@code e} (field order, omitempty, base64 bytes, HTML escaping). */
    static byte[] encode(Entry e) {
        StringBuilder sb = new StringBuilder(64 + (e.payload() == null ? 0 : e.payload().length * 4 / 3));
        sb.append("{\"type\":").append(e.type());
        if (e.name() != null && !e.name().isEmpty()) {
            sb.append(",\"name\":");
            GoJson.appendString(sb, e.name(), true);
        }
        if (e.nameRaw() != null && e.nameRaw().length > 0) {
            sb.append(",\"name_raw\":\"").append(Base64.getEncoder().encodeToString(e.nameRaw())).append('"');
        }
        if (e.size() != 0) {
            sb.append(",\"size\":").append(e.size());
        }
        sb.append(",\"payload\":");
        if (e.payload() == null) {
            sb.append("null");
        } else {
            sb.append('"').append(Base64.getEncoder().encodeToString(e.payload())).append('"');
        }
        sb.append(",\"position\":").append(e.position()).append("}\n");
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Reads entries back, rejecting duplicate file names as tar-split's JSON unpacker does. */
    static final class Unpacker implements AutoCloseable {
        private final JsonParser p;
        private final Set<String> seen = new HashSet<>();

        Unpacker(InputStream in) throws IOException {
            this.p = JSON.createParser(in);
        }

        /** The next entry, or null at the end. */
        Entry next() throws IOException {
            JsonToken t = p.nextToken();
            if (t == null) {
                return null;
            }
            if (t != JsonToken.START_OBJECT) {
                throw new IOException("invalid tar-split data: expected an object, got " + t);
            }
            int type = 0;
            String name = null;
            byte[] nameRaw = null;
            long size = 0;
            byte[] payload = null;
            int position = 0;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "type" -> type = p.getIntValue();
                    case "name" -> name = v == JsonToken.VALUE_NULL ? null : p.getText();
                    case "name_raw" -> nameRaw = v == JsonToken.VALUE_NULL ? null : p.getBinaryValue();
                    case "size" -> size = p.getLongValue();
                    case "payload" -> payload = v == JsonToken.VALUE_NULL ? null : p.getBinaryValue();
                    case "position" -> position = p.getIntValue();
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                throw new EOFException("invalid tar-split data: unterminated entry");
            }
            Entry e = new Entry(type, name, nameRaw, size, payload, position);
            if (type == FILE_TYPE && !seen.add(GoPaths.clean(e.nameString()))) {
                throw new IOException("duplicates of file paths not supported");
            }
            return e;
        }

        @Override
        public void close() throws IOException {
            p.close();
        }
    }

    /** Opens the content of a file entry by name. */
    @FunctionalInterface
    interface FileGetter {
        InputStream open(Entry entry) throws IOException;
    }

    /**
     * The archive that tar-split data describes, as a stream: segments as recorded, and for each file entry with
     * a size, the whole file from {@code files}, checked against the recorded CRC-64 at its end
     * ({@code file integrity checksum failed for "NAME"}), as tar-split's {@code WriteOutputTarStream} does.
     */
    static final class Assembler extends InputStream {
        private final Unpacker entries;
        private final FileGetter files;
        private final Crc64 crc = new Crc64();
        private byte[] segment;
        private int segmentPos;
        private InputStream file;
        private Entry fileEntry;
        private boolean done;

        Assembler(Unpacker entries, FileGetter files) {
            this.entries = entries;
            this.files = files;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (true) {
                if (segment != null) {
                    if (segmentPos < segment.length) {
                        int n = Math.min(len, segment.length - segmentPos);
                        System.arraycopy(segment, segmentPos, b, off, n);
                        segmentPos += n;
                        return n;
                    }
                    segment = null;
                }
                if (file != null) {
                    int n = file.read(b, off, len);
                    if (n > 0) {
                        crc.update(b, off, n);
                        return n;
                    }
                    if (n < 0) {
                        file.close();
                        file = null;
                        if (!java.util.Arrays.equals(crc.sum(), fileEntry.payload())) {
                            throw new IOException("file integrity checksum failed for "
                                    + dev.kopi.internal.go.GoStrconv.quote(fileEntry.nameString()));
                        }
                    }
                    continue;
                }
                if (done) {
                    return -1;
                }
                Entry e = entries.next();
                if (e == null) {
                    done = true;
                    return -1;
                }
                if (e.type() == SEGMENT_TYPE) {
                    if (e.payload() != null && e.payload().length > 0) {
                        segment = e.payload();
                        segmentPos = 0;
                    }
                } else if (e.type() == FILE_TYPE && e.size() != 0) {
                    file = files.open(e);
                    fileEntry = e;
                    crc.reset();
                }
            }
        }

        @Override
        public void close() throws IOException {
            try {
                if (file != null) {
                    file.close();
                    file = null;
                }
            } finally {
                entries.close();
            }
        }
    }
}
