package dev.kopi.transport.sif;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.path.LocalPaths;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * A SIF (Singularity Image Format) file opened for reading: the global header and the descriptor table, read as
 * github.com/sylabs/sif/v2 {@code pkg/sif} reads them ({@code LoadContainerFromPath}, {@code GetDescriptor}), with
 * its error texts. The layout (all little-endian, no padding between fields) is:
 * <pre>
 * header (128 bytes): launch script [32] | magic "SIF_MAGIC\0" [10] | version "01\0" [3] | arch [3] | id (UUID) [16]
 *   | createdAt | modifiedAt | descriptorsFree | descriptorsTotal | descriptorsOffset | descriptorsSize
 *   | dataOffset | dataSize   (int64 each, Unix seconds for the times)
 * descriptor (585 bytes): dataType int32 | used bool [1] | id uint32 | groupID uint32 | linkedID uint32 | offset
 *   | size | sizeWithPadding | createdAt | modifiedAt | uid | gid (int64 each) | name [128] | extra [384]
 * partition extra: fsType int32 | partType int32 | arch [3]
 * </pre>
 * Data objects are read in place ({@link #openData}); the file stays open until {@link #close()}.
 */
public final class SifFile implements Closeable {
    /** Size of the global header. */
    public static final int HEADER_SIZE = 128;
    /** Size of one descriptor. */
    public static final int DESCRIPTOR_SIZE = 585;
    /** {@code DataDeffile}: the definition file the image was built from. */
    public static final int DATA_DEFFILE = 0x4001;
    /** {@code DataPartition}: a file system. */
    public static final int DATA_PARTITION = 0x4004;
    /** {@code FsSquash}. */
    public static final int FS_SQUASH = 1;
    /** {@code PartSystem}. */
    public static final int PART_SYSTEM = 1;
    /** {@code PartPrimSys}: the partition holding the primary operating system. */
    public static final int PART_PRIMSYS = 2;
    /** The magic, NUL-terminated. */
    static final byte[] MAGIC = {'S', 'I', 'F', '_', 'M', 'A', 'G', 'I', 'C', 0};
    /** The only spec version: "01", NUL-terminated. */
    static final byte[] VERSION_01 = {'0', '1', 0};

    /** The header's architecture codes and the Go architecture names they stand for ({@code archType.GoArch}). */
    static final Map<String, String> ARCHES = Map.ofEntries(Map.entry("01", "386"), Map.entry("02", "amd64"),
            Map.entry("03", "arm"), Map.entry("04", "arm64"), Map.entry("05", "ppc64"), Map.entry("06", "ppc64le"),
            Map.entry("07", "mips"), Map.entry("08", "mipsle"), Map.entry("09", "mips64"),
            Map.entry("10", "mips64le"), Map.entry("11", "s390x"), Map.entry("12", "riscv64"));

    /**
     * The global header.
     *
     * @param launchScript the 32-byte launch script field
     * @param arch the 3-byte architecture code (e.g. {@code "02\0"})
     * @param id the image UUID
     * @param createdAt creation time, Unix seconds
     * @param modifiedAt modification time, Unix seconds
     * @param descriptorsFree unused descriptor slots
     * @param descriptorsTotal descriptor slots
     * @param descriptorsOffset where the descriptor table starts
     * @param descriptorsSize the table's size in bytes
     * @param dataOffset where the data objects start
     * @param dataSize their size in bytes
     */
    public record Header(byte[] launchScript, byte[] arch, UUID id, long createdAt, long modifiedAt,
            long descriptorsFree, long descriptorsTotal, long descriptorsOffset, long descriptorsSize,
            long dataOffset, long dataSize) {
        public Header {
            launchScript = launchScript.clone();
            arch = arch.clone();
        }

        @Override
        public byte[] launchScript() {
            return launchScript.clone();
        }

        @Override
        public byte[] arch() {
            return arch.clone();
        }

        /** The Go architecture name of the header's code ({@code amd64}, ...), {@code unknown} for others. */
        public String goArch() {
            if (arch[2] != 0) {
                return "unknown";
            }
            String code = new String(arch, 0, 2, java.nio.charset.StandardCharsets.ISO_8859_1);
            return ARCHES.getOrDefault(code, "unknown");
        }
    }

    /**
     * One descriptor of the table.
     *
     * @param dataType the data object type ({@link #DATA_DEFFILE}, {@link #DATA_PARTITION}, ...)
     * @param used whether the slot holds an object
     * @param id object id
     * @param groupId raw group id (with the group mask bits)
     * @param linkedId raw linked id
     * @param offset where the object's data starts in the file
     * @param size the object's size
     * @param extra the 384-byte type-specific field
     */
    public record Descriptor(int dataType, boolean used, long id, long groupId, long linkedId, long offset, long size,
            byte[] extra) {
        public Descriptor {
            extra = extra.clone();
        }

        @Override
        public byte[] extra() {
            return extra.clone();
        }

        /** Whether this is a partition of type {@code partType} ({@code isPartitionOfType}). */
        public boolean isPartitionOfType(int partType) {
            return dataType == DATA_PARTITION && le(extra).getInt(4) == partType;
        }
    }

    private final Path path;
    private final FileChannel channel;
    private final Header header;
    private final List<Descriptor> descriptors;

    private SifFile(Path path, FileChannel channel, Header header, List<Descriptor> descriptors) {
        this.path = path;
        this.channel = channel;
        this.header = header;
        this.descriptors = descriptors;
    }

    /**
     * Opens and parses {@code file} ({@code sif.LoadContainerFromPath(file, O_RDONLY)}). Errors carry pkg/sif's
     * texts: {@code open FILE: no such file or directory}, {@code reading global header: EOF} (or
     * {@code unexpected EOF}), {@code invalid SIF magic}, {@code incompatible SIF version},
     * {@code reading descriptors: unexpected EOF}.
     */
    public static SifFile load(Path file) throws ImageException {
        FileChannel ch;
        if (file.toString().isEmpty()) {
            throw new ImageException(ErrorCode.IO, "open : no such file or directory");
        }
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, LocalPaths.goError("open", file, e), e);
        }
        try {
            SifFile f = parse(file, ch);
            ch = null;
            return f;
        } finally {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException e) {
                    // the load error matters more
                }
            }
        }
    }

    private static SifFile parse(Path file, FileChannel ch) throws ImageException {
        ByteBuffer hb = ByteBuffer.allocate(HEADER_SIZE);
        int n = readFully(file, ch, hb, 0, "reading global header");
        if (n < HEADER_SIZE) {
            throw invalid("reading global header: " + (n == 0 ? "EOF" : "unexpected EOF"));
        }
        hb.flip();
        hb.order(ByteOrder.LITTLE_ENDIAN);
        byte[] launch = bytes(hb, 0, 32);
        byte[] magic = bytes(hb, 32, 10);
        byte[] version = bytes(hb, 42, 3);
        byte[] arch = bytes(hb, 45, 3);
        ByteBuffer idb = ByteBuffer.wrap(bytes(hb, 48, 16));
        UUID id = new UUID(idb.getLong(), idb.getLong());
        Header h = new Header(launch, arch, id, hb.getLong(64), hb.getLong(72), hb.getLong(80), hb.getLong(88),
                hb.getLong(96), hb.getLong(104), hb.getLong(112), hb.getLong(120));
        if (!Arrays.equals(magic, MAGIC)) {
            throw invalid("invalid SIF magic");
        }
        if (!Arrays.equals(version, VERSION_01)) {
            throw invalid("incompatible SIF version");
        }
        return new SifFile(file, ch, h, readDescriptors(file, ch, h));
    }

    private static List<Descriptor> readDescriptors(Path file, FileChannel ch, Header h) throws ImageException {
        long total = h.descriptorsTotal();
        if (total == 0) {
            return List.of();
        }
        if (total < 0) {
            throw invalid("reading descriptors: invalid descriptor count " + total);
        }
        if (h.descriptorsOffset() < 0) {
            throw invalid("reading descriptors: readat " + file + ": negative offset");
        }
        long fileSize;
        try {
            fileSize = ch.size();
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "reading descriptors: " + goError("read", file, e), e);
        }
        // binary.Read reads the whole table from a section of descriptorsSize bytes: what is there decides EOF.
        long available = Math.max(0, Math.min(h.descriptorsSize(), fileSize - h.descriptorsOffset()));
        if (total > available / DESCRIPTOR_SIZE) {
            throw invalid("reading descriptors: " + (available == 0 ? "EOF" : "unexpected EOF"));
        }
        List<Descriptor> out = new ArrayList<>((int) total);
        ByteBuffer db = ByteBuffer.allocate(DESCRIPTOR_SIZE);
        for (long i = 0; i < total; i++) {
            db.clear();
            long pos = h.descriptorsOffset() + i * DESCRIPTOR_SIZE;
            if (readFully(file, ch, db, pos, "reading descriptors") < DESCRIPTOR_SIZE) {
                throw invalid("reading descriptors: unexpected EOF"); // the file shrank under us
            }
            db.flip();
            db.order(ByteOrder.LITTLE_ENDIAN);
            out.add(new Descriptor(db.getInt(0), db.get(4) != 0, Integer.toUnsignedLong(db.getInt(5)),
                    Integer.toUnsignedLong(db.getInt(9)), Integer.toUnsignedLong(db.getInt(13)), db.getLong(17),
                    db.getLong(25), bytes(db, 201, 384)));
        }
        return List.copyOf(out);
    }

    /** The path the file was opened from. */
    public Path path() {
        return path;
    }

    /** The global header. */
    public Header header() {
        return header;
    }

    /** Every descriptor slot, used or not, in table order. */
    public List<Descriptor> descriptors() {
        return descriptors;
    }

    /** {@code FileImage.PrimaryArch()}: the Go name of the header's architecture. */
    public String primaryArch() {
        return header.goArch();
    }

    /** {@code FileImage.ID()}: the image UUID in its canonical lowercase form. */
    public String id() {
        return header.id().toString();
    }

    /**
     * {@code FileImage.GetDescriptor}: the one used descriptor {@code selector} accepts. Fails with
     * {@code no objects in image} (all slots free, by the header's counts), {@code multiple objects found} or
     * {@code object not found}.
     */
    public Descriptor descriptor(Predicate<Descriptor> selector) throws ImageException {
        if (header.descriptorsFree() == header.descriptorsTotal()) {
            throw invalid("no objects in image");
        }
        Descriptor found = null;
        for (Descriptor d : descriptors) {
            if (!d.used() || !selector.test(d)) {
                continue;
            }
            if (found != null) {
                throw invalid("multiple objects found");
            }
            found = d;
        }
        if (found == null) {
            throw invalid("object not found");
        }
        return found;
    }

    /**
     * The data of {@code d} ({@code Descriptor.GetReader}): at most {@code d.size()} bytes from {@code d.offset()},
     * ending early where the file ends.
     */
    public InputStream openData(Descriptor d) {
        return new SectionStream(d.offset(), d.size());
    }

    /**
     * Copies exactly {@code d.size()} bytes of {@code d}'s data to {@code out} ({@code io.CopyN}); a file that ends
     * first fails with Go's {@code EOF}.
     */
    public void copyData(Descriptor d, OutputStream out) throws IOException {
        long copied = 0;
        if (d.size() > 0) {
            try (InputStream in = openData(d)) {
                copied = in.transferTo(out);
            }
        }
        if (copied != d.size()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "EOF");
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** A window of the file, read with positional reads (several may be open at once). */
    private final class SectionStream extends InputStream {
        private long pos;
        private final long end;

        SectionStream(long offset, long size) {
            this.pos = offset;
            long e;
            try {
                e = size <= 0 || offset < 0 ? offset : Math.addExact(offset, size);
            } catch (ArithmeticException overflow) {
                e = Long.MAX_VALUE;
            }
            this.end = e;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (pos < 0) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "readat " + path + ": negative offset");
            }
            if (len == 0) {
                return 0;
            }
            long left = end - pos;
            if (left <= 0) {
                return -1;
            }
            int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, left)), pos);
            if (n > 0) {
                pos += n;
            }
            return n;
        }
    }

    private static int readFully(Path file, FileChannel ch, ByteBuffer b, long pos, String action)
            throws ImageException {
        int total = 0;
        try {
            while (b.hasRemaining()) {
                int n = ch.read(b, pos + total);
                if (n < 0) {
                    break;
                }
                total += n;
            }
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, action + ": " + goError("read", file, e), e);
        }
        return total;
    }

    /** Go's {@code op PATH: reason}, with the lowercase strerror text Go prints ("is a directory"). */
    private static String goError(String op, Path file, IOException e) {
        String s = LocalPaths.goError(op, file, e);
        int at = op.length() + 1 + file.toString().length() + 2;
        if (s.length() > at && Character.isUpperCase(s.charAt(at))) {
            s = s.substring(0, at) + Character.toLowerCase(s.charAt(at)) + s.substring(at + 1);
        }
        return s;
    }

    private static byte[] bytes(ByteBuffer b, int off, int len) {
        byte[] out = new byte[len];
        b.get(off, out);
        return out;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ImageException invalid(String message) {
        return new ImageException(ErrorCode.INVALID_INPUT, message);
    }
}
