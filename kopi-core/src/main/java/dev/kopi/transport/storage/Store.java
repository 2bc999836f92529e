package dev.kopi.transport.storage;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kopi.blob.Compression;
import dev.kopi.blob.CompressionAlgorithm;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * One containers/storage store on disk ({@code graphroot} and {@code runroot} of one graph driver), read and
 * written in c/storage's format and under its locks:
 * <ul>
 * <li>{@code <graphroot>/<driver>-layers/layers.json} (+ {@code volatile-layers.json}): the layer records, under
 * {@code layers.lock}; {@code <id>.tar-split.gz} beside them;</li>
 * <li>{@code <graphroot>/<driver>-images/images.json}: the image records, under {@code images.lock}; each image's
 * big-data items (manifests, config, signatures) in {@code <id>/}, named as c/storage names them;</li>
 * <li>{@code <graphroot>/storage.lock}: held while layers are created, as c/storage holds it around graph-driver
 * work.</li>
 * </ul>
 * Lock order is c/storage's: storage.lock, then layers.lock, then images.lock. JSON files and big-data items are
 * written to a temporary file, synced and renamed, and each write is recorded in its lock file, so other processes
 * reload. New layers are recorded with c/storage's {@code incomplete} flag until their content is in place.
 */
final class Store {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final StoreSpec spec;
    private final Path graphRoot;
    private final Path runRoot;
    private final GraphDriver driver;
    private final Path layersDir;
    private final Path imagesDir;
    private final LockFile storageLock;
    private final LockFile layersLock;
    private final LockFile imagesLock;

    private Store(StoreSpec spec, GraphDriver driver) {
        this.spec = spec;
        this.graphRoot = Path.of(spec.graphRoot());
        this.runRoot = Path.of(spec.runRoot());
        this.driver = driver;
        this.layersDir = graphRoot.resolve(driver.name() + "-layers");
        this.imagesDir = graphRoot.resolve(driver.name() + "-images");
        this.storageLock = LockFile.of(graphRoot.resolve("storage.lock"));
        this.layersLock = LockFile.of(layersDir.resolve("layers.lock"));
        this.imagesLock = LockFile.of(imagesDir.resolve("images.lock"));
    }

    /** The store a resolved spec names; fails for drivers kopi does not implement. Does no I/O. */
    static Store open(StoreSpec spec) throws ImageException {
        if (spec.graphRoot().isEmpty() || spec.runRoot().isEmpty()) {
            throw ImageException.invalid("no storage runroot or graphroot specified: "
                    + "missing necessary StoreOptions");
        }
        GraphDriver d = switch (spec.driver()) {
            case "vfs" -> new VfsDriver(Path.of(spec.graphRoot()), spec.options());
            case "overlay", "overlay2" -> new OverlayDriver(Path.of(spec.graphRoot()), spec.options());
            default -> throw unsupportedDriver(spec.driver(), spec.graphRoot());
        };
        return new Store(spec, d);
    }

    static ImageException unsupportedDriver(String driver, String graphRoot) {
        if (KNOWN_DRIVERS.contains(driver)) {
            return ImageException.unsupported("the " + GoStrconv.quote(driver) + " storage driver of " + graphRoot
                    + " is not supported by kopi (only \"vfs\" and \"overlay\" are)");
        }
        return ImageException.unsupported("failed to GetDriver graph " + driver + " " + graphRoot
                + ": driver not supported");
    }

    /** The graph drivers c/storage knows on Linux (kopi implements vfs and overlay). */
    static final List<String> KNOWN_DRIVERS = List.of("overlay", "overlay2", "aufs", "btrfs", "zfs",
            "devicemapper", "vfs");

    StoreSpec spec() {
        return spec;
    }

    GraphDriver driver() {
        return driver;
    }

    String describe() {
        return spec.referencePrefix();
    }

    // ---- reading ----

    /** The image and layer records at one moment. */
    record Snapshot(List<ObjectNode> images, List<ObjectNode> layers) {
        Optional<ObjectNode> layer(String id) {
            return StoreRecords.byId(layers, id);
        }

