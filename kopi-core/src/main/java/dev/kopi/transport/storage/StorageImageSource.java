package dev.kopi.transport.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.image.RawManifest;
import dev.kopi.image.Schema1Conversions;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.ImageManifest;
import dev.kopi.manifest.ManifestList;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.PlatformMatcher;
import dev.kopi.manifest.Schema1Manifest;
import dev.kopi.manifest.Schema1V1Compatibility;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads an image from a containers/storage store, as containers/image's storage source does: the manifest and
 * config are the image's big-data items; layers are found by their uncompressed digest and reproduced from their
 * tar-split data, uncompressed (so {@link #layerInfosForCopy} reports the uncompressed layers, and a copy
 * rewrites the manifest accordingly); signatures come from the big-data items the image metadata sizes.
 */
final class StorageImageSource implements ImageSource {
    private final StorageReference ref;
    private final Store store;
    private final ObjectNode image;
    private final String imageId;
    private final Path tmpDir;
    private final List<Integer> signatureSizes;
    private final Map<String, List<Integer>> signaturesSizes;
    private final Map<String, Integer> layerPosition = new ConcurrentHashMap<>();
    private volatile byte[] cachedManifest;

    private StorageImageSource(StorageReference ref, Store store, ObjectNode image, Path tmpDir) throws ImageException {
        this.ref = ref;
        this.store = store;
        this.image = image;
        this.imageId = StoreRecords.id(image);
        this.tmpDir = tmpDir;
        List<Integer> sizes = new ArrayList<>();
        Map<String, List<Integer>> perInstance = new LinkedHashMap<>();
        String metadata = StoreRecords.text(image, "metadata");
        if (!metadata.isEmpty()) {
            try {
                JsonNode m = StoreRecords.JSON.readTree(metadata);
                m.path("signature-sizes").forEach(n -> sizes.add(n.asInt()));
                for (Iterator<Map.Entry<String, JsonNode>> it = m.path("signatures-sizes").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> e = it.next();
                    List<Integer> l = new ArrayList<>();
                    e.getValue().forEach(n -> l.add(n.asInt()));
                    perInstance.put(e.getKey(), l);
                }
            } catch (IOException e) {
                throw ImageException.invalid("decoding metadata for source image: " + e.getMessage(), e);
            }
        }
        this.signatureSizes = List.copyOf(sizes);
        this.signaturesSizes = perInstance;
    }

    static StorageImageSource open(StorageReference ref, ImageContext ctx) throws IOException {
        Store store = Store.open(ref.store());
        Store.Snapshot snap = store.load();
        ObjectNode image = resolveImage(ref, store, snap, ctx);
        return new StorageImageSource(ref, store, image, ctx.tmpDir());
    }

    /** containers/image's {@code resolveImage}: by name, else by digest within the repository, else by ID. */
    static ObjectNode resolveImage(StorageReference ref, Store store, Store.Snapshot snap, ImageContext ctx)
            throws IOException {
        String id = ref.id().orElse(null);
        ObjectNode loaded = null;
        Optional<DockerReference> named = ref.dockerReference();
        if (id == null && named.isPresent()) {
            Optional<ObjectNode> byName = StoreRecords.lookup(snap.images(), named.get().toString());
            if (byName.isPresent()) {
                loaded = byName.get();
                id = StoreRecords.id(loaded);
            }
        }
        if (id == null && named.isPresent() && named.get().digest().isPresent()) {
            Digest d = named.get().digest().get();
            for (ObjectNode candidate : snap.imagesByDigest(d.toString())) {
                if (matchesRepo(candidate, named.get()) && (loaded == null
                        || multiArchMatchesSystem(store, candidate, d, ctx))) {
                    loaded = candidate;
                    id = StoreRecords.id(candidate);
                }
            }
        }
        if (id == null) {
            throw ImageException.notFound("reference " + GoStrconv.quote(ref.stringWithinTransport())
                    + " does not resolve to an image ID: identifier is not an image");
        }
        if (loaded == null) {
            loaded = StoreRecords.lookup(snap.images(), id).orElse(null);
            if (loaded == null) {
                throw ImageException.notFound("reading image " + GoStrconv.quote(id) + ": locating image with ID "
                        + GoStrconv.quote(id) + ": image not known");
            }
        }
        if (named.isPresent() && !matchesRepo(loaded, named.get())) {
            throw ImageException.notFound("identifier is not an image");
        }
        return loaded;
    }

    static boolean matchesRepo(ObjectNode image, DockerReference ref) {
        for (String name : StoreRecords.names(image)) {
            try {
                if (DockerReference.parseNormalized(name).name().equals(ref.name())) {
                    return true;
                }
            } catch (InvalidReferenceException e) {
                // not a reference: no match
            }
        }
        return false;
    }

    private static boolean multiArchMatchesSystem(Store store, ObjectNode image, Digest listDigest, ImageContext ctx) {
        try {
            String id = StoreRecords.id(image);
            Optional<byte[]> list = store.readImageBigData(id, manifestKey(listDigest));
            if (list.isEmpty() || !MediaTypes.isList(Manifests.guessMimeType(list.get()))) {
                return false;
            }
            ManifestList l = (ManifestList) Manifests.parse(list.get(), Manifests.guessMimeType(list.get()));
            Digest chosen = PlatformMatcher.chooseInstance(l, ctx.overrideOs(), ctx.overrideArch(),
                    ctx.overrideVariant());
            return store.readImageBigData(id, manifestKey(chosen)).isPresent();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    static String manifestKey(Digest d) {
        return "manifest-" + d;
    }

    static String signatureKey(Digest d) {
        return "signature-" + d.hex();
    }

    @Override
    public ImageReference reference() {
        return ref;
    }

    String imageId() {
        return imageId;
    }

    private byte[] bigData(String key) throws IOException {
        Optional<byte[]> b = store.readImageBigData(imageId, key);
        if (b.isEmpty()) {
            throw new ImageException(ErrorCode.IO, "locating item named " + GoStrconv.quote(key)
                    + " for image with ID " + GoStrconv.quote(imageId)
                    + " (consider removing the image to resolve the issue): file does not exist");
        }
        return b.get();
    }

    @Override
    public RawManifest fetchManifest(Optional<Digest> instance) throws IOException {
        if (instance.isPresent()) {
            byte[] b;
            try {
                b = bigData(manifestKey(instance.get()));
            } catch (ImageException e) {
                throw new ImageException(e.code(), "reading manifest for image instance "
                        + GoStrconv.quote(instance.get().toString()) + ": " + e.getMessage(), e);
            }
            return new RawManifest(b, Manifests.guessMimeType(b));
        }
        byte[] m = cachedManifest;
        if (m == null) {
            Optional<Digest> d = ref.dockerReference().flatMap(DockerReference::digest);
            if (d.isPresent()) {
                m = store.readImageBigData(imageId, manifestKey(d.get())).orElse(null);
            }
            if (m == null) {
                m = bigData("manifest");
            }
            cachedManifest = m;
        }
        return new RawManifest(m, Manifests.guessMimeType(m));
    }

    @Override
    public BlobStream openBlob(BlobInfo info) throws IOException {
        Digest d = info.digest();
        if (d.equals(Schema1Conversions.GZIPPED_EMPTY_LAYER_DIGEST)) {
            byte[] empty = Schema1Conversions.gzippedEmptyLayer();
            return new BlobStream(new ByteArrayInputStream(empty), empty.length);
        }
        List<ObjectNode> layers = store.load().layersByUncompressedDigest(d.toString());
        if (layers.isEmpty()) {
            byte[] b = bigData(d.toString());
            return new BlobStream(new ByteArrayInputStream(b), b.length);
        }
        int i = layerPosition.merge(d.toString(), 1, Integer::sum) - 1;
        ObjectNode layer = layers.get(i % layers.size());
        long size = StoreRecords.number(layer, "diff-size", -1);
        Path tmp = store.spoolLayer(StoreRecords.id(layer), tmpDir);
        return new BlobStream(new DeletingInputStream(Files.newInputStream(tmp), tmp), size);
    }

    /**
     * The compressed blob the layer was stored from, as containers/storage records it ({@code compressed-diff-digest}
     * and {@code compressed-size} in layers.json), with its media type from the image's manifest.
     */
    @Override
    public List<BlobInfo> compressedVariants(BlobInfo layer) throws IOException {
        RawManifest raw = fetchManifest(Optional.empty());
        java.util.Map<String, String> types = new java.util.HashMap<>();
        if (!MediaTypes.isList(raw.mediaType())) {
            try {
                if (Manifests.parse(raw.bytes(), raw.mediaType()) instanceof ImageManifest im) {
                    for (Descriptor d : im.layers()) {
                        types.putIfAbsent(d.digest().toString(), d.mediaType());
                    }
                }
            } catch (ImageException e) {
                return List.of();
            }
        }
        List<BlobInfo> out = new ArrayList<>();
        String plain = layer.digest().toString();
        for (ObjectNode l : store.load().layersByUncompressedDigest(plain)) {
            String compressed = StoreRecords.compressedDigest(l);
            String mt = types.get(compressed);
            if (!compressed.isEmpty() && !compressed.equals(plain) && mt != null) {
                out.add(new BlobInfo(Digest.parse(compressed), StoreRecords.number(l, "compressed-size", -1), mt));
            }
        }
        return out;
    }

    /** A temp file's stream that deletes the file when closed. */
    private static final class DeletingInputStream extends FilterInputStream {
        private final Path file;

        DeletingInputStream(InputStream in, Path file) {
            super(in);
            this.file = file;
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * The layers as the store can produce them: uncompressed (DiffID, uncompressed size, the uncompressed layer
     * type of the manifest's format), found by walking the image's top layer down to its base, with the gzipped
     * empty layer for schema1's throwaway entries.
     */
    @Override
    public Optional<List<BlobInfo>> layerInfosForCopy(Optional<Digest> instance) throws IOException {
        RawManifest raw = fetchManifest(instance);
        if (MediaTypes.isList(raw.mediaType())) {
            throw ImageException.invalid("can't copy layers for a manifest list (shouldn't be attempted)");
        }
        ImageManifest man;
        try {
            man = (ImageManifest) Manifests.parse(raw.bytes(), raw.mediaType());
        } catch (ImageException e) {
            throw new ImageException(e.code(), "parsing image manifest for " + GoStrconv.quote(imageId) + ": "
                    + e.getMessage(), e);
        }
        String uncompressedType = switch (raw.mediaType()) {
            case MediaTypes.OCI_MANIFEST -> MediaTypes.OCI_LAYER;
            case MediaTypes.DOCKER_V2S1, MediaTypes.DOCKER_V2S1_SIGNED, MediaTypes.DOCKER_V2S2 -> MediaTypes.DOCKER_LAYER;
            default -> "";
        };
        Store.Snapshot snap = store.load();
        List<BlobInfo> physical = new ArrayList<>();
        String layerId = StoreRecords.topLayer(image);
        while (!layerId.isEmpty()) {
            ObjectNode layer = snap.layer(layerId).orElse(null);
            if (layer == null) {
                throw new ImageException(ErrorCode.IO, "reading layer " + GoStrconv.quote(layerId) + " in image "
                        + GoStrconv.quote(imageId) + ": layer not known");
            }
            String diff = StoreRecords.diffDigest(layer);
            if (diff.isEmpty()) {
                throw new ImageException(ErrorCode.IO, "uncompressed digest for layer " + GoStrconv.quote(layerId)
                        + " is unknown");
            }
            long size = StoreRecords.number(layer, "diff-size", -1);
            if (size < 0) {
                throw new ImageException(ErrorCode.IO, "uncompressed size for layer " + GoStrconv.quote(layerId)
                        + " is unknown");
            }
            physical.add(0, new BlobInfo(Digest.parse(diff), size, uncompressedType));
            layerId = StoreRecords.parent(layer);
        }
        List<Descriptor> manifestLayers = man.layers();
        boolean[] empty = new boolean[manifestLayers.size()];
        if (man instanceof Schema1Manifest s1) {
            List<Schema1V1Compatibility> history = s1.historyRootFirst();
            for (int i = 0; i < history.size(); i++) {
                empty[i] = history.get(i).throwAway();
            }
        }
        List<BlobInfo> res = new ArrayList<>();
        int next = 0;
        for (int i = 0; i < manifestLayers.size(); i++) {
            if (empty[i]) {
                res.add(new BlobInfo(Schema1Conversions.GZIPPED_EMPTY_LAYER_DIGEST,
                        Schema1Conversions.gzippedEmptyLayer().length, manifestLayers.get(i).mediaType()));
            } else {
                if (next >= physical.size()) {
                    throw new ImageException(ErrorCode.IO, "creating LayerInfosForCopy of image "
                            + GoStrconv.quote(imageId) + ": expected more than " + physical.size()
                            + " physical layers to exist");
                }
                res.add(physical.get(next++));
            }
        }
        if (next != physical.size()) {
            throw new ImageException(ErrorCode.IO, "creating LayerInfosForCopy of image " + GoStrconv.quote(imageId)
                    + ": used only " + next + " out of " + physical.size() + " physical layers");
        }
        return Optional.of(res);
    }

    @Override
    public List<Signature> fetchSignatures(Optional<Digest> instance) throws IOException {
        List<Integer> sizes = signatureSizes;
        String key = "signatures";
        String which = "default instance";
        if (instance.isPresent()) {
            sizes = signaturesSizes.getOrDefault(instance.get().toString(), List.of());
            key = signatureKey(instance.get());
            which = instance.get().hex();
        }
        byte[] blob = new byte[0];
        if (!sizes.isEmpty()) {
            try {
                blob = bigData(key);
            } catch (ImageException e) {
                throw new ImageException(e.code(), "looking up signatures data for image " + GoStrconv.quote(imageId)
                        + " (" + which + "): " + e.getMessage(), e);
            }
        }
        List<Signature> out = new ArrayList<>();
        int offset = 0;
        for (int len : sizes) {
            if (offset + len > blob.length) {
                throw ImageException.invalid("looking up signatures data for image " + GoStrconv.quote(imageId) + " ("
                        + which + "): expected at least " + blob.length + " bytes, only found " + (offset + len));
            }
            out.add(new Signature(Arrays.copyOfRange(blob, offset, offset + len)));
            offset += len;
        }
        if (offset != blob.length) {
            throw ImageException.invalid("signatures data (" + which + ") contained " + (blob.length - offset)
                    + " extra bytes");
        }
        return out;
    }

    @Override
    public void close() {
    }
}
