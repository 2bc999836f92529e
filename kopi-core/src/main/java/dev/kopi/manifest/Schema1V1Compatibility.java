package dev.kopi.manifest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoJson;
import dev.kopi.json.GoTime;
import java.io.IOException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fields of a schema1 {@code v1Compatibility} history entry that containers/image reads
 * ({@code manifest.Schema1V1Compatibility}); the entry itself holds much more (the top one a whole config).
 *
 * @param created null for Go's zero time (absent or {@code null})
 * @param cmd {@code container_config.Cmd}; null when absent
 */
public record Schema1V1Compatibility(String id, String parent, String comment, OffsetDateTime created,
        List<String> cmd, String author, boolean throwAway) {
    /** Go's zero {@code time.Time}, as it marshals. */
    public static final String ZERO_TIME = "0001-01-01T00:00:00Z";

    /** A lenient reader, as Go's {@code json.Unmarshal} (duplicate keys: the last wins). */
    static final ObjectMapper LENIENT = JsonMapper.builder().build();

    public Schema1V1Compatibility {
        id = id == null ? "" : id;
        parent = parent == null ? "" : parent;
        comment = comment == null ? "" : comment;
        author = author == null ? "" : author;
        cmd = cmd == null ? null : List.copyOf(cmd);
    }

    /**
     * Parses a v1Compatibility string as containers/image does (Go field names match case-insensitively).
     *
     * @param index the entry's index in the manifest's history, for error messages
     */
    public static Schema1V1Compatibility parse(String v1Compatibility, int index) throws ImageException {
        JsonNode n;
        try {
            n = LENIENT.readTree(v1Compatibility);
        } catch (IOException e) {
            throw historyError(index, "invalid JSON: " + firstLine(e.getMessage()), e);
        }
        if (n == null || !n.isObject()) {
            throw historyError(index, "json: cannot unmarshal " + goKind(n)
                    + " into Go value of type manifest.Schema1V1Compatibility", null);
        }
        String id = string(n, "id", index);
        String parent = string(n, "parent", index);
        String comment = string(n, "comment", index);
        OffsetDateTime created = time(n, "created", index);
        List<String> cmd = null;
        JsonNode cc = field(n, "container_config");
        if (cc != null && !cc.isNull()) {
            if (!cc.isObject()) {
                throw typeError(index, cc, "container_config", "manifest.schema1V1CompatibilityContainerConfig");
            }
            JsonNode c = field(cc, "Cmd");
            if (c != null && !c.isNull()) {
                if (!c.isArray()) {
                    throw containerConfigError(index, c, "[]string");
                }
                cmd = new ArrayList<>();
                for (JsonNode e : c) {
                    if (!e.isNull() && !e.isTextual()) {
                        throw containerConfigError(index, e, "string");
                    }
                    cmd.add(e.isNull() ? "" : e.asText());
                }
            }
        }
        String author = string(n, "author", index);
        boolean throwAway = false;
        JsonNode t = field(n, "throwaway");
        if (t != null && !t.isNull()) {
            if (!t.isBoolean()) {
                throw typeError(index, t, "throwaway", "bool");
            }
            throwAway = t.asBoolean();
        }
        return new Schema1V1Compatibility(id, parent, comment, created, cmd, author, throwAway);
    }

    /** This entry as Go marshals {@code Schema1V1Compatibility}: the v1Compatibility of a converted layer. */
    public String toGoJson() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", id);
        if (!parent.isEmpty()) {
            m.put("parent", parent);
        }
        if (!comment.isEmpty()) {
            m.put("comment", comment);
        }
        m.put("created", created == null ? ZERO_TIME : GoTime.format(created));
        Map<String, Object> cc = new LinkedHashMap<>();
        cc.put("Cmd", cmd);
        m.put("container_config", cc);
        if (!author.isEmpty()) {
            m.put("author", author);
        }
        if (throwAway) {
            m.put("throwaway", true);
        }
        return new String(GoJson.marshal(m), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Go's time marshalling, with the zero time for null. */
    public static String formatTime(OffsetDateTime t) {
        return t == null ? ZERO_TIME : GoTime.format(t);
    }

    /**
     * The member Go's decoder would store into a struct field named {@code name}: the last member whose name
     * equals it ignoring case; null when there is none.
     */
    public static JsonNode field(JsonNode object, String name) {
        JsonNode found = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name)) {
                found = e.getValue();
            }
        }
        return found;
    }

    private static String string(JsonNode n, String name, int index) throws ImageException {
        JsonNode v = field(n, name);
        if (v == null || v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw typeError(index, v, name, "string");
        }
        return v.asText();
    }

    private static OffsetDateTime time(JsonNode n, String name, int index) throws ImageException {
        JsonNode v = field(n, name);
        if (v == null || v.isNull()) {
            return null;
        }
        OffsetDateTime t = v.isTextual() ? GoTime.parse(v.asText()) : null;
        if (t == null) {
            throw historyError(index, "parsing time " + v + " as \"\\\"2006-01-02T15:04:05Z07:00\\\"\"", null);
        }
        if (t.getYear() == 1 && t.getDayOfYear() == 1 && t.toLocalTime().toNanoOfDay() == 0
                && t.getOffset().equals(ZoneOffset.UTC)) {
            return null;
        }
        return t;
    }

    private static ImageException typeError(int index, JsonNode v, String field, String goType) {
        return historyError(index, "json: cannot unmarshal " + goKind(v)
                + " into Go struct field Schema1V1Compatibility." + field + " of type " + goType, null);
    }

    private static ImageException containerConfigError(int index, JsonNode v, String goType) {
        return historyError(index, "json: cannot unmarshal " + goKind(v) + " into Go struct field "
                + "schema1V1CompatibilityContainerConfig.container_config.Cmd of type " + goType, null);
    }

    private static ImageException historyError(int index, String message, Throwable cause) {
        return new ImageException(ErrorCode.INVALID_INPUT, "parsing v2s1 history entry " + index + ": " + message,
                cause);
    }

    /** The JSON kind as Go's UnmarshalTypeError names it. */
    static String goKind(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
        }
        if (n.isObject()) {
            return "object";
        }
        if (n.isArray()) {
            return "array";
        }
        if (n.isTextual()) {
            return "string";
        }
        if (n.isBoolean()) {
            return "bool";
        }
        return "number";
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }
}
