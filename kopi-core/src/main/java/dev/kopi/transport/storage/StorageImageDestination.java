package dev.kopi.transport.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.Compression;
import dev.kopi.blob.CompressionAlgorithm;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.digest.DigestingInputStream;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.Schema1Conversions;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.io.AtomicFiles;
import dev.kopi.internal.io.Streams;
import dev.kopi.json.GoJson;
import dev.kopi.json.GoTime;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.ImageManifest;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.Schema1Manifest;
import dev.kopi.manifest.Schema1V1Compatibility;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import dev.kopi.transport.DestinationCapabilities;
import dev.kopi.transport.DestinationCapabilities.LayerCompression;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.TopLevelManifestAware;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Writes an image into a containers/storage store, as containers/image's storage destination does: blobs are
 * kept in a temporary directory (with their DiffIDs computed) until {@link #commit()}, which creates the layers
 * in order, each with the ID c/image gives it (the DiffID for a base layer, else the SHA-256 of
 * {@code parentID + "+" + diffID} in hex), reusing layers the store already has, and then records the image (its
 * ID the config digest, or the one in the reference) with the config, the manifest(s) and signatures as big-data
 * items, the same metadata, and the reference's name.
 */
final class StorageImageDestination implements ImageDestination, TopLevelManifestAware {
    private static final DestinationCapabilities CAPS = new DestinationCapabilities(
            List.of(MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_V2S2, MediaTypes.DOCKER_V2S1_SIGNED,
                    MediaTypes.DOCKER_V2S1),
            LayerCompression.PRESERVE, false, true, true, true, false);

    private final StorageReference ref;
    private final Store store;
    private final Path dir;
    /** Blobs by digest, in the order they arrived (config blobs become big-data items in this order). */
    private final Map<Digest, Path> files = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<Digest, Digest> diffIds = new ConcurrentHashMap<>();
    private byte[] manifest;
    private Digest manifestDigest;
    private byte[] topLevel;
    private byte[] signatures = new byte[0];
    private List<Integer> signatureSizes = List.of();
    private final Map<Digest, byte[]> instanceSignatures = new LinkedHashMap<>();
    private final Map<Digest, List<Integer>> instanceSignatureSizes = new LinkedHashMap<>();
    private boolean signaturesPut;

    /** Layer blobs by their index in the manifest, as they arrive; the layers built from them, in order. */
    private final Object queue = new Object();
    private final Map<Integer, Digest> arrived = new java.util.HashMap<>();
    private final List<Layer> built = new ArrayList<>();
    private boolean building;
    private boolean stalled;

    private StorageImageDestination(StorageReference ref, Store store, Path dir) {
        this.ref = ref;
        this.store = store;
        this.dir = dir;
    }

    static StorageImageDestination open(StorageReference ref, ImageContext ctx) throws IOException {
        Store store = Store.open(ref.store());
        Files.createDirectories(ctx.tmpDir());
        Path dir = Files.createTempDirectory(ctx.tmpDir(), "storage");
        return new StorageImageDestination(ref, store, dir);
    }

    @Override
    public ImageReference reference() {
        return ref;
    }

    @Override
    public DestinationCapabilities capabilities() {
        return CAPS;
    }

    @Override
    public Optional<BlobInfo> tryReusingBlob(BlobInfo info) throws IOException {
        if (info.digest() == null) {
            throw ImageException.invalid("Can not check for a blob with unknown digest");
        }
        Path f = files.get(info.digest());
        if (f != null) {
            return Optional.of(info.withDigestAndSize(info.digest(), Files.size(f)));
        }
        Store.Snapshot snap = store.load();
        List<ObjectNode> layers = snap.layersByUncompressedDigest(info.digest().toString());
        if (!layers.isEmpty()) {
            diffIds.put(info.digest(), Digest.parse(StoreRecords.diffDigest(layers.get(0))));
            return Optional.of(info.withDigestAndSize(info.digest(),
                    StoreRecords.number(layers.get(0), "diff-size", -1)));
        }
        layers = snap.layersByCompressedDigest(info.digest().toString());
        if (!layers.isEmpty() && !StoreRecords.diffDigest(layers.get(0)).isEmpty()) {
            diffIds.put(info.digest(), Digest.parse(StoreRecords.diffDigest(layers.get(0))));
            return Optional.of(info.withDigestAndSize(info.digest(),
                    StoreRecords.number(layers.get(0), "compressed-size", -1)));
        }
        return Optional.empty();
    }

    @Override
    public BlobInfo putBlob(InputStream stream, BlobInfo info, PutBlobOptions options) throws IOException {
        Path file = Files.createTempFile(dir, "blob", "");
        boolean ok = false;
        try {
            DigestingInputStream din = info.digest() == null ? new DigestingInputStream(stream, DigestAlgorithm.SHA256)
                    : null;
            long count;
            try (OutputStream out = Files.newOutputStream(file)) {
                count = Streams.copy(din != null ? din : stream, out);
            }
            if (info.size() >= 0 && info.size() != count) {
                throw new ImageException(ErrorCode.SIZE_MISMATCH, "blob size mismatch");
            }
            Digest digest = din != null ? din.digest() : info.digest();
            // The DiffID is computed while the layer is applied (one decompression instead of two).
            Path old = files.put(digest, file);
            if (old != null && !old.equals(file)) {
                Files.deleteIfExists(old);
            }
            ok = true;
            if (!options.isConfig() && options.layerIndex() >= 0) {
                buildArrivedLayers(options.layerIndex(), digest);
            }
            return new BlobInfo(digest, count, info.mediaType(), info.urls(), info.annotations());
        } finally {
            if (!ok) {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * containers/image's {@code queueOrCommit}: layers are built in manifest order as their blobs arrive, by
     * whichever putBlob thread completes the next one in line, so the store work overlaps the remaining
     * downloads. A blob reused without upload (its index unknown here) or the gzipped empty layer (which schema1
     * images may leave out) stops this; {@link #commit()} builds the rest.
     */
    private void buildArrivedLayers(int index, Digest digest) throws IOException {
        synchronized (queue) {
            arrived.put(index, digest);
            if (building || stalled) {
                return;
            }
            building = true;
        }
        try {
            while (true) {
                Digest next;
                String parent;
                synchronized (queue) {
                    next = arrived.get(built.size());
                    if (next == null || next.equals(Schema1Conversions.GZIPPED_EMPTY_LAYER_DIGEST)) {
                        building = false;
                        if (next != null) {
                            stalled = true;
                        }
                        return;
                    }
                    parent = built.isEmpty() ? "" : built.get(built.size() - 1).id();
                }
                Layer l = buildLayer(next, parent);
                synchronized (queue) {
                    built.add(l);
                }
            }
        } catch (IOException | RuntimeException e) {
            synchronized (queue) {
                building = false;
                stalled = true;
            }
            throw e;
        }
    }

    /** The SHA-256 of the blob's uncompressed content. */
    private static Digest diffIdOf(Path file) throws IOException {
        try (BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 256 * 1024)) {
            Optional<CompressionAlgorithm> alg = Compression.detect(in);
            InputStream plain = alg.isPresent() ? Compression.decompress(in, alg.get()) : in;
            DigestingInputStream d = new DigestingInputStream(plain, DigestAlgorithm.SHA256);
            Streams.copy(d, OutputStream.nullOutputStream());
            return d.digest();
        }
    }

    private static Optional<CompressionAlgorithm> compressionOf(Path file) throws IOException {
        try (BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 64)) {
            return Compression.detect(in);
        }
    }

    @Override
    public void putManifest(byte[] m, String mediaType, Optional<Digest> instance) throws IOException {
        manifest = m.clone();
        manifestDigest = Manifests.digest(manifest);
    }

    @Override
    public void putSignatures(List<Signature> sigs, Optional<Digest> instance) throws IOException {
        ByteArrayOutputStream blob = new ByteArrayOutputStream();
        List<Integer> sizes = new ArrayList<>();
        for (Signature s : sigs) {
            blob.write(s.blob());
            sizes.add(s.blob().length);
        }
        Optional<Digest> target = instance;
        if (instance.isEmpty()) {
            signatures = blob.toByteArray();
            signatureSizes = List.copyOf(sizes);
            signaturesPut = true;
            if (manifest != null) {
                target = Optional.of(manifestDigest);
            }
        }
        if (target.isPresent()) {
            instanceSignatures.put(target.get(), blob.toByteArray());
            instanceSignatureSizes.put(target.get(), List.copyOf(sizes));
        }
    }

    @Override
    public void setTopLevelManifest(byte[] m) {
        topLevel = m.clone();
    }

    @Override
    public void commit() throws IOException {
        if (manifest == null) {
            throw ImageException.invalid("Internal error: storageImageDestination.Commit() called without PutManifest()");
        }
        if (!signaturesPut) {
            putSignatures(List.of(), Optional.empty()); // containers/image always stores the (empty) signature set
        }
        byte[] top = topLevel != null ? topLevel : manifest;
        Optional<Digest> wanted = ref.dockerReference().flatMap(DockerReference::digest);
        if (wanted.isPresent() && !Manifests.matchesDigest(manifest, wanted.get())
                && !Manifests.matchesDigest(top, wanted.get())) {
            throw ImageException.invalid("Manifest to be saved does not match expected digest " + wanted.get());
        }
        ImageManifest man;
        try {
            man = (ImageManifest) Manifests.parse(manifest, Manifests.guessMimeType(manifest));
        } catch (ImageException | ClassCastException e) {
            throw ImageException.invalid("parsing manifest: " + e.getMessage(), e);
        }
        List<Descriptor> layers = man.layers();
        boolean[] empty = new boolean[layers.size()];
        List<Schema1V1Compatibility> history = null;
        if (man instanceof Schema1Manifest s1) {
            history = s1.historyRootFirst();
            for (int i = 0; i < history.size(); i++) {
                empty[i] = history.get(i).throwAway();
            }
        }
        String last = "";
        List<Digest> layerDiffIds = new ArrayList<>();
        List<Layer> early;
        synchronized (queue) {
            early = new ArrayList<>(built);
        }
        for (int i = 0; i < layers.size(); i++) {
            if (empty[i]) {
                continue;
            }
            Digest blob = layers.get(i).digest();
            Layer l = i < early.size() ? early.get(i) : null;
            if (l == null || !l.blob().equals(blob) || !l.parent().equals(last)) {
                l = buildLayer(blob, last);
            }
            layerDiffIds.add(l.diffId());
            last = l.id();
        }
        String id = ref.id().orElse(computeId(man, layerDiffIds));
        List<Store.BigData> items = new ArrayList<>();
        List<Digest> layerDigests = new ArrayList<>();
        layers.forEach(l -> layerDigests.add(l.digest()));
        List<Map.Entry<Digest, Path>> blobs;
        synchronized (files) {
            blobs = new ArrayList<>(files.entrySet());
        }
        byte[] configBytes = null;
        Digest configDigest = man.config() != null ? man.config().digest() : null;
        for (Map.Entry<Digest, Path> e : blobs) {
            if (layerDigests.contains(e.getKey())) {
                continue;
            }
            byte[] data = Files.readAllBytes(e.getValue());
            if (e.getKey().equals(configDigest)) {
                configBytes = data;
            }
            items.add(new Store.BigData(e.getKey().toString(), data, Digest.sha256(data)));
        }
        if (topLevel != null && !java.util.Arrays.equals(topLevel, manifest)) {
            Digest d = Manifests.digest(topLevel);
            items.add(new Store.BigData(StorageImageSource.manifestKey(d), topLevel, d));
        }
        items.add(new Store.BigData(StorageImageSource.manifestKey(manifestDigest), manifest, manifestDigest));
        items.add(new Store.BigData("manifest", manifest, manifestDigest));
        if (signatures.length > 0) {
            items.add(new Store.BigData("signatures", signatures, Digest.sha256(signatures)));
        }
        for (Map.Entry<Digest, byte[]> e : instanceSignatures.entrySet()) {
            items.add(new Store.BigData(StorageImageSource.signatureKey(e.getKey()), e.getValue(),
                    Digest.sha256(e.getValue())));
        }
        String created = createdTime(man, configBytes, history);
        List<String> names = ref.dockerReference().map(r -> List.of(r.toString())).orElse(List.of());
        store.commitImage(new Store.ImageCommit(id, last, items, metadata(), created, names));
    }

    /** A layer of the image as built: its ID, parent, DiffID and the blob it came from. */
    private record Layer(String id, String parent, Digest diffId, Digest blob) {
    }

    private static String layerId(String parent, Digest diffId) {
        return parent.isEmpty() ? diffId.hex()
                : Digest.sha256((parent + "+" + diffId.hex()).getBytes(StandardCharsets.UTF_8)).hex();
    }

    /**
     * Finds or creates the layer for {@code blob} on {@code parent}, with the ID containers/image gives it: the
     * DiffID's hex for a base layer, else the SHA-256 of {@code parent + "+" + diffID hex}. The DiffID is known
     * when the blob was reused from the store or applied before; otherwise the blob is applied (in a staging
     * directory) and its DiffID computed on the way.
     */
    private Layer buildLayer(Digest blob, String parent) throws IOException {
        Store.Snapshot snap = store.load();
        Digest diffId = diffIds.get(blob);
        if (diffId == null) {
            // A layer made from this very blob tells its DiffID without applying it again.
            for (ObjectNode l : snap.layersByCompressedDigest(blob.toString())) {
                if (!StoreRecords.incomplete(l) && !StoreRecords.diffDigest(l).isEmpty()) {
                    diffId = Digest.parse(StoreRecords.diffDigest(l));
                    break;
                }
            }
        }
        if (diffId != null) {
            String id = layerId(parent, diffId);
            Optional<ObjectNode> existing = snap.layer(id);
            if (existing.isPresent() && !StoreRecords.incomplete(existing.get())) {
                return new Layer(id, parent, diffId, blob);
            }
        }
        Path file = files.get(blob);
        Path temp = null;
        try {
            Optional<CompressionAlgorithm> compression;
            if (file != null) {
                compression = compressionOf(file);
            } else {
                // The blob was reused from another layer of the store: reproduce that layer's archive.
                List<ObjectNode> same = diffId == null ? List.of() : snap.layersByUncompressedDigest(diffId.toString());
                if (same.isEmpty()) {
                    same = snap.layersByCompressedDigest(blob.toString());
                }
                if (same.isEmpty()) {
                    throw new ImageException(ErrorCode.IO, "locating layer for blob " + GoStrconv.quote(blob.toString())
                            + ": layer not known");
                }
                temp = store.spoolLayer(StoreRecords.id(same.get(0)), dir);
                file = temp;
                compression = Optional.empty();
            }
            Store.StagedLayer staged;
            try {
                staged = store.stageLayer(parent, new Store.LayerBlob(file, compression, blob));
            } catch (IOException e) {
                throw ImageException.wrap("adding layer with blob " + GoStrconv.quote(blob.toString()), e);
            }
            if (diffId != null && !diffId.equals(staged.diffId())) {
                store.discard(staged);
                throw new ImageException(ErrorCode.DIGEST_MISMATCH, "adding layer with blob "
                        + GoStrconv.quote(blob.toString()) + ": its uncompressed digest is " + staged.diffId()
                        + ", not " + diffId);
            }
            String id = layerId(parent, staged.diffId());
            try {
                long t0 = System.nanoTime();
                store.installLayer(id, staged);
                long t1 = System.nanoTime();
                dev.kopi.log.Log.debug(() -> "storage: layer " + id + " installed in " + (t1 - t0) / 1_000_000 + " ms");
            } catch (IOException e) {
                throw ImageException.wrap("adding layer with blob " + GoStrconv.quote(blob.toString()), e);
            }
            diffIds.put(blob, staged.diffId());
            return new Layer(id, parent, staged.diffId(), blob);
        } finally {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** containers/image's {@code computeID}: the config digest, or for schema1 the digest of the built config. */
    private static String computeId(ImageManifest man, List<Digest> diffIds) {
        try {
            if (man instanceof Schema1Manifest s1) {
                return Digest.sha256(Schema1Conversions.toSchema2Config(s1, diffIds)).hex();
            }
            return man.config() == null ? "" : man.config().digest().hex();
        } catch (ImageException e) {
            return "";
        }
    }

    /** The image's creation time from its config (or schema1 history), as Go writes it; null when unknown. */
    private static String createdTime(ImageManifest man, byte[] config, List<Schema1V1Compatibility> history) {
        try {
            String created = null;
            if (man instanceof Schema1Manifest s1) {
                if (!s1.v1CompatibilityTopFirst().isEmpty()) {
                    created = StoreRecords.JSON.readTree(s1.v1CompatibilityTopFirst().get(0)).path("created").asText(null);
                }
            } else if (config != null) {
                JsonNode c = StoreRecords.JSON.readTree(config);
                JsonNode n = c.get("created");
                created = n != null && n.isTextual() ? n.asText() : null;
            }
            OffsetDateTime t = GoTime.parse(created);
            return t == null ? null : GoTime.format(t);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** The JSON containers/image stores as the image's metadata (its signature bookkeeping). */
    private String metadata() {
        Map<String, Object> m = new LinkedHashMap<>();
        if (!signatureSizes.isEmpty()) {
            m.put("signature-sizes", new ArrayList<>(signatureSizes));
        }
        if (!instanceSignatureSizes.isEmpty()) {
            Map<String, Object> per = new TreeMap<>();
            instanceSignatureSizes.forEach((k, v) -> per.put(k.toString(), new ArrayList<>(v)));
            m.put("signatures-sizes", per);
        }
        return new String(GoJson.marshal(m), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        AtomicFiles.deleteTreeQuietly(dir);
    }
}
