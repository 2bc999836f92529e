package dev.kopi.transport.storage;

import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Applies an uncompressed layer tar to a layer directory the way c/storage's {@code archive.UnpackLayer} does
 * (AUFS-style whiteouts: {@code .wh.NAME} deletes NAME, {@code .wh..wh..opq} empties a directory of what lower
 * layers put there; existing paths are replaced except directory-on-directory; owners, modes, times and
 * {@code user.*} xattrs applied; directory times set last), while recording the archive as tar-split entries, the
 * layer's UIDs and GIDs, and its size, as c/storage's {@code applyDiffWithOptions} does in the same pass.
 */
final class LayerUnpacker {
    static final String WHITEOUT_PREFIX = ".wh.";
    static final String WHITEOUT_META_PREFIX = ".wh..wh.";
    static final String WHITEOUT_OPAQUE = ".wh..wh..opq";
    private static final int TRAILING_CHUNK = 1024 * 1024;

    /** What applying a layer found. */
    record Result(long uncompressedSize, List<Long> uids, List<Long> gids) {
    }

    /**
     * How whiteout entries ({@code .wh.NAME}, {@code .wh..wh..opq}) are applied: by deleting what they hide in a
     * complete tree (vfs, c/storage's {@code UnpackLayer}); as overlayfs stores them in a diff directory (a 0/0
     * character device named NAME, the {@code trusted.overlay.opaque=y} attribute on the directory; c/storage's
     * overlay whiteout converter); or kept as the empty regular files they are in the archive (the overlay driver
     * with a {@code mount_program}, c/storage's AUFS whiteout format).
     */
    enum Whiteouts {
        IN_PLACE, OVERLAY, AUFS_FILES
    }

    /**
     * Options: c/storage's {@code ignore_chown_errors}, whether we run in a user namespace, and how whiteouts are
     * applied.
     */
    record Options(boolean ignoreChownErrors, boolean inUserNamespace, Whiteouts whiteouts) {
        Options(boolean ignoreChownErrors, boolean inUserNamespace) {
            this(ignoreChownErrors, inUserNamespace, Whiteouts.IN_PLACE);
        }
    }

    private final Path dest;
    private final TarSplit.Packer packer;
    private final Options options;
    private final Set<String> unpacked = new HashSet<>();
    private final List<Object[]> dirs = new ArrayList<>();
    private final TreeSet<Long> uids = new TreeSet<>();
    private final TreeSet<Long> gids = new TreeSet<>();

    private LayerUnpacker(Path dest, TarSplit.Packer packer, Options options) {
        this.dest = dest.toAbsolutePath().normalize();
        this.packer = packer;
        this.options = options;
    }

    /**
     * Applies the tar stream {@code tar} to {@code dest}, writing its tar-split entries to {@code packer}. The
     * stream is read to its very end (trailing padding included, as tar-split records it).
     */
    static Result apply(Path dest, InputStream tar, TarSplit.Packer packer, Options options) throws IOException {
        CountingInputStream counted = new CountingInputStream(tar);
        LayerUnpacker u = new LayerUnpacker(dest, packer, options);
        u.run(new RawTarReader(counted));
        return new Result(counted.count, List.copyOf(u.uids), List.copyOf(u.gids));
    }

