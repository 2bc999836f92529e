package dev.kopi.transport.storage;

import java.util.ArrayList;
import java.util.List;

/** Go's lexical path functions ({@code path/filepath} on Linux), which c/storage's layer code relies on. */
final class GoPaths {
    private GoPaths() {
    }

    /** Go's {@code filepath.Clean}: the shortest equivalent path, "." for an empty result. */
    static String clean(String p) {
        if (p.isEmpty()) {
            return ".";
        }
        boolean rooted = p.charAt(0) == '/';
        List<String> out = new ArrayList<>();
        int dotdots = 0; // leading ".." elements kept in a relative path
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

    /** Go's {@code filepath.Join(a, b)} for a non-empty {@code a}. */
    static String join(String a, String b) {
        if (b.isEmpty()) {
            return clean(a);
        }
        return clean(a + "/" + b);
    }

    /** Go's {@code filepath.Dir}. */
    static String dir(String p) {
        int slash = p.lastIndexOf('/');
        return clean(slash < 0 ? "" : p.substring(0, slash + 1));
    }

    /** Go's {@code filepath.Base}. */
    static String base(String p) {
        if (p.isEmpty()) {
            return ".";
        }
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        int slash = p.lastIndexOf('/');
        String b = slash >= 0 ? p.substring(slash + 1) : p;
        return b.isEmpty() ? "/" : b;
    }
}
