package dev.kopi.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A JSON object held as Go's {@code map[string]*json.RawMessage}: member values are kept as the exact JSON text
 * they had (numbers and member order inside them untouched), and {@link #marshal()} writes the object as Go's
 * {@code json.Marshal} does: keys sorted by their UTF-8 bytes, values compacted with HTML-sensitive characters
 * escaped. containers/image edits configs this way when converting to and from schema1.
 */
final class RawJsonObject {
    private static final ObjectMapper LENIENT = JsonMapper.builder().build();

    /** Go orders strings by their UTF-8 bytes, which is code point order. */
    static final Comparator<String> GO_ORDER = (a, b) -> {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    };

    private final TreeMap<String, String> members = new TreeMap<>(GO_ORDER);

    private RawJsonObject() {
    }

    /**
     * Parses a JSON object (duplicate keys: the last wins, as in Go).
     *
     * @param what names the document in error messages
     */
    static RawJsonObject parse(byte[] json, String what) throws ImageException {
        String s = new String(json, StandardCharsets.UTF_8);
        JsonNode tree;
        try {
            tree = LENIENT.readTree(s);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parsing " + what + ": " + e.getMessage(), e);
        }
        if (tree == null || !tree.isObject()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parsing " + what + ": json: cannot unmarshal "
                    + kind(tree) + " into Go value of type map[string]*json.RawMessage");
        }
        RawJsonObject o = new RawJsonObject();
        int i = skipSpace(s, 0) + 1; // past '{'
        while (true) {
            i = skipSpace(s, i);
            if (s.charAt(i) == '}') {
                break;
            }
            int keyEnd = skipValue(s, i);
            String key;
            try {
                key = LENIENT.readTree(s.substring(i, keyEnd)).asText();
            } catch (IOException e) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "parsing " + what + ": invalid key", e);
            }
            i = skipSpace(s, keyEnd) + 1; // past ':'
            i = skipSpace(s, i);
            int valueEnd = skipValue(s, i);
            o.members.put(key, s.substring(i, valueEnd));
            i = skipSpace(s, valueEnd);
            if (s.charAt(i) == ',') {
                i++;
            }
        }
        return o;
    }

    void remove(String key) {
        members.remove(key);
    }

    /** Sets a member to pre-encoded JSON. */
    void putRaw(String key, String json) {
        members.put(key, json);
    }

    /** Sets a member to a value, encoded by {@link GoJson}. */
    void put(String key, Object value) {
        members.put(key, new String(GoJson.marshal(value), StandardCharsets.UTF_8));
    }

    /** The object as {@code json.Marshal} writes the map. */
    byte[] marshal() {
        StringBuilder sb = new StringBuilder(256);
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : members.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            GoJson.quote(sb, e.getKey());
            sb.append(':');
            compact(sb, e.getValue());
        }
        sb.append('}');
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Go's {@code json.Compact} with HTML escaping, as {@code json.Marshal} applies to a {@code RawMessage}: drops
     * whitespace outside strings and writes {@code < > &} U+2028 U+2029 inside strings as {@code \\u} escapes.
     */
    static void compact(StringBuilder sb, String json) {
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                switch (c) {
                    case '\\' -> {
                        sb.append(c);
                        if (i + 1 < json.length()) {
                            sb.append(json.charAt(++i));
                        }
                    }
                    case '"' -> {
                        sb.append(c);
                        inString = false;
                    }
                    case '<' -> sb.append("\\u003c");
                    case '>' -> sb.append("\\u003e");
                    case '&' -> sb.append("\\u0026");
                    case '\u2028' -> sb.append("\\u2028");
                    case '\u2029' -> sb.append("\\u2029");
                    default -> sb.append(c);
                }
            } else if (c == '"') {
                sb.append(c);
                inString = true;
            } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                sb.append(c);
            }
        }
    }

    static String compact(String json) {
        StringBuilder sb = new StringBuilder(json.length());
        compact(sb, json);
        return sb.toString();
    }

    private static int skipSpace(String s, int i) {
        while (i < s.length()) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    /** The end (exclusive) of the JSON value starting at {@code i}; the text is known to be valid JSON. */
    private static int skipValue(String s, int i) {
        char c = s.charAt(i);
        if (c == '"') {
            return skipString(s, i);
        }
        if (c == '{' || c == '[') {
            int depth = 0;
            while (i < s.length()) {
                char d = s.charAt(i);
                if (d == '"') {
                    i = skipString(s, i);
                    continue;
                }
                if (d == '{' || d == '[') {
                    depth++;
                } else if (d == '}' || d == ']') {
                    depth--;
                    if (depth == 0) {
                        return i + 1;
                    }
                }
                i++;
            }
            return i;
        }
        while (i < s.length()) {
            char d = s.charAt(i);
            if (d == ',' || d == '}' || d == ']' || d == ' ' || d == '\t' || d == '\n' || d == '\r') {
                break;
            }
            i++;
        }
        return i;
    }

    private static int skipString(String s, int i) {
        i++;
        while (i < s.length()) {
            char d = s.charAt(i);
            if (d == '\\') {
                i += 2;
                continue;
            }
            if (d == '"') {
                return i + 1;
            }
            i++;
        }
        return i;
    }

    private static String kind(JsonNode n) {
        if (n == null || n.isNull()) {
            return "null";
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
}
