package dev.kopi.transport.storage;

import dev.kopi.error.InvalidReferenceException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Which containers/storage store an image lives in: graph driver, graph root, run root and driver options, as
 * written in {@code [DRIVER@GRAPHROOT+RUNROOT:OPT,OPT]} before a {@code containers-storage:} reference. Empty
 * strings mean "not given" (the store's defaults apply); {@link #UNSPECIFIED} is the default store.
 */
public record StoreSpec(String driver, String graphRoot, String runRoot, List<String> options) {
    /** No store given: the default store (from storage.conf). */
    public static final StoreSpec UNSPECIFIED = new StoreSpec("", "", "", List.of());

    static final String ERR_INVALID_REFERENCE = "invalid reference";
    static final String ERR_PATH_NOT_ABSOLUTE = "path name is not absolute";

    public StoreSpec {
        driver = driver == null ? "" : driver;
        graphRoot = graphRoot == null ? "" : graphRoot;
        runRoot = runRoot == null ? "" : runRoot;
        options = options == null ? List.of() : List.copyOf(options);
    }

    /** Whether nothing is given, i.e. this is the default store not yet resolved from storage.conf. */
    public boolean isUnspecified() {
        return equals(UNSPECIFIED);
    }

    /**
     * Parses the text between {@code [} and {@code ]}: {@code GRAPHROOT}, {@code DRIVER@GRAPHROOT},
     * {@code DRIVER@GRAPHROOT+RUNROOT}, each optionally followed by {@code :OPTIONS} (comma-separated). Paths must be
     * absolute. Errors are containers/image's {@code invalid reference} and {@code path name is not absolute}.
     */
    public static StoreSpec parse(String spec) throws InvalidReferenceException {
        String driver = "";
        String rest;
        int at = spec.indexOf('@');
        if (at < 0) {
            rest = spec;
            if (rest.isEmpty()) {
                throw new InvalidReferenceException(ERR_INVALID_REFERENCE);
            }
        } else {
            driver = spec.substring(0, at);
            rest = spec.substring(at + 1);
            if (driver.isEmpty() || rest.isEmpty()) {
                throw new InvalidReferenceException(ERR_INVALID_REFERENCE);
            }
        }
        List<String> options = List.of();
        int colon = rest.indexOf(':');
        if (colon >= 0) {
            options = splitAll(rest.substring(colon + 1), ',');
            rest = rest.substring(0, colon);
        }
        String runRoot = "";
        int plus = rest.indexOf('+');
        if (plus >= 0) {
            runRoot = rest.substring(plus + 1);
            rest = rest.substring(0, plus);
        }
        String graphRoot = rest;
        if (!graphRoot.isEmpty() && !graphRoot.startsWith("/")) {
            throw new InvalidReferenceException(ERR_PATH_NOT_ABSOLUTE);
        }
        if (!runRoot.isEmpty() && !runRoot.startsWith("/")) {
            throw new InvalidReferenceException(ERR_PATH_NOT_ABSOLUTE);
        }
        return new StoreSpec(driver, graphRoot, runRoot, options);
    }

    /** Go's strings.Split: every piece, empty ones included. */
    private static List<String> splitAll(String s, char sep) {
        List<String> res = new ArrayList<>();
        int start = 0;
        for (int i = s.indexOf(sep); i >= 0; i = s.indexOf(sep, start)) {
            res.add(s.substring(start, i));
            start = i + 1;
        }
        res.add(s.substring(start));
        return res;
    }

    /** {@code [driver@graphRoot+runRoot]} or {@code [driver@graphRoot+runRoot:opt,opt]}, as references print it. */
    public String referencePrefix() {
        return "[" + driver + "@" + graphRoot + "+" + runRoot + (options.isEmpty() ? "" : ":" + String.join(",", options))
                + "]";
    }

    /** {@code [driver@graphRoot]}, the store part of policy scopes. */
    public String policyPrefix() {
        return "[" + driver + "@" + graphRoot + "]";
    }

    /** {@code [graphRoot]}, the driverless policy scope. */
    public String driverlessPolicyPrefix() {
        return "[" + graphRoot + "]";
    }

    /** Go's filepath.Clean for an absolute path: no repeated or trailing slashes, no "." or ".." elements. */
    static String cleanAbsolutePath(String p) {
        if (p.isEmpty() || !p.startsWith("/")) {
            return p;
        }
        List<String> out = new ArrayList<>();
        for (String part : Arrays.asList(p.split("/"))) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (!out.isEmpty()) {
                    out.remove(out.size() - 1);
                }
                continue;
            }
            out.add(part);
        }
        return "/" + String.join("/", out);
    }
}
