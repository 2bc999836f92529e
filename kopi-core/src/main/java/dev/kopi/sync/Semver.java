package dev.kopi.sync;

import dev.kopi.error.ImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Semantic version constraints as skopeo's {@code images-by-semver} reads them (the Masterminds semver v3 rules):
 * {@code ||} separates alternatives, commas or spaces separate conditions that must all hold, {@code A - B} is an
 * inclusive range, operators {@code = != > < >= <= ~ ~> ^}, and {@code x}/{@code X}/{@code *} wildcards. A tag
 * with a pre-release part matches only alternatives that name a pre-release themselves.
 */
final class Semver {
    private static final String CV = "v?([0-9|xX*]+)(\\.[0-9|xX*]+)?(\\.[0-9|xX*]+)?"
            + "(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?"
            + "(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?";
    private static final String OPS = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
    private static final Pattern CONSTRAINT = Pattern.compile("^\\s*(" + OPS + ")\\s*(" + CV + ")\\s*$");
    private static final Pattern RANGE = Pattern.compile("\\s*(" + CV + ")\\s+-\\s+(" + CV + ")\\s*");
    private static final Pattern FIND = Pattern.compile("(" + OPS + ")\\s*(" + CV + ")");
    private static final Pattern VALID = Pattern.compile("^(\\s*(" + OPS + ")\\s*(" + CV + ")\\s*)((?:\\s+|,\\s*)("
            + OPS + ")\\s*(" + CV + ")\\s*)*$");
    private static final Pattern LOOSE = Pattern.compile("^v?([0-9]+)(\\.[0-9]+)?(\\.[0-9]+)?"
            + "(-([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?(\\+([0-9A-Za-z\\-]+(\\.[0-9A-Za-z\\-]+)*))?$");

    /** A parsed version: numbers and the pre-release part ("" when none). */
    record Version(long major, long minor, long patch, String pre) {
        /** Parses a tag leniently (an optional {@code v}, missing minor/patch as 0); null when it is no version. */
        static Version parse(String s) {
            Matcher m = LOOSE.matcher(s);
            if (!m.matches()) {
                return null;
            }
            try {
                long major = Long.parseUnsignedLong(m.group(1));
                long minor = m.group(2) == null ? 0 : Long.parseUnsignedLong(m.group(2).substring(1));
                long patch = m.group(3) == null ? 0 : Long.parseUnsignedLong(m.group(3).substring(1));
                String pre = m.group(5) == null ? "" : m.group(5);
                for (String part : pre.isEmpty() ? new String[0] : pre.split("\\.")) {
                    if (part.matches("[0-9]+") && part.length() > 1 && part.charAt(0) == '0') {
                        return null; // a numeric pre-release part with a leading zero
                    }
                }
                return new Version(major, minor, patch, pre);
            } catch (NumberFormatException e) {
                return null;
            }
        }

        int compareTo(Version o) {
            int d = Long.compareUnsigned(major, o.major);
            if (d == 0) {
                d = Long.compareUnsigned(minor, o.minor);
            }
            if (d == 0) {
                d = Long.compareUnsigned(patch, o.patch);
            }
            if (d != 0) {
                return Integer.signum(d);
            }
            if (pre.isEmpty() && o.pre.isEmpty()) {
                return 0;
            }
            if (pre.isEmpty()) {
                return 1;
            }
            if (o.pre.isEmpty()) {
                return -1;
            }
            return comparePre(pre, o.pre);
        }
    }

    private static int comparePre(String a, String b) {
        String[] x = a.split("\\.", -1);
        String[] y = b.split("\\.", -1);
        for (int i = 0; i < Math.max(x.length, y.length); i++) {
            String s = i < x.length ? x[i] : "";
            String o = i < y.length ? y[i] : "";
            int d = comparePart(s, o);
            if (d != 0) {
                return d;
            }
        }
        return 0;
    }

    private static int comparePart(String s, String o) {
        if (s.equals(o)) {
            return 0;
        }
        if (s.isEmpty()) {
            return -1;
        }
        if (o.isEmpty()) {
            return 1;
        }
        Long si = number(s);
        Long oi = number(o);
        if (si == null && oi == null) {
            return s.compareTo(o) > 0 ? 1 : -1;
        }
        if (oi == null) {
            return -1;
        }
        if (si == null) {
            return 1;
        }
        return Long.compareUnsigned(si, oi) > 0 ? 1 : -1;
    }