        /** Layers whose diff-digest is {@code d} (c/storage's {@code LayersByUncompressedDigest}). */
        List<ObjectNode> layersByUncompressedDigest(String d) {
            List<ObjectNode> out = new ArrayList<>();
            for (ObjectNode l : layers) {
                if (StoreRecords.diffDigest(l).equals(d)) {
                    out.add(l);
                }
            }
            return out;
        }

        List<ObjectNode> layersByCompressedDigest(String d) {
            List<ObjectNode> out = new ArrayList<>();
            for (ObjectNode l : layers) {
                if (StoreRecords.compressedDigest(l).equals(d)) {
                    out.add(l);
                }
            }
            return out;
        }

        /** Images that can be found by digest {@code d} (c/storage's {@code ImagesByDigest}). */
        List<ObjectNode> imagesByDigest(String d) {
            List<ObjectNode> out = new ArrayList<>();
            for (ObjectNode i : images) {
                if (StoreRecords.imageDigests(i).contains(d)) {
                    out.add(i);
                }
            }
            return out;
        }
    }

    /**
     * Reads both record files under shared locks (layers, then images). A store that does not exist yet is
     * empty; nothing is created.
     */
    Snapshot load() throws IOException {
        try (LockFile.Held l = layersLock.lockShared(false)) {
            List<ObjectNode> layers = l == null ? new ArrayList<>() : readAllLayers();
            try (LockFile.Held i = imagesLock.lockShared(false)) {
                List<ObjectNode> images = i == null ? new ArrayList<>() : readImages();
                return new Snapshot(images, layers);
            }
        }
    }

    private Path layersJson() {
        return layersDir.resolve("layers.json");
    }

    private Path imagesJson() {
        return imagesDir.resolve("images.json");
    }

    private List<ObjectNode> readLayers() throws IOException {
        return StoreRecords.parseArray(readIfExists(layersJson()), layersJson().toString());
    }

    /** layers.json plus volatile-layers.json (container layers), next to it or in the run root. */
    private List<ObjectNode> readAllLayers() throws IOException {
        List<ObjectNode> all = readLayers();
        for (Path v : List.of(layersDir.resolve("volatile-layers.json"),
                runRoot.resolve(driver.name() + "-layers").resolve("volatile-layers.json"))) {
            all.addAll(StoreRecords.parseArray(readIfExists(v), v.toString()));
        }
        return all;
    }

    private List<ObjectNode> readImages() throws IOException {
        return StoreRecords.parseArray(readIfExists(imagesJson()), imagesJson().toString());
    }

