package dev.kopi.blob;

import dev.kopi.error.ImageException;

/** Compression algorithms of layers; gzip and zstd can be written, bzip2 and xz only read. */
public enum CompressionAlgorithm {
    GZIP("gzip"),
    ZSTD("zstd"),
    BZIP2("bzip2"),
    XZ("xz");

    private final String cliName;

    CompressionAlgorithm(String cliName) {
        this.cliName = cliName;
    }

    public String cliName() {
        return cliName;
    }

    /**
     * Parses a {@code --dest-compress-format} value as containers/image's {@code AlgorithmByName}: {@code gzip},
     * {@code zstd} ({@code zstd:chunked} is treated as zstd), and {@code bzip2}, {@code xz}, which are known names
     * that no manifest format can describe, so a copy asking for them fails when choosing the manifest type.
     */
    public static CompressionAlgorithm forWriting(String name) throws ImageException {
        return switch (name) {
            case "gzip" -> GZIP;
            case "zstd", "zstd:chunked" -> ZSTD;
            case "bzip2" -> BZIP2;
            case "xz" -> XZ;
            default -> throw ImageException.invalid("cannot find compressor for "
                    + dev.kopi.internal.go.GoStrconv.quote(name));
        };
    }
}
