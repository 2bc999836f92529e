package dev.kopi.transport.storage;

import dev.kopi.error.ImageException;
import dev.kopi.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * c/storage's {@code vfs} driver: each layer is a complete directory tree, {@code <graphroot>/vfs/dir/<id>},
 * created as a full copy of its parent's tree (owners, modes, times, hard links, symlinks, devices kept) with the
 * layer's diff applied on top. The root of a base layer is mode 0555, owned by root.
 */
final class VfsDriver implements GraphDriver {
    private static final int ROOT_PERMS = 0555;
    private static final java.security.SecureRandom RANDOM = new java.security.SecureRandom();

    private final Path home;
    private final LayerUnpacker.Options options;

    /**
     * @param graphRoot the store's graph root
     * @param driverOptions the store's driver options ({@code vfs.ignore_chown_errors=true} is honoured)
     */
    VfsDriver(Path graphRoot, List<String> driverOptions) throws ImageException {
        this.home = graphRoot.resolve("vfs");
        boolean ignoreChown = false;
        for (String o : driverOptions) {
            int eq = o.indexOf('=');
            if (eq < 0) {
                throw ImageException.invalid("unable to parse key/value option: " + o);
            }
            String key = o.substring(0, eq).toLowerCase(java.util.Locale.ROOT);
            String val = o.substring(eq + 1);
            switch (key) {
                case "vfs.imagestore", ".imagestore" -> {
                    // additional read-only stores: kopi does not read them (yet)
                }
                case "vfs.mountopt" -> throw ImageException.invalid("vfs driver does not support mount options");
                case ".ignore_chown_errors", "vfs.ignore_chown_errors" -> ignoreChown = parseBool(val);
                default -> throw ImageException.invalid("vfs driver does not support " + key + " options");
            }
        }
        this.options = new LayerUnpacker.Options(ignoreChown, SpecialFiles.inUserNamespace());
    }

    static boolean parseBool(String v) throws ImageException {
        return switch (v) {
            case "1", "t", "T", "TRUE", "true", "True" -> true;
            case "0", "f", "F", "FALSE", "false", "False" -> false;
            default -> throw ImageException.invalid("strconv.ParseBool: parsing \"" + v + "\": invalid syntax");
        };
    }

    @Override
    public String name() {
        return "vfs";
    }

    Path dir(String id) {
        return home.resolve("dir").resolve(GoPaths.base(id));
    }

    @Override
    public InputStream openLayerFile(String id, String name) throws IOException {
        return openFrom(dir(id), name);
    }

    /** Opens a file of the layer tree {@code tree}, resolved inside it as the layer was applied (ScopedPaths). */
    InputStream openFrom(Path tree, String name) throws IOException {
        Path p = ScopedPaths.resolve(tree, GoPaths.join("/", name), true);
        try {
            return Files.newInputStream(p);
        } catch (IOException e) {
            throw new ImageException(dev.kopi.error.ErrorCode.IO,
                    dev.kopi.internal.path.LocalPaths.goError("open", p, e), e);
        }
    }

    /** {@code <graphroot>/tmp/kopi-layer-<random>}: vfs/dir is on the same file system. */
    @Override
    public Path stagingTree(Path graphRoot) throws IOException {
        Path staging = Files.createDirectories(graphRoot.resolve("tmp"));
        byte[] r = new byte[8];
        RANDOM.nextBytes(r);
        return staging.resolve("kopi-layer-" + java.util.HexFormat.of().formatHex(r));
    }

    @Override
    public void discardTree(Path tree) throws IOException {
        LayerUnpacker.removeAll(tree);
    }

    @Override
    public void createTree(Path dir, String parent) throws IOException {
        int perms = ROOT_PERMS;
        long uid = 0;
        long gid = 0;
        Path parentDir = null;
        if (parent != null && !parent.isEmpty()) {
            parentDir = dir(parent);
            Map<String, Object> st = Files.readAttributes(parentDir, "unix:mode,uid,gid");
            perms = ((Integer) st.get("mode")) & 07777;
            uid = ((Integer) st.get("uid")) & 0xffffffffL;
            gid = ((Integer) st.get("gid")) & 0xffffffffL;
        }
        boolean ok = false;
        try {
            Files.createDirectory(dir);
            try {
                SpecialFiles.lchown(dir, uid, gid);
            } catch (IOException e) {
                if (!options.ignoreChownErrors() && !ownedBy(dir, uid, gid)) {
                    throw e;
                }
            }
            SpecialFiles.chmod(dir, perms);
            if (parentDir != null) {
                copyTree(parentDir, dir);
            }
            ok = true;
        } finally {
            if (!ok) {
                LayerUnpacker.removeAll(dir);
            }
        }
    }

