package dev.kopi.testkit;

import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.manifest.MediaTypes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * A deterministic builder of test images that writes OCI image layouts directly (plain Java, Jackson,
 * commons-compress), independent of kopi's transports, so it can serve as a test oracle. The same inputs always give
 * the same digests (on one zlib build). Layers are streamed: a 200 MB layer never sits in memory.
 *
 * <p>Command line (also run by {@code bench/copy-bench.sh}; the classes ship in {@code kopi.jar}):
 * <pre>
 *   java -cp kopi.jar dev.kopi.testkit.TestImages hello  LAYOUT_DIR
 *   java -cp kopi.jar dev.kopi.testkit.TestImages single LAYOUT_DIR TAG [SEED]
 *   java -cp kopi.jar dev.kopi.testkit.TestImages layers LAYOUT_DIR TAG SEED [--gzip-level N] SIZE...
 *   java -cp kopi.jar dev.kopi.testkit.TestImages index  LAYOUT_DIR TAG [SEED]
 * </pre>
 * SIZE takes a {@code k}, {@code m} or {@code g} suffix (powers of 1024).
 */
public final class TestImages {
    /** The tag of {@code examples/hello}. */
    public static final String HELLO_TAG = "latest";
    /** The content of {@code /hello.txt} in {@code examples/hello}. */
    public static final String HELLO_TEXT = "Hello from kopi!\n";

    private static final int BLOCK = 4096;

    private TestImages() {
    }

    /** A one-layer linux/amd64 image (a 32 KiB generated layer). */
    public static WrittenImage singleLayer(Path layout, String tag, long seed) throws IOException {
        return writeImage(layout, tag, ImageSpec.of(List.of(LayerSpec.random(32 * 1024, seed))));
    }

    /** A linux/amd64 image with one generated layer per size (bytes of content), seeds {@code seed, seed+1, ...}. */
    public static WrittenImage multiLayer(Path layout, String tag, long seed, long... layerSizes) throws IOException {
        return writeImage(layout, tag, ImageSpec.of(layers(seed, layerSizes)));
    }

    /** A three-layer image (64 KiB, 1 KiB and 200 KiB of content). */
    public static WrittenImage multiLayer(Path layout, String tag, long seed) throws IOException {
        return multiLayer(layout, tag, seed, 64 * 1024, 1024, 200 * 1024);
    }

    /** An index of linux/amd64, linux/arm64/v8 and linux/arm/v7 images, two small layers each. */
    public static WrittenIndex multiPlatform(Path layout, String tag, long seed) throws IOException {
        List<ImageSpec> platforms = new ArrayList<>();
        String[][] list = {{"amd64", null}, {"arm64", "v8"}, {"arm", "v7"}};
        for (int i = 0; i < list.length; i++) {
            long s = seed + 100L * i;
            ImageSpec spec = ImageSpec.of(layers(s, 16 * 1024, 8 * 1024)).withPlatform("linux", list[i][0], list[i][1]);
            platforms.add(spec);
        }
        return writeIndex(layout, tag, platforms);
    }

    /** The {@code examples/hello} image: one small layer holding {@code hello.txt}, tagged {@code latest}. */
    public static WrittenImage hello(Path layout) throws IOException {
        ImageSpec spec = new ImageSpec("linux", "amd64", null, List.of(LayerSpec.textFile("hello.txt", HELLO_TEXT)), 9,
                ImageSpec.CREATED, List.of("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
                Map.of("org.opencontainers.image.title", "hello",
                        "org.opencontainers.image.description", "kopi's example image"));
        return writeImage(layout, HELLO_TAG, spec);
    }

    private static List<LayerSpec> layers(long seed, long... sizes) {
        List<LayerSpec> out = new ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            out.add(LayerSpec.random(sizes[i], seed + i));
        }
        return out;
    }

    /** Writes one image (layers, config, manifest) into the layout and tags it ({@code tag} may be null). */
    public static WrittenImage writeImage(Path layout, String tag, ImageSpec spec) throws IOException {
        OciLayoutWriter w = new OciLayoutWriter(layout);
        WrittenImage img = writeImageBlobs(w, spec);
        if (tag != null) {
            w.tag(tag, MediaTypes.OCI_MANIFEST, img.manifestDigest(), img.manifest().length);
        }
        return img;
    }

