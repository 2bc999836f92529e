package dev.kopi.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoTime;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.Schema1Manifest;
import dev.kopi.manifest.Schema1V1Compatibility;
import dev.kopi.reference.DockerReference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Docker schema1 conversions of containers/image: an image config (Docker or OCI) to a schema1 manifest
 * ({@code manifestSchema2.convertToManifestSchema1}, after docker/distribution's config builder), and a schema1
 * manifest plus its layers' DiffIDs to a Docker image config ({@code Schema1.ToSchema2Config}, after Docker's pull
 * code). Both edit the JSON the way the Go code does, so the results are byte-identical to skopeo's.
 */
public final class Schema1Conversions {
    /**
     * A gzip-compressed empty tar file (1024 zero bytes), as docker/distribution and containers/image write it for
     * history entries without a layer; its embedded timestamp is not zero, so it must be these exact bytes.
     */
    private static final byte[] GZIPPED_EMPTY_LAYER = {
        31, (byte) 139, 8, 0, 0, 9, 110, (byte) 136, 0, (byte) 255, 98, 24, 5, (byte) 163, 96, 20, (byte) 140, 88,
        0, 8, 0, 0, (byte) 255, (byte) 255, 46, (byte) 175, (byte) 181, (byte) 239, 0, 4, 0, 0,
    };

    /** The digest of {@link #gzippedEmptyLayer()}. */
    public static final Digest GZIPPED_EMPTY_LAYER_DIGEST =
            Digest.of("sha256:a3ed95caeb02ffe68cdd9fd84406680ae93d633cb16422d00e8a7c22955b46d4");

    private static final ObjectMapper LENIENT = JsonMapper.builder().build();

    private Schema1Conversions() {
    }

    /** The bytes of the gzipped empty layer blob. */
    public static byte[] gzippedEmptyLayer() {
        return GZIPPED_EMPTY_LAYER.clone();
    }

    /**
     * A schema1 manifest for an image.
     *
     * @param manifest the (unsigned) manifest; {@link Schema1Manifest#serialize()} signs it
     * @param usesEmptyLayer whether it refers to the gzipped empty layer, which the destination must then get
     */
    public record ToSchema1(Schema1Manifest manifest, boolean usesEmptyLayer) {
    }

