package dev.kopi.reference;

import dev.kopi.digest.Digest;
import dev.kopi.error.InvalidReferenceException;
import java.util.Optional;

/**
 * A normalized Docker image reference ({@code docker.io/library/busybox:latest}), per the distribution
 * reference grammar. PLACEHOLDER: the full grammar is being written.
 */
public final class DockerReference {
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

    /** Parses and normalizes a reference as users type it ({@code busybox} → {@code docker.io/library/busybox}). */
    public static DockerReference parseNormalized(String s) throws InvalidReferenceException {
        String rest = s;
        Digest d = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            try {
                d = Digest.parse(rest.substring(at + 1));
            } catch (dev.kopi.error.ImageException e) {
                throw new InvalidReferenceException(e.getMessage(), e);
            }
            rest = rest.substring(0, at);
        }
        String t = null;
        int colon = rest.lastIndexOf(':');
        if (colon > rest.lastIndexOf('/')) {
            t = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
        }
        String dom = "docker.io";
        String p = rest;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            String first = rest.substring(0, slash);
            if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
                dom = first;
                p = rest.substring(slash + 1);
            }
        }
        if (dom.equals("docker.io") && !p.contains("/")) {
            p = "library/" + p;
        }
        return new DockerReference(dom, p, t, d);
    }

    /** The registry host (and port), e.g. {@code docker.io}, {@code localhost:5000}. */
    public String domain() {
        return domain;
    }

    /** The repository path within the registry, e.g. {@code library/busybox}. */
    public String path() {
        return path;
    }

    /** {@code domain/path}. */
    public String name() {
        return domain + "/" + path;
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

    /** This reference with {@code :latest} added when it has neither tag nor digest. */
    public DockerReference tagNameOnly() {
        return isNameOnly() ? new DockerReference(domain, path, "latest", null) : this;
    }

    public DockerReference withTag(String newTag) {
        return new DockerReference(domain, path, newTag, null);
    }

    public DockerReference withDigest(Digest d) {
        return new DockerReference(domain, path, null, d);
    }

    /** The name without tag or digest. */
    public DockerReference trimmedToName() {
        return new DockerReference(domain, path, null, null);
    }

    /** The shortest form users type: {@code busybox:latest}, {@code quay.io/x/y:1}. */
    public String familiarString() {
        String n = name();
        if (domain.equals("docker.io")) {
            n = path.startsWith("library/") && path.indexOf('/', 8) < 0 ? path.substring(8) : path;
        }
        return n + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    @Override
    public String toString() {
        return name() + (tag != null ? ":" + tag : "") + (digest != null ? "@" + digest : "");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DockerReference r && r.toString().equals(toString());
    }

    @Override
    public int hashCode() {
        return toString().hashCode();
    }
}
