package dev.kopi.transport.tarball;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.digest.SizeLimits;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One image of a docker-save archive as an {@link ImageSource} (containers/image's
 * {@code docker/internal/tarfile.Source}). The manifest is generated: a Docker schema2 manifest whose layer
 * digests are the config's diffIDs and whose layer sizes are the uncompressed sizes, because {@link #openBlob}
 * always returns layers decompressed (archives may hold gzip/bzip2/xz/zstd layer files). The layer media type is
 * {@code application/vnd.docker.image.rootfs.diff.tar.gzip}, as containers/image writes it.
 */
public class TarballSource implements ImageSource {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ImageReference reference;
    private final ArchiveReader archive;
    private final boolean closeArchive;
    private final DockerReference tag;
    private final long sourceIndex;

    private Cached cached; // guarded by this
    private byte[] generatedManifest; // guarded by this

    private record LayerInfo(String path, long size) {
    }

    private record Cached(ManifestItem item, byte[] configBytes, String configDigest, List<String> diffIds,
            Map<String, LayerInfo> knownLayers) {
    }

    /**
     * @param reference what {@link #reference()} returns
     * @param archive the archive; closed by {@link #close()} when {@code closeArchive}
     * @param tag the tag choosing the image, or null
     * @param sourceIndex the zero-based index choosing the image, or -1 (with a null tag: the only image)
     */
    public TarballSource(ImageReference reference, ArchiveReader archive, boolean closeArchive, DockerReference tag,
            long sourceIndex) {
        this.reference = reference;
        this.archive = archive;
        this.closeArchive = closeArchive;
        this.tag = tag;
        this.sourceIndex = sourceIndex;
    }

    @Override
    public ImageReference reference() {
        return reference;
    }

    /** The {@code manifest.json} items of the whole archive. */
    public List<ManifestItem> tarManifest() {
        return archive.manifest();
    }

    private synchronized Cached cached() throws IOException {
        if (cached != null) {
            return cached;
        }
        ManifestItem item = archive.chooseManifestItem(tag, sourceIndex).item();
        byte[] configBytes = archive.readComponent(item.config(), SizeLimits.CONFIG);
        List<String> diffIds = parseDiffIds(configBytes, item.config());
        Map<String, LayerInfo> known = prepareLayerData(item, diffIds);
        cached = new Cached(item, configBytes, Digest.sha256(configBytes).toString(), diffIds, known);
        return cached;
    }

