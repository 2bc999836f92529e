package dev.kopi.internal.go;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Go's {@code strconv} as kopi's texts need it byte for byte: {@code Quote} (also what {@code %q} and logrus print),
 * {@code QuoteRune}, {@code IsPrint} and {@code FormatFloat}. The one implementation for the whole code base.
 *
 * <p>Java strings may hold lone surrogates, which a Go string cannot: they are treated as the invalid rune Go sees
 * and escaped as <code>&#92;ufffd</code>.
 */
public final class GoStrconv {
    private GoStrconv() {
    }

    /** {@code strconv.Quote}: double-quoted, printable runes kept, the rest escaped. */
    public static String quote(String s) {
        return quoteWith(s, '"', false);
    }

    /** {@code strconv.QuoteRune}. */
    public static String quoteRune(int c) {
        return quoteWith(new String(Character.toChars(c)), '\'', false);
    }

    /**
     * Go's {@code quoteWith}: {@code q} and the backslash escaped; printable runes kept (with {@code asciiOnly},
     * as {@code QuoteToASCII} and {@code %+q} do, only printable ASCII); {@code \a \b \f \n \r \t \v}; other
     * ASCII controls as <code>&#92;xHH</code>; other runes as <code>&#92;uHHHH</code> or
     * <code>&#92;UHHHHHHHH</code> (lower-case hex).
     */
    public static String quoteWith(String s, char q, boolean asciiOnly) {
        StringBuilder b = new StringBuilder(s.length() + 2).append(q);
        for (int i = 0; i < s.length(); ) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            if (c == q || c == '\\') {
                b.append('\\').appendCodePoint(c);
                continue;
            }
            if (asciiOnly ? c < 0x80 && isPrint(c) : isPrint(c)) {
                b.appendCodePoint(c);
                continue;
            }
            switch (c) {
                case 7 -> b.append("\\a");
                case '\b' -> b.append("\\b");
                case '\f' -> b.append("\\f");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                case 11 -> b.append("\\v");
                default -> {
                    if (c < ' ' || c == 0x7f) {
                        b.append("\\x").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else if (c >= 0xD800 && c < 0xE000) {
                        b.append("\\ufffd"); // a lone surrogate: Go's invalid rune
                    } else if (c < 0x10000) {
                        appendHex(b.append("\\u"), c, 4);
                    } else {
                        appendHex(b.append("\\U"), c, 8);
                    }
                }
            }
        }
        return b.append(q).toString();
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static void appendHex(StringBuilder b, int v, int digits) {
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            b.append(HEX[(v >> shift) & 0xf]);
        }
    }

    /**
     * {@code strconv.IsPrint} (the same as {@code unicode.IsPrint}): letters, marks, numbers, punctuation, symbols
     * and the ASCII space; not other spaces, controls, format characters, private use or unassigned code points.
     */
    public static boolean isPrint(int c) {
        if (c < 0x80) {
            return c >= 0x20 && c < 0x7f;
        }
        return switch (Character.getType(c)) {
            case Character.UNASSIGNED, Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE,
                    Character.SURROGATE, Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR,
                    Character.PARAGRAPH_SEPARATOR -> false;
            default -> true;
        };
    }

    // ---- strconv.FormatFloat ------------------------------------------------------------------------------------

