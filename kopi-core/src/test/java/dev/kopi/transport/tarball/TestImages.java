package dev.kopi.transport.tarball;

import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.digest.VerifyingInputStream;
import dev.kopi.image.RawManifest;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageSource;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPOutputStream;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Builds small deterministic images for tests. */
public final class TestImages {
    public static final ObjectMapper JSON = new ObjectMapper();

    private TestImages() {
    }

    /** A deterministic tar of the given (name, content) pairs. */
    public static byte[] layerTar(String... nameContent) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        TarWriter t = new TarWriter(out);
        for (int i = 0; i < nameContent.length; i += 2) {
            t.writeBytes(nameContent[i], nameContent[i + 1].getBytes(StandardCharsets.UTF_8));
        }
        t.finish();
        return out.toByteArray();
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(data);
        }
        return out.toByteArray();
    }

    /** A config with the diffIDs of {@code layers} (uncompressed tars), with characters Go escapes. */
    public static byte[] config(List<byte[]> layers) {
        StringBuilder ids = new StringBuilder();
        for (byte[] l : layers) {
            ids.append(ids.length() == 0 ? "" : ", ").append('"').append(Digest.sha256(l)).append('"');
        }
        return ("{\"architecture\": \"amd64\", \"os\": \"linux\", \"config\": {\"Env\": [\"A=<b>&c\"], "
                + "\"Cmd\": [\"/bin/sh\"]}, \"created\": \"2020-01-01T00:00:00Z\", \"rootfs\": {\"type\": \"layers\", "
                + "\"diff_ids\": [" + ids + "]}, \"history\": []}").getBytes(StandardCharsets.UTF_8);
    }

    /** A schema2 manifest for an uncompressed-layer image. */
    public static byte[] schema2(byte[] config, List<byte[]> layers) {
        StringBuilder b = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.DOCKER_V2S2
                + "\",\"config\":{\"mediaType\":\"" + MediaTypes.DOCKER_CONFIG + "\",\"size\":" + config.length
                + ",\"digest\":\"" + Digest.sha256(config) + "\"},\"layers\":[");
        for (int i = 0; i < layers.size(); i++) {
            b.append(i == 0 ? "" : ",").append("{\"mediaType\":\"").append(MediaTypes.DOCKER_LAYER)
                    .append("\",\"size\":").append(layers.get(i).length).append(",\"digest\":\"")
                    .append(Digest.sha256(layers.get(i))).append("\"}");
        }
        return b.append("]}").toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Writes an OCI layout (gzip layers) at {@code dir}; returns the manifest digest. */
    public static Digest ociLayout(Path dir, byte[] config, List<byte[]> layers) throws IOException {
        Files.createDirectories(dir.resolve("blobs/sha256"));
        List<String> descs = new ArrayList<>();
        for (byte[] l : layers) {
            byte[] gz = gzip(l);
            descs.add("{\"mediaType\":\"" + MediaTypes.OCI_LAYER_GZIP + "\",\"digest\":\"" + blob(dir, gz)
                    + "\",\"size\":" + gz.length + "}");
        }
        byte[] m = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{\"mediaType\":\""
                + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + blob(dir, config) + "\",\"size\":" + config.length
                + "},\"layers\":[" + String.join(",", descs) + "]}").getBytes(StandardCharsets.UTF_8);
        Digest md = blob(dir, m);
        Files.writeString(dir.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\""
                + MediaTypes.OCI_MANIFEST + "\",\"digest\":\"" + md + "\",\"size\":" + m.length + "}]}");
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        return md;
    }

    private static Digest blob(Path dir, byte[] b) throws IOException {
        Digest d = Digest.sha256(b);
        Files.write(dir.resolve("blobs/sha256/" + d.hex()), b);
        return d;
    }

    /**
     * What the copy engine does for a docker-archive destination: layers decompressed, streamed with unknown
     * digest and size when {@code unknownSizes}, then the config, the manifest, commit.
     */
    public static void write(ImageDestination dest, byte[] config, List<byte[]> layers, boolean unknownSizes,
            boolean gzipInput) throws IOException {
        for (int i = 0; i < layers.size(); i++) {
            byte[] l = layers.get(i);
            InputStream in = new java.io.ByteArrayInputStream(gzipInput ? gzip(l) : l);
            if (gzipInput) {
                in = new java.util.zip.GZIPInputStream(in);
            }
            BlobInfo info = unknownSizes ? new BlobInfo(null, -1, MediaTypes.DOCKER_LAYER)
                    : new BlobInfo(Digest.sha256(l), l.length, MediaTypes.DOCKER_LAYER);
            BlobInfo got = dest.putBlob(in, info, ImageDestination.PutBlobOptions.layer(i));
            if (!got.digest().equals(Digest.sha256(l)) || got.size() != l.length) {
                throw new AssertionError("putBlob returned " + got);
            }
        }
        dest.putBlob(new java.io.ByteArrayInputStream(config),
                new BlobInfo(Digest.sha256(config), config.length, MediaTypes.DOCKER_CONFIG),
                ImageDestination.PutBlobOptions.CONFIG);
        dest.putManifest(schema2(config, layers), MediaTypes.DOCKER_V2S2, Optional.empty());
        dest.putSignatures(List.of(), Optional.empty());
        dest.commit();
    }

    /** Reads a blob fully, verifying it against its digest and size. */
    public static byte[] readBlob(ImageSource src, Digest d, long size) throws IOException {
        try (BlobStream s = src.openBlob(new BlobInfo(d, size, null));
                VerifyingInputStream v = new VerifyingInputStream(s.stream(), d, size)) {
            return v.readAllBytes();
        }
    }

    public static JsonNode manifestJson(ImageSource src) throws IOException {
        RawManifest m = src.fetchManifest(Optional.empty());
        return JSON.readTree(m.bytes());
    }
}
