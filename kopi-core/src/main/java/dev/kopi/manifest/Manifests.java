package dev.kopi.manifest;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** MIME type detection, digests (schema1-aware) and parsing of manifests. */
public final class Manifests {
    /** A strict mapper: duplicate keys and data after the document (Go's json.Unmarshal rejects it) are errors. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .build();

    private Manifests() {
    }

    /** Reads a JSON document, mapping syntax errors to INVALID_INPUT. */
    public static JsonNode readTree(byte[] bytes, String what) throws ImageException {
        try {
            JsonNode n = JSON.readTree(bytes);
            if (n == null || n.isMissingNode()) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "parsing " + what + ": unexpected end of JSON input");
            }
            return n;
        } catch (IOException e) {
            if (e instanceof ImageException ie) {
                throw ie;
            }
            throw new ImageException(ErrorCode.INVALID_INPUT, "parsing " + what + ": " + firstLine(e.getMessage()), e);
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "invalid JSON";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }

    /**
     * Guesses the MIME type of a manifest from its content (containers/image's GuessMIMEType); "" when unknown.
     */
    public static String guessMimeType(byte[] manifest) {
        JsonNode n;
        try {
            n = JSON.readTree(manifest);
        } catch (IOException e) {
            return "";
        }
        if (n == null || !n.isObject()) {
            return "";
        }
        String mt = text(n, "mediaType");
        switch (mt) {
            case MediaTypes.DOCKER_V2S2, MediaTypes.DOCKER_V2_LIST, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX:
                return mt;
            default:
                break;
        }
        JsonNode sv = field(n, "schemaVersion");
        int version = sv != null && sv.isInt() ? sv.asInt() : 0;
        if (version == 1) {
            JsonNode sigs = field(n, "signatures");
            return sigs != null && !sigs.isNull() ? MediaTypes.DOCKER_V2S1_SIGNED : MediaTypes.DOCKER_V2S1;
        }
        if (version == 2) {
            JsonNode config = field(n, "config");
            String configMt = config != null && config.isObject() ? text(config, "mediaType") : "";
            if (MediaTypes.OCI_CONFIG.equals(configMt)) {
                return MediaTypes.OCI_MANIFEST;
            }
            if (MediaTypes.DOCKER_CONFIG.equals(configMt)) {
                return MediaTypes.DOCKER_V2S2;
            }
            JsonNode manifests = field(n, "manifests");
            if (manifests != null && manifests.isArray() && manifests.size() != 0) {
                return configMt.isEmpty() ? MediaTypes.OCI_INDEX : configMt;
            }
            return MediaTypes.OCI_MANIFEST;
        }
        return "";
    }

    /** containers/image's NormalizedMIMEType: unknown and {@code application/json} mean schema1 signed. */
    public static String normalizedMimeType(String input) {
        String mt = MediaTypes.normalize(input);
        if (mt == null) {
            return MediaTypes.DOCKER_V2S1_SIGNED;
        }
        return switch (mt) {
            case MediaTypes.DOCKER_V2S1, MediaTypes.DOCKER_V2S1_SIGNED, MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
                    MediaTypes.DOCKER_V2S2, MediaTypes.DOCKER_V2_LIST -> mt;
            default -> MediaTypes.DOCKER_V2S1_SIGNED;
        };
    }

    /** The MIME type of a manifest: the transport's (normalized) when given, else guessed from content. */
    public static String effectiveMimeType(byte[] manifest, String transportMimeType) {
        String mt = MediaTypes.normalize(transportMimeType);
        if (mt == null || mt.isEmpty()) {
            mt = guessMimeType(manifest);
        }
        return mt;
    }

    /** The manifest digest: sha256 over the bytes, or over the JWS payload for signed schema1. */
    public static Digest digest(byte[] manifest) throws ImageException {
        return digest(manifest, DigestAlgorithm.SHA256);
    }

    public static Digest digest(byte[] manifest, DigestAlgorithm algorithm) throws ImageException {
        byte[] payload = manifest;
        if (MediaTypes.DOCKER_V2S1_SIGNED.equals(guessMimeType(manifest))) {
            payload = schema1Payload(manifest);
        }
        return Digest.compute(algorithm, payload);
    }

    /** Whether the manifest matches the digest (with that digest's algorithm). */
    public static boolean matchesDigest(byte[] manifest, Digest expected) throws ImageException {
        return digest(manifest, expected.algorithm()).equals(expected);
    }

    /**
     * The payload of a signed schema1 manifest (libtrust pretty signature): the bytes up to each signature's
     * protected {@code formatLength}, followed by its decoded {@code formatTail}. All signatures must agree.
     */
    static byte[] schema1Payload(byte[] manifest) throws ImageException {
        JsonNode n = readTree(manifest, "schema1 manifest");
        JsonNode sigs = n.get("signatures");
        if (sigs == null || !sigs.isArray() || sigs.isEmpty()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "missing signature key");
        }
        byte[] result = null;
        for (JsonNode sig : sigs) {
            String prot = text(sig, "protected");
            JsonNode header;
            try {
                header = JSON.readTree(Base64.getUrlDecoder().decode(padBase64(prot)));
            } catch (IOException | IllegalArgumentException e) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "invalid schema1 signature protected header", e);
            }
            JsonNode fl = header == null ? null : header.get("formatLength");
            String tail = header == null ? "" : text(header, "formatTail");
            if (fl == null || !fl.canConvertToInt() || fl.asInt() < 0 || fl.asInt() > manifest.length) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "invalid schema1 signature format length");
            }
            byte[] tailBytes;
            try {
                tailBytes = Base64.getUrlDecoder().decode(padBase64(tail));
            } catch (IllegalArgumentException e) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "invalid schema1 signature format tail", e);
            }
            byte[] payload = new byte[fl.asInt() + tailBytes.length];
            System.arraycopy(manifest, 0, payload, 0, fl.asInt());
            System.arraycopy(tailBytes, 0, payload, fl.asInt(), tailBytes.length);
            if (result != null && !java.util.Arrays.equals(result, payload)) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "schema1 signatures cover different payloads");
            }
            result = payload;
        }
        return result;
    }

    private static String padBase64(String s) {
        String t = s.replace("=", "");
        return switch (t.length() % 4) {
            case 2 -> t + "==";
            case 3 -> t + "=";
            default -> t;
        };
    }

    /** Parses a manifest of the given MIME type (normalized as containers/image does). */
    public static Manifest parse(byte[] manifest, String mimeType) throws ImageException {
        String mt = normalizedMimeType(mimeType);
        JsonNode n = readTree(manifest, "manifest");
        if (!n.isObject()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parsing manifest: not a JSON object");
        }
        return switch (mt) {
            case MediaTypes.DOCKER_V2S2 -> {
                checkUnambiguous(n, mt, "config", "layers");
                yield new Schema2Manifest(descriptor(requireObject(n, "config")), descriptors(field(n, "layers")));
            }
            case MediaTypes.OCI_MANIFEST -> {
                checkMediaTypeField(n, mt);
                checkUnambiguous(n, mt, "config", "layers");
                JsonNode subject = field(n, "subject");
                yield new OciManifest(text(n, "mediaType"), text(n, "artifactType"),
                        descriptor(requireObject(n, "config")), descriptors(field(n, "layers")),
                        subject == null || subject.isNull() ? null : descriptor(subject), stringMap(field(n, "annotations")));
            }
            case MediaTypes.DOCKER_V2_LIST -> {
                checkUnambiguous(n, mt, "manifests");
                yield new Schema2List(descriptors(field(n, "manifests")));
            }
            case MediaTypes.OCI_INDEX -> {
                checkMediaTypeField(n, mt);
                checkUnambiguous(n, mt, "manifests");
                JsonNode subject = field(n, "subject");
                yield new OciIndex(text(n, "mediaType"), text(n, "artifactType"), descriptors(field(n, "manifests")),
                        subject == null || subject.isNull() ? null : descriptor(subject), stringMap(field(n, "annotations")));
            }
            default -> parseSchema1(n, manifest, mt);
        };
    }

    private static void checkMediaTypeField(JsonNode n, String expected) throws ImageException {
        String field = text(n, "mediaType");
        if (!field.isEmpty() && !field.equals(expected)) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "Manifest has mediaType " + quote(field)
                    + ", expected " + quote(expected));
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static void checkUnambiguous(JsonNode n, String mt, String... allowed) throws ImageException {
        List<String> unexpected = new ArrayList<>();
        List<String> allow = List.of(allowed);
        for (String f : List.of("config", "fsLayers", "history", "layers", "manifests")) {
            JsonNode v = field(n, f);
            if (v != null && !v.isNull() && !allow.contains(f)) {
                unexpected.add(f);
            }
        }
        if (!unexpected.isEmpty()) {
            StringBuilder sb = new StringBuilder("[]string{");
            for (int i = 0; i < unexpected.size(); i++) {
                sb.append(i > 0 ? ", " : "").append('"').append(unexpected.get(i)).append('"');
            }
            sb.append('}');
            throw new ImageException(ErrorCode.INVALID_INPUT, "rejecting ambiguous manifest, unexpected fields "
                    + sb + " in supposedly " + mt);
        }
    }

    private static Schema1Manifest parseSchema1(JsonNode n, byte[] raw, String mt) throws ImageException {
        JsonNode sv = field(n, "schemaVersion");
        if (sv == null || !sv.isInt() || sv.asInt() != 1) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "unsupported schema version " + (sv == null ? 0 : sv));
        }
        // containers/image checks schema1 as the signed type, whatever MIME type it came with
        checkUnambiguous(n, MediaTypes.DOCKER_V2S1_SIGNED, "fsLayers", "history");
        List<Digest> layers = new ArrayList<>();
        JsonNode fs = field(n, "fsLayers");
        if (fs != null && fs.isArray()) {
            for (JsonNode l : fs) {
                layers.add(parseDigest(text(l, "blobSum")));
            }
        }
        List<String> history = new ArrayList<>();
        JsonNode h = field(n, "history");
        if (h != null && h.isArray()) {
            for (JsonNode e : h) {
                history.add(text(e, "v1Compatibility"));
            }
        }
        if (layers.size() != history.size()) {
            throw new ImageException(ErrorCode.INVALID_INPUT,
                    "length of history not equal to number of layers");
        }
        if (layers.isEmpty()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "no FSLayers in manifest");
        }
        List<Schema1V1Compatibility> compat = new ArrayList<>();
        for (int i = 0; i < history.size(); i++) {
            compat.add(Schema1V1Compatibility.parse(history.get(i), i));
        }
        fixManifestLayers(layers, history, compat);
        return new Schema1Manifest(text(n, "name"), text(n, "tag"), text(n, "architecture"), layers, history,
                field(n, "signatures") != null);
    }

    private static final java.util.regex.Pattern V1_ID = java.util.regex.Pattern.compile("[a-f0-9]{64}");

    /**
     * containers/image's {@code fixManifestLayers}: validates the v1 IDs and their parent chain, and drops all but
     * the newest of consecutive entries with the same ID (from history and fsLayers alike). Lists are top first.
     */
    private static void fixManifestLayers(List<Digest> layers, List<String> history,
            List<Schema1V1Compatibility> compat) throws ImageException {
        for (Schema1V1Compatibility c : compat) {
            if (!V1_ID.matcher(c.id()).matches()) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "image ID " + quote(c.id()) + " is invalid");
            }
        }
        if (!compat.get(compat.size() - 1).parent().isEmpty()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "Invalid parent ID in the base layer of the image");
        }
        java.util.Set<String> seen = new java.util.HashSet<>();
        String last = null;
        for (Schema1V1Compatibility c : compat) {
            if (!c.id().equals(last) && seen.contains(c.id())) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "ID " + c.id() + " appears multiple times in manifest");
            }
            last = c.id();
            seen.add(last);
        }
        for (int i = compat.size() - 2; i >= 0; i--) {
            if (compat.get(i).id().equals(compat.get(i + 1).id())) {
                layers.remove(i);
                history.remove(i);
                compat.remove(i);
            } else if (!compat.get(i).parent().equals(compat.get(i + 1).id())) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "Invalid parent ID. Expected "
                        + compat.get(i + 1).id() + ", got " + quote(compat.get(i).parent()));
            }
        }
    }

    private static JsonNode requireObject(JsonNode n, String field) throws ImageException {
        JsonNode v = field(n, field);
        if (v == null || v.isNull()) {
            return JSON.createObjectNode();
        }
        if (!v.isObject()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parsing manifest: " + field + " is not an object");
        }
        return v;
    }

    static List<Descriptor> descriptors(JsonNode arr) throws ImageException {
        List<Descriptor> out = new ArrayList<>();
        if (arr == null || arr.isNull()) {
            return out;
        }
        if (!arr.isArray()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parsing manifest: expected an array of descriptors");
        }
        for (JsonNode d : arr) {
            out.add(descriptor(d));
        }
        return out;
    }

    /** Parses one descriptor object (OCI or Docker field names; they are the same). */
    public static Descriptor descriptor(JsonNode d) throws ImageException {
        if (!d.isObject()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parsing manifest: a descriptor is not an object");
        }
        String dg = text(d, "digest");
        JsonNode size = field(d, "size");
        if (size != null && !size.isNull() && !size.canConvertToLong()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parsing manifest: invalid descriptor size " + size);
        }
        JsonNode p = field(d, "platform");
        Platform platform = null;
        if (p != null && p.isObject()) {
            platform = new Platform(text(p, "architecture"), text(p, "os"), text(p, "os.version"),
                    stringList(field(p, "os.features")), text(p, "variant"), stringList(field(p, "features")));
        }
        return new Descriptor(text(d, "mediaType"), dg.isEmpty() ? null : parseDigest(dg),
                size == null || size.isNull() ? 0 : size.asLong(), stringList(field(d, "urls")),
                stringMap(field(d, "annotations")), text(d, "data"), platform, text(d, "artifactType"));
    }

    private static Digest parseDigest(String s) throws ImageException {
        try {
            return Digest.parse(s);
        } catch (ImageException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parsing manifest: digest " + quote(s) + ": "
                    + e.getMessage(), e);
        }
    }

    static String text(JsonNode n, String field) {
        JsonNode v = field(n, field);
        return v == null || v.isNull() ? "" : v.asText();
    }

    /**
     * A member of an object as Go's encoding/json finds it for a struct field: the name matches case-insensitively,
     * and of several matching keys the last one wins. Manifests are read this way (so a key spelled "Layers" means
     * the layers), as containers/image reads them.
     */
    public static JsonNode field(JsonNode n, String name) {
        if (n == null || !n.isObject()) {
            return null;
        }
        JsonNode found = null;
        for (var it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                found = e.getValue();
            }
        }
        return found;
    }

    static List<String> stringList(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n != null && n.isArray()) {
            for (JsonNode e : n) {
                out.add(e.asText());
            }
        }
        return out;
    }

    static Map<String, String> stringMap(JsonNode n) {
        Map<String, String> out = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        }
        return out;
    }

    /** For error messages: the bytes as UTF-8 text. */
    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
