package dev.kopi.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Writes SIF (Singularity Image Format) files for tests, laid out as github.com/sylabs/sif/v2's
 * {@code CreateContainer} lays them out (header, descriptor table at 4096 with 48 slots, data objects after it,
 * partitions aligned to 4096), independent of kopi's reader so it can serve as its oracle. Also builds the squashfs
 * a SIF wraps, with {@code mksquashfs} (squashfs-tools) from a small deterministic tree.
 *
 * <pre>
 * SifWriter.sampleTree(tree);
 * SifWriter.mksquashfs(tree, sqfs);
 * new SifWriter().deffile(def).primaryPartition(sqfs, "amd64").write(out);
 * </pre>
 */
public final class SifWriter {
    /** {@code DataDeffile}. */
    public static final int DATA_DEFFILE = 0x4001;
    /** {@code DataEnvVar}. */
    public static final int DATA_ENVVAR = 0x4002;
    /** {@code DataPartition}. */
    public static final int DATA_PARTITION = 0x4004;
    /** {@code FsSquash}. */
    public static final int FS_SQUASH = 1;
    /** {@code PartSystem}. */
    public static final int PART_SYSTEM = 1;
    /** {@code PartPrimSys}. */
    public static final int PART_PRIMSYS = 2;
    /** {@code PartData}. */
    public static final int PART_DATA = 3;
    /** Header size. */
    public static final int HEADER_SIZE = 128;
    /** Descriptor size. */
    public static final int DESCRIPTOR_SIZE = 585;

    /** pkg/sif's architecture codes by Go architecture name. */
    public static final Map<String, String> ARCH_CODES = Map.ofEntries(Map.entry("386", "01"),
            Map.entry("amd64", "02"), Map.entry("arm", "03"), Map.entry("arm64", "04"), Map.entry("ppc64", "05"),
            Map.entry("ppc64le", "06"), Map.entry("mips", "07"), Map.entry("mipsle", "08"),
            Map.entry("mips64", "09"), Map.entry("mips64le", "10"), Map.entry("s390x", "11"),
            Map.entry("riscv64", "12"));

    /** One data object: its type, content (bytes or a file), alignment and the descriptor's extra field. */
    private record DataObject(int dataType, byte[] bytes, Path file, int alignment, byte[] extra) {
        long size() throws IOException {
            return bytes != null ? bytes.length : Files.size(file);
        }
    }

    private final List<DataObject> objects = new ArrayList<>();
    private String launchScript = "#!/usr/bin/env run-singularity\n";
    private UUID id = UUID.fromString("5ca1ab1e-0000-4000-8000-00000000c0de");
    private long createdAt = 1_700_000_000L;
    private long modifiedAt = 1_700_000_000L;
    private byte[] version = {'0', '1', 0};
    private byte[] magic = "SIF_MAGIC\0".getBytes(StandardCharsets.US_ASCII);
    private String headerArch;
    private int capacity = 48;
    private long descriptorsOffset = 4096;

    /** The image UUID (default a fixed one). */
    public SifWriter id(UUID v) {
        id = v;
        return this;
    }

    /** Creation and modification time of the image and its objects, Unix seconds (default 1700000000). */
    public SifWriter time(long unixSeconds) {
        createdAt = unixSeconds;
        modifiedAt = unixSeconds;
        return this;
    }

    /** The modification time alone. */
    public SifWriter modifiedAt(long unixSeconds) {
        modifiedAt = unixSeconds;
        return this;
    }

    /** The launch script (shorter than 32 bytes). */
    public SifWriter launchScript(String v) {
        launchScript = v;
        return this;
    }

    /** Overrides the header's magic (10 bytes) for negative tests. */
    public SifWriter magic(byte[] v) {
        magic = v.clone();
        return this;
    }

    /** Overrides the header's version field (3 bytes) for negative tests. */
    public SifWriter version(byte[] v) {
        version = v.clone();
        return this;
    }

    /**
     * Overrides the header's architecture code (a 2-digit code such as {@code "02"}); by default it is the
     * primary partition's, else {@code "00"} (unknown).
     */
    public SifWriter headerArchCode(String code) {
        headerArch = code;
        return this;
    }

    /** Number of descriptor slots (default 48). */
    public SifWriter capacity(int v) {
        capacity = v;
        return this;
    }

    /** Adds a definition file object. */
    public SifWriter deffile(String text) {
        objects.add(new DataObject(DATA_DEFFILE, text.getBytes(StandardCharsets.UTF_8), null, 0, new byte[0]));
        return this;
    }

    /** Adds an object of any type with raw content, unaligned. */
    public SifWriter object(int dataType, byte[] content) {
        objects.add(new DataObject(dataType, content.clone(), null, 0, new byte[0]));
        return this;
    }

    /** Adds the primary system partition: a squashfs file for Go architecture {@code goArch}. */
    public SifWriter primaryPartition(Path squashfs, String goArch) {
        return partition(squashfs, PART_PRIMSYS, goArch);
    }

    /** Adds a squashfs partition of type {@code partType}. */
    public SifWriter partition(Path squashfs, int partType, String goArch) {
        objects.add(new DataObject(DATA_PARTITION, null, squashfs, 4096, partitionExtra(partType, goArch)));
        return this;
    }

    /** Adds a partition with in-memory content (for parser tests). */
    public SifWriter partition(byte[] content, int partType, String goArch) {
        objects.add(new DataObject(DATA_PARTITION, content.clone(), null, 4096, partitionExtra(partType, goArch)));
        return this;
    }