    /** Writes one image per spec plus an OCI index over them, and tags the index ({@code tag} may be null). */
    public static WrittenIndex writeIndex(Path layout, String tag, List<ImageSpec> platforms) throws IOException {
        OciLayoutWriter w = new OciLayoutWriter(layout);
        List<WrittenImage> images = new ArrayList<>();
        List<Object> manifests = new ArrayList<>();
        for (ImageSpec spec : platforms) {
            WrittenImage img = writeImageBlobs(w, spec);
            images.add(img);
            Map<String, Object> platform = new LinkedHashMap<>();
            platform.put("architecture", spec.architecture());
            platform.put("os", spec.os());
            if (spec.variant() != null) {
                platform.put("variant", spec.variant());
            }
            Map<String, Object> desc = new LinkedHashMap<>();
            desc.put("mediaType", MediaTypes.OCI_MANIFEST);
            desc.put("digest", img.manifestDigest().toString());
            desc.put("size", img.manifest().length);
            desc.put("platform", platform);
            manifests.add(desc);
        }
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("mediaType", MediaTypes.OCI_INDEX);
        index.put("manifests", manifests);
        byte[] bytes = OciLayoutWriter.toJson(index);
        Digest d = w.putBlob(bytes);
        if (tag != null) {
            w.tag(tag, MediaTypes.OCI_INDEX, d, bytes.length);
        }
        return new WrittenIndex(d, bytes, images);
    }

    private static WrittenImage writeImageBlobs(OciLayoutWriter w, ImageSpec spec) throws IOException {
        List<Digest> layerDigests = new ArrayList<>();
        List<Long> layerSizes = new ArrayList<>();
        List<Digest> diffIds = new ArrayList<>();
        for (LayerSpec layer : spec.layers()) {
            MessageDigest diff = DigestAlgorithm.SHA256.newMessageDigest();
            OciLayoutWriter.StoredBlob blob = w.putBlob(out -> writeLayer(out, layer, spec, diff));
            layerDigests.add(blob.digest());
            layerSizes.add(blob.size());
            diffIds.add(Digest.of(DigestAlgorithm.SHA256, diff.digest()));
        }

        Map<String, Object> config = new LinkedHashMap<>();
        config.put("created", spec.created().toString());
        config.put("architecture", spec.architecture());
        if (spec.variant() != null) {
            config.put("variant", spec.variant());
        }
        config.put("os", spec.os());
        Map<String, Object> runConfig = new LinkedHashMap<>();
        runConfig.put("Env", spec.env());
        runConfig.put("WorkingDir", "/");
        runConfig.put("Labels", spec.labels());
        config.put("config", runConfig);
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", diffIds.stream().map(Digest::toString).toList());
        config.put("rootfs", rootfs);
        List<Object> history = new ArrayList<>();
        for (int i = 0; i < spec.layers().size(); i++) {
            Map<String, Object> h = new LinkedHashMap<>();
            h.put("created", spec.created().toString());
            h.put("created_by", "kopi testkit: layer " + i);
            history.add(h);
        }
        config.put("history", history);
        byte[] configBytes = OciLayoutWriter.toJson(config);
        Digest configDigest = w.putBlob(configBytes);

        String layerType = spec.gzipLevel() > 0 ? MediaTypes.OCI_LAYER_GZIP : MediaTypes.OCI_LAYER;
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("schemaVersion", 2);
        manifest.put("mediaType", MediaTypes.OCI_MANIFEST);
        manifest.put("config", descriptor(MediaTypes.OCI_CONFIG, configDigest, configBytes.length));
        List<Object> layers = new ArrayList<>();
        for (int i = 0; i < layerDigests.size(); i++) {
            layers.add(descriptor(layerType, layerDigests.get(i), layerSizes.get(i)));
        }
        manifest.put("layers", layers);
        byte[] manifestBytes = OciLayoutWriter.toJson(manifest);
        Digest manifestDigest = w.putBlob(manifestBytes);
        return new WrittenImage(manifestDigest, manifestBytes, configDigest, layerDigests, layerSizes, diffIds);
    }

