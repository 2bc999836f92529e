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
            // The DiffID is not computed here: commit() takes it from the config and checks it while applying
            // the layer (one decompression instead of two), or computes it when there is no config to trust.
            Path old = files.put(digest, file);
            if (old != null && !old.equals(file)) {
                Files.deleteIfExists(old);
            }
            ok = true;
            return new BlobInfo(digest, count, info.mediaType(), info.urls(), info.annotations());
        } finally {
            if (!ok) {
                Files.deleteIfExists(file);
            }
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
        byte[] configBytes = null;
        Digest configDigest = man.config() != null ? man.config().digest() : null;
        if (configDigest != null && files.get(configDigest) != null) {
            configBytes = Files.readAllBytes(files.get(configDigest));
        }
        List<Digest> expected = configDiffIds(configBytes);
        int nonEmpty = 0;
        for (boolean e : empty) {
            nonEmpty += e ? 0 : 1;
        }
        if (expected != null && expected.size() != nonEmpty) {
            expected = null;
        }
        String last = "";
        List<Digest> layerDiffIds = new ArrayList<>();
        int k = 0;
        for (int i = 0; i < layers.size(); i++) {
            if (empty[i]) {
                continue;
            }
            Digest blob = layers.get(i).digest();
            Digest diffId = diffIds.get(blob);
            if (diffId == null && files.get(blob) == null) {
                if (tryReusingBlob(new BlobInfo(blob, -1, null)).isEmpty() || (diffId = diffIds.get(blob)) == null) {
                    throw new ImageException(ErrorCode.IO, "error determining uncompressed digest for blob "
                            + GoStrconv.quote(blob.toString()));
                }
            }
            if (diffId == null && expected == null) {
                diffId = diffIdOf(files.get(blob));
                diffIds.put(blob, diffId);
            }
            Layer l = commitLayer(blob, diffId, expected == null ? null : expected.get(k), last);
            layerDiffIds.add(l.diffId());
            last = l.id();
            k++;
        }
        String id = ref.id().orElse(computeId(man, layerDiffIds));
        List<Store.BigData> items = new ArrayList<>();
        List<Digest> layerDigests = new ArrayList<>();
        layers.forEach(l -> layerDigests.add(l.digest()));
        List<Map.Entry<Digest, Path>> blobs;
        synchronized (files) {
            blobs = new ArrayList<>(files.entrySet());
        }
        for (Map.Entry<Digest, Path> e : blobs) {
            if (layerDigests.contains(e.getKey())) {
                continue;
            }
            byte[] data = Files.readAllBytes(e.getValue());
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

    /** A layer of the image as committed: its ID and (verified) DiffID. */
    private record Layer(String id, Digest diffId) {
    }

    private static String layerId(String parent, Digest diffId) {
        return parent.isEmpty() ? diffId.hex()
                : Digest.sha256((parent + "+" + diffId.hex()).getBytes(StandardCharsets.UTF_8)).hex();
    }

    /**
     * Creates (or finds) the layer for {@code blob} on {@code parent}, with the ID containers/image gives it.
     *
     * @param diffId the blob's DiffID when known (computed, or from a store record), else null
     * @param expected the DiffID the config gives for this layer, used (and checked while the layer is applied)
     *     when {@code diffId} is null
     */
    private Layer commitLayer(Digest blob, Digest diffId, Digest expected, String parent) throws IOException {
        Digest candidate = diffId != null ? diffId : expected;
        String id = layerId(parent, candidate);
        Store.Snapshot snap = store.load();
        Optional<ObjectNode> existing = snap.layer(id);
        if (existing.isPresent() && !StoreRecords.incomplete(existing.get())) {
            // Reuse only what is known to have this content: a trusted DiffID, or a layer made from this very blob.
            if (diffId != null || StoreRecords.compressedDigest(existing.get()).equals(blob.toString())) {
                return new Layer(id, candidate);
            }
            Digest actual = diffIdOf(files.get(blob));
            diffIds.put(blob, actual);
            if (actual.equals(candidate)) {
                return new Layer(id, candidate);
            }
            return commitLayer(blob, actual, null, parent);
        }
        Path file = files.get(blob);
        Path temp = null;
        try {
            Optional<CompressionAlgorithm> compression;
            if (file != null) {
                compression = compressionOf(file);
            } else {
                // The blob was reused from another layer of the store: reproduce that layer's archive.
                List<ObjectNode> same = snap.layersByUncompressedDigest(candidate.toString());
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
            try {
                long t0 = System.nanoTime();
                store.putLayer(id, parent, new Store.LayerBlob(file, compression, blob, candidate));
                long t1 = System.nanoTime();
                dev.kopi.log.Log.debug(() -> "storage: layer " + id + " created in " + (t1 - t0) / 1_000_000 + " ms");
            } catch (Store.DiffIdMismatchException e) {
                if (diffId != null) {
                    throw new ImageException(ErrorCode.DIGEST_MISMATCH, "adding layer with blob "
                            + GoStrconv.quote(blob.toString()) + ": its uncompressed digest is " + e.actual()
                            + ", not " + diffId);
                }
                // The config's DiffID was wrong: the layer gets the ID of what it really contains.
                dev.kopi.log.Log.debug(() -> "storage: blob " + blob + " has DiffID " + e.actual()
                        + ", the config says " + expected);
                diffIds.put(blob, e.actual());
                return commitLayer(blob, e.actual(), null, parent);
            } catch (ImageException e) {
                throw new ImageException(e.code(), "adding layer with blob " + GoStrconv.quote(blob.toString()) + ": "
                        + e.getMessage(), e);
            } catch (IOException e) {
                throw new ImageException(ErrorCode.IO, "adding layer with blob " + GoStrconv.quote(blob.toString())
                        + ": " + e.getMessage(), e);
            }
            diffIds.put(blob, candidate);
            return new Layer(id, candidate);
        } finally {
            if (temp != null) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /** The config's {@code rootfs.diff_ids}, or null when there is no config or they do not parse. */
    private static List<Digest> configDiffIds(byte[] config) {
        if (config == null) {
            return null;
        }
        try {
            JsonNode ids = StoreRecords.JSON.readTree(config).path("rootfs").path("diff_ids");
            if (!ids.isArray()) {
                return null;
            }
            List<Digest> out = new ArrayList<>();
            for (JsonNode n : ids) {
                out.add(Digest.parse(n.asText()));
            }
            return out;
        } catch (IOException | RuntimeException e) {
            return null;
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
