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

    /** Parses a {@code --dest-compress-format} value ({@code gzip}, {@code zstd}; {@code zstd:chunked} is treated as zstd). */
    public static CompressionAlgorithm forWriting(String name) throws ImageException {
        return switch (name) {
            case "gzip" -> GZIP;
            case "zstd", "zstd:chunked" -> ZSTD;
            default -> throw ImageException.invalid("unsupported compression format " + name);
        };
    }
}