    private static Long number(String s) {
        if (!s.matches("[0-9]+")) {
            return null;
        }
        try {
            return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private record Condition(String op, Version con, boolean dirty, boolean minorDirty, boolean patchDirty) {
    }

    private final List<List<Condition>> alternatives;
    private final List<Boolean> hasPre;

    private Semver(List<List<Condition>> alternatives, List<Boolean> hasPre) {
        this.alternatives = alternatives;
        this.hasPre = hasPre;
    }

    /** Parses a constraint; fails with the library's {@code improper constraint: "..."} text. */
    static Semver parse(String constraint) throws ImageException {
        String c = rewriteRanges(constraint);
        List<List<Condition>> ors = new ArrayList<>();
        List<Boolean> pre = new ArrayList<>();
        for (String part : c.split("\\|\\|", -1)) {
            if (!VALID.matcher(part).matches()) {
                throw ImageException.invalid("improper constraint: " + dev.kopi.internal.go.GoStrconv.quote(part));
            }
            List<String> found = new ArrayList<>();
            Matcher m = FIND.matcher(part);
            while (m.find()) {
                found.add(m.group());
            }
            if (found.isEmpty()) {
                found.add(part);
            }
            List<Condition> and = new ArrayList<>();
            boolean p = false;
            for (String s : found) {
                Condition cond = condition(s);
                p |= !cond.con().pre().isEmpty();
                and.add(cond);
            }
            ors.add(and);
            pre.add(p);
        }
        return new Semver(ors, pre);
    }

    private static String rewriteRanges(String s) {
        Matcher m = RANGE.matcher(s);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(">= " + m.group(1) + ", <= " + m.group(11) + " "));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static boolean isX(String s) {
        return s.equals("x") || s.equals("X") || s.equals("*");
    }

    private static Condition condition(String s) throws ImageException {
        if (s.isEmpty()) {
            return new Condition("", new Version(0, 0, 0, ""), true, false, false);
        }
        Matcher m = CONSTRAINT.matcher(s);
        if (!m.matches()) {
            throw ImageException.invalid("improper constraint: " + dev.kopi.internal.go.GoStrconv.quote(s));
        }
        String op = m.group(1);
        String major = m.group(3);
        String minor = m.group(4) == null ? "" : m.group(4);
        String patch = m.group(5) == null ? "" : m.group(5);
        String preSuffix = m.group(6) == null ? "" : m.group(6);
        String ver = m.group(2);
        boolean dirty = false;
        boolean minorDirty = false;
        boolean patchDirty = false;
        if (isX(major)) {
            ver = "0.0.0" + preSuffix;
            dirty = true;
        } else if (minor.isEmpty() || isX(minor.substring(1))) {
            ver = major + ".0.0" + preSuffix;
            dirty = true;
            minorDirty = true;
        } else if (patch.isEmpty() || isX(patch.substring(1))) {
            ver = major + minor + ".0" + preSuffix;
            dirty = true;
            patchDirty = true;
        }
        Version v = Version.parse(ver);
        if (v == null) {
            throw ImageException.invalid("constraint parser error");
        }
        return new Condition(op, v, dirty, minorDirty, patchDirty);
    }

    /** Whether a tag is a version that satisfies the constraint (tags that are no version never do). */
    boolean matches(String tag) {
        Version v = Version.parse(tag);
        if (v == null) {
            return false;
        }
        for (int i = 0; i < alternatives.size(); i++) {
            boolean includePre = hasPre.get(i);
            boolean all = true;
            for (Condition c : alternatives.get(i)) {
                if (!check(v, c, includePre)) {
                    all = false;
                    break;
                }
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    private static boolean check(Version v, Condition c, boolean includePre) {
        if (!v.pre().isEmpty() && !includePre) {
            return false;
        }
        Version k = c.con();
        return switch (c.op()) {
            case "", "=" -> c.dirty() ? tilde(v, c) : v.compareTo(k) == 0;
            case "!=" -> notEqual(v, c);
            case ">" -> greater(v, c);
            case "<" -> v.compareTo(k) < 0;
            case ">=", "=>" -> v.compareTo(k) >= 0;
            case "<=", "=<" -> lessOrEqual(v, c);
            case "~", "~>" -> tilde(v, c);
            case "^" -> caret(v, c);
            default -> false;
        };
    }

    private static boolean notEqual(Version v, Condition c) {
        Version k = c.con();
        if (c.dirty()) {
            if (k.major() != v.major()) {
                return true;
            }
            if (k.minor() != v.minor() && !c.minorDirty()) {
                return true;
            } else if (c.minorDirty()) {
                return false;
            } else if (k.patch() != v.patch() && !c.patchDirty()) {
                return true;
            } else if (c.patchDirty()) {
                if (!v.pre().isEmpty() || !k.pre().isEmpty()) {
                    return comparePre(v.pre(), k.pre()) != 0;
                }
                return false;
            }
        }
        return v.compareTo(k) != 0;
    }

    private static boolean greater(Version v, Condition c) {
        Version k = c.con();
        if (!c.dirty()) {
            return v.compareTo(k) > 0;
        }
        if (Long.compareUnsigned(v.major(), k.major()) > 0) {
            return true;
        } else if (Long.compareUnsigned(v.major(), k.major()) < 0) {
            return false;
        } else if (c.minorDirty()) {
            return false;
        } else if (c.patchDirty()) {
            return Long.compareUnsigned(v.minor(), k.minor()) > 0;
        }
        return v.compareTo(k) > 0;
    }

    private static boolean lessOrEqual(Version v, Condition c) {
        Version k = c.con();
        if (!c.dirty()) {
            return v.compareTo(k) <= 0;
        }
        if (Long.compareUnsigned(v.major(), k.major()) > 0) {
            return false;
        }
        return !(v.major() == k.major() && Long.compareUnsigned(v.minor(), k.minor()) > 0 && !c.minorDirty());
    }

    private static boolean tilde(Version v, Condition c) {
        Version k = c.con();
        if (v.compareTo(k) < 0) {
            return false;
        }
        if (k.major() == 0 && k.minor() == 0 && k.patch() == 0 && !c.minorDirty() && !c.patchDirty()) {
            return true;
        }
        if (v.major() != k.major()) {
            return false;
        }
        return v.minor() == k.minor() || c.minorDirty();
    }

    private static boolean caret(Version v, Condition c) {
        Version k = c.con();
        if (v.compareTo(k) < 0) {
            return false;
        }
        if (k.major() > 0 || c.minorDirty()) {
            return v.major() == k.major();
        }
        if (v.major() > 0) {
            return false;
        }
        if (k.minor() > 0 || c.patchDirty()) {
            return v.minor() == k.minor();
        }
        if (v.minor() > 0) {
            return false;
        }
        return k.patch() == v.patch();
    }
}
