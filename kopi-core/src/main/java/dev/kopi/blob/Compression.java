package dev.kopi.blob;

import com.github.luben.zstd.ZstdInputStream;
import com.github.luben.zstd.ZstdOutputStream;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.MediaTypes;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.tukaani.xz.XZInputStream;

/** Detecting, decompressing and compressing layer streams, and the media types that follow compression. */
public final class Compression {
    private static final byte[] GZIP_MAGIC = {0x1f, (byte) 0x8b, 0x08};
    private static final byte[] ZSTD_MAGIC = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd};
    private static final byte[] BZIP2_MAGIC = {0x42, 0x5a, 0x68};
    private static final byte[] XZ_MAGIC = {(byte) 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};

    private Compression() {
    }

    /** Detects the compression of a stream from its first bytes; the stream must support mark/reset. */
    public static Optional<CompressionAlgorithm> detect(BufferedInputStream in) throws IOException {
        in.mark(16);
        byte[] head = in.readNBytes(8);
        in.reset();
        if (startsWith(head, GZIP_MAGIC)) {
            return Optional.of(CompressionAlgorithm.GZIP);
        }
        if (startsWith(head, ZSTD_MAGIC)) {
            return Optional.of(CompressionAlgorithm.ZSTD);
        }
        if (startsWith(head, BZIP2_MAGIC)) {
            return Optional.of(CompressionAlgorithm.BZIP2);
        }
        if (startsWith(head, XZ_MAGIC)) {
            return Optional.of(CompressionAlgorithm.XZ);
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] data, byte[] magic) {
        return data.length >= magic.length && Arrays.equals(data, 0, magic.length, magic, 0, magic.length);
    }

    /** A stream of the decompressed data. */
    public static InputStream decompress(InputStream in, CompressionAlgorithm algorithm) throws IOException {
        return switch (algorithm) {
            case GZIP -> new GZIPInputStream(in, 65536);
            case ZSTD -> new ZstdInputStream(in);
            case BZIP2 -> new BZip2CompressorInputStream(in, true);
            case XZ -> new XZInputStream(in);
        };
    }

    /** An output stream compressing into {@code out}; level null = the algorithm's default. */
    public static OutputStream compress(OutputStream out, CompressionAlgorithm algorithm, Integer level)
            throws IOException {
        return switch (algorithm) {
            case GZIP -> new LeveledGzip(out, level == null ? Deflater.DEFAULT_COMPRESSION : level);
            case ZSTD -> {
                ZstdOutputStream z = new ZstdOutputStream(out);
                z.setLevel(level == null ? 3 : level);
                yield z;
            }
            default -> throw new ImageException(ErrorCode.UNSUPPORTED, "compressing with " + algorithm.cliName()
                    + " is not supported");
        };
    }

    private static final class LeveledGzip extends GZIPOutputStream {
        LeveledGzip(OutputStream out, int level) throws IOException {
            super(out, 65536);
            def.setLevel(level);
        }
    }

    /** The compression a layer media type implies, if it says. */
    public static Optional<CompressionAlgorithm> fromMediaType(String mt) {
        if (mt == null) {
            return Optional.empty();
        }
        if (mt.endsWith("+gzip") || mt.endsWith(".tar.gzip")) {
            return Optional.of(CompressionAlgorithm.GZIP);
        }
        if (mt.endsWith("+zstd") || mt.endsWith(".tar.zstd")) {
            return Optional.of(CompressionAlgorithm.ZSTD);
        }
        return Optional.empty();
    }

    /**
     * The layer media type after a compression change, for the target manifest type (OCI or Docker).
     *
     * @param algorithm empty = uncompressed
     */
    public static String layerMediaType(String original, boolean oci, Optional<CompressionAlgorithm> algorithm)
            throws ImageException {
        boolean nonDist = original != null && (original.contains("nondistributable") || original.contains("foreign"));
        if (oci) {
            if (algorithm.isEmpty()) {
                return nonDist ? MediaTypes.OCI_LAYER_NONDIST : MediaTypes.OCI_LAYER;
            }
            return switch (algorithm.get()) {
                case GZIP -> nonDist ? MediaTypes.OCI_LAYER_NONDIST_GZIP : MediaTypes.OCI_LAYER_GZIP;
                case ZSTD -> nonDist ? MediaTypes.OCI_LAYER_NONDIST_ZSTD : MediaTypes.OCI_LAYER_ZSTD;
                default -> throw ImageException.unsupported(algorithm.get().cliName()
                        + " compression is not supported for OCI images");
            };
        }
        if (algorithm.isEmpty()) {
            return nonDist ? "application/vnd.docker.image.rootfs.foreign.diff.tar" : MediaTypes.DOCKER_LAYER;
        }
        return switch (algorithm.get()) {
            case GZIP -> nonDist ? MediaTypes.DOCKER_FOREIGN_LAYER_GZIP : MediaTypes.DOCKER_LAYER_GZIP;
            default -> throw ImageException.unsupported("Error during manifest conversion: \"" + original + "\": "
                    + algorithm.get().cliName() + " compression is not supported for docker images");
        };
    }
}