    private static byte[] readIfExists(Path p) throws IOException {
        try {
            return Files.readAllBytes(p);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    /** c/storage's file name for a big-data item: the key itself when it is [.0-9a-z]*, else "=" + base64. */
    static String bigDataFileName(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (!(c == '.' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) {
                return "=" + Base64.getEncoder().encodeToString(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return key;
    }

    /** Reads big-data item {@code key} of image {@code id}; empty when the image has no such item. */
    Optional<byte[]> readImageBigData(String id, String key) throws IOException {
        try (LockFile.Held i = imagesLock.lockShared(false)) {
            Path p = imagesDir.resolve(id).resolve(bigDataFileName(key));
            try {
                return Optional.of(Files.readAllBytes(p));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            }
        }
    }

    /**
     * Reproduces layer {@code id}'s archive, uncompressed, from its tar-split data and files, into a temp file in
     * {@code tmpDir} (the layer lock is held only while copying, as containers/image does); the caller deletes it.
     */
    Path spoolLayer(String id, Path tmpDir) throws IOException {
        Files.createDirectories(tmpDir);
        Path tmp = Files.createTempFile(tmpDir, "kopi-layer-", ".tar");
        boolean ok = false;
        try (LockFile.Held l = layersLock.lockShared(false)) {
            if (l == null || StoreRecords.byId(readAllLayers(), id).isEmpty()) {
                throw new ImageException(ErrorCode.IO, "layer " + id + ": layer not known");
            }
            Path ts = layersDir.resolve(id + ".tar-split.gz");
            InputStream tsIn;
            try {
                tsIn = Files.newInputStream(ts);
            } catch (NoSuchFileException e) {
                throw ImageException.unsupported("layer " + id + " has no tar-split data (" + ts
                        + "), so its original archive cannot be reproduced");
            }
            try (TarSplit.Assembler a = new TarSplit.Assembler(
                    new TarSplit.Unpacker(new BufferedInputStream(new GZIPInputStream(tsIn, 65536), 65536)),
                    e -> driver.openLayerFile(id, e.nameString()));
                 OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 256 * 1024)) {
                a.transferTo(out);
            }
            ok = true;
            return tmp;
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    // ---- writing ----

    private void createStoreDirs() throws IOException {
        for (Path d : List.of(graphRoot, runRoot, graphRoot.resolve("mounts"), graphRoot.resolve("tmp"),
                graphRoot.resolve(driver.name()), layersDir, imagesDir,
                graphRoot.resolve(driver.name() + "-containers"), runRoot.resolve(driver.name() + "-containers"),
                runRoot.resolve(driver.name() + "-layers"), runRoot.resolve(driver.name() + "-locks"))) {
            if (!Files.isDirectory(d)) {
                Files.createDirectories(d, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
        }
    }

    /** Writes {@code data} to {@code target} atomically with mode 0600 (c/storage's {@code AtomicWriteFile}). */
    static void atomicWrite(Path target, byte[] data) throws IOException {
        Path tmp = Files.createTempFile(target.getParent(), ".tmp-" + target.getFileName(), "");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer b = ByteBuffer.wrap(data);
                while (b.hasRemaining()) {
                    ch.write(b);
                }
                ch.force(true);
            }
            Files.move(tmp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private void saveLayers(List<ObjectNode> layers, LockFile.Held held) throws IOException {
        atomicWrite(layersJson(), StoreRecords.serialize(layers));
        held.recordWrite();
    }

    private void saveImages(List<ObjectNode> images, LockFile.Held held) throws IOException {
        atomicWrite(imagesJson(), StoreRecords.serialize(images));
        held.recordWrite();
    }

    /** A layer blob to store: its file, its compression (empty = none) and its digest. */
    record LayerBlob(Path file, Optional<CompressionAlgorithm> compression, Digest compressedDigest) {
    }

    /**
     * A layer prepared outside the store's locks: its complete tree in a staging directory, its tar-split data in
     * a temporary file beside layers.json, and what containers/storage records about it.
     */
    record StagedLayer(String parent, Path tree, Path tarSplit, LayerBlob blob, Digest diffId, long diffSize,
            List<Long> uids, List<Long> gids) {
    }

    /**
     * Prepares a layer on {@code parent} (empty for a base layer) from a blob: the driver builds its tree in a
     * staging directory of its choosing (for vfs, a copy of the parent's tree, made while holding layers.lock shared so the parent
     * cannot go away), and the blob is applied there, decompressed and digested on a second thread, its tar-split
     * recorded. Nothing is visible to other processes until {@link #installLayer}.
     */
    StagedLayer stageLayer(String parent, LayerBlob blob) throws IOException {
        createStoreDirs();
        Path tree = driver.stagingTree(graphRoot);
        Path ts;
        try {
            ts = Files.createTempFile(layersDir, ".tmp-kopi-", ".tar-split.gz");
        } catch (IOException | RuntimeException e) {
            driver.discardTree(tree);
            throw e;
        }
        boolean ok = false;
        try {
            long t0 = System.nanoTime();
            if (parent.isEmpty()) {
                driver.createTree(tree, "");
            } else {
                try (LockFile.Held l = layersLock.lockShared(true)) {
                    Optional<ObjectNode> p = StoreRecords.byId(readAllLayers(), parent);
                    if (p.isEmpty() || StoreRecords.incomplete(p.get())) {
                        throw new ImageException(ErrorCode.IO, "creating a layer on " + parent + ": layer not known");
                    }
                    driver.createTree(tree, parent);
                }
            }
            long t1 = System.nanoTime();
            Applied a = applyBlob(tree, ts, blob);
            long t2 = System.nanoTime();
            dev.kopi.log.Log.debug(() -> "storage: layer from " + blob.compressedDigest() + " staged: tree "
                    + (t1 - t0) / 1_000_000 + " ms, apply " + (t2 - t1) / 1_000_000 + " ms");
            ok = true;
            return new StagedLayer(parent, tree, ts, blob, a.digest(), a.result().uncompressedSize(),
                    a.result().uids(), a.result().gids());
        } finally {
            if (!ok) {
                try {
                    driver.discardTree(tree);
                } finally {
                    Files.deleteIfExists(ts);
                }
            }
        }
    }

    /** Removes what {@link #stageLayer} prepared. */
    void discard(StagedLayer s) throws IOException {
        try {
            driver.discardTree(s.tree());
        } finally {
            Files.deleteIfExists(s.tarSplit());
        }
    }

    /**
     * Makes a staged layer layer {@code id}, under storage.lock and layers.lock: the tree and the tar-split data
     * are moved into place and then the complete record is added to layers.json (so other processes see the layer
     * only once it is whole). If the layer exists already the staged one is discarded. A record c/storage left
     * {@code incomplete} under this ID is replaced.
     *
     * @return the layer's record
     */
    ObjectNode installLayer(String id, StagedLayer s) throws IOException {
        try (LockFile.Held g = storageLock.lockExclusive(); LockFile.Held l = layersLock.lockExclusive()) {
            List<ObjectNode> layers = readLayers();
            Optional<ObjectNode> existing = StoreRecords.byId(layers, id);
            if (existing.isPresent() && !StoreRecords.incomplete(existing.get())) {
                discard(s);
                return existing.get();
            }
            if (existing.isPresent()) {
                // A writer died half-way: c/storage deletes such layers when it loads for writing.
                removeLayerFiles(id);
                layers.remove(existing.get());
            }
            if (!s.parent().isEmpty()) {
                Optional<ObjectNode> p = StoreRecords.byId(readAllLayers(), s.parent());
                if (p.isEmpty() || StoreRecords.incomplete(p.get())) {
                    throw new ImageException(ErrorCode.IO, "creating layer " + id + ": layer not known");
                }
            }
            removeLayerFiles(id); // anything without a record under this ID is debris
            boolean ok = false;
            try {
                driver.install(s.tree(), id);
                Files.move(s.tarSplit(), layersDir.resolve(id + ".tar-split.gz"),
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                ObjectNode rec = StoreRecords.NODES.objectNode();
                rec.put("id", id);
                if (!s.parent().isEmpty()) {
                    rec.put("parent", s.parent());
                }
                rec.put("created", StoreRecords.now());
                rec.put("compressed-diff-digest", s.blob().compressedDigest().toString());
                rec.put("compressed-size", Files.size(s.blob().file()));
                rec.put("diff-digest", s.diffId().toString());
                rec.put("diff-size", s.diffSize());
                int compression = compressionCode(s.blob().compression());
                if (compression != 0) {
                    rec.put("compression", compression);
                }
                if (!s.uids().isEmpty()) {
                    ArrayNode u = rec.putArray("uidset");
                    s.uids().forEach(u::add);
                }
                if (!s.gids().isEmpty()) {
                    ArrayNode gs = rec.putArray("gidset");
                    s.gids().forEach(gs::add);
                }
                layers.add(rec);
                saveLayers(layers, l);
                ok = true;
                return rec;
            } finally {
                if (!ok) {
                    removeLayerFiles(id);
                    discard(s);
                }
            }
        }
    }

    private static int indexOf(List<ObjectNode> list, ObjectNode rec) {
        for (int k = 0; k < list.size(); k++) {
            if (list.get(k) == rec) {
                return k;
            }
        }
        throw new IllegalStateException("record not in list");
    }

    private void removeLayerFiles(String id) throws IOException {
        driver.remove(id);
        Files.deleteIfExists(layersDir.resolve(id + ".tar-split.gz"));
    }

    /** c/storage's {@code archive.Compression} values. */
    private static int compressionCode(Optional<CompressionAlgorithm> c) {
        if (c.isEmpty()) {
            return 0;
        }
        return switch (c.get()) {
            case BZIP2 -> 1;
            case GZIP -> 2;
            case XZ -> 3;
            case ZSTD -> 4;
        };
    }

    /** What applying a blob gave: the unpacker's result and the digest of the uncompressed archive. */
    private record Applied(LayerUnpacker.Result result, Digest digest) {
    }

    /**
     * Applies a layer blob to {@code tree}: one thread reads and decompresses it and digests the archive, while
     * this one unpacks it and writes its tar-split data to {@code tarSplit} (synced).
     */
    private Applied applyBlob(Path tree, Path tarSplit, LayerBlob blob) throws IOException {
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "kopi-storage-decompress");
            t.setDaemon(true);
            return t;
        });
        try {
            LayerUnpacker.Result r;
            Digest[] digest = new Digest[1];
            try (FileChannel ch = FileChannel.open(tarSplit, StandardOpenOption.WRITE)) {
                try (InputStream plain = dev.kopi.internal.io.Pipe.start(pool, out -> {
                        try (InputStream raw = new BufferedInputStream(Files.newInputStream(blob.file()), 256 * 1024);
                             InputStream d = blob.compression().isPresent()
                                     ? Compression.decompress(raw, blob.compression().get()) : raw) {
                            dev.kopi.digest.DigestingInputStream din = new dev.kopi.digest.DigestingInputStream(d,
                                    dev.kopi.digest.DigestAlgorithm.SHA256);
                            dev.kopi.internal.io.Streams.copy(din, out);
                            digest[0] = din.digest();
                        }
                    });
                     OutputStream gz = new FastGzip(new BufferedOutputStream(Channels.newOutputStream(ch), 65536))) {
                    r = driver.applyDiff(tree, plain, new TarSplit.Packer(gz));
                    gz.flush();
                }
            }
            try (FileChannel ch = FileChannel.open(tarSplit, StandardOpenOption.WRITE)) {
                ch.force(true); // the stream closed the first channel
            }
            if (digest[0] == null) {
                throw new IOException("decompressing layer blob " + blob.compressedDigest() + ": no digest");
            }
            return new Applied(r, digest[0]);
        } finally {
            pool.shutdownNow();
        }
    }

    /** gzip at the fastest level, as c/storage compresses tar-split data (pgzip BestSpeed). */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, 65536);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }

    /** A big-data item of an image: its key, bytes and the digest c/storage records for it. */
    record BigData(String key, byte[] data, Digest digest) {
    }

    /** What committing an image writes. */
    record ImageCommit(String id, String topLayer, List<BigData> bigData, String metadata, String created,
            List<String> names) {
    }

    /**
     * Creates (or updates, when an image with that ID and top layer exists) an image record with its big-data
     * items, metadata and names, in one locked update of images.json: c/storage's {@code CreateImage},
     * {@code SetImageBigData}, {@code SetMetadata} and {@code AddNames} as containers/image calls them, but never
     * showing other processes an image without its manifest. A name another image had moves to this one.
     *
     * @return the image ID
     */
    String commitImage(ImageCommit c) throws IOException {
        createStoreDirs();
        try (LockFile.Held l = layersLock.lockExclusive(); LockFile.Held i = imagesLock.lockExclusive()) {
            if (!c.topLayer().isEmpty() && StoreRecords.byId(readAllLayers(), c.topLayer()).isEmpty()) {
                throw new ImageException(ErrorCode.IO, "creating image " + GoStrconv.quote(c.id()) + ": layer not known");
            }
            List<ObjectNode> images = readImages();
            String id = c.id();
            ObjectNode rec = id.isEmpty() ? null : StoreRecords.byId(images, id).orElse(null);
            boolean created = false;
            if (rec != null) {
                if (!StoreRecords.topLayer(rec).equals(c.topLayer())) {
                    throw new ImageException(ErrorCode.IO, "image with ID " + GoStrconv.quote(id)
                            + " already exists, but uses a different top layer: that ID is already in use");
                }
            } else {
                if (id.isEmpty()) {
                    do {
                        byte[] b = new byte[32];
                        RANDOM.nextBytes(b);
                        id = HexFormat.of().formatHex(b);
                    } while (StoreRecords.byId(images, id).isPresent());
                }
                rec = StoreRecords.NODES.objectNode();
                rec.put("id", id);
                if (!c.topLayer().isEmpty()) {
                    rec.put("layer", c.topLayer());
                }
                rec.put("created", c.created() != null ? c.created() : StoreRecords.now());
                images.add(rec);
                created = true;
            }
            Path dataDir = imagesDir.resolve(id);
            boolean ok = false;
            try {
                if (!Files.isDirectory(dataDir)) {
                    Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwx------")));
                }
                for (BigData b : c.bigData()) {
                    atomicWrite(dataDir.resolve(bigDataFileName(b.key())), b.data());
                    setBigData(rec, b);
                }
                if (c.metadata() != null) {
                    rec.put("metadata", c.metadata());
                }
                for (String name : c.names()) {
                    addName(images, rec, name);
                }
                ObjectNode ordered = ordered(rec);
                images.set(indexOf(images, rec), ordered);
                saveImages(images, i);
                ok = true;
                return id;
            } finally {
                if (!ok && created) {
                    LayerUnpacker.removeAll(dataDir);
                }
            }
        }
    }

    private static void setBigData(ObjectNode rec, BigData b) {
        List<String> names = StoreRecords.strings(rec, "big-data-names");
        if (!names.contains(b.key())) {
            names.add(b.key());
        }
        StoreRecords.putStrings(rec, "big-data-names", names);
        ObjectNode sizes = rec.has("big-data-sizes") && rec.get("big-data-sizes").isObject()
                ? (ObjectNode) rec.get("big-data-sizes") : rec.putObject("big-data-sizes");
        sizes.put(b.key(), b.data().length);
        ObjectNode digests = rec.has("big-data-digests") && rec.get("big-data-digests").isObject()
                ? (ObjectNode) rec.get("big-data-digests") : rec.putObject("big-data-digests");
        digests.put(b.key(), b.digest().toString());
        if (StoreRecords.text(rec, "digest").isEmpty() && b.key().startsWith("manifest")) {
            rec.put("digest", b.digest().toString());
        }
        sortKeys(sizes);
        sortKeys(digests);
    }

    private static void sortKeys(ObjectNode o) {
        List<String> keys = new ArrayList<>();
        o.fieldNames().forEachRemaining(keys::add);
        keys.sort(null);
        ObjectNode copy = o.deepCopy();
        o.removeAll();
        for (String k : keys) {
            o.set(k, copy.get(k));
        }
    }

    /**
     * Deletes image {@code id} and the layers only it used, as c/storage's {@code DeleteImage(id, true)}: from the
     * top layer down, stopping at a layer another image has on top, one a container uses, or one with children
     * that stay. Refused when a container uses the image.
     *
     * @return the IDs of the layers removed
     */
    List<String> deleteImage(String id) throws IOException {
        Path containersDir = graphRoot.resolve(driver.name() + "-containers");
        LockFile containersLock = LockFile.of(containersDir.resolve("containers.lock"));
        try (LockFile.Held g = storageLock.lockExclusive(); LockFile.Held l = layersLock.lockExclusive();
             LockFile.Held i = imagesLock.lockExclusive(); LockFile.Held c = containersLock.lockShared(false)) {
            List<ObjectNode> images = readImages();
            ObjectNode image = StoreRecords.byId(images, id).orElseThrow(
                    () -> ImageException.notFound("identifier is not an image"));
            List<ObjectNode> containers = new ArrayList<>();
            for (Path p : List.of(containersDir.resolve("containers.json"),
                    runRoot.resolve(driver.name() + "-containers").resolve("volatile-containers.json"))) {
                containers.addAll(StoreRecords.parseArray(readIfExists(p), p.toString()));
            }
            List<String> containerLayers = new ArrayList<>();
            for (ObjectNode ctr : containers) {
                if (StoreRecords.text(ctr, "image").equals(id)) {
                    throw new ImageException(ErrorCode.INVALID_INPUT, "image used by " + StoreRecords.id(ctr)
                            + ": image is in use by a container");
                }
                containerLayers.add(StoreRecords.text(ctr, "layer"));
                containerLayers.add(StoreRecords.id(ctr));
            }
            List<ObjectNode> layers = readLayers();
            List<String> otherTops = new ArrayList<>();
            for (ObjectNode other : images) {
                if (other != image) {
                    otherTops.add(StoreRecords.topLayer(other));
                    otherTops.addAll(StoreRecords.strings(other, "mapped-layers"));
                }
            }
            List<String> remove = new ArrayList<>(StoreRecords.strings(image, "mapped-layers"));
            String layer = StoreRecords.topLayer(image);
            while (!layer.isEmpty()) {
                if (containerLayers.contains(layer) || otherTops.contains(layer)) {
                    break;
                }
                String current = layer;
                boolean keptChild = false;
                for (ObjectNode child : layers) {
                    boolean childOfThis = StoreRecords.parent(child).equals(current)
                            || (current.equals(StoreRecords.topLayer(image))
                                    && StoreRecords.strings(image, "mapped-layers").contains(StoreRecords.parent(child)));
                    if (childOfThis && !remove.contains(StoreRecords.id(child))) {
                        keptChild = true;
                        break;
                    }
                }
                if (keptChild) {
                    break;
                }
                remove.add(current);
                layer = StoreRecords.byId(layers, current).map(StoreRecords::parent).orElse("");
            }
            images.remove(image);
            saveImages(images, i);
            LayerUnpacker.removeAll(imagesDir.resolve(id));
            for (String r : remove) {
                removeLayerFiles(r);
                layers.removeIf(x -> StoreRecords.id(x).equals(r));
                saveLayers(layers, l);
            }
            return remove;
        }
    }

    /** c/storage's {@code AddNames}: the name moves from any other image, and goes first in names-history. */
    private static void addName(List<ObjectNode> images, ObjectNode rec, String name) {
        for (ObjectNode other : images) {
            if (other != rec) {
                List<String> n = StoreRecords.names(other);
                if (n.remove(name)) {
                    StoreRecords.putStrings(other, "names", n);
                }
            }
        }
        List<String> names = StoreRecords.names(rec);
        if (!names.contains(name)) {
            names.add(name);
        }
        StoreRecords.putStrings(rec, "names", names);
        List<String> history = new ArrayList<>();
        history.add(name);
        for (String h : StoreRecords.strings(rec, "names-history")) {
            if (!history.contains(h)) {
                history.add(h);
            }
        }
        StoreRecords.putStrings(rec, "names-history", history);
    }

    /** The record with c/storage's {@code Image} field order (unknown fields kept, after the known ones). */
    private static ObjectNode ordered(ObjectNode rec) {
        ObjectNode out = StoreRecords.NODES.objectNode();
        for (String f : List.of("id", "digest", "names", "names-history", "layer", "mapped-layers", "metadata",
                "big-data-names", "big-data-sizes", "big-data-digests", "created", "flags")) {
            if (rec.has(f)) {
                out.set(f, rec.get(f));
            }
        }
        rec.fields().forEachRemaining(e -> {
            if (!out.has(e.getKey())) {
                out.set(e.getKey(), e.getValue());
            }
        });
        return out;
    }
}