    private void run(RawTarReader tr) throws IOException {
        byte[] buf = new byte[256 * 1024];
        Crc64 crc = new Crc64();
        while (true) {
            RawTarReader.Header h = tr.next();
            byte[] raw = tr.rawBytes();
            if (h == null) {
                if (raw.length > 0) {
                    packer.add(TarSplit.Entry.segment(raw));
                }
                break;
            }
            if (raw.length > 0) {
                packer.add(TarSplit.Entry.segment(raw));
            }
            String base = GoPaths.base(h.nameString());
            if (!base.startsWith(WHITEOUT_PREFIX)) {
                uids.add(h.uid() & 0xffffffffL);
                gids.add(h.gid() & 0xffffffffL);
            }
            crc.reset();
            InputStream data = new CrcStream(tr.entryStream(), crc);
            boolean readData = h.size() > 0;
            applyEntry(h, data, buf);
            if (readData) {
                // What the entry did not consume (e.g. whiteouts, skipped entries) still belongs to the checksum.
                while (data.read(buf) >= 0) {
                    // drain
                }
            }
            packer.add(TarSplit.Entry.file(h.name(), h.size(), readData ? crc.sum() : null));
            byte[] after = tr.rawBytes();
            if (after.length > 0) {
                packer.add(TarSplit.Entry.segment(after));
            }
        }
        // Whatever follows the end of the archive, in chunks, then an empty segment for the final read that hit
        // the end of the stream (tar-split 0.11.2, which c/storage 1.43 uses, records that one too).
        byte[] chunk = new byte[TRAILING_CHUNK];
        int n;
        while ((n = tr.readTrailing(chunk)) > 0) {
            packer.add(TarSplit.Entry.segment(java.util.Arrays.copyOf(chunk, n)));
        }
        packer.add(TarSplit.Entry.segment(new byte[0]));
        // Directory times last, so that creating their content does not change them.
        for (Object[] d : dirs) {
            setTimes((Path) d[0], (Instant) d[1], (Instant) d[2], false);
        }
    }

