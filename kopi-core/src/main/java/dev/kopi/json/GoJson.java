package dev.kopi.json;

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
            sb.append(formatFloat(((Number) v).doubleValue()));
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
     * Go's float64 encoding: 'f' format for 1e-6 <= |x| < 1e21, else the shortest 'e' format with an explicit
     * exponent sign and no leading zero in the exponent ({@code 1e-7}, {@code 1e+21}, {@code 1.5e-7}).
     */
    static String formatFloat(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e21) {
            return new BigDecimal(d).toBigInteger().toString();
        }
        double abs = Math.abs(d);
        if (abs >= 1e-6 && abs < 1e21) {
            return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
        }
        BigDecimal b = BigDecimal.valueOf(d).stripTrailingZeros();
        String mantissa = b.unscaledValue().abs().toString();
        int exponent = mantissa.length() - 1 - b.scale();
        StringBuilder sb = new StringBuilder();
        if (d < 0) {
            sb.append('-');
        }
        sb.append(mantissa.charAt(0));
        if (mantissa.length() > 1) {
            sb.append('.').append(mantissa, 1, mantissa.length());
        }
        return sb.append('e').append(exponent < 0 ? '-' : '+').append(Math.abs(exponent)).toString();
    }

    /** Go's string encoding with HTML escaping (the encoding/json default). */
    public static void quote(StringBuilder sb, String s) {
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
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                case '<', '>', '&', '\u2028', '\u2029' -> hex(sb, c);
                default -> {
                    if (c < 0x20) {
                        hex(sb, c);
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                            sb.append(c).append(s.charAt(++i));
                        } else {
                            sb.append("\\ufffd");
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        sb.append("\\ufffd");
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static void hex(StringBuilder sb, char c) {
        sb.append("\\u").append(HEX[(c >> 12) & 15]).append(HEX[(c >> 8) & 15]).append(HEX[(c >> 4) & 15])
                .append(HEX[c & 15]);
    }
}
