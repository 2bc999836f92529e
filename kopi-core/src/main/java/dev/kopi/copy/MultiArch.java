package dev.kopi.copy;

import dev.kopi.error.ImageException;

/** What to copy from a manifest list ({@code --multi-arch}). */
public enum MultiArch {
    /** Only the image for the current (or overridden) platform. */
    SYSTEM,
    /** Every image and the list. */
    ALL,
    /** Only the list itself. */
    INDEX_ONLY;

    /** Parses skopeo's {@code --multi-arch} value: {@code system}, {@code all} or {@code index-only}. */
    public static MultiArch parse(String s) throws ImageException {
        return switch (s) {
            case "system" -> SYSTEM;
            case "all" -> ALL;
            case "index-only" -> INDEX_ONLY;
            default -> throw ImageException.invalid("unknown multi-arch option \"" + s
                    + "\". Choose one of the supported options: 'system', 'all', or 'index-only'");
        };
    }
}
