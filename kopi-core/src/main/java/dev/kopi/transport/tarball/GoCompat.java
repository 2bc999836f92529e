package dev.kopi.transport.tarball;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.json.GoJson;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Small pieces of Go standard-library behaviour that docker-save archives depend on byte for byte:
 * {@code path.Clean}/{@code path.Join}, {@code strconv.Atoi} error texts, and the {@code encoding/json} string
 * dialect the archive files are written in. Internal to the tarball and docker-archive code.
 */
public final class GoCompat {
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
     * Appends {@code s} as a JSON string the way the Go 1.19 {@code json.Marshal} of skopeo 1.9.3 writes it (see
     * {@link GoJson#appendStringGo119}).
     */
    public static void appendJsonString(StringBuilder b, String s) {
        GoJson.appendStringGo119(b, s);
    }

    /** {@link #appendJsonString} into a new String. */
    public static String jsonString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2);
        appendJsonString(b, s);
        return b.toString();
    }

    /**
     * The member {@code encoding/json} decodes into the struct field {@code name}, as the tarball code reads it:
     * the exact key, else the last key that matches ignoring case; null when there is none or {@code obj} is not
     * an object. (Go lets a later case-insensitive match override an exact one; kopi does not.)
     */
    static JsonNode jsonField(JsonNode obj, String name) {
        if (obj == null || !obj.isObject()) {
            return null;
        }
        JsonNode exact = obj.get(name);
        if (exact != null) {
            return exact;
        }
        String lower = name.toLowerCase(Locale.ROOT);
        JsonNode found = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().toLowerCase(Locale.ROOT).equals(lower)) {
                found = e.getValue();
            }
        }
        return found;
    }
}
