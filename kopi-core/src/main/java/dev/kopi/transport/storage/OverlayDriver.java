package dev.kopi.transport.storage;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.log.Log;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * c/storage's {@code overlay} driver, without mounting (kopi never mounts): layer {@code id} lives in
 * {@code <graphroot>/overlay/<id>/} as
 * <ul>
 * <li>{@code diff/}: the layer's own files, whiteouts stored as overlayfs stores them ({@link OverlayWhiteouts});
 * its owner and mode are those of the parent's {@code diff/}, or root and 0555 for a base layer;</li>
 * <li>{@code link}: a 26-character random name (base32), with {@code <graphroot>/overlay/l/<name>} a symbolic link
 * to {@code ../<id>/diff};</li>
 * <li>{@code lower}: for a layer with a parent, the parent's {@code l/<name>} followed by the parent's own lower
 * list, colon-separated; a base layer has an empty directory {@code empty/} instead;</li>
 * <li>{@code work/} and {@code merged/}: empty, for mounting.</li>
 * </ul>
 * A layer's archive is read back through its tar-split data, file contents coming from its {@code diff/} (or a
 * lower layer's, as c/storage's diff getter looks there too).
 */
final class OverlayDriver implements GraphDriver {
    static final int ID_LENGTH = 26;
    private static final int DEFAULT_PERMS = 0555;
    private static final String LINK_DIR = "l";
    private static final String STAGING_DIR = "staging";
    private static final String STAGING_LOCK = "staging.lock";
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path home;
    private final boolean ignoreChownErrors;
    private final boolean mountProgram;
    private final Map<Path, FileChannel> stagingLocks = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param graphRoot the store's graph root
     * @param driverOptions the store's driver options ({@code overlay.}/{@code overlay2.}/{@code .} prefixes, as
     *            c/storage accepts them); {@code mount_program} (or a store c/storage marked as used with one)
     *            switches whiteouts to the AUFS files a mount program uses, {@code ignore_chown_errors} is honoured,
     *            {@code force_mask} and composefs are not supported
     */
    OverlayDriver(Path graphRoot, List<String> driverOptions) throws ImageException {
        this.home = graphRoot.resolve("overlay");
        boolean ignoreChown = false;
        boolean mountProgram = false;
        for (String o : driverOptions) {
            int eq = o.indexOf('=');
            if (eq < 0) {
                throw ImageException.invalid("unable to parse key/value option: " + o);
            }
            String key = o.substring(0, eq);
            String val = o.substring(eq + 1);
            String k = key.toLowerCase(Locale.ROOT);
            for (String prefix : List.of("overlay.", "overlay2.", ".")) {
                if (k.startsWith(prefix)) {
                    k = k.substring(prefix.length());
                }
            }
            switch (k) {
                case "override_kernel_check", "mountopt", "size", "inodes", "imagestore", "additionalimagestore",
                        "additionallayerstore", "skip_mount_home" -> {
                    // mounting, quotas and additional read-only stores: nothing kopi does uses them
                }
                case "mount_program" -> mountProgram = !val.isEmpty();
                case "ignore_chown_errors" -> ignoreChown = VfsDriver.parseBool(val);
                case "use_composefs" -> {
                    if (VfsDriver.parseBool(val)) {
                        throw ImageException.unsupported("overlay: use_composefs=true is not supported by kopi");
                    }
                }
                case "force_mask" -> throw ImageException.unsupported(
                        "overlay: force_mask is not supported by kopi");
                default -> throw ImageException.invalid("overlay: unknown option " + key);
            }
        }
        this.ignoreChownErrors = ignoreChown;
        this.mountProgram = mountProgram;
    }

    /**
     * Whether c/storage recorded in {@code <home>/.has-mount-program} that this store is used through a mount
     * program (fuse-overlayfs), whose layers keep whiteouts as AUFS files.
     */
    private static boolean usesMountProgram(Path home) {
        try {
            return Files.readString(home.resolve(".has-mount-program"), StandardCharsets.UTF_8).trim().equals("true");
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public String name() {
        return "overlay";
    }

    /**
     * The whiteout format layers are written in (looked up when a layer is written, so that opening a store does
     * no I/O).
     */
    LayerUnpacker.Whiteouts whiteouts() {
        return mountProgram || usesMountProgram(home) ? LayerUnpacker.Whiteouts.AUFS_FILES
                : LayerUnpacker.Whiteouts.OVERLAY;
    }

    Path dir(String id) {
        return home.resolve(GoPaths.base(id));
    }

    /** The layer's own diff directory, then those of its lower layers, uppermost first. */
    List<Path> diffDirs(String id) throws IOException {
        List<Path> out = new ArrayList<>();
        Path d = dir(id);
        out.add(d.resolve("diff"));
        String lower;
        try {
            lower = Files.readString(d.resolve("lower"), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        }
        for (String l : lower.split(":")) {
            if (!l.isEmpty()) {
                out.add(home.resolve(l));
            }
        }
        return out;
    }

    @Override
    public InputStream openLayerFile(String id, String name) throws IOException {
        String rooted = GoPaths.join("/", name);
        Path first = null;
        for (Path diff : diffDirs(id)) {
            Path p = ScopedPaths.resolve(diff, rooted, true);
            if (first == null) {
                first = p;
            }
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                try {
                    return Files.newInputStream(p);
                } catch (IOException e) {
                    throw new ImageException(ErrorCode.IO, LocalPaths.goError("open", p, e), e);
                }
            }
        }
        throw new ImageException(ErrorCode.IO, LocalPaths.goError("open", first, new NoSuchFileException(
                String.valueOf(first))));
    }

    /** A new link name: 26 characters of base32 over random bytes, as c/storage's {@code generateID}. */
    static String newLinkId() {
        byte[] b = new byte[(ID_LENGTH * 5 + 7) / 8];
        RANDOM.nextBytes(b);
        return dev.kopi.manifest.Schema1Signatures.base32(b).substring(0, ID_LENGTH);
    }

    /**
     * {@code <graphroot>/overlay/staging/<random>/layer}: inside the driver's home, which c/storage bind-mounts onto
     * itself (so a rename from anywhere else would cross a mount), in a staging directory as c/storage makes them,
     * locked through its {@code staging.lock} (a POSIX lock, as c/storage's lock files) so that a c/storage
     * that prunes stale staging directories leaves it alone until {@link #install} or {@link #discardTree}.
     */
    @Override
    public Path stagingTree(Path graphRoot) throws IOException {
        Path base = home.resolve(STAGING_DIR);
        if (!Files.isDirectory(base)) {
            Files.createDirectories(base, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
        Path dir = Files.createTempDirectory(base, "kopi-");
        FileChannel ch = null;
        try {
            ch = FileChannel.open(dir.resolve(STAGING_LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            ch.lock();
            Path tree = dir.resolve("layer");
            stagingLocks.put(tree, ch);
            return tree;
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            LayerUnpacker.removeAll(dir);
            throw e;
        }
    }

    @Override
    public void discardTree(Path tree) throws IOException {
        try {
            LayerUnpacker.removeAll(tree);
        } finally {
            releaseStaging(tree);
        }
    }

    /** Removes the staging directory of {@code tree} (whatever is left in it) and then releases its lock. */
    private void releaseStaging(Path tree) throws IOException {
        FileChannel ch = stagingLocks.remove(tree);
        try {
            LayerUnpacker.removeAll(tree.getParent());
        } finally {
            if (ch != null) {
                ch.close();
            }
        }
    }

    @Override
    public void createTree(Path dir, String parent) throws IOException {
        int perms = DEFAULT_PERMS;
        long uid = 0;
        long gid = 0;
        String lower = null;
        if (parent != null && !parent.isEmpty()) {
            Path parentDir = dir(parent);
            Map<String, Object> st = Files.readAttributes(parentDir.resolve("diff"), "unix:mode,uid,gid");
            perms = ((Integer) st.get("mode")) & 07777;
            uid = ((Integer) st.get("uid")) & 0xffffffffL;
            gid = ((Integer) st.get("gid")) & 0xffffffffL;
            String parentLink;
            try {
                parentLink = Files.readString(parentDir.resolve("link"), StandardCharsets.UTF_8).trim();
            } catch (NoSuchFileException e) {
                throw new ImageException(ErrorCode.IO, "creating a layer on " + parent + ": its link file "
                        + parentDir.resolve("link") + " is missing", e);
            }
            lower = LINK_DIR + "/" + parentLink;
            try {
                String parentLower = Files.readString(parentDir.resolve("lower"), StandardCharsets.UTF_8);
                if (!parentLower.isEmpty()) {
                    lower = lower + ":" + parentLower;
                }
            } catch (NoSuchFileException e) {
                // a base layer
            }
        }
        boolean ok = false;
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            Path diff = dir.resolve("diff");
            Files.createDirectory(diff);
            try {
                SpecialFiles.lchown(diff, uid, gid);
            } catch (IOException e) {
                if (!ignoreChownErrors && !ownedBy(diff, uid, gid)) {
                    throw e;
                }
            }
            SpecialFiles.chmod(diff, perms);
            Files.writeString(dir.resolve("link"), newLinkId(), StandardCharsets.US_ASCII);
            SpecialFiles.chmod(dir.resolve("link"), 0644);
            for (String sub : List.of("work", "merged")) {
                mkdir0700(dir.resolve(sub), uid, gid);
            }
            if (lower == null) {
                mkdir0700(dir.resolve("empty"), uid, gid);
            } else {
                Files.writeString(dir.resolve("lower"), lower, StandardCharsets.US_ASCII);
                SpecialFiles.chmod(dir.resolve("lower"), 0644);
            }
            ok = true;
        } finally {
            if (!ok) {
                LayerUnpacker.removeAll(dir);
            }
        }
    }

    private void mkdir0700(Path p, long uid, long gid) throws IOException {
        Files.createDirectory(p);
        try {
            SpecialFiles.lchown(p, uid, gid);
        } catch (IOException e) {
            if (!ignoreChownErrors && !ownedBy(p, uid, gid)) {
                throw e;
            }
        }
        SpecialFiles.chmod(p, 0700);
    }

    private static boolean ownedBy(Path p, long uid, long gid) throws IOException {
        Map<String, Object> st = Files.readAttributes(p, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
        return (((Integer) st.get("uid")) & 0xffffffffL) == uid && (((Integer) st.get("gid")) & 0xffffffffL) == gid;
    }

    @Override
    public LayerUnpacker.Result applyDiff(Path dir, InputStream tar, TarSplit.Packer packer) throws IOException {
        return LayerUnpacker.apply(dir.resolve("diff"), tar, packer,
                new LayerUnpacker.Options(ignoreChownErrors, SpecialFiles.inUserNamespace(), whiteouts()));
    }

    @Override
    public void install(Path dir, String id) throws IOException {
        Path linkDir = home.resolve(LINK_DIR);
        if (!Files.isDirectory(home)) {
            Files.createDirectories(home, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
        if (!Files.isDirectory(linkDir)) {
            try {
                Files.createDirectory(linkDir);
                SpecialFiles.chmod(linkDir, 0755);
            } catch (FileAlreadyExistsException e) {
                // made by another writer meanwhile
            }
        }
        String lid = Files.readString(dir.resolve("link"), StandardCharsets.US_ASCII).trim();
        Path target = dir(id);
        Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
        boolean ok = false;
        try {
            SpecialFiles.symlink(linkDir.resolve(lid), "../" + GoPaths.base(id) + "/diff");
            ok = true;
        } finally {
            if (!ok) {
                LayerUnpacker.removeAll(target);
            }
        }
        if (stagingLocks.containsKey(dir)) {
            releaseStaging(dir);
        }
    }

    @Override
    public void remove(String id) throws IOException {
        Path d = dir(id);
        try {
            String lid = Files.readString(d.resolve("link"), StandardCharsets.US_ASCII).trim();
            if (!lid.isEmpty() && !lid.contains("/")) {
                Files.deleteIfExists(home.resolve(LINK_DIR).resolve(lid));
            }
        } catch (NoSuchFileException e) {
            // no link to remove
        } catch (IOException e) {
            Log.debug(() -> "Failed to remove link: " + e.getMessage());
        }
        LayerUnpacker.removeAll(d);
    }
}