    private static Map<String, Object> descriptor(String mediaType, Digest digest, long size) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("mediaType", mediaType);
        d.put("digest", digest.toString());
        d.put("size", size);
        return d;
    }

    /** Streams the layer tar (gzipped when asked) into {@code out}; {@code diff} sees the uncompressed tar. */
    private static void writeLayer(OutputStream out, LayerSpec layer, ImageSpec spec, MessageDigest diff)
            throws IOException {
        OutputStream compressed = spec.gzipLevel() > 0 ? new StableGzipOutputStream(out, spec.gzipLevel()) : out;
        Date mtime = Date.from(spec.created());
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new DigestOutputStream(compressed, diff),
                "UTF-8")) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            if (layer.fileName() != null) {
                byte[] content = layer.text().getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e = fileEntry(layer.fileName(), content.length, mtime);
                tar.putArchiveEntry(e);
                tar.write(content);
                tar.closeArchiveEntry();
                return;
            }
            String dir = "layer-" + Long.toHexString(layer.seed()) + "/";
            TarArchiveEntry d = new TarArchiveEntry(dir);
            owner(d, mtime);
            d.setMode(040755);
            tar.putArchiveEntry(d);
            tar.closeArchiveEntry();
            SplittableRandom random = new SplittableRandom(layer.seed());
            byte[] block = new byte[BLOCK];
            long remaining = layer.size();
            int fileNo = 0;
            long blockNo = 0;
            do {
                long fileSize = Math.min(remaining, LayerSpec.MAX_FILE);
                tar.putArchiveEntry(fileEntry(String.format(Locale.ROOT, "%sfile-%03d.bin", dir, fileNo++), fileSize,
                        mtime));
                long left = fileSize;
                while (left > 0) {
                    fillBlock(block, random, layer.seed(), blockNo++);
                    int n = (int) Math.min(left, BLOCK);
                    tar.write(block, 0, n);
                    left -= n;
                }
                tar.closeArchiveEntry();
                remaining -= fileSize;
            } while (remaining > 0);
        }
    }

    private static void fillBlock(byte[] block, SplittableRandom random, long seed, long blockNo) {
        if (random.nextBoolean()) {
            random.nextBytes(block);
            return;
        }
        byte[] line = ("kopi test data, seed " + seed + ", block " + blockNo + "\n").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < block.length; i += line.length) {
            System.arraycopy(line, 0, block, i, Math.min(line.length, block.length - i));
        }
    }

    private static TarArchiveEntry fileEntry(String name, long size, Date mtime) {
        TarArchiveEntry e = new TarArchiveEntry(name);
        owner(e, mtime);
        e.setMode(0100644);
        e.setSize(size);
        return e;
    }

    private static void owner(TarArchiveEntry e, Date mtime) {
        e.setModTime(mtime);
        e.setUserId(0);
        e.setGroupId(0);
        e.setUserName("");
        e.setGroupName("");
    }

    /** Parses {@code 123}, {@code 64k}, {@code 200m}, {@code 1g}. */
    static long parseSize(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        long mult = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        switch (last) {
            case 'k' -> mult = 1024L;
            case 'm' -> mult = 1024L * 1024;
            case 'g' -> mult = 1024L * 1024 * 1024;
            default -> {
            }
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        return Long.parseLong(t) * mult;
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            usage();
            return;
        }
        Path layout = Path.of(args[1]);
        switch (args[0]) {
            case "hello" -> print(hello(layout));
            case "single" -> print(singleLayer(layout, arg(args, 2, "latest"), Long.parseLong(arg(args, 3, "1"))));
            case "index" -> {
                WrittenIndex idx = multiPlatform(layout, arg(args, 2, "latest"), Long.parseLong(arg(args, 3, "1")));
                System.out.println(idx.indexDigest());
            }
            case "layers" -> {
                if (args.length < 5) {
                    usage();
                    return;
                }
                String tag = args[2];
                long seed = Long.parseLong(args[3]);
                int level = 6;
                List<String> rest = new ArrayList<>(Arrays.asList(args).subList(4, args.length));
                if (rest.size() >= 2 && rest.get(0).equals("--gzip-level")) {
                    level = Integer.parseInt(rest.get(1));
                    rest = rest.subList(2, rest.size());
                }
                long[] sizes = rest.stream().mapToLong(TestImages::parseSize).toArray();
                print(writeImage(layout, tag, ImageSpec.of(layers(seed, sizes)).withGzipLevel(level)));
            }
            default -> usage();
        }
    }

    private static String arg(String[] args, int i, String dflt) {
        return args.length > i ? args[i] : dflt;
    }

    private static void print(WrittenImage img) {
        System.out.println(img.manifestDigest());
    }

    private static void usage() {
        System.err.println("usage: TestImages hello LAYOUT | single LAYOUT [TAG [SEED]] | index LAYOUT [TAG [SEED]]"
                + " | layers LAYOUT TAG SEED [--gzip-level N] SIZE...");
        System.exit(2);
    }
}
