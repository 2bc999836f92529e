package dev.kopi.it;

import dev.kopi.digest.Digest;
import dev.kopi.testkit.OciLayoutWriter;
import dev.kopi.testkit.StableGzipOutputStream;
import dev.kopi.testkit.WrittenImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * A deterministic image whose second layer deletes things of the first, built into an OCI layout (gzip layers):
 * <ol>
 * <li>{@code keep.txt}, {@code gone.txt}, {@code gonedir/x.txt}, {@code dir/a.txt}, {@code dir/sub/deep.txt};</li>
 * <li>whiteouts {@code .wh.gone.txt} and {@code .wh.gonedir}, {@code dir/} again made opaque
 * ({@code dir/.wh..wh..opq}) with {@code dir/c.txt}, and {@code new.txt};</li>
 * <li>{@code later.txt}.</li>
 * </ol>
 * Tag {@code v1} is the whole image; tag {@code base} is an image of the first layer alone.
 */
final class WhiteoutImage {
    static final String TAG = "v1";
    static final String BASE_TAG = "base";
    private static final long MTIME = 1_700_000_000_000L;
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
            new com.fasterxml.jackson.databind.ObjectMapper();

    /** The whole image and the base-only image. */
    record Built(Path layout, WrittenImage image, WrittenImage base) {
        String ref() {
            return "oci:" + layout + ":" + TAG;
        }

        String baseRef() {
            return "oci:" + layout + ":" + BASE_TAG;
        }
    }

    private WhiteoutImage() {
    }

    private static TarArchiveEntry dir(String name, int mode) {
        TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_DIR);
        e.setMode(040000 | mode);
        return e;
    }

    private static TarArchiveEntry file(String name, int size) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100644);
        e.setSize(size);
        return e;
    }

    /** Entries given as names: "d:NAME" a directory, "w:NAME" an empty whiteout file, else "NAME=content". */
    static byte[] tar(String... members) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(out)) {
            t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (String m : members) {
                TarArchiveEntry e;
                byte[] content = new byte[0];
                if (m.startsWith("d:")) {
                    e = dir(m.substring(2), 0755);
                } else if (m.startsWith("w:")) {
                    e = file(m.substring(2), 0);
                } else {
                    int eq = m.indexOf('=');
                    content = m.substring(eq + 1).getBytes(StandardCharsets.UTF_8);
                    e = file(m.substring(0, eq), content.length);
                }
                e.setModTime(MTIME);
                e.setIds(0, 0);
                t.putArchiveEntry(e);
                t.write(content);
                t.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static List<byte[]> layers() {
        return List.of(
                tar("keep.txt=keep\n", "gone.txt=gone\n", "d:gonedir/", "gonedir/x.txt=x\n", "d:dir/",
                        "dir/a.txt=a\n", "d:dir/sub/", "dir/sub/deep.txt=deep\n"),
                tar("w:.wh.gone.txt", "w:.wh.gonedir", "d:dir/", "w:dir/.wh..wh..opq", "dir/c.txt=c\n",
                        "new.txt=new\n"),
                tar("later.txt=later\n"));
    }

    static Built build(Path layout) throws IOException {
        OciLayoutWriter w = new OciLayoutWriter(layout);
        List<byte[]> layers = layers();
        WrittenImage image = write(w, layers, TAG);
        WrittenImage base = write(w, layers.subList(0, 1), BASE_TAG);
        return new Built(layout, image, base);
    }

    private static WrittenImage write(OciLayoutWriter w, List<byte[]> layers, String tag) throws IOException {
        List<Digest> digests = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        List<Object> descs = new ArrayList<>();
        for (byte[] l : layers) {
            ByteArrayOutputStream gz = new ByteArrayOutputStream();
            try (StableGzipOutputStream g = new StableGzipOutputStream(gz, 6)) {
                g.write(l);
            }
            Digest d = w.putBlob(gz.toByteArray());
            digests.add(d);
            sizes.add((long) gz.size());
            diffIds.add(Digest.sha256(l));
            descs.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", d, gz.size()));
        }
        Map<String, Object> config = new LinkedHashMap<>();
        config.put("created", "2023-11-14T22:13:20Z");
        config.put("architecture", "amd64");
        config.put("os", "linux");
        Map<String, Object> run = new LinkedHashMap<>();
        run.put("Env", List.of("PATH=/usr/bin:/bin"));
        config.put("config", run);
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", diffIds.stream().map(Digest::toString).toList());
        config.put("rootfs", rootfs);
        byte[] configBytes = JSON.writeValueAsBytes(config);
        Digest configDigest = w.putBlob(configBytes);
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        manifest.put("config", descriptor("application/vnd.oci.image.config.v1+json", configDigest,
                configBytes.length));
        manifest.put("layers", descs);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        Digest md = w.putBlob(manifestBytes);
        w.tag(tag, "application/vnd.oci.image.manifest.v1+json", md, manifestBytes.length);
        return new WrittenImage(md, manifestBytes, configDigest, digests, sizes, diffIds);
    }

    private static Map<String, Object> descriptor(String mediaType, Digest digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", size);
        return d;
    }
}
