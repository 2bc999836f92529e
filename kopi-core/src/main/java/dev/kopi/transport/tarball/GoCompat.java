package dev.kopi.transport.tarball;

import dev.kopi.internal.go.GoStrconv;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Small pieces of Go standard-library behaviour that docker-save archives depend on byte for byte:
 * {@code path.Clean}/{@code path.Join}, {@code strconv.Atoi} error texts, and
 * {@code encoding/json} string escaping and {@code json.Compact} with HTML escaping (as {@code json.Marshal}
 * applies to embedded raw messages). Internal to the tarball and docker-archive code.
 */
public final class GoCompat {
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private GoCompat() {
    }

    /** Go's {@code path.Clean}: lexical cleaning of a slash-separated path. */
    public static String cleanPath(String p) {
        if (p.isEmpty()) {
            return ".";
        }
        boolean rooted = p.charAt(0) == '/';
        List<String> out = new ArrayList<>();
        int dotdots = 0; // number of leading ".." kept in out (only when not rooted)
        for (String part : p.split("/", -1)) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (out.size() > dotdots) {
                    out.remove(out.size() - 1);
                } else if (!rooted) {
                    out.add("..");
                    dotdots++;
                }
                continue;
            }
            out.add(part);
        }
        String joined = String.join("/", out);
        if (rooted) {
            return "/" + joined;
        }
        return joined.isEmpty() ? "." : joined;
    }

    /** Go's {@code path.Dir}. */
    public static String dirOf(String p) {
        int slash = p.lastIndexOf('/');
        return cleanPath(p.substring(0, slash + 1));
    }

    /** Go's {@code path.Join} of two elements. */
    public static String joinPath(String a, String b) {
        if (a.isEmpty() && b.isEmpty()) {
            return "";
        }
        if (a.isEmpty()) {
            return cleanPath(b);
        }
        if (b.isEmpty()) {
            return cleanPath(a);
        }
        return cleanPath(a + "/" + b);
    }

    /**
     * Go's {@code strconv.Atoi} for a 64-bit int.
     *
     * @throws NumberFormatException with Go's message, e.g. {@code strconv.Atoi: parsing "x": invalid syntax}
     */
    public static long atoi(String s) {
        String digits = s;
        boolean neg = false;
        if (!digits.isEmpty() && (digits.charAt(0) == '+' || digits.charAt(0) == '-')) {
            neg = digits.charAt(0) == '-';
            digits = digits.substring(1);
        }
        if (digits.isEmpty()) {
            throw new NumberFormatException("strconv.Atoi: parsing " + GoStrconv.quote(s) + ": invalid syntax");
        }
        for (int i = 0; i < digits.length(); i++) {
            char c = digits.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException("strconv.Atoi: parsing " + GoStrconv.quote(s) + ": invalid syntax");
            }
        }
        try {
            return Long.parseLong((neg ? "-" : "") + digits);
        } catch (NumberFormatException e) {
            throw new NumberFormatException("strconv.Atoi: parsing " + GoStrconv.quote(s) + ": value out of range");
        }
    }

    /**
     * Appends {@code s} as a JSON string the way Go's {@code json.Marshal} writes it (Go 1.19): HTML-safe
     * escapes for {@code < > &}, U+2028 and U+2029 escaped, control characters other than
     * {@code \n \r \t} as backslash-u00XX, unpaired surrogates as U+FFFD.
     */
    public static void appendJsonString(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case '<', '>', '&', '\u2028', '\u2029' -> b.append("\\u").append(HEX[c >> 12 & 0xf])
                        .append(HEX[c >> 8 & 0xf]).append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
                default -> {
                    if (c < 0x20) {
                        b.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        b.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        b.append('\ufffd');
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        b.append('"');
    }

    /** {@link #appendJsonString} into a new String. */
    public static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        appendJsonString(b, s);
        return b.toString();
    }

    /**
     * Go's {@code json.Compact} with HTML escaping, as {@code json.Marshal} applies to a {@code json.RawMessage}:
     * insignificant whitespace is removed, {@code < > &} and U+2028/U+2029 are escaped. The input must be
     * valid JSON; other bytes (including invalid UTF-8) are kept as they are.
     */
    public static byte[] compactHtml(byte[] raw, int from, int to) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(to - from);
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