    /**
     * {@code strconv.FormatFloat(v, fmt, prec, bitSize)} for the formats {@code e E f g G x X b}; {@code prec < 0}
     * asks for the fewest digits that read back as the same float of {@code bitSize} (32 or 64) bits. NaN and the
     * infinities are {@code NaN}, {@code +Inf} and {@code -Inf}.
     */
    public static String formatFloat(double v, int bitSize, int fmt, int prec) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "+Inf" : "-Inf";
        }
        boolean neg = v < 0 || (v == 0 && 1 / v < 0);
        StringBuilder s = new StringBuilder();
        if (neg) {
            s.append('-');
        }
        double a = Math.abs(v);
        boolean shortestMode = prec < 0;
        switch (fmt) {
            case 'e', 'E' -> {
                Digits d = shortestMode ? shortest(a, bitSize) : significant(a, prec + 1);
                int p = shortestMode ? Math.max(d.d().length() - 1, 0) : prec;
                fmtE(s, d, p, fmt);
            }
            case 'f' -> {
                if (shortestMode) {
                    Digits d = shortest(a, bitSize);
                    fmtF(s, d, Math.max(d.d().length() - d.dp(), 0));
                } else {
                    BigDecimal r = new BigDecimal(a).setScale(prec, RoundingMode.HALF_EVEN);
                    fmtF(s, digitsOf(r), prec);
                }
            }
            case 'g', 'G' -> {
                Digits d;
                int eprec = prec;
                if (shortestMode) {
                    d = shortest(a, bitSize);
                    eprec = 6;
                } else {
                    if (prec == 0) {
                        prec = 1;
                    }
                    d = significant(a, prec);
                    eprec = prec;
                    if (eprec > d.d().length() && d.d().length() >= d.dp()) {
                        eprec = d.d().length();
                    }
                }
                int exp = d.dp() - 1;
                if (d.d().isEmpty()) {
                    exp = 0;
                }
                if (exp < -4 || exp >= eprec) {
                    int p = shortestMode ? d.d().length() - 1 : prec - 1;
                    if (!shortestMode && p > d.d().length() - 1) {
                        p = Math.max(d.d().length() - 1, 0);
                    }
                    fmtE(s, d, Math.max(p, 0), fmt == 'G' ? 'E' : 'e');
                } else {
                    int p = Math.max(d.d().length() - d.dp(), 0);
                    fmtF(s, d, p);
                }
            }
            case 'x', 'X', 'b' -> {
                String h = Double.toHexString(a); // 0x1.8p1
                s.append(fmt == 'X' ? h.toUpperCase() : h);
            }
            default -> s.append('%').appendCodePoint(fmt);
        }
        return s.toString();
    }

    /** Decimal digits d1d2...dn with the decimal point after dp digits. */
    private record Digits(String d, int dp) {
    }

    private static Digits digitsOf(BigDecimal bd) {
        if (bd.signum() == 0) {
            return new Digits("", 0);
        }
        bd = bd.abs().stripTrailingZeros();
        String d = bd.unscaledValue().toString();
        return new Digits(d, d.length() - bd.scale());
    }

    private static Digits shortest(double v, int size) {
        if (v == 0) {
            return new Digits("", 0);
        }
        BigDecimal exact = new BigDecimal(v);
        for (int p = 1; p <= 17; p++) {
            BigDecimal r = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            boolean ok = size == 32 ? r.floatValue() == (float) v : r.doubleValue() == v;
            if (ok) {
                return digitsOf(r);
            }
        }
        return digitsOf(exact.round(MathContext.DECIMAL64));
    }

    private static Digits significant(double v, int n) {
        if (v == 0) {
            return new Digits("", 0);
        }
        return digitsOf(new BigDecimal(v).round(new MathContext(Math.max(n, 1), RoundingMode.HALF_EVEN)));
    }

    private static void fmtE(StringBuilder s, Digits d, int prec, int fmt) {
        String ds = d.d();
        s.append(ds.isEmpty() ? '0' : ds.charAt(0));
        if (prec > 0) {
            s.append('.');
            for (int i = 1; i <= prec; i++) {
                s.append(i < ds.length() ? ds.charAt(i) : '0');
            }
        }
        s.append((char) fmt);
        int exp = ds.isEmpty() ? 0 : d.dp() - 1;
        s.append(exp < 0 ? '-' : '+');
        exp = Math.abs(exp);
        if (exp < 10) {
            s.append('0');
        }
        s.append(exp);
    }

    private static void fmtF(StringBuilder s, Digits d, int prec) {
        String ds = d.d();
        if (d.dp() > 0) {
            for (int i = 0; i < d.dp(); i++) {
                s.append(i < ds.length() ? ds.charAt(i) : '0');
            }
        } else {
            s.append('0');
        }
        if (prec > 0) {
            s.append('.');
            for (int i = 0; i < prec; i++) {
                int j = d.dp() + i;
                s.append(j >= 0 && j < ds.length() ? ds.charAt(j) : '0');
            }
        }
    }
}
