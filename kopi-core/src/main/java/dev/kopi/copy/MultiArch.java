package dev.kopi.copy;

import dev.kopi.error.ImageException;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.ManifestList;
import dev.kopi.manifest.OciIndex;
import dev.kopi.manifest.Platform;
import java.util.ArrayList;
import java.util.List;

/**
 * What to copy from a manifest list ({@code --multi-arch}): skopeo's {@link #SYSTEM}, {@link #ALL} and
 * {@link #INDEX_ONLY}, and (beyond skopeo) a platform subset, {@code --multi-arch=linux/amd64,linux/arm64}, that
 * copies only the matching instances and writes a list naming only them.
 *
 * <p>The three skopeo choices are singletons, so {@code ==} compares them.
 */
public final class MultiArch {
    /** Only the image for the current (or overridden) platform. */
    public static final MultiArch SYSTEM = new MultiArch("system", List.of());
    /** Every image and the list. */
    public static final MultiArch ALL = new MultiArch("all", List.of());
    /** Only the list itself. */
    public static final MultiArch INDEX_ONLY = new MultiArch("index-only", List.of());

    private final String name;
    private final List<Platform> platforms;

    private MultiArch(String name, List<Platform> platforms) {
        this.name = name;
        this.platforms = List.copyOf(platforms);
    }

    /**
     * Only the instances for these platforms (os, architecture, and a variant or "" for any variant), in a list that
     * names only them.
     */
    public static MultiArch platforms(List<Platform> platforms) {
        if (platforms.isEmpty()) {
            throw new IllegalArgumentException("no platforms");
        }
        StringBuilder n = new StringBuilder();
        for (Platform p : platforms) {
            n.append(n.length() == 0 ? "" : ",").append(p);
        }
        return new MultiArch(n.toString(), platforms);
    }

    /**
     * Parses a {@code --multi-arch} value: {@code system}, {@code all}, {@code index-only}, or a comma-separated list
     * of {@code os/arch[/variant]}.
     */
    public static MultiArch parse(String s) throws ImageException {
        switch (s) {
            case "system":
                return SYSTEM;
            case "all":
                return ALL;
            case "index-only":
                return INDEX_ONLY;
            default:
                break;
        }
        if (!s.contains("/")) {
            throw ImageException.invalid("unknown multi-arch option \"" + s
                    + "\". Choose one of the supported options: 'system', 'all', or 'index-only'");
        }
        return platforms(parsePlatforms(s));
    }

    /** Parses {@code os/arch[/variant][,os/arch[/variant]...]} ({@code --platform}). */
    public static List<Platform> parsePlatforms(String s) throws ImageException {
        List<Platform> out = new ArrayList<>();
        for (String part : s.split(",", -1)) {
            String p = part.trim();
            String[] f = p.split("/", -1);
            boolean ok = (f.length == 2 || f.length == 3);
            for (String x : f) {
                ok &= !x.isEmpty() && x.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '_' || c == '-'
                        || c == '.');
            }
            if (!ok) {
                throw ImageException.invalid("invalid platform \"" + p
                        + "\": expected os/arch or os/arch/variant, e.g. linux/arm64/v8");
            }
            Platform plat = new Platform(f[0], f[1], f.length == 3 ? f[2] : "");
            if (!out.contains(plat)) {
                out.add(plat);
            }
        }
        return out;
    }

    /** The requested platforms of a subset; empty for the three skopeo choices. */
    public List<Platform> platformList() {
        return platforms;
    }

    /** True for a platform subset. */
    public boolean isSubset() {
        return !platforms.isEmpty();
    }

    /**
     * The instances of {@code list} a subset selects, in the list's order. Each requested platform must match at least
     * one instance: same os and architecture, and the same variant when one was asked for ({@code arm64/v8} also
     * matches an arm64 entry without a variant).
     */
    public List<Descriptor> select(ManifestList list) throws ImageException {
        List<Descriptor> instances = list.instances();
        boolean[] chosen = new boolean[instances.size()];
        for (Platform want : platforms) {
            boolean found = false;
            for (int i = 0; i < instances.size(); i++) {
                if (matches(want, instances.get(i).platform())) {
                    chosen[i] = true;
                    found = true;
                }
            }
            if (!found) {
                String kind = list instanceof OciIndex ? "image index" : "manifest list";
                throw ImageException.invalid("no image found in " + kind + " for platform \"" + want + "\"");
            }
        }
        List<Descriptor> out = new ArrayList<>();
        for (int i = 0; i < instances.size(); i++) {
            if (chosen[i]) {
                out.add(instances.get(i));
            }
        }
        return out;
    }

    static boolean matches(Platform want, Platform have) {
        if (have == null || !have.os().equals(want.os()) || !have.architecture().equals(want.architecture())) {
            return false;
        }
        if (want.variant().isEmpty() || want.variant().equals(have.variant())) {
            return true;
        }
        return have.variant().isEmpty() && want.architecture().equals("arm64") && want.variant().equals("v8");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MultiArch m && m.name.equals(name) && m.platforms.equals(platforms);
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }

    /** The {@code --multi-arch} value this stands for. */
    @Override
    public String toString() {
        return name;
    }
}