    /**
     * Converts an image to schema1. Each history entry of the config becomes one fsLayer: entries marked
     * {@code empty_layer} get the gzipped empty layer, the others the image's layers in order. The v1 IDs chain
     * through SHA-256 of the <em>source</em> layer digests, as containers/image computes them; the top entry carries
     * the config itself.
     *
     * @param config the image config blob
     * @param sourceLayers the source manifest's layer digests, root first
     * @param destLayers the digests of the same layers as stored at the destination (the blobSums written)
     * @param destRef the destination's Docker reference; its path and tag become the manifest's name and tag
     */
    public static ToSchema1 toSchema1(byte[] config, List<Digest> sourceLayers, List<Digest> destLayers,
            Optional<DockerReference> destRef) throws ImageException {
        if (sourceLayers.size() != destLayers.size()) {
            throw new IllegalArgumentException("layer lists differ in length");
        }
        JsonNode cfg = readConfig(config);
        List<HistoryEntry> history = configHistory(cfg);
        String architecture = string(cfg, "architecture", "Schema2V1Image.architecture");
        if (history.isEmpty()) {
            throw ImageException.invalid("Cannot convert an image with 0 history entries to "
                    + MediaTypes.DOCKER_V2S1_SIGNED);
        }
        int n = history.size();
        Digest[] fsSource = new Digest[n];
        Digest[] fsLayers = new Digest[n];
        String[] v1Compat = new String[n];
        int nonEmpty = 0;
        boolean usesEmpty = false;
        String parentV1Id = "";
        String v1Id = "";
        for (int v2Index = 0; v2Index < n; v2Index++) {
            HistoryEntry h = history.get(v2Index);
            parentV1Id = v1Id;
            int v1Index = n - 1 - v2Index;
            Digest blob;
            Digest stored;
            if (h.emptyLayer()) {
                blob = GZIPPED_EMPTY_LAYER_DIGEST;
                stored = GZIPPED_EMPTY_LAYER_DIGEST;
                usesEmpty = true;
            } else {
                if (nonEmpty >= sourceLayers.size()) {
                    throw ImageException.invalid("Invalid image configuration, needs more than the "
                            + sourceLayers.size() + " distributed layers");
                }
                blob = sourceLayers.get(nonEmpty);
                stored = destLayers.get(nonEmpty);
                nonEmpty++;
            }
            v1Id = v1Id(blob, parentV1Id.getBytes(StandardCharsets.UTF_8));
            Schema1V1Compatibility fake = new Schema1V1Compatibility(v1Id, parentV1Id, h.comment(), h.created(),
                    List.of(h.createdBy()), h.author(), h.emptyLayer());
            fsSource[v1Index] = blob;
            fsLayers[v1Index] = stored;
            v1Compat[v1Index] = fake.toGoJson();
        }
        // The top entry (v1Index 0) holds the real config; its ID also covers the config bytes.
        v1Id = v1Id(fsSource[0], parentV1Id.getBytes(StandardCharsets.UTF_8), config);
        RawJsonObject top = RawJsonObject.parse(config, "image config");
        top.remove("rootfs");
        top.remove("history");
        top.put("id", v1Id);
        if (!parentV1Id.isEmpty()) {
            top.put("parent", parentV1Id);
        }
        if (history.get(n - 1).emptyLayer()) {
            top.put("throwaway", true);
        }
        v1Compat[0] = new String(top.marshal(), StandardCharsets.UTF_8);

        String name = "";
        String tag = "";
        if (destRef.isPresent()) {
            name = destRef.get().path();
            tag = destRef.get().tag().orElse("");
        }
        return new ToSchema1(new Schema1Manifest(name, tag, architecture, List.of(fsLayers), List.of(v1Compat), true),
                usesEmpty);
    }

