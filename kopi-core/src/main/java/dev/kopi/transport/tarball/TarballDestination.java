package dev.kopi.transport.tarball;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.blob.BlobInfo;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.digest.DigestingInputStream;
import dev.kopi.digest.SizeLimits;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.io.BigTemp;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.reference.DockerReference;
import dev.kopi.signature.Signature;
import dev.kopi.transport.DestinationCapabilities;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageReference;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Adds one image to an {@link ArchiveWriter} (containers/image's {@code docker/internal/tarfile.Destination}):
 * Docker schema2 manifests only, layers wanted decompressed, no signatures, no lists. Blobs of unknown size or
 * digest are spooled to a temporary file first (the tar header needs the size). What happens on
 * {@link #commit()} and {@link #close()} is up to the transport (hooks).
 */
public class TarballDestination implements ImageDestination {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DestinationCapabilities CAPABILITIES = new DestinationCapabilities(
            List.of(MediaTypes.DOCKER_V2S2), DestinationCapabilities.LayerCompression.DECOMPRESS,
            false, false, false, false, false);

    /** An action run on commit or close. */
    @FunctionalInterface
    public interface Hook {
        void run() throws IOException;
    }

    private final ImageReference reference;
    private final ArchiveWriter archive;
    private final List<DockerReference> repoTags;
    private final Path tmpDir;
    private final Hook onCommit;
    private final Hook onClose;
    private volatile byte[] config;

    /**
     * @param repoTags tags for the image (each must have a tag), in order; duplicates are written once
     * @param tmpDir where blobs of unknown size are spooled
     */
    public TarballDestination(ImageReference reference, ArchiveWriter archive, List<DockerReference> repoTags,
            Path tmpDir, Hook onCommit, Hook onClose) {
        this.reference = reference;
        this.archive = archive;
        this.repoTags = List.copyOf(repoTags);
        this.tmpDir = tmpDir;
        this.onCommit = onCommit;
        this.onClose = onClose;
    }

    @Override
    public ImageReference reference() {
        return reference;
    }

    @Override
    public DestinationCapabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public Optional<BlobInfo> tryReusingBlob(BlobInfo info) throws IOException {
        if (info.digest() == null) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "Can not check for a blob with unknown digest");
        }
        long size = archive.sentBlobSize(info.digest());
        return size < 0 ? Optional.empty() : Optional.of(info.withDigestAndSize(info.digest(), size));
    }

    @Override
    public BlobInfo putBlob(InputStream stream, BlobInfo info, PutBlobOptions options) throws IOException {
        Digest digest = info.digest();
        long size = info.size();
        Path spool = null;
        InputStream in = stream;
        try {
            if (size < 0 || digest == null) {
                // The tar header needs the size first: stream to disk, digesting unless a sha256 digest is known.
                try {
                    spool = BigTemp.createTemp(tmpDir, "stream-blob");
                } catch (ImageException e) {
                    throw new ImageException(e.code(), "creating temporary on-disk layer: " + e.getMessage(), e);
                }
                DigestingInputStream dig = new DigestingInputStream(stream, DigestAlgorithm.SHA256);
                try (OutputStream out = Files.newOutputStream(spool)) {
                    dev.kopi.internal.io.Streams.copy(dig, out);
                } catch (ImageException e) {
                    throw e;
                } catch (IOException e) {
                    throw new ImageException(ErrorCode.IO, "writing to temporary on-disk layer: " + e.getMessage(), e);
                }
                if (digest == null || digest.algorithm() != DigestAlgorithm.SHA256) {
                    digest = dig.digest();
                }
                size = dig.count();
                in = Files.newInputStream(spool);
            }
            synchronized (archive) {
                long sent = archive.sentBlobSize(digest);
                if (sent >= 0) {
                    return info.withDigestAndSize(digest, sent);
                }
                if (options.isConfig()) {
                    byte[] buf;
                    try {
                        buf = SizeLimits.readAtMost(in, SizeLimits.CONFIG, "config");
                    } catch (ImageException e) {
                        if (e.code() == ErrorCode.INVALID_INPUT) {
                            throw new ImageException(ErrorCode.INVALID_INPUT, "reading Config file stream: exceeded "
                                    + "maximum allowed size of " + SizeLimits.CONFIG + " bytes", e);
                        }
                        throw e;
                    }
                    config = buf;
                    try {
                        archive.sendConfig(digest, buf, size);
                    } catch (ImageException e) {
                        throw e;
                    } catch (IOException e) {
                        throw new ImageException(ErrorCode.IO, "writing Config file: " + e.getMessage(), e);
                    }
                } else {
                    archive.sendLayer(digest, size, in);
                }
            }
            return info.withDigestAndSize(digest, size);
        } finally {
            if (spool != null) {
                if (in != stream) {
                    in.close();
                }
                Files.deleteIfExists(spool);
            }
        }
    }

    @Override
    public void putManifest(byte[] manifest, String mediaType, Optional<dev.kopi.digest.Digest> instance)
            throws IOException {
        if (instance.isPresent()) {
            throw new ImageException(ErrorCode.UNSUPPORTED, "Manifest lists are not supported for docker tar files");
        }
        JsonNode root;
        try {
            root = JSON.readTree(manifest);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parsing manifest: " + ArchiveReader.firstLine(e), e);
        }
        if (root == null || !root.isObject()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "parsing manifest: json: cannot unmarshal "
                    + (root == null || root.isMissingNode() ? "nothing" : ArchiveReader.jsonKind(root))
                    + " into Go value of type manifest.Schema2");
        }
        JsonNode sv = GoCompat.jsonField(root, "schemaVersion");
        JsonNode mt = GoCompat.jsonField(root, "mediaType");
        if (sv == null || !sv.canConvertToExactIntegral() || sv.asLong() != 2 || mt == null
                || !MediaTypes.DOCKER_V2S2.equals(mt.asText())) {
            throw new ImageException(ErrorCode.MANIFEST_TYPE_REJECTED,
                    "Unsupported manifest type, need a Docker schema 2 manifest");
        }
        JsonNode cfg = GoCompat.jsonField(root, "config");
        Digest configDigest = parseDigest(cfg == null ? null : GoCompat.jsonField(cfg, "digest"));
        List<Digest> layers = new ArrayList<>();
        JsonNode ls = GoCompat.jsonField(root, "layers");
        if (ls != null && ls.isArray()) {
            for (JsonNode l : ls) {
                layers.add(parseDigest(GoCompat.jsonField(l, "digest")));
            }
        }
        archive.addImage(layers, configDigest, config, repoTags);
    }

    private static Digest parseDigest(JsonNode n) throws ImageException {
        return Digest.parse(n == null || n.isNull() ? "" : n.asText());
    }

    @Override
    public void putSignatures(List<Signature> signatures, Optional<dev.kopi.digest.Digest> instance)
            throws IOException {
        if (!signatures.isEmpty()) {
            checkSignaturesSupported();
        }
    }

    @Override
    public void checkSignaturesSupported() throws IOException {
        throw new ImageException(ErrorCode.UNSUPPORTED, "Storing signatures for docker tar files is not supported");
    }

    @Override
    public void commit() throws IOException {
        onCommit.run();
    }

    @Override
    public void close() throws IOException {
        onClose.run();
    }

}