    @Override
    public void install(Path tree, String id) throws IOException {
        Path target = dir(id);
        mkdirs0700(target.getParent());
        try {
            Files.move(tree, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.nio.file.AtomicMoveNotSupportedException e) {
            // the staging directory is on another file system than vfs/dir: copy, then drop the staged tree
            boolean ok = false;
            try {
                Files.createDirectory(target);
                copyTree(tree, target);
                ok = true;
            } finally {
                if (!ok) {
                    LayerUnpacker.removeAll(target);
                }
            }
            LayerUnpacker.removeAll(tree);
        }
    }

    private static boolean ownedBy(Path p, long uid, long gid) throws IOException {
        Map<String, Object> st = Files.readAttributes(p, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
        return (((Integer) st.get("uid")) & 0xffffffffL) == uid && (((Integer) st.get("gid")) & 0xffffffffL) == gid;
    }

    @Override
    public LayerUnpacker.Result applyDiff(Path tree, InputStream tar, TarSplit.Packer packer) throws IOException {
        return LayerUnpacker.apply(tree, tar, packer, options);
    }

    @Override
    public void remove(String id) throws IOException {
        LayerUnpacker.removeAll(dir(id));
    }

    private void mkdirs0700(Path p) throws IOException {
        if (!Files.isDirectory(p)) {
            Files.createDirectories(p, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
    }

    /**
     * c/storage's {@code DirCopy} in content mode: every entry copied with its owner, mode, times and
     * {@code user.*} xattrs; files with several links in the source stay linked in the copy; directory times are
     * set last, deepest first.
     */
    void copyTree(Path src, Path dst) throws IOException {
        Map<String, Path> copied = new HashMap<>();
        Deque<Object[]> dirTimes = new ArrayDeque<>();
        Files.walkFileTree(src, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path target = dst.resolve(src.relativize(dir).toString());
                try {
                    Files.createDirectory(target);
                } catch (FileAlreadyExistsException e) {
                    // the root, or a merge
                }
                Map<String, Object> st = Files.readAttributes(dir, "unix:*", LinkOption.NOFOLLOW_LINKS);
                metadata(dir, target, st, false);
                dirTimes.push(new Object[] {target, st});
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = dst.resolve(src.relativize(file).toString());
                Map<String, Object> st = Files.readAttributes(file, "unix:*", LinkOption.NOFOLLOW_LINKS);
                int mode = (Integer) st.get("mode");
                int type = mode & 0170000;
                boolean symlink = false;
                switch (type) {
                    case 0100000 -> {
                        String key = st.get("dev") + ":" + st.get("ino");
                        Path first = copied.get(key);
                        if (first != null) {
                            Files.createLink(target, first);
                        } else {
                            Files.copy(file, target, LinkOption.NOFOLLOW_LINKS);
                            if (((Integer) st.get("nlink")) > 1) {
                                copied.put(key, target);
                            }
                        }
                    }
                    case 0120000 -> {
                        SpecialFiles.symlink(target, Files.readSymbolicLink(file).toString());
                        symlink = true;
                    }
                    case 0010000, 0140000 -> SpecialFiles.mknod(target, RawTarReader.TYPE_FIFO, mode, 0, 0);
                    case 0020000, 0060000 -> {
                        if (options.inUserNamespace()) {
                            return FileVisitResult.CONTINUE;
                        }
                        long rdev = ((Long) st.get("rdev"));
                        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
                        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
                        SpecialFiles.mknod(target, type == 0060000 ? RawTarReader.TYPE_BLOCK : RawTarReader.TYPE_CHAR,
                                mode, major, minor);
                    }
                    default -> throw ImageException.invalid("unknown file type for " + file);
                }
                metadata(file, target, st, symlink);
                Instant atime = ((FileTime) st.get("lastAccessTime")).toInstant();
                Instant mtime = ((FileTime) st.get("lastModifiedTime")).toInstant();
                LayerUnpacker.setTimes(target, atime, mtime, symlink);
                return FileVisitResult.CONTINUE;
            }
        });
        while (!dirTimes.isEmpty()) {
            Object[] d = dirTimes.pop();
            @SuppressWarnings("unchecked")
            Map<String, Object> st = (Map<String, Object>) d[1];
            LayerUnpacker.setTimes((Path) d[0], ((FileTime) st.get("lastAccessTime")).toInstant(),
                    ((FileTime) st.get("lastModifiedTime")).toInstant(), false);
        }
    }

    private void metadata(Path src, Path dst, Map<String, Object> st, boolean symlink) throws IOException {
        long uid = ((Integer) st.get("uid")) & 0xffffffffL;
        long gid = ((Integer) st.get("gid")) & 0xffffffffL;
        try {
            SpecialFiles.lchown(dst, uid, gid);
        } catch (IOException e) {
            if (!options.ignoreChownErrors()) {
                throw e;
            }
        }
        int type = ((Integer) st.get("mode")) & 0170000;
        if (type == 0100000 || type == 0040000) {
            copyUserXattrs(src, dst); // the JDK opens the file for xattrs: only regular files and directories
        }
        if (!symlink) {
            SpecialFiles.chmod(dst, ((Integer) st.get("mode")) & 07777);
        }
    }

    private static void copyUserXattrs(Path src, Path dst) {
        UserDefinedFileAttributeView s = Files.getFileAttributeView(src, UserDefinedFileAttributeView.class);
        UserDefinedFileAttributeView d = Files.getFileAttributeView(dst, UserDefinedFileAttributeView.class);
        if (s == null || d == null) {
            return;
        }
        try {
            for (String name : s.list()) {
                ByteBuffer buf = ByteBuffer.allocate(s.size(name));
                s.read(name, buf);
                buf.flip();
                d.write(name, buf);
            }
        } catch (IOException | UnsupportedOperationException e) {
            Log.debug(() -> "copying xattrs of " + src + ": " + e.getMessage());
        }
    }
}
