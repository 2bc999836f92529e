package dev.kopi.transport.storage;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The records of {@code layers.json} and {@code images.json}, c/storage's {@code Layer} and {@code Image} structs.
 * Each record stays the JSON object it was read as (field order and fields kopi does not know are kept when the
 * file is written back); the accessors read the fields c/storage defines.
 */
final class StoreRecords {
    static final ObjectMapper JSON = JsonMapper.builder().build();
    static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private StoreRecords() {
    }

    /**
     * Parses a JSON array of records as c/storage's {@code Load} does: empty or missing data is an empty list, and
     * anything else that is not an array of objects fails ({@code what} names the file in the message).
     */
    static List<ObjectNode> parseArray(byte[] data, String what) throws ImageException {
        List<ObjectNode> out = new ArrayList<>();
        if (data == null || data.length == 0) {
            return out;
        }
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (java.io.IOException e) {
            throw ImageException.invalid("parsing " + what + ": " + cleanJacksonMessage(e), e);
        }
        if (root == null || root.isNull() || root.isMissingNode()) {
            return out;
        }
        if (!root.isArray()) {
            throw ImageException.invalid("parsing " + what + ": json: cannot unmarshal " + kind(root)
                    + " into Go value of type []*storage." + (what.endsWith("images.json") ? "Image" : "Layer"));
        }
        for (JsonNode n : root) {
            if (n.isNull()) {
                continue;
            }
            if (!n.isObject()) {
                throw ImageException.invalid("parsing " + what + ": json: cannot unmarshal " + kind(n)
                        + " into Go value of type storage." + (what.endsWith("images.json") ? "Image" : "Layer"));
            }
            if (!n.path("id").isTextual()) {
                throw ImageException.invalid("parsing " + what + ": a record has no \"id\"");
            }
            out.add((ObjectNode) n);
        }
        return out;
    }

    private static String kind(JsonNode n) {
        if (n.isObject()) {
            return "object";
        }
        if (n.isTextual()) {
            return "string";
        }
        if (n.isNumber()) {
            return "number";
        }
        if (n.isBoolean()) {
            return "bool";
        }
        return "array";
    }

    private static String cleanJacksonMessage(java.io.IOException e) {
        String m = e instanceof JsonProcessingException jp ? jp.getOriginalMessage() : e.getMessage();
        return m == null ? e.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    /** The records as c/storage writes the file: one compact JSON array. */
    static byte[] serialize(List<ObjectNode> records) throws ImageException {
        ArrayNode arr = NODES.arrayNode();
        arr.addAll(records);
        try {
            return JSON.writeValueAsBytes(arr);
        } catch (JsonProcessingException e) {
            throw ImageException.invalid("encoding store records: " + e.getOriginalMessage(), e);
        }
    }

    static String text(ObjectNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.isTextual() ? v.asText() : "";
    }

    static long number(ObjectNode n, String field, long dflt) {
        JsonNode v = n.get(field);
        return v != null && v.isNumber() ? v.asLong() : dflt;
    }

    static List<String> strings(ObjectNode n, String field) {
        List<String> out = new ArrayList<>();
        JsonNode v = n.get(field);
        if (v != null && v.isArray()) {
            for (JsonNode s : v) {
                if (s.isTextual()) {
                    out.add(s.asText());
                }
            }
        }
        return out;
    }

    static void putStrings(ObjectNode n, String field, List<String> values) {
        if (values.isEmpty()) {
            n.remove(field);
            return;
        }
        ArrayNode a = n.putArray(field);
        values.forEach(a::add);
    }

    /** Go's {@code time.Now().UTC()} as its JSON encoder writes it. */
    static String now() {
        return GoTime.format(Instant.now().atOffset(ZoneOffset.UTC));
    }

    // ---- layers ----

    static String id(ObjectNode r) {
        return text(r, "id");
    }

    static String parent(ObjectNode layer) {
        return text(layer, "parent");
    }

    static String diffDigest(ObjectNode layer) {
        return text(layer, "diff-digest");
    }

    static String compressedDigest(ObjectNode layer) {
        return text(layer, "compressed-diff-digest");
    }

    static boolean incomplete(ObjectNode layer) {
        JsonNode f = layer.path("flags").path("incomplete");
        return f.isBoolean() && f.asBoolean();
    }

    // ---- images ----

    static String topLayer(ObjectNode image) {
        return text(image, "layer");
    }

    static List<String> names(ObjectNode r) {
        return strings(r, "names");
    }

    /** big-data-digests, in the order of big-data-names. */
    static Map<String, String> bigDataDigests(ObjectNode image) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        JsonNode d = image.path("big-data-digests");
        for (Iterator<Map.Entry<String, JsonNode>> it = d.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isTextual()) {
                out.put(e.getKey(), e.getValue().asText());
            }
        }
        return out;
    }

    /**
     * The digests an image can be found by (c/storage's {@code recomputeDigests}): its {@code digest}, then the
     * digests of big-data items whose names start with "manifest".
     */
    static List<String> imageDigests(ObjectNode image) {
        List<String> out = new ArrayList<>();
        String d = text(image, "digest");
        if (!d.isEmpty()) {
            out.add(d);
        }
        for (Map.Entry<String, String> e : bigDataDigests(image).entrySet()) {
            if (e.getKey().startsWith("manifest") && !out.contains(e.getValue())) {
                out.add(e.getValue());
            }
        }
        return out;
    }

    static Optional<ObjectNode> byId(List<ObjectNode> records, String id) {
        for (ObjectNode r : records) {
            if (id(r).equals(id)) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * c/storage's lookup by ID, then by name, then by unique ID prefix (its truncindex: an ambiguous prefix finds
     * nothing).
     */
    static Optional<ObjectNode> lookup(List<ObjectNode> records, String idOrName) {
        if (idOrName.isEmpty()) {
            return Optional.empty();
        }
        Optional<ObjectNode> r = byId(records, idOrName);
        if (r.isPresent()) {
            return r;
        }
        for (ObjectNode n : records) {
            if (names(n).contains(idOrName)) {
                return Optional.of(n);
            }
        }
        ObjectNode found = null;
        for (ObjectNode n : records) {
            if (id(n).startsWith(idOrName)) {
                if (found != null) {
                    return Optional.empty();
                }
                found = n;
            }
        }
        return Optional.ofNullable(found);
    }
}
