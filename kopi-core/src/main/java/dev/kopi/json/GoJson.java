package dev.kopi.json;

import dev.kopi.internal.go.GoStrconv;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Writes JSON exactly as Go's {@code encoding/json} does, so that documents kopi generates (converted manifests
 * and configs, inspect output) are byte-identical to those of containers/image, and so have the same digests.
 * Values: {@link Map} (insertion order = Go struct field order; use a {@link SortedMap} for Go maps, whose keys
 * Go sorts), {@link List}, {@link String}, {@link Number}, {@link Boolean}, {@code null}, and {@link Raw} for
 * pre-encoded JSON.
 */
public final class GoJson {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** Pre-encoded JSON, inserted verbatim (compacted by Go's rules when marshalled: callers pass compact JSON). */
    public record Raw(String json) {
    }

    private GoJson() {
    }

    /** {@code json.Marshal}: compact. */
    public static byte[] marshal(Object value) {
        StringBuilder sb = new StringBuilder(256);
        write(sb, value, null, 0);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** {@code json.MarshalIndent(v, "", indent)}. */
    public static String marshalIndent(Object value, String indent) {
        StringBuilder sb = new StringBuilder(256);
        write(sb, value, indent, 0);
        return sb.toString();
    }

    /** Go's order of map keys: by their UTF-8 bytes, which is code point order (not Java's UTF-16 order). */
    public static final Comparator<String> KEY_ORDER = (a, b) -> {
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

    /** A Go map: keys sorted as Go sorts them ({@link #KEY_ORDER}). */
    public static <V> SortedMap<String, V> goMap(Map<String, V> m) {
        if (m == null) {
            return null;
        }
        SortedMap<String, V> sorted = new TreeMap<>(KEY_ORDER);
        sorted.putAll(m);
        return sorted;
    }

    private static void newline(StringBuilder sb, String indent, int depth) {
        if (indent == null) {
            return;
        }
        sb.append('\n');
        for (int i = 0; i < depth; i++) {
            sb.append(indent);
        }
    }

    private static void write(StringBuilder sb, Object v, String indent, int depth) {
        if (v == null) {
            sb.append("null");
        } else if (v instanceof String s) {
            quote(sb, s);
        } else if (v instanceof Boolean b) {
            sb.append(b ? "true" : "false");
        } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof BigInteger) {
            sb.append(v);
        } else if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
            sb.append(formatFloat(((Number) v).doubleValue(), v instanceof Float ? 32 : 64));
        } else if (v instanceof Raw r) {
            sb.append(r.json());
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                sb.append("{}");
                return;
            }
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(sb, indent, depth + 1);
                quote(sb, String.valueOf(e.getKey()));
                sb.append(indent == null ? ":" : ": ");
                write(sb, e.getValue(), indent, depth + 1);
            }
            newline(sb, indent, depth);
            sb.append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                sb.append("[]");
                return;
            }
            sb.append('[');
            boolean first = true;
            for (Object o : l) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                newline(sb, indent, depth + 1);
                write(sb, o, indent, depth + 1);
            }
            newline(sb, indent, depth);
            sb.append(']');
        } else {
            quote(sb, v.toString());
        }
    }

    /**
     * Go's {@code encoding/json} number for a float of {@code bits} (32 or 64) bits: the shortest form that reads
     * back, as {@code 'f'} for 1e-6 &lt;= |x| &lt; 1e21 and otherwise as {@code 'e'} with {@code e-07} cleaned to
     * {@code e-7}.
     *
     * @throws IllegalArgumentException {@code json: unsupported value: NaN} (or {@code +Inf}, {@code -Inf})
     */
    public static String formatFloat(double f, int bits) {
        if (Double.isNaN(f) || Double.isInfinite(f)) {
            throw new IllegalArgumentException("json: unsupported value: " + GoStrconv.formatFloat(f, bits, 'g', -1));
        }
        double abs = Math.abs(f);
        int fmt = 'f';
        if (abs != 0) {
            if (bits == 64 && (abs < 1e-6 || abs >= 1e21) || bits == 32 && (abs < 1e-6f || abs >= 1e21f)) {
                fmt = 'e';
            }
        }
        String s = GoStrconv.formatFloat(f, bits, fmt, -1);
        if (fmt == 'e') {
            int n = s.length();
            if (n >= 4 && s.charAt(n - 4) == 'e' && s.charAt(n - 3) == '-' && s.charAt(n - 2) == '0') {
                s = s.substring(0, n - 2) + s.charAt(n - 1);
            }
        }
        return s;
    }

    /** Go's string encoding with HTML escaping (the encoding/json default). */
    public static void quote(StringBuilder sb, String s) {
        appendString(sb, s, true, true);
    }

    /**
     * Appends {@code s} as a JSON string the way Go's {@code encoding/json} writes it: {@code " \ \n \r \t \b
     * \f} as short escapes; other control characters, U+2028 and U+2029 as backslash-u and four lower-case hex
     * digits; unpaired surrogates (invalid UTF-8 to Go) as the six characters backslash-ufffd. With
     * {@code escapeHtml} ({@code json.Marshal}; off for an Encoder after {@code SetEscapeHTML(false)}) also
     * {@code < > &}.
     */
    public static void appendString(StringBuilder sb, String s, boolean escapeHtml) {
        appendString(sb, s, escapeHtml, true);
    }

    /**
     * {@link #appendString} with HTML escaping as Go 1.19 to 1.21 wrote it: {@code \b} and {@code \f} as
     * backslash-u0008 and backslash-u000c (Go 1.22 made them short). The docker-archive writer uses this dialect,
     * as skopeo 1.9.3 (built with Go 1.19) writes it.
     */
    public static void appendStringGo119(StringBuilder sb, String s) {
        appendString(sb, s, true, false);
    }

    private static void appendString(StringBuilder sb, String s, boolean escapeHtml, boolean shortBf) {
        sb.append('"');
        int n = s.length();
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> {
                    if (shortBf) {
                        sb.append("\\b");
                    } else {
                        hex(sb, c);
                    }
                }
                case '\f' -> {
                    if (shortBf) {
                        sb.append("\\f");
                    } else {
                        hex(sb, c);
                    }
                }
                case '\u2028', '\u2029' -> hex(sb, c);
                case '<', '>', '&' -> {
                    if (escapeHtml) {
                        hex(sb, c);
                    } else {
                        sb.append(c);
                    }
                }
                default -> {
                    if (c < 0x20) {
                        hex(sb, c);
                    } else if (Character.isHighSurrogate(c) && i + 1 < n
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        sb.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        sb.append("\\ufffd");
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void hex(StringBuilder sb, int c) {
        sb.append("\\u").append(HEX[(c >> 12) & 15]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15])
                .append(HEX[c & 15]);
    }

    /**
     * Go's {@code json.Compact} with HTML escaping, as {@code json.Marshal} applies to a {@code json.RawMessage}:
     * insignificant whitespace is removed, {@code < > &} and U+2028/U+2029 are escaped. The input must be
     * valid JSON; other bytes (including invalid UTF-8) are kept as they are.
     */
    public static byte[] compactHtml(byte[] raw, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        boolean inString = false;
        for (int i = from; i < to; i++) {
            int c = raw[i] & 0xff;
            if (inString) {
                if (c == '\\' && i + 1 < to) {
                    out.write(c);
                    out.write(raw[++i]);
                    continue;
                }
                if (c == '"') {
                    inString = false;
                }
            } else {
                if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
                    continue;
                }
                if (c == '"') {
                    inString = true;
                }
            }
            if (c == '<' || c == '>' || c == '&') {
                out.writeBytes(("\\u00" + HEX[c >> 4] + HEX[c & 0xf]).getBytes(StandardCharsets.US_ASCII));
            } else if (c == 0xE2 && i + 2 < to && (raw[i + 1] & 0xff) == 0x80
                    && ((raw[i + 2] & 0xff) == 0xA8 || (raw[i + 2] & 0xff) == 0xA9)) {
                out.writeBytes(((raw[i + 2] & 0xff) == 0xA8 ? "\\u2028" : "\\u2029")
                        .getBytes(StandardCharsets.US_ASCII));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }
}
