package dev.kopi.transport.tarball;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.json.GoJson;
import dev.kopi.reference.DockerReference;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a docker-save formatted tar stream holding one or more images, with the same bytes containers/image's
 * {@code docker/internal/tarfile.Writer} produces: layers as {@code <hex>.tar} and configs as {@code <hex>.json}
 * in the root, in the order they are sent; per image, legacy {@code <id>/layer.tar} symlinks ({@code ../<hex>.tar}),
 * {@code <id>/VERSION} ({@code 1.0}) and {@code <id>/json} entries; and on {@link #close()}, {@code manifest.json}
 * and {@code repositories}. JSON is written as Go's {@code encoding/json} does. Methods are synchronized on this
 * object; callers that need several steps atomically (check, then send) synchronize on it too.
 */
public final class ArchiveWriter {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] LEGACY_TOP_ATTRS = {"architecture", "config", "container", "container_config",
        "created", "docker_version", "os"};

    private final TarWriter tar;
    private boolean closed;
    private final Map<Digest, Long> blobs = new HashMap<>();
    /** Configs written, for an image whose config was already in the archive (copy --append). */
    private final Map<Digest, byte[]> configs = new HashMap<>();
    private final Map<String, Map<String, String>> repositories = new TreeMap<>();
    private final Set<String> legacyLayers = new HashSet<>();
    private List<Item> manifest; // null until an image is added: manifest.json is then "null", as Go writes a nil slice
    private final Map<Digest, Integer> manifestByConfig = new HashMap<>();

    private static final class Item {
        final String config;
        final List<String> repoTags = new ArrayList<>();
        final List<String> layers;

        Item(String config, List<String> layers) {
            this.config = config;
            this.layers = layers;
        }
    }

    /** Writes to {@code out}; {@link #close()} finishes the tar stream but does not close {@code out}. */
    public ArchiveWriter(OutputStream out) {
        this.tar = new TarWriter(out);
    }

    private void ensureOpen() throws ImageException {
        if (closed) {
            throw new ImageException(ErrorCode.IO, "Internal error: trying to use an already closed tarfile.Writer");
        }
    }

    /** The size of a blob already in the archive, or -1. */
    public synchronized long sentBlobSize(Digest digest) throws ImageException {
        ensureOpen();
        Long s = blobs.get(digest);
        return s == null ? -1 : s;
    }

    /** Writes a config file ({@code <hex>.json}) and records the blob. */
    public synchronized void sendConfig(Digest digest, byte[] bytes, long expectedSize) throws IOException {
        ensureOpen();
        tar.writeFile(configPath(digest), expectedSize, new ByteArrayInputStream(bytes));
        blobs.put(digest, expectedSize);
        configs.put(digest, bytes.clone());
    }

    /** Writes a layer file ({@code <hex>.tar}) of exactly {@code size} bytes and records the blob. */
    public synchronized void sendLayer(Digest digest, long size, InputStream data) throws IOException {
        ensureOpen();
        tar.writeFile(physicalLayerPath(digest), size, data);
        blobs.put(digest, size);
    }

    /**
     * Adds an image whose layers and config were sent: the legacy per-layer entries, then its manifest item
     * (shared with an earlier image with the same config) with the given tags.
     *
     * @param configBytes the image's config, for the top legacy layer's {@code json}; may be null with no layers
     */
    public synchronized void addImage(List<Digest> layers, Digest configDigest, byte[] configBytes,
            List<DockerReference> repoTags) throws IOException {
        ensureOpen();
        if (configBytes == null) {
            configBytes = configs.get(configDigest);
        }
        writeLegacyMetadata(layers, configBytes, repoTags);
        ensureManifestItem(layers, configDigest, repoTags);
    }

    /**
     * Takes {@code tags} off every image but the one whose config is {@code keep}: a tag given to the image added
     * last moves to it, as {@code docker load} moves a tag (an image left without tags stays, untagged).
     */
    public synchronized void untagOthers(List<DockerReference> tags, Digest keep) throws ImageException {
        ensureOpen();
        if (manifest == null) {
            return;
        }
        String keepPath = configPath(keep);
        for (Item it : manifest) {
            if (!it.config.equals(keepPath)) {
                for (DockerReference t : tags) {
                    it.repoTags.remove(t.name() + ":" + t.tag().orElseThrow());
                }
            }
        }
    }

    /** The name of a config file in the archive: {@code <hex>.json}. */
    public static String configPath(Digest d) {
        return d.encoded() + ".json";
    }

    /** The name of a layer file in the archive: {@code <hex>.tar}. */
    public static String physicalLayerPath(Digest d) {
        return d.encoded() + ".tar";
    }

    private void writeLegacyMetadata(List<Digest> layers, byte[] configBytes, List<DockerReference> repoTags)
            throws IOException {
        String chainId = null;
        String lastLayerId = "";
        for (int i = 0; i < layers.size(); i++) {
            Digest l = layers.get(i);
            Map<String, byte[]> layerConfig = new TreeMap<>();
            if (!lastLayerId.isEmpty()) {
                layerConfig.put("parent", GoCompat.jsonString(lastLayerId).getBytes(StandardCharsets.UTF_8));
            }
            if (i == layers.size() - 1) {
                Map<String, byte[]> top = topLevelRawValues(configBytes);
                for (String attr : LEGACY_TOP_ATTRS) {
                    byte[] raw = top.get(attr);
                    layerConfig.put(attr, raw == null ? "null".getBytes(StandardCharsets.US_ASCII)
                            : GoJson.compactHtml(raw, 0, raw.length));
                }
            }
            chainId = chainId == null ? l.toString()
                    : Digest.sha256((chainId + " " + l).getBytes(StandardCharsets.UTF_8)).toString();
            layerConfig.put("layer_id", GoCompat.jsonString(chainId).getBytes(StandardCharsets.UTF_8));
            String layerId = Digest.sha256(marshal(layerConfig)).encoded();
            layerConfig.remove("layer_id");
            layerConfig.put("id", GoCompat.jsonString(layerId).getBytes(StandardCharsets.UTF_8));
            byte[] json = marshal(layerConfig);
            if (legacyLayers.add(layerId)) {
                tar.writeSymlink(layerId + "/layer.tar", "../" + physicalLayerPath(l));
                tar.writeBytes(layerId + "/VERSION", "1.0".getBytes(StandardCharsets.US_ASCII));
                tar.writeBytes(layerId + "/json", json);
            }
            lastLayerId = layerId;
        }
        if (!lastLayerId.isEmpty()) {
            for (DockerReference t : repoTags) {
                repositories.computeIfAbsent(t.name(), k -> new TreeMap<>()).put(t.tag().orElseThrow(), lastLayerId);
            }
        }
    }

    private static byte[] marshal(Map<String, byte[]> sorted) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write('{');
        boolean first = true;
        for (Map.Entry<String, byte[]> e : sorted.entrySet()) {
            if (!first) {
                out.write(',');
            }
            first = false;
            out.writeBytes(GoCompat.jsonString(e.getKey()).getBytes(StandardCharsets.UTF_8));
            out.write(':');
            out.writeBytes(e.getValue());
        }
        out.write('}');
        return out.toByteArray();
    }

    /**
     * The raw bytes of each top-level member of a JSON object (as Go decodes into
     * {@code map[string]*json.RawMessage}: later duplicates win).
     */
    static Map<String, byte[]> topLevelRawValues(byte[] json) throws ImageException {
        if (json == null || json.length == 0) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "unmarshaling config: unexpected end of JSON input");
        }
        com.fasterxml.jackson.databind.JsonNode tree;
        try {
            tree = JSON.readTree(json);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "unmarshaling config: " + ArchiveReader.firstLine(e), e);
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (tree == null || tree.isNull()) {
            return out;
        }
        if (!tree.isObject()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "unmarshaling config: json: cannot unmarshal "
                    + ArchiveReader.jsonKind(tree) + " into Go value of type map[string]*json.RawMessage");
        }
        int i = skipWs(json, 0);
        i++; // '{'
        while (true) {
            i = skipWs(json, i);
            if (json[i] == '}') {
                break;
            }
            int keyEnd = skipValue(json, i);
            String key;
            try {
                key = JSON.readValue(json, i, keyEnd - i, String.class);
            } catch (IOException e) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "unmarshaling config: " + e.getMessage(), e);
            }
            i = skipWs(json, keyEnd) + 1; // ':'
            i = skipWs(json, i);
            int valEnd = skipValue(json, i);
            byte[] raw = java.util.Arrays.copyOfRange(json, i, valEnd);
            out.put(key, raw);
            i = skipWs(json, valEnd);
            if (json[i] == ',') {
                i++;
            }
        }
        return out;
    }

    private static int skipWs(byte[] b, int i) {
        while (i < b.length && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r')) {
            i++;
        }
        return i;
    }

    /** The end (exclusive) of the JSON value starting at {@code i}; the document is known to be valid. */
    private static int skipValue(byte[] b, int i) {
        byte c = b[i];
        if (c == '"') {
            i++;
            while (b[i] != '"') {
                i += b[i] == '\\' ? 2 : 1;
            }
            return i + 1;
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            do {
                byte x = b[i];
                if (x == '"') {
                    i = skipValue(b, i);
                    continue;
                }
                if (x == '{' || x == '[') {
                    depth++;
                } else if (x == '}' || x == ']') {
                    depth--;
                }
                i++;
            } while (depth > 0);
            return i;
        }
        while (i < b.length && b[i] != ',' && b[i] != '}' && b[i] != ']' && b[i] != ' ' && b[i] != '\t'
                && b[i] != '\n' && b[i] != '\r') {
            i++;
        }
        return i;
    }

    private void ensureManifestItem(List<Digest> layers, Digest configDigest, List<DockerReference> repoTags)
            throws ImageException {
        List<String> layerPaths = new ArrayList<>();
        for (Digest l : layers) {
            layerPaths.add(physicalLayerPath(l));
        }
        String configPath = configPath(configDigest);
        if (manifest == null) {
            manifest = new ArrayList<>();
        }
        Item item;
        Integer idx = manifestByConfig.get(configDigest);
        if (idx != null) {
            item = manifest.get(idx);
            if (!item.config.equals(configPath)) {
                throw new ImageException(ErrorCode.IO, "Internal error: Trying to reuse ManifestItem values with configs "
                        + GoStrconv.quote(item.config) + " vs. " + GoStrconv.quote(configPath));
            }
            if (!item.layers.equals(layerPaths)) {
                throw new ImageException(ErrorCode.IO, "Internal error: Trying to reuse ManifestItem values with layers "
                        + item.layers + " vs. " + layerPaths);
            }
        } else {
            item = new Item(configPath, layerPaths);
            manifestByConfig.put(configDigest, manifest.size());
            manifest.add(item);
        }
        for (DockerReference t : repoTags) {
            String s = t.name() + ":" + t.tag().orElseThrow();
            if (!item.repoTags.contains(s)) {
                item.repoTags.add(s);
            }
        }
    }

    /** Writes {@code manifest.json} and {@code repositories} and ends the tar stream. Idempotent. */
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        StringBuilder b = new StringBuilder();
        if (manifest == null) {
            b.append("null");
        } else {
            b.append('[');
            for (int i = 0; i < manifest.size(); i++) {
                Item it = manifest.get(i);
                if (i > 0) {
                    b.append(',');
                }
                b.append("{\"Config\":");
                GoCompat.appendJsonString(b, it.config);
                b.append(",\"RepoTags\":");
                appendStrings(b, it.repoTags);
                b.append(",\"Layers\":");
                appendStrings(b, it.layers);
                b.append('}');
            }
            b.append(']');
        }
        tar.writeBytes("manifest.json", b.toString().getBytes(StandardCharsets.UTF_8));
        StringBuilder r = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Map<String, String>> e : repositories.entrySet()) {
            if (!first) {
                r.append(',');
            }
            first = false;
            GoCompat.appendJsonString(r, e.getKey());
            r.append(":{");
            boolean f2 = true;
            for (Map.Entry<String, String> t : e.getValue().entrySet()) {
                if (!f2) {
                    r.append(',');
                }
                f2 = false;
                GoCompat.appendJsonString(r, t.getKey());
                r.append(':');
                GoCompat.appendJsonString(r, t.getValue());
            }
            r.append('}');
        }
        r.append('}');
        tar.writeBytes("repositories", r.toString().getBytes(StandardCharsets.UTF_8));
        tar.finish();
        closed = true;
    }

    private static void appendStrings(StringBuilder b, List<String> l) {
        b.append('[');
        for (int i = 0; i < l.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            GoCompat.appendJsonString(b, l.get(i));
        }
        b.append(']');
    }
}
