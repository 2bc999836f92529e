package dev.kopi.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/** Hand-made images in skopeo's {@code dir:} layout, and readers of such directories. */
public final class DirImages {
    public static final String VERSION = "Directory Transport Version: 1.1\n";
    private static final ObjectMapper JSON = new ObjectMapper();

    private DirImages() {
    }

    /** A tar holding one file per (name, content) pair. */
    public static byte[] layerTar(String... nameContent) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bo)) {
            for (int i = 0; i < nameContent.length; i += 2) {
                byte[] c = nameContent[i + 1].getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = new TarArchiveEntry(nameContent[i]);
                e.setSize(c.length);
                e.setModTime(0);
                tar.putArchiveEntry(e);
                tar.write(c);
                tar.closeArchiveEntry();
            }
        }
        return bo.toByteArray();
    }

    public static byte[] gzip(byte[] data) throws IOException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(bo)) {
            g.write(data);
        }
        return bo.toByteArray();
    }

    /**
     * Writes a Docker schema2 image into {@code dir}: the config bytes as given and the layers as given (their
     * media type says gzip when they start with the gzip magic). Returns the manifest bytes.
     */
    public static byte[] writeSchema2(Path dir, byte[] config, List<byte[]> layers) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("version"), VERSION);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", "application/vnd.docker.distribution.manifest.v2+json");
        m.put("config", desc("application/vnd.docker.container.image.v1+json", put(dir, config), config.length));
        List<Object> ls = new ArrayList<>();
        for (byte[] l : layers) {
            boolean gz = l.length > 2 && l[0] == 0x1f && l[1] == (byte) 0x8b;
            ls.add(desc(gz ? "application/vnd.docker.image.rootfs.diff.tar.gzip"
                    : "application/vnd.docker.image.rootfs.diff.tar", put(dir, l), l.length));
        }
        m.put("layers", ls);
        byte[] manifest = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(m);
        Files.write(dir.resolve("manifest.json"), manifest);
        return manifest;
    }

    private static Map<String, Object> desc(String mt, Digest d, long size) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mediaType", mt);
        m.put("size", size);
        m.put("digest", d.toString());
        return m;
    }

    private static Digest put(Path dir, byte[] blob) throws IOException {
        Digest d = Digest.sha256(blob);
        Files.write(dir.resolve(d.encoded()), blob);
        return d;
    }

    public static JsonNode manifest(Path dir) throws IOException {
        return JSON.readTree(dir.resolve("manifest.json").toFile());
    }

    /** The config blob of a dir: image. */
    public static byte[] config(Path dir) throws IOException {
        return blob(dir, Digest.of(manifest(dir).get("config").get("digest").asText()));
    }

    public static byte[] blob(Path dir, Digest d) throws IOException {
        return Files.readAllBytes(dir.resolve(d.encoded()));
    }
}
