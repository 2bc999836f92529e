package dev.kopi.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoJson;
import dev.kopi.json.GoTime;
import dev.kopi.manifest.Schema1V1Compatibility;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The top v1Compatibility of a schema1 image decoded into containers/image's {@code manifest.Schema2V1Image} and
 * encoded again, as {@code ToSchema2Config} does for images made by Docker older than 1.8.3 (their configs lack
 * fields that are not {@code omitempty}). Go's decoding rules apply: field names match case-insensitively, unknown
 * members are dropped, a {@code StrSlice} takes a string or an array.
 */
final class LegacyV1Image {
    private LegacyV1Image() {
    }

    static byte[] reencode(JsonNode s1) throws ImageException {
        Map<String, Object> m = new LinkedHashMap<>();
        putString(m, s1, "id", true);
        putString(m, s1, "parent", true);
        putString(m, s1, "comment", true);
        JsonNode created = Schema1V1Compatibility.field(s1, "created");
        OffsetDateTime t = null;
        if (created != null && !created.isNull()) {
            t = created.isTextual() ? GoTime.parse(created.asText()) : null;
            if (t == null) {
                throw fail("parsing time " + created + " as \"\\\"2006-01-02T15:04:05Z07:00\\\"\"");
            }
        }
        m.put("created", Schema1V1Compatibility.formatTime(t));
        putString(m, s1, "container", true);
        JsonNode cc = Schema1V1Compatibility.field(s1, "container_config");
        m.put("container_config", config(cc == null || cc.isNull() ? null : cc));
        putString(m, s1, "docker_version", true);
        putString(m, s1, "author", true);
        JsonNode c = Schema1V1Compatibility.field(s1, "config");
        if (c != null && !c.isNull()) {
            m.put("config", config(c));
        }
        putString(m, s1, "architecture", true);
        putString(m, s1, "variant", true);
        putString(m, s1, "os", true);
        long size = integer(Schema1V1Compatibility.field(s1, "Size"), "Size");
        if (size != 0) {
            m.put("Size", size);
        }
        return GoJson.marshal(m);
    }

    /** A {@code Schema2Config}; {@code c} null gives the zero value. */
    private static Map<String, Object> config(JsonNode c) throws ImageException {
        if (c != null && !c.isObject()) {
            throw fail("json: cannot unmarshal " + kind(c) + " into Go value of type manifest.Schema2Config");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        putString(m, c, "Hostname", false);
        putString(m, c, "Domainname", false);
        putString(m, c, "User", false);
        putBool(m, c, "AttachStdin", false);
        putBool(m, c, "AttachStdout", false);
        putBool(m, c, "AttachStderr", false);
        Map<String, Object> ports = set(get(c, "ExposedPorts"), "ExposedPorts");
        if (ports != null && !ports.isEmpty()) {
            m.put("ExposedPorts", ports);
        }
        putBool(m, c, "Tty", false);
        putBool(m, c, "OpenStdin", false);
        putBool(m, c, "StdinOnce", false);
        m.put("Env", strings(get(c, "Env"), "Env"));
        m.put("Cmd", strSlice(get(c, "Cmd"), "Cmd"));
        JsonNode hc = get(c, "Healthcheck");
        if (hc != null && !hc.isNull()) {
            m.put("Healthcheck", healthcheck(hc));
        }
        putBool(m, c, "ArgsEscaped", true);
        putString(m, c, "Image", false);
        m.put("Volumes", set(get(c, "Volumes"), "Volumes"));
        putString(m, c, "WorkingDir", false);
        m.put("Entrypoint", strSlice(get(c, "Entrypoint"), "Entrypoint"));
        putBool(m, c, "NetworkDisabled", true);
        putString(m, c, "MacAddress", true);
        m.put("OnBuild", strings(get(c, "OnBuild"), "OnBuild"));
        JsonNode labels = get(c, "Labels");
        if (labels == null || labels.isNull()) {
            m.put("Labels", null);
        } else {
            if (!labels.isObject()) {
                throw typeError(labels, "Labels", "map[string]string");
            }
            Map<String, Object> l = new TreeMap<>(RawJsonObject.GO_ORDER);
            for (var it = labels.fields(); it.hasNext(); ) {
                var e = it.next();
                if (!e.getValue().isNull() && !e.getValue().isTextual()) {
                    throw typeError(e.getValue(), "Labels", "string");
                }
                l.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText());
            }
            m.put("Labels", l);
        }
        putString(m, c, "StopSignal", true);
        JsonNode st = get(c, "StopTimeout");
        if (st != null && !st.isNull()) {
            m.put("StopTimeout", integer(st, "StopTimeout"));
        }
        List<String> shell = strSlice(get(c, "Shell"), "Shell");
        if (shell != null && !shell.isEmpty()) {
            m.put("Shell", shell);
        }
        return m;
    }

