package dev.kopi.template;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/** Go literal syntax: string unquoting and number parsing as strconv does it. */
final class GoStrings {
    private GoStrings() {
    }

    /** Like strconv.Unquote for "...", `...` and '...'; throws IllegalArgumentException on bad syntax. */
    static String unquote(String s) {
        if (s.length() < 2) {
            throw new IllegalArgumentException("invalid syntax");
        }
        char q = s.charAt(0);
        if (s.charAt(s.length() - 1) != q) {
            throw new IllegalArgumentException("invalid syntax");
        }
        String body = s.substring(1, s.length() - 1);
        if (q == '`') {
            if (body.indexOf('`') >= 0) {
                throw new IllegalArgumentException("invalid syntax");
            }
            return body.replace("\r", "");
        }
        if (q != '"' && q != '\'') {
            throw new IllegalArgumentException("invalid syntax");
        }
        // Collect bytes, since \x and octal escapes denote raw bytes.
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int i = 0;
        while (i < body.length()) {
            char c = body.charAt(i);
            if (c == q && q == '"') {
                throw new IllegalArgumentException("invalid syntax");
            }
            if (c == '\n') {
                throw new IllegalArgumentException("invalid syntax");
            }
            if (c != '\\') {
                int cp = body.codePointAt(i);
                byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                out.write(b, 0, b.length);
                i += Character.charCount(cp);
                continue;
            }
            if (i + 1 >= body.length()) {
                throw new IllegalArgumentException("invalid syntax");
            }
            char e = body.charAt(i + 1);
            i += 2;
            switch (e) {
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 'n' -> out.write('\n');
                case 'r' -> out.write('\r');
                case 't' -> out.write('\t');
                case 'v' -> out.write(11);
                case '\\' -> out.write('\\');
                case '\'', '"' -> {
                    if (e != q) {
                        throw new IllegalArgumentException("invalid syntax");
                    }
                    out.write(e);
                }
                case 'x' -> {
                    out.write(hex(body, i, 2));
                    i += 2;
                }
                case 'u', 'U' -> {
                    int n = e == 'u' ? 4 : 8;
                    int cp = hex(body, i, n);
                    i += n;
                    if (cp > 0x10FFFF || (cp >= 0xD800 && cp < 0xE000)) {
                        throw new IllegalArgumentException("invalid syntax");
                    }
                    byte[] b = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
                    out.write(b, 0, b.length);
                }
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    if (i + 2 > body.length()) {
                        throw new IllegalArgumentException("invalid syntax");
                    }
                    int v = 0;
                    String oct = e + body.substring(i, i + 2);
                    for (char oc : oct.toCharArray()) {
                        if (oc < '0' || oc > '7') {
                            throw new IllegalArgumentException("invalid syntax");
                        }
                        v = v * 8 + (oc - '0');
                    }
                    if (v > 255) {
                        throw new IllegalArgumentException("invalid syntax");
                    }
                    out.write(v);
                    i += 2;
                }
                default -> throw new IllegalArgumentException("invalid syntax");
            }
        }
        return new String(out.toByteArray(), StandardCharsets.UTF_8);
    }

    private static int hex(String s, int at, int n) {
        if (at + n > s.length()) {
            throw new IllegalArgumentException("invalid syntax");
        }
        int v = 0;
        for (int k = 0; k < n; k++) {
            int d = Character.digit(s.charAt(at + k), 16);
            if (d < 0) {
                throw new IllegalArgumentException("invalid syntax");
            }
            v = v * 16 + d;
        }
        return v;
    }

    /** strconv.ParseInt(s, 0, ...) without range limits; null when not an integer literal. */
    static BigInteger parseInteger(String s) {
        String t = s;
        boolean neg = false;
        if (t.startsWith("+") || t.startsWith("-")) {
            neg = t.charAt(0) == '-';
            t = t.substring(1);
        }
        int base = 10;
        boolean prefixed = false;
        if (t.length() > 1 && t.charAt(0) == '0') {
            char p = Character.toLowerCase(t.charAt(1));
            if (p == 'x') {
                base = 16;
                t = t.substring(2);
                prefixed = true;
            } else if (p == 'o') {
                base = 8;
                t = t.substring(2);
                prefixed = true;
            } else if (p == 'b') {
                base = 2;
                t = t.substring(2);
                prefixed = true;
            } else {
                base = 8;
                t = t.substring(1);
                prefixed = true;
            }
        }
        if (t.contains("_")) {
            boolean radixPrefix = base != 10 && !(base == 8 && !s.matches("[+-]?0[oO].*"));
            if (t.endsWith("_") || t.contains("__") || t.startsWith("_") && !radixPrefix) {
                return null;
            }
            t = t.replace("_", "");
        }
        if (t.isEmpty()) {
            return null;
        }
        for (char c : t.toCharArray()) {
            if (Character.digit(c, base) < 0) {
                return null;
            }
        }
        BigInteger v = new BigInteger(t, base);
        return neg ? v.negate() : v;
    }

    /** strconv.ParseFloat(s, 64) for decimal and hex floats; null when not a float literal. */
    static Double parseFloat(String s) {
        String t = s;
        boolean neg = false;
        if (t.startsWith("+") || t.startsWith("-")) {
            neg = t.charAt(0) == '-';
            t = t.substring(1);
        }
        double v;
        try {
            if (t.startsWith("0x") || t.startsWith("0X")) {
                String h = t.replace("_", "");
                if (!h.matches("0[xX]([0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)[pP][+-]?[0-9]+")) {
                    return null;
                }
                v = Double.parseDouble(h);
            } else {
                if (t.contains("_")) {
                    if (!t.matches("[0-9]+(_[0-9]+)*(\\.([0-9]+(_[0-9]+)*)?)?([eE][+-]?[0-9]+(_[0-9]+)*)?")) {
                        return null;
                    }
                    t = t.replace("_", "");
                }
                if (!t.matches("([0-9]+\\.?[0-9]*|\\.[0-9]+)([eE][+-]?[0-9]+)?")) {
                    return null;
                }
                v = new BigDecimal(t).doubleValue();
            }
        } catch (NumberFormatException e) {
            return null;
        }
        return neg ? -v : v;
    }
}
