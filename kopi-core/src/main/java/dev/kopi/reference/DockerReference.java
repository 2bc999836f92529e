package dev.kopi.reference;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A Docker image reference, {@code [domain/]path[:tag][@digest]}, with the grammar, normalization and error texts
 * of containers/image's {@code docker/reference} package (its copy of docker/distribution's reference package,
 * which is what skopeo uses).
 *
 * <p>Grammar: a domain is {@code host[:port]} where host is {@code .}-separated components of {@code [a-zA-Z0-9-]}
 * that start and end with an alphanumeric; the path is {@code /}-separated components of {@code [a-z0-9]} runs joined
 * by one {@code .}, one or two {@code _}, or any number of {@code -}; a tag is {@code [\w][\w.-]{0,127}}; a digest
 * is {@code algorithm:hex}. The name (domain and path) may be at most 255 characters long.
 *
 * <p>The matcher is hand-written (linear, no regex backtracking or recursion) but accepts exactly the language of
 * the upstream regular expressions, and splits domain and path the same way (the first component is a domain
 * whenever it can be one).
 *
 * <p>Values are immutable. A value made by {@link #parseNormalized} always has a domain; {@link #parse} and
 * {@link #withName} keep the input as written, so their domain may be empty.
 */
public final class DockerReference {
    /** The maximum length of {@link #name()}. */
    public static final int NAME_TOTAL_LENGTH_MAX = 255;
    /** The Docker Hub domain that familiar names normalize to. */
    public static final String DEFAULT_DOMAIN = "docker.io";
    /** The legacy Docker Hub domain, normalized to {@link #DEFAULT_DOMAIN}. */
    public static final String LEGACY_DEFAULT_DOMAIN = "index.docker.io";
    /** The Docker Hub namespace of official images. */
    public static final String OFFICIAL_REPO_NAME = "library";
    /** The tag {@link #tagNameOnly()} adds. */
    public static final String DEFAULT_TAG = "latest";

    static final String ERR_REFERENCE_INVALID_FORMAT = "invalid reference format";
    static final String ERR_TAG_INVALID_FORMAT = "invalid tag format";
    static final String ERR_NAME_CONTAINS_UPPERCASE = "repository name must be lowercase";
    static final String ERR_NAME_EMPTY = "repository name must have at least one component";
    static final String ERR_NAME_TOO_LONG =
            "repository name must not be more than " + NAME_TOTAL_LENGTH_MAX + " characters";
    static final String ERR_NAME_NOT_CANONICAL = "repository name must be canonical";

    private final String domain;
    private final String path;
    private final String tag;
    private final Digest digest;

    private DockerReference(String domain, String path, String tag, Digest digest) {
        this.domain = domain;
        this.path = path;
        this.tag = tag;
        this.digest = digest;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Parsing

    /**
     * Parses a reference as users type it and normalizes it (ParseNormalizedNamed): {@code busybox} becomes
     * {@code docker.io/library/busybox}, {@code index.docker.io} becomes {@code docker.io}. The first path
     * component is a domain only when it contains {@code .} or {@code :} or is {@code localhost}. A tag and a digest
     * may both be present. No default tag is added (see {@link #tagNameOnly()}).
     */
    public static DockerReference parseNormalized(String s) throws InvalidReferenceException {
        if (isFullIdentifier(s)) {
            throw new InvalidReferenceException(
                    "invalid repository name (" + s + "), cannot specify 64-byte hexadecimal strings");
        }
        String dom;
        String remainder;
        int slash = s.indexOf('/');
        if (slash < 0) {
            dom = DEFAULT_DOMAIN;
            remainder = s;
        } else {
            String first = s.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                dom = first;
                remainder = s.substring(slash + 1);
            } else {
                dom = DEFAULT_DOMAIN;
                remainder = s;
            }
        }
        if (dom.equals(LEGACY_DEFAULT_DOMAIN)) {
            dom = DEFAULT_DOMAIN;
        }
        if (dom.equals(DEFAULT_DOMAIN) && remainder.indexOf('/') < 0) {
            remainder = OFFICIAL_REPO_NAME + "/" + remainder;
        }
        int tagSep = remainder.indexOf(':');
        String remoteName = tagSep >= 0 ? remainder.substring(0, tagSep) : remainder;
        if (!goToLower(remoteName).equals(remoteName)) {
            throw new InvalidReferenceException("invalid reference format: repository name must be lowercase");
        }
        return parse(dom + "/" + remainder);
    }

    /**
     * Parses a reference without normalizing it (reference.Parse): {@code busybox} stays {@code busybox} with an
     * empty domain, and {@code test.com:5000} is the name {@code test.com} with tag {@code 5000}.
     */
    public static DockerReference parse(String s) throws InvalidReferenceException {
        Match m = matchReference(s);
        if (m == null) {
            if (s.isEmpty()) {
                throw new InvalidReferenceException(ERR_NAME_EMPTY);
            }
            if (matchReference(goToLower(s)) != null) {
                throw new InvalidReferenceException(ERR_NAME_CONTAINS_UPPERCASE);
            }
            throw new InvalidReferenceException(ERR_REFERENCE_INVALID_FORMAT);
        }
        int nameLength = m.domain.isEmpty() ? m.path.length() : m.domain.length() + 1 + m.path.length();
        if (nameLength > NAME_TOTAL_LENGTH_MAX) {
            throw new InvalidReferenceException(ERR_NAME_TOO_LONG);
        }
        Digest d = null;
        if (m.digest != null) {
            d = parseDigest(m.digest);
        }
        return new DockerReference(m.domain, m.path, m.tag, d);
    }

    /**
     * Parses a reference that must already be in canonical (fully normalized) form (ParseNamed):
     * {@code docker.io/library/busybox:latest} is accepted, {@code busybox} fails with
     * {@code repository name must be canonical}.
     */
    public static DockerReference parseNamed(String s) throws InvalidReferenceException {
        DockerReference r = parseNormalized(s);
        if (!r.toString().equals(s)) {
            throw new InvalidReferenceException(ERR_NAME_NOT_CANONICAL);
        }
        return r;
    }

    /** A name-only reference from {@code [domain/]path}, not normalized (WithName). */
    public static DockerReference withName(String name) throws InvalidReferenceException {
        if (name.length() > NAME_TOTAL_LENGTH_MAX) {
            throw new InvalidReferenceException(ERR_NAME_TOO_LONG);
        }
        String[] split = matchName(name);
        if (split == null) {
            throw new InvalidReferenceException(ERR_REFERENCE_INVALID_FORMAT);
        }
        return new DockerReference(split[0], split[1], null, null);
    }

    /** Whether {@code s} is a full 64-character lower-case hex image identifier (IsFullIdentifier). */
    public static boolean isFullIdentifier(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code t} is a valid tag, {@code [\w][\w.-]{0,127}}. */
    public static boolean isValidTag(String t) {
        if (t.isEmpty() || t.length() > 128 || !isWordChar(t.charAt(0))) {
            return false;
        }
        for (int i = 1; i < t.length(); i++) {
            char c = t.charAt(i);
            if (!isWordChar(c) && c != '.' && c != '-') {
                return false;
            }
        }
        return true;
    }

    private static Digest parseDigest(String s) throws InvalidReferenceException {
        String err = Digest.validate(s);
        if (err != null) {
            throw new InvalidReferenceException(err);
        }
        try {
            return Digest.parse(s);
        } catch (ImageException e) {
            // A digest go-digest accepts but kopi cannot represent (sha384).
            throw new InvalidReferenceException(e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Accessors

    /** The registry host (and port), e.g. {@code docker.io}, {@code localhost:5000}; empty only for non-normalized values. */
    public String domain() {
        return domain;
    }

    /** The repository path within the registry, e.g. {@code library/busybox}. */
    public String path() {
        return path;
    }

    /** {@code domain/path} (just {@code path} when the domain is empty). */
    public String name() {
        return domain.isEmpty() ? path : domain + "/" + path;
    }

    /** The name as users type it: {@code busybox}, {@code user/app}, {@code quay.io/x/y} (FamiliarName). */
    public String familiarName() {
        return familiarDomainPath();
    }

    public Optional<String> tag() {
        return Optional.ofNullable(tag);
    }

    public Optional<Digest> digest() {
        return Optional.ofNullable(digest);
    }

    /** Whether neither tag nor digest is present. */
    public boolean isNameOnly() {
        return tag == null && digest == null;
    }

    /** Whether both a tag and a digest are present ({@code name:tag@digest}). */
    public boolean hasTagAndDigest() {
        return tag != null && digest != null;
    }

    /** This reference with {@code :latest} added when it has neither tag nor digest (TagNameOnly). */
    public DockerReference tagNameOnly() {
        return isNameOnly() ? new DockerReference(domain, path, DEFAULT_TAG, null) : this;
    }

    /**
     * {@code name:tag}: the name of this reference with the given tag, and no digest.
     *
     * @throws InvalidReferenceException {@code invalid tag format} when the tag does not match the tag grammar
     */
    public DockerReference withTag(String newTag) throws InvalidReferenceException {
        if (newTag == null || !isValidTag(newTag)) {
            throw new InvalidReferenceException(ERR_TAG_INVALID_FORMAT);
        }
        return new DockerReference(domain, path, newTag, null);
    }

    /** {@code name@digest}: the name of this reference with the given digest, and no tag. */
    public DockerReference withDigest(Digest d) {
        return new DockerReference(domain, path, null, Objects.requireNonNull(d, "digest"));
    }

    /** The name without tag or digest (TrimNamed). */
    public DockerReference trimmedToName() {
        return isNameOnly() ? this : new DockerReference(domain, path, null, null);
    }

    /** The shortest form users type: {@code busybox:latest}, {@code quay.io/x/y:1} (FamiliarString). */
    public String familiarString() {
        return familiarDomainPath() + suffix();
    }

    private String familiarDomainPath() {
        if (!domain.equals(DEFAULT_DOMAIN)) {
            return name();
        }
        int slash = path.indexOf('/');
        if (slash >= 0 && path.indexOf('/', slash + 1) < 0 && path.substring(0, slash).equals(OFFICIAL_REPO_NAME)) {
            return path.substring(slash + 1);
        }
        return path;
    }

    private String suffix() {
        return (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    /** The full form, {@code docker.io/library/busybox:latest}. */
    @Override
    public String toString() {
        return name() + suffix();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DockerReference r && r.domain.equals(domain) && r.path.equals(path)
                && Objects.equals(r.tag, tag) && Objects.equals(r.digest, digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(domain, path, tag, digest);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The matcher: accepts exactly what the upstream ReferenceRegexp / anchoredNameRegexp accept.

    private record Match(String domain, String path, String tag, String digest) {
    }

    /** Matches {@code name[:tag][@digest]}; null when it does not match. */
    private static Match matchReference(String s) {
        String left = s;
        String dig = null;
        int at = s.indexOf('@');
        if (at >= 0) {
            // Neither the name nor the tag nor the digest can contain '@', so the first one is the only split.
            dig = s.substring(at + 1);
            left = s.substring(0, at);
            if (!isDigestSyntax(dig)) {
                return null;
            }
        }
        String t = null;
        int colon = left.lastIndexOf(':');
        if (colon > left.lastIndexOf('/')) {
            // A ':' after the last '/' cannot be a port (a domain is always followed by '/'), so it starts a tag.
            t = left.substring(colon + 1);
            left = left.substring(0, colon);
            if (!isValidTag(t)) {
                return null;
            }
        }
        String[] name = matchName(left);
        if (name == null) {
            return null;
        }
        return new Match(name[0], name[1], t, dig);
    }

    /** Matches {@code [domain/]path}, returning {domain, path} (domain "" when absent); null when no match. */
    private static String[] matchName(String name) {
        int slash = name.indexOf('/');
        if (slash >= 0) {
            String first = name.substring(0, slash);
            String rest = name.substring(slash + 1);
            if (isDomain(first) && isPath(rest)) {
                return new String[] {first, rest};
            }
        }
        return isPath(name) ? new String[] {"", name} : null;
    }

    /** {@code component(/component)*}. */
    private static boolean isPath(String p) {
        int start = 0;
        while (true) {
            int slash = p.indexOf('/', start);
            int end = slash < 0 ? p.length() : slash;
            if (!isPathComponent(p, start, end)) {
                return false;
            }
            if (slash < 0) {
                return true;
            }
            start = slash + 1;
        }
    }

    /** {@code [a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*}. */
    private static boolean isPathComponent(String s, int start, int end) {
        if (start >= end || !isLowerAlnum(s.charAt(start)) || !isLowerAlnum(s.charAt(end - 1))) {
            return false;
        }
        int i = start;
        while (i < end) {
            char c = s.charAt(i);
            if (isLowerAlnum(c)) {
                i++;
                continue;
            }
            // A separator run, which is followed by an alphanumeric (the component ends with one).
            int j = i;
            while (j < end && !isLowerAlnum(s.charAt(j))) {
                j++;
            }
            String sep = s.substring(i, j);
            if (!(sep.equals(".") || sep.equals("_") || sep.equals("__") || sep.chars().allMatch(ch -> ch == '-'))) {
                return false;
            }
            i = j;
        }
        return true;
    }

    /** {@code domainComponent(\.domainComponent)*(:[0-9]+)?}. */
    private static boolean isDomain(String d) {
        String host = d;
        int colon = d.indexOf(':');
        if (colon >= 0) {
            host = d.substring(0, colon);
            String port = d.substring(colon + 1);
            if (port.isEmpty() || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return false;
            }
        }
        int start = 0;
        while (true) {
            int dot = host.indexOf('.', start);
            int end = dot < 0 ? host.length() : dot;
            if (!isDomainComponent(host, start, end)) {
                return false;
            }
            if (dot < 0) {
                return true;
            }
            start = dot + 1;
        }
    }

    /** {@code [a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]}. */
    private static boolean isDomainComponent(String s, int start, int end) {
        if (start >= end || !isAlnum(s.charAt(start)) || !isAlnum(s.charAt(end - 1))) {
            return false;
        }
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (!isAlnum(c) && c != '-') {
                return false;
            }
        }
        return true;
    }

    /** {@code [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}}. */
    static boolean isDigestSyntax(String s) {
        int colon = s.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String hex = s.substring(colon + 1);
        if (hex.length() < 32 || !hex.chars().allMatch(DockerReference::isHexDigit)) {
            return false;
        }
        String alg = s.substring(0, colon);
        boolean componentStart = true;
        for (int i = 0; i < alg.length(); i++) {
            char c = alg.charAt(i);
            if (componentStart) {
                if (!isAsciiLetter(c)) {
                    return false;
                }
                componentStart = false;
            } else if (c == '-' || c == '_' || c == '+' || c == '.') {
                componentStart = true;
            } else if (!isAlnum(c)) {
                return false;
            }
        }
        return !componentStart;
    }

    private static boolean isHexDigit(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isLowerAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isAlnum(char c) {
        return isAsciiLetter(c) || (c >= '0' && c <= '9');
    }

    private static boolean isWordChar(char c) {
        return isAlnum(c) || c == '_';
    }

    /** Go's strings.ToLower, close enough: full Unicode lower-casing without locale rules. */
    static String goToLower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
