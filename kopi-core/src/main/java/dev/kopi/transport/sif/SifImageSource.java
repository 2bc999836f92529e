package dev.kopi.transport.sif;

import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.io.BigTemp;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.json.GoTime;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.json.GoJson;
import dev.kopi.signature.Signature;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;

/**
 * Reads a SIF file as a one-layer OCI image ({@code sif/src.go}): on open, the primary partition is converted to a
 * tar file in a temporary directory, and the config and manifest are generated as containers/image generates them
 * (byte for byte as Go's {@code encoding/json} writes image-spec's structs). Closing removes the directory.
 */
final class SifImageSource implements ImageSource {
    private final SifReference ref;
    private final Path workDir;
    private final Digest layerDigest;
    private final long layerSize;
    private final Path layerFile;
    private final byte[] config;
    private final Digest configDigest;
    private final byte[] manifest;

    private SifImageSource(SifReference ref, Path workDir, Digest layerDigest, long layerSize, Path layerFile,
            byte[] config, byte[] manifest) {
        this.ref = ref;
        this.workDir = workDir;
        this.layerDigest = layerDigest;
        this.layerSize = layerSize;
        this.layerFile = layerFile;
        this.config = config;
        this.configDigest = Digest.sha256(config);
        this.manifest = manifest;
    }

    /** {@code newImageSource}: loads the SIF file, converts it and builds config and manifest. */
    static SifImageSource open(SifReference ref, ImageContext ctx) throws IOException {
        SifFile sif;
        try {
            sif = SifFile.load(Path.of(ref.file()));
        } catch (ImageException e) {
            throw ImageException.wrap("loading SIF file", e);
        }
        try (sif) {
            Path workDir;
            try {
                workDir = BigTemp.mkdirTemp(ctx.tmpDir(), "sif");
            } catch (ImageException e) {
                throw ImageException.wrap("creating temp directory", e);
            }
            boolean succeeded = false;
            try {
                SifConversion.Elements elements;
                try {
                    elements = SifConversion.convert(sif, workDir);
                } catch (IOException e) {
                    throw ImageException.wrap("converting rootfs from SquashFS to Tarball", e);
                }
                Path layerPath = elements.tar();
                Digest layerDigest;
                long layerSize;
                try {
                    MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
                    layerSize = digest(layerPath, md);
                    layerDigest = Digest.of(DigestAlgorithm.SHA256, md.digest());
                } catch (IOException e) {
                    throw ImageException.wrap("gathering blob information", e);
                }
                String created = created(sif.header().modifiedAt(), ref);
                byte[] config = GoJson.marshal(config(created, sif.primaryArch(), elements.commandLine(),
                        layerDigest, sif.id()));
                byte[] manifest = GoJson.marshal(manifest(Digest.sha256(config), config.length, layerDigest,
                        layerSize));
                SifImageSource s = new SifImageSource(ref, workDir, layerDigest, layerSize, layerPath, config,
                        manifest);
                succeeded = true;
                return s;
            } finally {
                if (!succeeded) {
                    SifConversion.forceDeleteTree(workDir);
                }
            }
        }
    }

    /** {@code getBlobInfo}: the size of the file, with its digest computed into {@code md}. */
    private static long digest(Path path, MessageDigest md) throws IOException {
        InputStream in;
        try {
            in = Files.newInputStream(path);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "opening " + GoStrconv.quote(path.toString()) + " for reading: "
                    + LocalPaths.goError("open", path, e), e);
        }
        try (in) {
            byte[] buf = new byte[1 << 16];
            long size = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                md.update(buf, 0, n);
                size += n;
            }
            return size;
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "reading " + GoStrconv.quote(path.toString()) + ": "
                    + LocalPaths.goError("read", path, e), e);
        }
    }

    /**
     * The SIF modification time as Go's {@code time.Unix(sec, 0)} marshals it: RFC 3339 in the local time zone.
     * Years Go cannot marshal fail as {@code json.Marshal} does.
     */
    static String created(long unixSeconds, SifReference ref) throws ImageException {
        OffsetDateTime t = null;
        try {
            t = Instant.ofEpochSecond(unixSeconds).atZone(TimeZone.getDefault().toZoneId()).toOffsetDateTime();
        } catch (DateTimeException e) {
            // out of java.time's range: far outside Go's [0,9999] too
        }
        if (t == null || t.getYear() < 0 || t.getYear() > 9999) {
            throw ImageException.invalid("generating configuration blob for " + GoStrconv.quote(
                    ref.resolvedFile().toString()) + ": json: error calling MarshalJSON for type *time.Time: "
                    + "Time.MarshalJSON: year outside of range [0,9999]");
        }
        return GoTime.format(t);
    }

    /** image-spec's {@code v1.Image} as containers/image fills it, in the struct's field order. */
    static Map<String, Object> config(String created, String arch, List<String> cmd, Digest layerDigest, String id) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("created", created);
        c.put("architecture", arch);
        c.put("os", "linux");
        c.put("config", Map.of("Cmd", List.copyOf(cmd)));
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", List.of(layerDigest.toString()));
        c.put("rootfs", rootfs);
        Map<String, Object> add = new LinkedHashMap<>();
        add.put("created", created);
        add.put("created_by", "/bin/sh -c #(nop) ADD file:" + layerDigest.encoded() + " in /");
        add.put("comment", "imported from SIF, uuid: " + id);
        Map<String, Object> cmdEntry = new LinkedHashMap<>();
        cmdEntry.put("created", created);
        cmdEntry.put("created_by", "/bin/sh -c #(nop) CMD [\"bash\"]");
        cmdEntry.put("empty_layer", true);
        c.put("history", List.of(add, cmdEntry));
        return c;
    }

    /** image-spec's {@code v1.Manifest}: OCI config and one uncompressed layer. */
    static Map<String, Object> manifest(Digest configDigest, long configSize, Digest layerDigest, long layerSize) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.OCI_MANIFEST);
        m.put("config", descriptor(MediaTypes.OCI_CONFIG, configDigest, configSize));
        m.put("layers", List.of(descriptor(MediaTypes.OCI_LAYER, layerDigest, layerSize)));
        return m;
    }

    private static Map<String, Object> descriptor(String mediaType, Digest digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", size);
        return d;
    }

    @Override
    public ImageReference reference() {
        return ref;
    }

    @Override
    public RawManifest fetchManifest(Optional<Digest> instance) throws IOException {
        if (instance.isPresent()) {
            throw ImageException.unsupported("manifest lists are not supported by the sif transport");
        }
        return new RawManifest(manifest, MediaTypes.OCI_MANIFEST);
    }

    @Override
    public BlobStream openBlob(BlobInfo info) throws IOException {
        if (info.digest().equals(configDigest)) {
            return new BlobStream(new ByteArrayInputStream(config), config.length);
        }
        if (info.digest().equals(layerDigest)) {
            try {
                return new BlobStream(Files.newInputStream(layerFile), layerSize);
            } catch (IOException e) {
                throw new ImageException(ErrorCode.IO, "opening " + GoStrconv.quote(layerFile.toString()) + ": "
                        + LocalPaths.goError("open", layerFile, e), e);
            }
        }
        throw new ImageException(ErrorCode.INVALID_INPUT, "no blob with digest "
                + GoStrconv.quote(info.digest().toString()) + " found");
    }

    @Override
    public List<Signature> fetchSignatures(Optional<Digest> instance) {
        return List.of();
    }

    @Override
    public void close() {
        SifConversion.forceDeleteTree(workDir);
    }
}
