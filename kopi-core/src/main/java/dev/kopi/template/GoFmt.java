package dev.kopi.template;

import static dev.kopi.internal.go.GoStrconv.formatFloat;
import static dev.kopi.internal.go.GoStrconv.isPrint;
import static dev.kopi.internal.go.GoStrconv.quoteRune;
import static dev.kopi.internal.go.GoStrconv.quoteWith;

import dev.kopi.internal.go.GoTimeFormat;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Go's fmt package for the plain values templates handle: Sprint, Sprintln, Sprintf and %v printing. */
final class GoFmt {
    private GoFmt() {
    }

    // ---- public entry points -------------------------------------------------------------------------------

    /** fmt.Sprint: operands separated by a space when neither side is a string. */
    static String sprint(List<?> args) {
        StringBuilder b = new StringBuilder();
        boolean prevString = false;
        for (int i = 0; i < args.size(); i++) {
            Val a = Val.of(args.get(i));
            boolean isString = a.value() instanceof String;
            if (i > 0 && !isString && !prevString) {
                b.append(' ');
            }
            new Printer(b).printArg(a, 'v');
            prevString = isString;
        }
        return b.toString();
    }

    /** fmt.Sprintln: operands always separated by spaces, newline appended. */
    static String sprintln(List<?> args) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < args.size(); i++) {
            if (i > 0) {
                b.append(' ');
            }
            new Printer(b).printArg(Val.of(args.get(i)), 'v');
        }
        return b.append('\n').toString();
    }

    /** fmt.Sprintf. */
    static String sprintf(String format, List<?> args) {
        StringBuilder b = new StringBuilder();
        List<Val> vals = new ArrayList<>();
        for (Object a : args) {
            vals.add(Val.of(a));
        }
        doPrintf(b, format, vals);
        return b.toString();
    }

    /** fmt's %#U form: U+007D '}'. */
    static String unicodeRune(int c) {
        String hex = Integer.toHexString(c).toUpperCase();
        StringBuilder b = new StringBuilder("U+");
        for (int i = hex.length(); i < 4; i++) {
            b.append('0');
        }
        b.append(hex);
        if (isPrint(c)) {
            b.append(" '").appendCodePoint(c).append('\'');
        }
        return b.toString();
    }

    // ---- printf --------------------------------------------------------------------------------------------

    private static void doPrintf(StringBuilder b, String format, List<Val> args) {
        int argNum = 0;
        int end = format.length();
        boolean reordered = false;
        int i = 0;
        while (i < end) {
            int lasti = i;
            while (i < end && format.charAt(i) != '%') {
                i++;
            }
            if (i > lasti) {
                b.append(format, lasti, i);
            }
            if (i >= end) {
                break;
            }
            i++; // skip %
            Printer p = new Printer(b);
            // flags
            flags:
            while (i < end) {
                char c = format.charAt(i);
                switch (c) {
                    case '#' -> p.sharp = true;
                    case '0' -> p.zero = !p.minus;
                    case '+' -> p.plus = true;
                    case '-' -> {
                        p.minus = true;
                        p.zero = false;
                    }
                    case ' ' -> p.space = true;
                    default -> {
                        break flags;
                    }
                }
                i++;
            }
            // argument index
            int[] r = argIndex(format, i, argNum, args.size());
            if (r[2] == 1) {
                reordered = true;
            }
            boolean goodArgNum = r[3] == 1;
            argNum = r[0];
            i = r[1];
            // width
            if (i < end && format.charAt(i) == '*') {
                i++;
                Integer w = intFromArg(args, argNum);
                argNum++;
                if (w == null) {
                    b.append("%!(BADWIDTH)");
                } else {
                    p.width = w;
                    p.widPresent = true;
                    if (w < 0) {
                        p.minus = true;
                        p.width = -w;
                        p.zero = false;
                    }
                }
            } else {
                int start = i;
                while (i < end && Character.isDigit(format.charAt(i))) {
                    i++;
                }
                if (i > start) {
                    p.width = Integer.parseInt(format.substring(start, Math.min(i, start + 7)));
                    p.widPresent = true;
                }
            }
            // precision
            if (i + 1 <= end && i < end && format.charAt(i) == '.') {
                i++;
                r = argIndex(format, i, argNum, args.size());
                argNum = r[0];
                i = r[1];
                if (i < end && format.charAt(i) == '*') {
                    i++;
                    Integer pr = intFromArg(args, argNum);
                    argNum++;
                    if (pr == null || pr < 0) {
                        p.prec = 0;
                        p.precPresent = false;
                        if (pr == null) {
                            b.append("%!(BADPREC)");
                        }
                    } else {
                        p.prec = pr;
                        p.precPresent = true;
                    }
                } else {
                    int start = i;
                    while (i < end && Character.isDigit(format.charAt(i))) {
                        i++;
                    }
                    p.prec = i > start ? Integer.parseInt(format.substring(start, Math.min(i, start + 7))) : 0;
                    p.precPresent = true;
                }
            }
            r = argIndex(format, i, argNum, args.size());
            argNum = r[0];
            i = r[1];
            goodArgNum = r[3] == 1;
            if (i >= end) {
                b.append("%!(NOVERB)");
                break;
            }
            int verb = format.codePointAt(i);
            i += Character.charCount(verb);
            if (verb == '%') {
                b.append('%');
            } else if (!goodArgNum) {
                b.append("%!").appendCodePoint(verb).append("(BADINDEX)");
            } else if (argNum >= args.size()) {
                b.append("%!").appendCodePoint(verb).append("(MISSING)");
            } else if (verb == 'w') {
                p.printArg(args.get(argNum), 'v');
                argNum++;
            } else {
                if (verb == 'v') {
                    if (p.sharp) {
                        p.sharp = false;
                        p.sharpV = true;
                    }
                    if (p.plus) {
                        p.plus = false;
                        p.plusV = true;
                    }
                }
                p.printArg(args.get(argNum), verb);
                argNum++;
            }
        }
        if (!reordered && argNum < args.size()) {
            b.append("%!(EXTRA ");
            for (int k = argNum; k < args.size(); k++) {
                if (k > argNum) {
                    b.append(", ");
                }
                Val a = args.get(k);
                String t = a.dynamicType();
                if (t == null || a.value() == null && a.type() == null) {
                    b.append("<nil>");
                } else {
                    b.append(t).append('=');
                    new Printer(b).printArg(a, 'v');
                }
            }
            b.append(')');
        }
    }

    /** Returns {argNum, newIndex, reorderedFlag, goodFlag}. */
    private static int[] argIndex(String format, int i, int argNum, int numArgs) {
        if (i >= format.length() || format.charAt(i) != '[') {
            return new int[] {argNum, i, 0, 1};
        }
        int close = format.indexOf(']', i);
        if (close < 0) {
            return new int[] {argNum, format.length(), 1, 0};
        }
        String num = format.substring(i + 1, close);
        try {
            int n = Integer.parseInt(num);
            if (n >= 1 && n <= numArgs && num.chars().allMatch(Character::isDigit)) {
                return new int[] {n - 1, close + 1, 1, 1};
            }
        } catch (NumberFormatException e) {
            // bad index
        }
        return new int[] {argNum, close + 1, 1, 0};
    }

    private static Integer intFromArg(List<Val> args, int argNum) {
        if (argNum >= args.size()) {
            return null;
        }
        Object v = args.get(argNum).value();
        if (v instanceof Long || v instanceof Integer) {
            long n = ((Number) v).longValue();
            if (n > 1_000_000 || n < -1_000_000) {
                return null;
            }
            return (int) n;
        }
        return null;
    }

    // ---- value printing ------------------------------------------------------------------------------------

    /** One formatting directive's state (Go's pp + fmt flags). */
    static final class Printer {
        final StringBuilder b;
        boolean sharp;
        boolean sharpV;
        boolean plus;
        boolean plusV;
        boolean minus;
        boolean space;
        boolean zero;
        int width;
        boolean widPresent;
        int prec;
        boolean precPresent;

        Printer(StringBuilder b) {
            this.b = b;
        }

        void printArg(Val a, int verb) {
            Object v = a.value();
            if (a.isMissing()) {
                padString("<invalid reflect.Value>");
                return;
            }
            if (v == null) {
                if (a.type() != null && !a.type().equals(Val.ANY)) {
                    // a typed nil pointer: fmt prints <nil> for Stringer receivers and nil pointers alike
                    if (verb == 'v' || verb == 's') {
                        padString("<nil>");
                    } else {
                        badVerb(a, verb);
                    }
                    return;
                }
                if (verb == 'T' || verb == 'v') {
                    padString("<nil>");
                } else {
                    badVerb(a, verb);
                }
                return;
            }
            if (verb == 'T') {
                padString(a.dynamicType());
                return;
            }
            printValue(a, verb, 0);
        }

        void printValue(Val a, int verb, int depth) {
            Object v = a.value();
            if (v == null) {
                if (a.type() != null && a.type().startsWith("map[")) {
                    b.append("map[]");
                } else if (a.type() != null && a.type().startsWith("[]")) {
                    b.append("[]");
                } else {
                    padString("<nil>");
                }
                return;
            }
            if (Val.isTime(v)) {
                switch (verb) {
                    case 'v', 's', 'x', 'X', 'q' -> fmtString(GoTimeFormat.string(v), verb);
                    default -> badVerb(a, verb);
                }
                return;
            }
            if (v instanceof Boolean bo) {
                if (verb == 't' || verb == 'v') {
                    padString(bo ? "true" : "false");
                } else {
                    badVerb(a, verb);
                }
                return;
            }
            if (v instanceof String s) {
                if (sharpV && "string".equals(a.dynamicType())) {
                    fmtQ(s);
                    return;
                }
                switch (verb) {
                    case 'v', 's', 'x', 'X', 'q' -> fmtString(s, verb);
                    default -> badVerb(a, verb);
                }
                return;
            }
            if (v instanceof BigInteger bi) {
                fmtIntegerVerb(a, bi, false, verb);
                return;
            }
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                BigInteger bi = BigInteger.valueOf(((Number) v).longValue());
                String t = a.dynamicType();
                fmtIntegerVerb(a, bi, t == null || !t.startsWith("uint"), verb);
                return;
            }
            if (v instanceof Double || v instanceof Float) {
                int size = v instanceof Float ? 32 : 64;
                double d = ((Number) v).doubleValue();
                switch (verb) {
                    case 'v' -> fmtFloat(d, size, 'g', -1);
                    case 'b', 'g', 'G', 'x', 'X' -> fmtFloat(d, size, verb, -1);
                    case 'f', 'e', 'E', 'F' -> fmtFloat(d, size, verb, 6);
                    default -> badVerb(a, verb);
                }
                return;
            }
            if (v instanceof Map<?, ?> m) {
                if (sharpV) {
                    b.append(a.dynamicType());
                    if (v == GoNil.MAP) {
                        b.append("(nil)");
                        return;
                    }
                    b.append('{');
                } else {
                    b.append("map[");
                }
                String et = Val.elemType(a.staticType());
                List<Map.Entry<?, ?>> entries = sortedEntries(m);
                for (int i = 0; i < entries.size(); i++) {
                    if (i > 0) {
                        b.append(sharpV ? ", " : " ");
                    }
                    Map.Entry<?, ?> e = entries.get(i);
                    printValue(new Val(e.getKey(), "string"), verb, depth + 1);
                    b.append(':');
                    printValue(new Val(e.getValue(), et), verb, depth + 1);
                }
                b.append(sharpV ? '}' : ']');
                return;
            }
            if (v instanceof List<?> l) {
                if (sharpV) {
                    b.append(a.dynamicType());
                    if (v == GoNil.SLICE) {
                        b.append("(nil)");
                        return;
                    }
                    b.append('{');
                } else {
                    b.append('[');
                }
                String et = Val.elemType(a.staticType());
                for (int i = 0; i < l.size(); i++) {
                    if (i > 0) {
                        b.append(sharpV ? ", " : " ");
                    }
                    printValue(new Val(l.get(i), et), verb, depth + 1);
                }
                b.append(sharpV ? '}' : ']');
                return;
            }
            if (v instanceof GoStruct s) {
                if (sharpV) {
                    b.append(s.typeName());
                }
                b.append('{');
                List<GoStruct.Field> fs = s.fields();
                for (int i = 0; i < fs.size(); i++) {
                    if (i > 0) {
                        b.append(sharpV ? ", " : " ");
                    }
                    GoStruct.Field f = fs.get(i);
                    if (plusV || sharpV) {
                        b.append(f.name()).append(':');
                    }
                    printValue(new Val(f.value(), f.goType()), verb, depth + 1);
                }
                b.append('}');
                return;
            }
            fmtString(String.valueOf(v), verb);
        }

        private void badVerb(Val a, int verb) {
            b.append("%!").appendCodePoint(verb).append('(');
            String t = a.dynamicType();
            if (a.value() == null && (a.type() == null || a.type().equals(Val.ANY))) {
                b.append("<nil>");
            } else {
                b.append(t).append('=');
                boolean saveSharp = sharpV;
                printArg(a, 'v');
                sharpV = saveSharp;
            }
            b.append(')');
        }

        // ---- padding

        private void writePadding(int n) {
            char pad = zero ? '0' : ' ';
            for (int i = 0; i < n; i++) {
                b.append(pad);
            }
        }

        void padString(String s) {
            if (!widPresent || width == 0) {
                b.append(s);
                return;
            }
            int w = width - s.codePointCount(0, s.length());
            if (!minus) {
                writePadding(w);
                b.append(s);
            } else {
                b.append(s);
                boolean z = zero;
                zero = false;
                writePadding(w);
                zero = z;
            }
        }

        // ---- strings

        private String truncate(String s) {
            if (precPresent && s.codePointCount(0, s.length()) > prec) {
                return s.substring(0, s.offsetByCodePoints(0, prec));
            }
            return s;
        }

        private void fmtString(String s, int verb) {
            switch (verb) {
                case 'v' -> {
                    if (sharpV) {
                        fmtQ(s);
                    } else {
                        padString(truncate(s));
                    }
                }
                case 's' -> padString(truncate(s));
                case 'x', 'X' -> fmtSx(s.getBytes(StandardCharsets.UTF_8), verb == 'X');
                case 'q' -> fmtQ(s);
                default -> padString(s);
            }
        }

        private void fmtQ(String s) {
            s = truncate(s);
            if (sharp && canBackquote(s)) {
                padString("`" + s + "`");
                return;
            }
            padString(quoteWith(s, '"', plus));
        }

        private void fmtSx(byte[] bytes, boolean upper) {
            String digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
            int length = bytes.length;
            if (precPresent && prec < length) {
                length = prec;
            }
            StringBuilder s = new StringBuilder();
            for (int i = 0; i < length; i++) {
                if (space && i > 0) {
                    s.append(' ');
                }
                if (sharp && (space || i == 0)) {
                    s.append('0').append(upper ? 'X' : 'x');
                }
                int c = bytes[i] & 0xff;
                s.append(digits.charAt(c >> 4)).append(digits.charAt(c & 0xf));
            }
            padString(s.toString());
        }

        // ---- integers

        private void fmtIntegerVerb(Val a, BigInteger v, boolean signed, int verb) {
            switch (verb) {
                case 'v' -> {
                    if (sharpV && !signed) {
                        fmtInteger(v, 16, verb, "0123456789abcdefx", true);
                    } else {
                        fmtInteger(v, 10, verb, "0123456789abcdefx", false);
                    }
                }
                case 'd' -> fmtInteger(v, 10, verb, "0123456789abcdefx", false);
                case 'b' -> fmtInteger(v, 2, verb, "0123456789abcdefx", false);
                case 'o', 'O' -> fmtInteger(v, 8, verb, "0123456789abcdefx", false);
                case 'x' -> fmtInteger(v, 16, verb, "0123456789abcdefx", false);
                case 'X' -> fmtInteger(v, 16, verb, "0123456789ABCDEFX", false);
                case 'c' -> padString(new String(Character.toChars(validRune(v))));
                case 'q' -> padString(quoteRune(validRune(v)));
                case 'U' -> fmtUnicode(v);
                default -> badVerb(a, verb);
            }
        }

        private static int validRune(BigInteger v) {
            if (v.signum() < 0 || v.bitLength() > 31) {
                return 0xFFFD;
            }
            int c = v.intValue();
            if (c > 0x10FFFF || (c >= 0xD800 && c < 0xE000)) {
                return 0xFFFD;
            }
            return c;
        }

        private void fmtUnicode(BigInteger v) {
            String hex = v.toString(16).toUpperCase();
            StringBuilder s = new StringBuilder("U+");
            int p = precPresent && prec > 4 ? prec : 4;
            for (int i = hex.length(); i < p; i++) {
                s.append('0');
            }
            s.append(hex);
            if (sharp && v.signum() >= 0 && v.bitLength() <= 31 && isPrint(v.intValue())) {
                s.append(" '").appendCodePoint(v.intValue()).append('\'');
            }
            boolean z = zero;
            zero = false;
            padString(s.toString());
            zero = z;
        }

        private void fmtInteger(BigInteger v, int base, int verb, String digits, boolean forceSharpHex) {
            boolean negative = v.signum() < 0;
            BigInteger u = v.abs();
            String num;
            if (precPresent && prec == 0 && u.signum() == 0) {
                boolean z = zero;
                zero = false;
                writePadding(width);
                zero = z;
                return;
            }
            num = u.toString(base);
            if (Character.isUpperCase(digits.charAt(10))) {
                num = num.toUpperCase();
            }
            StringBuilder s = new StringBuilder();
            int precision = 0;
            if (precPresent) {
                precision = prec;
            } else if (zero && widPresent && !minus) {
                precision = width;
                if (negative || plus || space) {
                    precision--;
                }
            }
            for (int i = num.length(); i < precision; i++) {
                s.append('0');
            }
            s.append(num);
            String prefix = "";
            if (sharp || forceSharpHex) {
                switch (base) {
                    case 2 -> prefix = "0b";
                    case 8 -> {
                        if (s.charAt(0) != '0') {
                            prefix = "0";
                        }
                    }
                    case 16 -> prefix = "0" + digits.charAt(16);
                    default -> {
                    }
                }
            }
            if (verb == 'O') {
                prefix = "0o";
            }
            String sign = negative ? "-" : plus ? "+" : space ? " " : "";
            boolean z = zero;
            zero = false;
            padString(sign + prefix + s);
            zero = z;
        }

        // ---- floats

        private void fmtFloat(double v, int size, int verb, int precision) {
            if (precPresent) {
                precision = prec;
            }
            String num;
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                num = Double.isNaN(v) ? "NaN" : v > 0 ? "+Inf" : "-Inf";
                if (Double.isNaN(v)) {
                    num = plus ? "+NaN" : space ? " NaN" : "NaN";
                } else if (v > 0 && !plus) {
                    num = space ? " Inf" : "Inf";
                }
                boolean z = zero;
                zero = false;
                padString(num);
                zero = z;
                return;
            }
            num = formatFloat(v, size, verb == 'F' ? 'f' : verb, precision);
            if (sharp && verb != 'b') {
                num = sharpFloat(num, verb, precision);
            }
            String sign;
            if (num.startsWith("-")) {
                sign = "-";
                num = num.substring(1);
            } else {
                sign = plus ? "+" : space ? " " : "";
            }
            if (zero && widPresent && !minus && width > sign.length() + num.length()) {
                StringBuilder s = new StringBuilder(sign);
                for (int i = sign.length() + num.length(); i < width; i++) {
                    s.append('0');
                }
                b.append(s).append(num);
                return;
            }
            boolean z = zero;
            zero = false;
            padString(sign + num);
            zero = z;
        }

        private static String sharpFloat(String num, int verb, int precision) {
            if (num.contains(".") || num.contains("e") && (verb == 'e' || verb == 'E')) {
                return num;
            }
            int e = num.indexOf('e');
            if (e < 0) {
                e = num.indexOf('E');
            }
            if (e < 0) {
                return num + ".";
            }
            return num.substring(0, e) + "." + num.substring(e);
        }
    }

    // ---- quoting ---------------------------------------------------------------------------------------------

    private static boolean canBackquote(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '`' || c == '\uFEFF' || (c < ' ' && c != '\t') || c == 0x7f) {
                return false;
            }
        }
        return true;
    }

    // ---- helpers -----------------------------------------------------------------------------------------------

    /** Map entries in Go's fmtsort order (numbers numerically, strings by bytes). */
    static List<Map.Entry<?, ?>> sortedEntries(Map<?, ?> m) {
        List<Map.Entry<?, ?>> l = new ArrayList<>(m.entrySet());
        l.sort((x, y) -> compareKeys(x.getKey(), y.getKey()));
        return l;
    }

    static int compareKeys(Object x, Object y) {
        if (x instanceof Number a && y instanceof Number c) {
            return new BigDecimal(a.toString()).compareTo(new BigDecimal(c.toString()));
        }
        String a = String.valueOf(x);
        String c = String.valueOf(y);
        int i = 0;
        int j = 0;
        while (i < a.length() && j < c.length()) {
            int p = a.codePointAt(i);
            int q = c.codePointAt(j);
            if (p != q) {
                return Integer.compare(p, q);
            }
            i += Character.charCount(p);
            j += Character.charCount(q);
        }
        return Integer.compare(a.length() - i, c.length() - j);
    }
}