    private void applyEntry(RawTarReader.Header h, InputStream data, byte[] buf) throws IOException {
        String nameStr = TarSplit.utf8(h.name());
        if (nameStr == null) {
            throw ImageException.unsupported("layer entry " + GoStrconv.quote(h.nameString())
                    + " has a name that is not valid UTF-8, which kopi cannot create");
        }
        // c/storage unpacks in a chroot of the layer: names are relative to "/", and ".." stops there.
        String name = GoPaths.clean(nameStr);
        String rooted = GoPaths.join("/", name);
        if (!rooted.equals("/")) {
            Path parentPath = ScopedPaths.resolve(dest, GoPaths.dir(rooted), true);
            if (!Files.exists(parentPath, LinkOption.NOFOLLOW_LINKS)) {
                mkdirAll(dest, GoPaths.dir(rooted));
            }
        }
        if (name.startsWith(WHITEOUT_META_PREFIX)) {
            if (name.startsWith(WHITEOUT_META_PREFIX + "plnk") && h.typeflag() == RawTarReader.TYPE_REG) {
                throw ImageException.unsupported("AUFS hard-link directories (" + name + ") in layers are not supported");
            }
            if (!name.equals(WHITEOUT_OPAQUE)) {
                return;
            }
        }
        Path path = rooted.equals("/") ? dest : ScopedPaths.resolve(dest, rooted, false);
        String base = GoPaths.base(rooted);
        if (base.startsWith(WHITEOUT_PREFIX) && options.whiteouts() == Whiteouts.OVERLAY) {
            OverlayWhiteouts.apply(ScopedPaths.resolve(dest, GoPaths.dir(rooted), true), base, h.uid(), h.gid(),
                    options.ignoreChownErrors());
            return;
        }
        if (base.startsWith(WHITEOUT_PREFIX) && options.whiteouts() == Whiteouts.IN_PLACE) {
            Path dir = ScopedPaths.resolve(dest, GoPaths.dir(rooted), true);
            if (base.equals(WHITEOUT_OPAQUE)) {
                if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
                    throw new NoSuchFileException(dir.toString());
                }
                removeNotUnpacked(dir);
            } else {
                removeAll(dir.resolve(base.substring(WHITEOUT_PREFIX.length())));
            }
            return;
        }
        BasicFileAttributes existing = lstat(path);
        if (existing != null && !(existing.isDirectory() && h.typeflag() == RawTarReader.TYPE_DIR)) {
            removeAll(path);
        }
        createTarFile(path, h, data, buf);
        if (h.typeflag() == RawTarReader.TYPE_DIR) {
            dirs.add(new Object[] {path, h.accessTime(), h.modTime()});
        }
        unpacked.add(path.toString());
    }

    private void createTarFile(Path path, RawTarReader.Header h, InputStream data, byte[] buf) throws IOException {
        int perm = (int) (h.mode() & 07777);
        switch (h.typeflag()) {
            case RawTarReader.TYPE_DIR -> {
                BasicFileAttributes a = lstat(path);
                if (a == null || !a.isDirectory()) {
                    Files.createDirectory(path);
                }
            }
            case RawTarReader.TYPE_REG, RawTarReader.TYPE_REGA -> {
                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                    int n;
                    while ((n = data.read(buf)) >= 0) {
                        ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                        while (bb.hasRemaining()) {
                            ch.write(bb);
                        }
                    }
                }
            }
            case RawTarReader.TYPE_BLOCK, RawTarReader.TYPE_CHAR, RawTarReader.TYPE_FIFO -> {
                if (h.typeflag() != RawTarReader.TYPE_FIFO && options.inUserNamespace()) {
                    Log.debug(() -> "Tar: Can't create device " + path + " while running in user namespace");
                    return;
                }
                SpecialFiles.mknod(path, h.typeflag(), perm, h.devMajor(), h.devMinor());
            }
            case RawTarReader.TYPE_LINK -> {
                // In the chroot every target is inside the layer; its directories resolve there too.
                Path target = ScopedPaths.resolve(dest, GoPaths.join("/", h.linknameString()), false);
                Files.createLink(path, target);
            }
            case RawTarReader.TYPE_SYMLINK -> SpecialFiles.symlink(path, h.linknameString());
            case RawTarReader.TYPE_XGLOBAL -> {
                Log.debug(() -> "PAX Global Extended Headers found and ignored");
                return;
            }
            default -> throw ImageException.invalid("unhandled tar header type " + (h.typeflag() & 0xff));
        }
        try {
            SpecialFiles.lchown(path, h.uid(), h.gid());
        } catch (IOException e) {
            if (!options.ignoreChownErrors()) {
                throw e;
            }
            System.err.println("Chown error detected. Ignoring due to ignoreChownErrors flag: " + e.getMessage());
        }
        // There is no lchmod; hard links keep their target's mode and times (c/storage checks the link name
        // relative to its working directory, which in practice never exists).
        boolean link = h.typeflag() == RawTarReader.TYPE_LINK;
        boolean symlink = h.typeflag() == RawTarReader.TYPE_SYMLINK;
        if (!link && !symlink) {
            SpecialFiles.chmod(path, perm);
        }
        Instant mtime = h.modTime() == null ? Instant.EPOCH : h.modTime();
        Instant atime = h.accessTime();
        if (atime == null || atime.isBefore(mtime)) {
            atime = mtime;
        }
        if (!link) {
            setTimes(path, atime, mtime, symlink);
        }
        for (Map.Entry<String, byte[]> x : h.xattrs().entrySet()) {
            setXattr(path, x.getKey(), x.getValue(), symlink);
        }
    }

    private static void setXattr(Path path, String key, byte[] value, boolean symlink) throws IOException {
        if (key.equals("security.selinux")) {
            return;
        }
        if (key.startsWith("user.") && !symlink) {
            UserDefinedFileAttributeView v = Files.getFileAttributeView(path, UserDefinedFileAttributeView.class);
            if (v != null) {
                try {
                    v.write(key.substring("user.".length()), ByteBuffer.wrap(value));
                    return;
                } catch (IOException e) {
                    Log.warn("ignored xattr " + key + " of " + path + ": " + e.getMessage());
                    return;
                }
            }
        }
        Log.warn("ignored xattr " + key + " of " + path + ": kopi can only set user.* attributes");
    }

    static void setTimes(Path path, Instant atime, Instant mtime, boolean symlink) throws IOException {
        Instant a = atime == null || atime.isBefore(Instant.EPOCH) ? Instant.EPOCH : atime;
        Instant m = mtime == null || mtime.isBefore(Instant.EPOCH) ? Instant.EPOCH : mtime;
        if (!symlink) {
            BasicFileAttributes attrs = lstat(path);
            if (attrs != null && attrs.isOther()) {
                // The JDK opens a file to set its times, which blocks on a FIFO and may act on a device.
                SpecialFiles.setTimesNoOpen(path, a, m);
                return;
            }
        }
        BasicFileAttributeView v = symlink
                ? Files.getFileAttributeView(path, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                : Files.getFileAttributeView(path, BasicFileAttributeView.class);
        try {
            v.setTimes(FileTime.from(m), FileTime.from(a), null);
        } catch (IOException e) {
            if (!symlink) {
                throw e;
            }
        }
    }

    /** Empties {@code dir} of everything this layer did not create (an opaque whiteout). */
    private void removeNotUnpacked(Path dir) throws IOException {
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (d.equals(dir)) {
                    return FileVisitResult.CONTINUE;
                }
                if (!unpacked.contains(d.toString())) {
                    removeAll(d);
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                if (!unpacked.contains(f.toString())) {
                    removeAll(f);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path f, IOException exc) throws IOException {
                if (exc instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw exc;
            }
        });
    }

    static BasicFileAttributes lstat(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return null;
        }
    }

    /** Go's {@code os.RemoveAll}: removes the path and everything under it; a missing path is fine. */
    static void removeAll(Path p) throws IOException {
        BasicFileAttributes a = lstat(p);
        if (a == null) {
            return;
        }
        if (a.isDirectory()) {
            Files.walkFileTree(p, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                    makeWritable(d);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(f);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException exc) throws IOException {
                    if (exc instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw exc;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                    try {
                        Files.deleteIfExists(d);
                    } catch (DirectoryNotEmptyException e) {
                        throw e;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } else {
            Files.deleteIfExists(p);
        }
    }

    /** Lets a non-root owner delete the content of a read-only directory (root ignores modes anyway). */
    private static void makeWritable(Path d) {
        try {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(d, LinkOption.NOFOLLOW_LINKS);
            if (!perms.contains(PosixFilePermission.OWNER_WRITE) || !perms.contains(PosixFilePermission.OWNER_EXECUTE)) {
                Set<PosixFilePermission> p = EnumSet.copyOf(perms);
                p.add(PosixFilePermission.OWNER_WRITE);
                p.add(PosixFilePermission.OWNER_EXECUTE);
                p.add(PosixFilePermission.OWNER_READ);
                Files.setPosixFilePermissions(d, p);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // best effort
        }
    }

    /** Go's {@code os.MkdirAll(dir, 0755)} inside the layer (umask 0, as c/storage sets it while applying). */
    private static void mkdirAll(Path root, String rootedDir) throws IOException {
        if (rootedDir.equals("/")) {
            return;
        }
        Path p = ScopedPaths.resolve(root, rootedDir, true);
        if (Files.isDirectory(p)) {
            return;
        }
        mkdirAll(root, GoPaths.dir(rootedDir));
        p = ScopedPaths.resolve(root, rootedDir, false);
        try {
            Files.createDirectory(p);
            SpecialFiles.chmod(p, 0755);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(p)) {
                throw e;
            }
        }
    }

    /** Counts the bytes read. */
    private static final class CountingInputStream extends java.io.FilterInputStream {
        long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** Feeds the CRC-64 of everything read. */
    private static final class CrcStream extends InputStream {
        private final InputStream in;
        private final Crc64 crc;

        CrcStream(InputStream in, Crc64 crc) {
            this.in = in;
            this.crc = crc;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                crc.update(b, off, n);
            }
            return n;
        }
    }
}