    /** pkg/sif's {@code partition} extra: fsType, partType, arch code; unknown architectures get "00". */
    private static byte[] partitionExtra(int partType, String goArch) {
        ByteBuffer extra = ByteBuffer.allocate(11).order(ByteOrder.LITTLE_ENDIAN);
        extra.putInt(FS_SQUASH).putInt(partType).put(archBytes(ARCH_CODES.getOrDefault(goArch, "00")));
        return extra.array();
    }

    /** Writes the SIF file. */
    public Path write(Path out) throws IOException {
        if (objects.size() > capacity) {
            throw new IllegalStateException("more objects than descriptor slots");
        }
        long descriptorsSize = (long) capacity * DESCRIPTOR_SIZE;
        long dataOffset = descriptorsOffset + descriptorsSize;
        String arch = headerArch != null ? headerArch : "00";
        ByteBuffer table = ByteBuffer.allocate((int) descriptorsSize).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            long end = dataOffset;
            for (int i = 0; i < objects.size(); i++) {
                DataObject o = objects.get(i);
                long offset = o.alignment() > 0 && end % o.alignment() != 0
                        ? (end / o.alignment() + 1) * o.alignment() : end;
                long size = o.size();
                if (o.bytes() != null) {
                    ch.write(ByteBuffer.wrap(o.bytes()), offset);
                } else {
                    try (InputStream in = Files.newInputStream(o.file())) {
                        long pos = offset;
                        byte[] buf = new byte[1 << 16];
                        int n;
                        while ((n = in.read(buf)) >= 0) {
                            pos += ch.write(ByteBuffer.wrap(buf, 0, n), pos);
                        }
                    }
                }
                if (o.dataType() == DATA_PARTITION && headerArch == null
                        && ByteBuffer.wrap(o.extra()).order(ByteOrder.LITTLE_ENDIAN).getInt(4) == PART_PRIMSYS) {
                    arch = new String(o.extra(), 8, 2, StandardCharsets.US_ASCII);
                }
                int base = i * DESCRIPTOR_SIZE;
                table.putInt(base, o.dataType());
                table.put(base + 4, (byte) 1);
                table.putInt(base + 5, i + 1);
                table.putInt(base + 9, 1 | 0xf0000000);
                table.putInt(base + 13, 0);
                table.putLong(base + 17, offset);
                table.putLong(base + 25, size);
                table.putLong(base + 33, offset - end + size);
                table.putLong(base + 41, createdAt);
                table.putLong(base + 49, createdAt);
                table.put(base + 201, o.extra());
                end = offset + size;
            }
            ch.write(table, descriptorsOffset);
            ByteBuffer h = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            byte[] ls = launchScript.getBytes(StandardCharsets.UTF_8);
            h.put(0, ls);
            h.put(32, magic);
            h.put(42, version);
            h.put(45, archBytes(arch));
            h.order(ByteOrder.BIG_ENDIAN).putLong(48, id.getMostSignificantBits()).putLong(56,
                    id.getLeastSignificantBits());
            h.order(ByteOrder.LITTLE_ENDIAN);
            h.putLong(64, createdAt);
            h.putLong(72, modifiedAt);
            h.putLong(80, capacity - objects.size());
            h.putLong(88, capacity);
            h.putLong(96, descriptorsOffset);
            h.putLong(104, descriptorsSize);
            h.putLong(112, dataOffset);
            h.putLong(120, end - dataOffset);
            ch.write(h, 0);
            if (ch.size() < end) {
                ch.write(ByteBuffer.allocate(1), end - 1);
            }
        }
        return out;
    }

    private static byte[] archBytes(String code) {
        byte[] b = new byte[3];
        b[0] = (byte) code.charAt(0);
        b[1] = (byte) code.charAt(1);
        return b;
    }

    /**
     * Writes a small deterministic tree: directories, files of several modes (one empty), a symlink and a nested
     * file, all with mtime 2020-01-02T03:04:05Z.
     */
    public static void sampleTree(Path root) throws IOException {
        Files.createDirectories(root.resolve("etc/conf.d"));
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("var/empty"));
        Files.writeString(root.resolve("etc/hello.txt"), "hello from a SIF\n");
        Files.writeString(root.resolve("etc/conf.d/app.conf"), "key=value\n");
        Files.writeString(root.resolve("bin/tool"), "#!/bin/sh\necho tool\n");
        Files.write(root.resolve("etc/empty"), new byte[0]);
        Files.setPosixFilePermissions(root.resolve("bin/tool"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(root.resolve("etc/conf.d/app.conf"), PosixFilePermissions.fromString("rw-------"));
        Files.createSymbolicLink(root.resolve("bin/link"), Path.of("tool"));
        FileTime t = FileTime.fromMillis(1_577_934_245_000L);
        try (var walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, t);
                }
            }
        }
    }

    /**
     * Runs {@code mksquashfs TREE OUT} with deterministic settings (fixed times, owner uid 1000 / gid 100, no
     * xattrs, one processor); mksquashfs comes from the squashfs-tools package.
     */
    public static Path mksquashfs(Path tree, Path out) throws IOException {
        List<String> cmd = List.of("mksquashfs", tree.toString(), out.toString(), "-noappend", "-no-xattrs",
                "-force-uid", "1000", "-force-gid", "100", "-mkfs-time", "1577934245", "-all-time", "1577934245",
                "-processors", "1", "-no-progress", "-quiet");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(2, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("mksquashfs failed: " + new String(output, StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running mksquashfs", e);
        } catch (IOException e) {
            if (e.getMessage() != null && e.getMessage().contains("error=2")) {
                throw new UncheckedIOException("mksquashfs is not installed (apt-get install squashfs-tools)", e);
            }
            throw e;
        }
        return out;
    }
}