    /** rootfs.diff_ids of a config, decoded with Go's rules (case-insensitive keys). */
    private static List<String> parseDiffIds(byte[] configBytes, String configPath) throws ImageException {
        JsonNode root;
        try {
            root = JSON.readTree(configBytes);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "decoding tar config " + GoStrconv.quote(configPath) + ": "
                    + ArchiveReader.firstLine(e), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "decoding tar config " + GoStrconv.quote(configPath)
                    + ": unexpected end of JSON input");
        }
        if (!root.isObject() && !root.isNull()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "decoding tar config " + GoStrconv.quote(configPath)
                    + ": json: cannot unmarshal " + ArchiveReader.jsonKind(root)
                    + " into Go value of type manifest.Schema2Image");
        }
        JsonNode rootfs = GoCompat.jsonField(root, "rootfs");
        if (rootfs == null || rootfs.isNull()) {
            throw new ImageException(ErrorCode.INVALID_INPUT,
                    "Invalid image config (rootFS is not set): " + GoStrconv.quote(configPath));
        }
        List<String> out = new ArrayList<>();
        JsonNode ids = GoCompat.jsonField(rootfs, "diff_ids");
        if (ids != null && ids.isArray()) {
            for (JsonNode d : ids) {
                out.add(d.isNull() ? "" : d.asText());
            }
        } else if (ids != null && !ids.isNull()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "decoding tar config " + GoStrconv.quote(configPath)
                    + ": json: cannot unmarshal " + ArchiveReader.jsonKind(ids)
                    + " into Go struct field Schema2RootFS.rootfs.diff_ids of type []digest.Digest");
        }
        return out;
    }

    private Map<String, LayerInfo> prepareLayerData(ManifestItem item, List<String> diffIds) throws IOException {
        if (item.layers().size() != diffIds.size()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "Inconsistent layer count: " + item.layers().size()
                    + " in manifest, " + diffIds.size() + " in config");
        }
        Map<String, String> pathByDiffId = new LinkedHashMap<>();
        Map<String, String> diffIdByPath = new HashMap<>();
        for (int i = 0; i < diffIds.size(); i++) {
            String diffId = diffIds.get(i);
            if (pathByDiffId.containsKey(diffId)) {
                continue; // the same layer twice: any of the paths will do
            }
            String layerPath = GoCompat.cleanPath(item.layers().get(i));
            if (diffIdByPath.containsKey(layerPath)) {
                throw new ImageException(ErrorCode.INVALID_INPUT,
                        "Layer tarfile " + GoStrconv.quote(layerPath) + " used for two different DiffID values");
            }
            pathByDiffId.put(diffId, layerPath);
            diffIdByPath.put(layerPath, diffId);
        }
        IOException scan = archive.index().scanError();
        if (scan != null) {
            throw new ImageException(ErrorCode.INVALID_INPUT, scan.getMessage(), scan);
        }
        Map<String, LayerInfo> known = new HashMap<>();
        for (Map.Entry<String, String> e : pathByDiffId.entrySet()) {
            String layerPath = e.getValue();
            if (archive.index().find(layerPath) == null) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "Some layer tarfiles are missing in the tarball");
            }
            TarIndex.Entry entry = archive.resolveComponent(layerPath);
            long size = entry.size();
            try (InputStream raw = archive.openEntry(entry)) {
                AutoDecompress.Result r;
                try {
                    r = AutoDecompress.open(raw);
                } catch (IOException ex) {
                    throw new ImageException(ErrorCode.INVALID_INPUT, "auto-decompressing " + GoStrconv.quote(layerPath)
                            + " to determine its size: " + ex.getMessage(), ex);
                }
                if (r.compressed()) {
                    try (InputStream un = r.stream()) {
                        size = dev.kopi.internal.io.Streams.copy(un, java.io.OutputStream.nullOutputStream());
                    } catch (IOException ex) {
                        throw new ImageException(ErrorCode.INVALID_INPUT, "reading " + GoStrconv.quote(layerPath)
                                + " to find its size: " + ex.getMessage(), ex);
                    }
                }
            }
            known.put(e.getKey(), new LayerInfo(layerPath, size));
        }
        return known;
    }

    @Override
    public synchronized RawManifest fetchManifest(Optional<Digest> instance) throws IOException {
        if (instance.isPresent()) {
            throw new ImageException(ErrorCode.UNSUPPORTED, "Manifest lists are not supported by \"docker-daemon:\"");
        }
        if (generatedManifest == null) {
            Cached c = cached();
            StringBuilder b = new StringBuilder(256);
            b.append("{\"schemaVersion\":2,\"mediaType\":");
            GoCompat.appendJsonString(b, MediaTypes.DOCKER_V2S2);
            b.append(",\"config\":{\"mediaType\":");
            GoCompat.appendJsonString(b, MediaTypes.DOCKER_CONFIG);
            b.append(",\"size\":").append(c.configBytes().length).append(",\"digest\":");
            GoCompat.appendJsonString(b, c.configDigest());
            b.append("},\"layers\":[");
            boolean firstLayer = true;
            for (String diffId : c.diffIds()) {
                LayerInfo li = c.knownLayers().get(diffId);
                if (li == null) {
                    throw new ImageException(ErrorCode.INVALID_INPUT,
                            "Internal inconsistency: Information about layer " + diffId + " missing");
                }
                if (!firstLayer) {
                    b.append(',');
                }
                firstLayer = false;
                b.append("{\"mediaType\":");
                GoCompat.appendJsonString(b, MediaTypes.DOCKER_LAYER_GZIP);
                b.append(",\"size\":").append(li.size()).append(",\"digest\":");
                GoCompat.appendJsonString(b, diffId);
                b.append('}');
            }
            b.append("]}");
            generatedManifest = b.toString().getBytes(StandardCharsets.UTF_8);
        }
        return new RawManifest(generatedManifest, MediaTypes.DOCKER_V2S2);
    }

    @Override
    public BlobStream openBlob(BlobInfo info) throws IOException {
        Cached c = cached();
        String want = info.digest() == null ? "" : info.digest().toString();
        if (want.equals(c.configDigest())) {
            return new BlobStream(new ByteArrayInputStream(c.configBytes()), c.configBytes().length);
        }
        LayerInfo li = c.knownLayers().get(want);
        if (li == null) {
            throw new ImageException(ErrorCode.IO, "Unknown blob " + want);
        }
        InputStream raw = archive.openComponent(li.path());
        boolean ok = false;
        try {
            AutoDecompress.Result r;
            try {
                r = AutoDecompress.open(raw);
            } catch (IOException e) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "auto-decompressing blob " + want + ": "
                        + e.getMessage(), e);
            }
            InputStream s = r.stream();
            ok = true;
            return new BlobStream(new FilterInputStream(s) {
                @Override
                public void close() throws IOException {
                    try {
                        super.close();
                    } finally {
                        raw.close();
                    }
                }
            }, li.size());
        } finally {
            if (!ok) {
                raw.close();
            }
        }
    }

    @Override
    public List<Signature> fetchSignatures(Optional<Digest> instance) {
        return List.of();
    }

    @Override
    public void close() throws IOException {
        if (closeArchive) {
            archive.close();
        }
    }
}