    /**
     * The Docker image config of a schema1 image: the top history entry's v1Compatibility without the v1-only
     * fields, plus {@code history} (one entry per fsLayer) and {@code rootfs} with the given DiffIDs.
     *
     * @param diffIds the DiffIDs (uncompressed digests) of the layers not marked throwaway, root first
     */
    public static byte[] toSchema2Config(Schema1Manifest m, List<Digest> diffIds) throws ImageException {
        List<String> compat = m.v1CompatibilityTopFirst();
        if (compat.isEmpty()) {
            throw ImageException.invalid("image has no layers");
        }
        byte[] config = compat.get(0).getBytes(StandardCharsets.UTF_8);
        JsonNode s1;
        try {
            s1 = LENIENT.readTree(config);
        } catch (IOException e) {
            throw ImageException.invalid("decoding configuration: " + e.getMessage(), e);
        }
        if (s1 == null || !s1.isObject()) {
            throw ImageException.invalid("decoding configuration: json: cannot unmarshal non-object into Go value "
                    + "of type manifest.Schema2V1Image");
        }
        // Go decodes the entry into a Schema2V1Image first (so type errors fail the conversion), and for images
        // made by Docker before 1.8.3 uses that re-encoding instead of the entry.
        byte[] reencoded = LegacyV1Image.reencode(s1);
        JsonNode dv = Schema1V1Compatibility.field(s1, "docker_version");
        String dockerVersion = dv != null && dv.isTextual() ? dv.asText() : "";
        if (!dockerVersion.isEmpty() && versionLessThan(dockerVersion, "1.8.3")) {
            config = reencoded;
        }
        List<Object> hist = new ArrayList<>();
        for (Schema1V1Compatibility c : m.historyRootFirst()) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("created", Schema1V1Compatibility.formatTime(c.created()));
            if (!c.author().isEmpty()) {
                h.put("author", c.author());
            }
            String createdBy = c.cmd() == null ? "" : String.join(" ", c.cmd());
            if (!createdBy.isEmpty()) {
                h.put("created_by", createdBy);
            }
            if (!c.comment().isEmpty()) {
                h.put("comment", c.comment());
            }
            if (c.throwAway()) {
                h.put("empty_layer", true);
            }
            hist.add(h);
        }
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        if (!diffIds.isEmpty()) {
            rootfs.put("diff_ids", diffIds.stream().map(Digest::toString).toList());
        }
        RawJsonObject raw = RawJsonObject.parse(config, "compat image config");
        for (String k : List.of("id", "parent", "parent_id", "layer_id", "throwaway", "Size")) {
            raw.remove(k);
        }
        raw.put("rootfs", rootfs);
        raw.put("history", hist);
        return raw.marshal();
    }

    /** A history entry of a config ({@code manifest.Schema2History}). */
    private record HistoryEntry(OffsetDateTime created, String author, String createdBy, String comment,
            boolean emptyLayer) {
    }

    private static JsonNode readConfig(byte[] config) throws ImageException {
        JsonNode n;
        try {
            n = LENIENT.readTree(config);
        } catch (IOException e) {
            throw ImageException.invalid("parsing image config: " + e.getMessage(), e);
        }
        if (n == null || !n.isObject()) {
            throw ImageException.invalid("json: cannot unmarshal non-object into Go value of type manifest.Schema2Image");
        }
        return n;
    }

    private static List<HistoryEntry> configHistory(JsonNode cfg) throws ImageException {
        List<HistoryEntry> out = new ArrayList<>();
        JsonNode h = Schema1V1Compatibility.field(cfg, "history");
        if (h == null || h.isNull()) {
            return out;
        }
        if (!h.isArray()) {
            throw typeError("Schema2Image.history", "[]manifest.Schema2History");
        }
        for (JsonNode e : h) {
            if (e.isNull()) {
                out.add(new HistoryEntry(null, "", "", "", false));
                continue;
            }
            if (!e.isObject()) {
                throw typeError("Schema2Image.history", "manifest.Schema2History");
            }
            OffsetDateTime created = null;
            JsonNode c = Schema1V1Compatibility.field(e, "created");
            if (c != null && !c.isNull()) {
                created = c.isTextual() ? GoTime.parse(c.asText()) : null;
                if (created == null) {
                    throw ImageException.invalid("parsing time " + c + " as \"\\\"2006-01-02T15:04:05Z07:00\\\"\"");
                }
            }
            JsonNode el = Schema1V1Compatibility.field(e, "empty_layer");
            if (el != null && !el.isNull() && !el.isBoolean()) {
                throw typeError("Schema2Image.history.empty_layer", "bool");
            }
            out.add(new HistoryEntry(created, string(e, "author", "Schema2History.author"),
                    string(e, "created_by", "Schema2History.created_by"), string(e, "comment", "Schema2History.comment"),
                    el != null && el.asBoolean(false)));
        }
        return out;
    }

    private static String string(JsonNode n, String field, String goField) throws ImageException {
        JsonNode v = Schema1V1Compatibility.field(n, field);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw typeError(goField, "string");
        }
        return v.asText();
    }

    private static ImageException typeError(String goField, String goType) {
        return new ImageException(ErrorCode.INVALID_INPUT, "json: cannot unmarshal into Go struct field " + goField
                + " of type " + goType);
    }

    /** containers/image's v1 ID: hex SHA-256 of the blob digest's hex and the other parts, joined by spaces. */
    static String v1Id(Digest blob, byte[]... others) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(blob.encoded().getBytes(StandardCharsets.US_ASCII));
        for (byte[] o : others) {
            b.write(' ');
            b.writeBytes(o);
        }
        return Digest.sha256(b.toByteArray()).encoded();
    }

    /** Docker's {@code versions.LessThan}: dotted numeric versions, non-numbers count as 0, missing parts as 0. */
    static boolean versionLessThan(String v, String other) {
        String[] a = v.split("\\.", -1);
        String[] b = other.split("\\.", -1);
        int n = Math.max(a.length, b.length);
        for (int i = 0; i < n; i++) {
            long x = i < a.length ? atoi(a[i]) : 0;
            long y = i < b.length ? atoi(b[i]) : 0;
            if (x != y) {
                return x < y;
            }
        }
        return false;
    }

    private static long atoi(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