    private static Map<String, Object> healthcheck(JsonNode h) throws ImageException {
        if (!h.isObject()) {
            throw typeError(h, "Healthcheck", "manifest.Schema2HealthConfig");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        List<String> test = strings(get(h, "Test"), "Test");
        if (test != null && !test.isEmpty()) {
            m.put("Test", test);
        }
        for (String f : List.of("StartPeriod", "StartInterval", "Interval", "Timeout", "Retries")) {
            long v = integer(get(h, f), f);
            if (v != 0) {
                m.put(f, v);
            }
        }
        return m;
    }

    private static JsonNode get(JsonNode n, String field) {
        return n == null ? null : Schema1V1Compatibility.field(n, field);
    }

    private static void putString(Map<String, Object> m, JsonNode n, String field, boolean omitEmpty)
            throws ImageException {
        JsonNode v = get(n, field);
        String s = "";
        if (v != null && !v.isNull()) {
            if (!v.isTextual()) {
                throw typeError(v, field, "string");
            }
            s = v.asText();
        }
        if (!omitEmpty || !s.isEmpty()) {
            m.put(field, s);
        }
    }

    private static void putBool(Map<String, Object> m, JsonNode n, String field, boolean omitEmpty)
            throws ImageException {
        JsonNode v = get(n, field);
        boolean b = false;
        if (v != null && !v.isNull()) {
            if (!v.isBoolean()) {
                throw typeError(v, field, "bool");
            }
            b = v.asBoolean();
        }
        if (!omitEmpty || b) {
            m.put(field, b);
        }
    }

    private static long integer(JsonNode v, String field) throws ImageException {
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw typeError(v, field, "int64");
        }
        return v.asLong();
    }

    /** {@code []string}: null stays null. */
    private static List<String> strings(JsonNode v, String field) throws ImageException {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isArray()) {
            throw typeError(v, field, "[]string");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            if (!e.isNull() && !e.isTextual()) {
                throw typeError(e, field, "string");
            }
            out.add(e.isNull() ? "" : e.asText());
        }
        return out;
    }

    /** {@code strslice.StrSlice}: a string or an array (or null). */
    private static List<String> strSlice(JsonNode v, String field) throws ImageException {
        if (v == null || v.isNull()) {
            return null;
        }
        if (v.isTextual()) {
            return List.of(v.asText());
        }
        return strings(v, field);
    }

    /** A {@code map[string]struct{}}. */
    private static Map<String, Object> set(JsonNode v, String field) throws ImageException {
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw typeError(v, field, "map[string]struct {}");
        }
        Map<String, Object> out = new TreeMap<>(RawJsonObject.GO_ORDER);
        for (var it = v.fields(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().isNull() && !e.getValue().isObject()) {
                throw typeError(e.getValue(), field, "struct {}");
            }
            out.put(e.getKey(), Map.of());
        }
        return out;
    }

    private static ImageException typeError(JsonNode v, String field, String goType) {
        return fail("json: cannot unmarshal " + kind(v) + " into Go struct field " + field + " of type " + goType);
    }

    private static String kind(JsonNode n) {
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

    private static ImageException fail(String message) {
        return new ImageException(ErrorCode.INVALID_INPUT, "decoding configuration: " + message);
    }
}
