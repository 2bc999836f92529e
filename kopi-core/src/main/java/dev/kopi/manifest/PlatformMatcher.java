package dev.kopi.manifest;

import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Chooses the instance of a list for a platform, as containers/image does (variant compatibility included). */
public final class PlatformMatcher {
    private static final Map<String, List<String>> COMPATIBILITY = Map.of(
            "arm", List.of("v8", "v7", "v6", "v5"),
            "arm64", List.of("v8"));

    private PlatformMatcher() {
    }

    /** The host architecture in Go's GOARCH naming. */
    public static String hostArch() {
        String a = System.getProperty("os.arch", "");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i686" -> "386";
            case "arm" -> "arm";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> a;
        };
    }

    /** The host OS in Go's GOOS naming. */
    public static String hostOs() {
        String o = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        if (o.contains("linux")) {
            return "linux";
        }
        if (o.contains("mac") || o.contains("darwin")) {
            return "darwin";
        }
        if (o.contains("windows")) {
            return "windows";
        }
        return o;
    }

    /** The wanted platforms, best first, for the given overrides (null = host). */
    public static List<Platform> wantedPlatforms(String osChoice, String archChoice, String variantChoice) {
        String arch = archChoice != null && !archChoice.isEmpty() ? archChoice : hostArch();
        String variant = "";
        if ((archChoice == null || archChoice.isEmpty()) && arch.equals("arm64")) {
            variant = "v8";
        }
        if (variantChoice != null && !variantChoice.isEmpty()) {
            variant = variantChoice;
        }
        String os = osChoice != null && !osChoice.isEmpty() ? osChoice : hostOs();
        List<String> variants = new ArrayList<>();
        if (!variant.isEmpty()) {
            List<String> order = COMPATIBILITY.get(arch);
            int i = order == null ? -1 : order.indexOf(variant);
            if (i >= 0) {
                variants.addAll(order.subList(i, order.size()));
            } else {
                variants.add(variant);
            }
            variants.add("");
        } else {
            variants.add("");
            List<String> possible = COMPATIBILITY.get(arch);
            if (possible != null) {
                variants.addAll(possible);
            }
        }
        List<Platform> out = new ArrayList<>();
        for (String v : variants) {
            out.add(new Platform(os, arch, v));
        }
        return out;
    }

    /** The digest of the instance of {@code list} to use for these choices. */
    public static Digest chooseInstance(ManifestList list, String osChoice, String archChoice, String variantChoice)
            throws ImageException {
        List<Platform> wanted = wantedPlatforms(osChoice, archChoice, variantChoice);
        for (Platform w : wanted) {
            for (Descriptor d : list.instances()) {
                Platform p = d.platform() == null ? new Platform("", "", "") : d.platform();
                if (p.architecture().equals(w.architecture()) && p.os().equals(w.os())
                        && p.variant().equals(w.variant())) {
                    return d.digest();
                }
            }
        }
        if (list instanceof OciIndex) {
            // containers/image: an OCI index entry without a platform is the fallback when nothing matches
            for (Descriptor d : list.instances()) {
                if (d.platform() == null) {
                    return d.digest();
                }
            }
        }
        Platform w = wanted.get(0);
        String kind = list instanceof OciIndex ? "image index" : "manifest list";
        throw new ImageException(ErrorCode.INVALID_INPUT, "no image found in " + kind + " for architecture \""
                + w.architecture() + "\", variant \"" + w.variant() + "\", OS \"" + w.os() + "\"");
    }
}
