package dev.kopi.transport.tarball;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.SizeLimits;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.io.BigTemp;
import dev.kopi.reference.DockerReference;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A docker-save formatted tar archive with random access to its files (containers/image's
 * {@code docker/internal/tarfile.Reader}). The archive must be a plain tar file on disk; a compressed file or a
 * stream is first copied, decompressed, to a temporary file, which {@link #close()} deletes. Entry offsets are
 * indexed once, and files are streamed from their offsets; nothing big is loaded into memory. Safe for concurrent
 * use until closed.
 */
public final class ArchiveReader implements Closeable {
    /** The cap on {@code manifest.json} (containers/image's {@code MaxTarFileManifestSize}). */
    public static final int MAX_MANIFEST_JSON = 1 << 20;
    static final String MANIFEST_JSON = "manifest.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path path;
    private final boolean removeOnClose;
    private final FileChannel channel;
    private final TarIndex index;
    private final List<ManifestItem> manifest;
    private volatile boolean closed;

    private ArchiveReader(Path path, boolean removeOnClose) throws IOException {
        this.path = path;
        this.removeOnClose = removeOnClose;
        FileChannel ch = null;
        boolean ok = false;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
            this.channel = ch;
            this.index = TarIndex.build(ch);
            byte[] bytes = readComponent(MANIFEST_JSON, MAX_MANIFEST_JSON);
            this.manifest = parseManifest(bytes);
            ok = true;
        } finally {
            if (!ok) {
                if (ch != null) {
                    ch.close();
                }
                if (removeOnClose) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    /**
     * Opens the archive at {@code file}. A compressed archive, or one that is not a regular file (a pipe), is
     * first copied (decompressed) into a temporary file in {@code tmpDir}.
     *
     * @throws ImageException NOT_FOUND when the file does not exist
     */
    public static ArchiveReader open(Path file, Path tmpDir) throws IOException {
        String p = file.toString();
        if (Files.isDirectory(file)) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "detecting compression for file " + GoStrconv.quote(p)
                    + ": read " + p + ": is a directory");
        }
        InputStream in;
        try {
            if (!Files.exists(file)) {
                throw new NoSuchFileException(p);
            }
            // FileInputStream, not Files.newInputStream: the latter's available() seeks, which fails on a pipe
            in = Files.isRegularFile(file) ? Files.newInputStream(file) : new java.io.FileInputStream(file.toFile());
        } catch (IOException e) {
            throw openError("opening file " + GoStrconv.quote(p) + ": open " + p, e);
        }
        try (in) {
            AutoDecompress.Result r;
            try {
                r = AutoDecompress.open(in);
            } catch (IOException e) {
                throw new ImageException(ErrorCode.IO, "detecting compression for file " + GoStrconv.quote(p) + ": "
                        + e.getMessage(), e);
            }
            if (!r.compressed() && Files.isRegularFile(file)) {
                in.close();
                return new ArchiveReader(file, false);
            }
            return spool(r.stream(), tmpDir);
        }
    }

    /**
     * Reads an archive from a stream (e.g. {@code docker save} output), which may be compressed, by copying it to a
     * temporary file in {@code tmpDir}. The caller may close {@code in} once this returns.
     */
    public static ArchiveReader fromStream(InputStream in, Path tmpDir) throws IOException {
        AutoDecompress.Result r;
        try {
            r = AutoDecompress.open(in);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "auto-decompressing input: " + e.getMessage(), e);
        }
        return spool(r.stream(), tmpDir);
    }

    private static ArchiveReader spool(InputStream plain, Path tmpDir) throws IOException {
        Path tmp;
        try {
            tmp = BigTemp.createTemp(tmpDir, "docker-tar");
        } catch (ImageException e) {
            throw new ImageException(e.code(), "creating temporary file: " + e.getMessage(), e);
        }
        boolean ok = false;
        try {
            try (OutputStream out = Files.newOutputStream(tmp)) {
                dev.kopi.internal.io.Streams.copy(plain, out);
            } catch (IOException e) {
                throw new ImageException(ErrorCode.IO, "copying contents to temporary file " + GoStrconv.quote(
                        tmp.toString()) + ": " + describe(e), e);
            }
            ArchiveReader r = new ArchiveReader(tmp, true);
            ok = true;
            return r;
        } finally {
            if (!ok) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    /** The items of {@code manifest.json}, in file order. */
    public List<ManifestItem> manifest() {
        return manifest;
    }

    /** The plain tar file being read (a temporary file when the input was compressed or a stream). */
    public Path path() {
        return path;
    }

    /** The entry index of the plain tar file. */
    public TarIndex index() {
        return index;
    }

    /** A chosen manifest item and the index of the tag that matched, or -1 when not chosen by tag. */
    public record Chosen(ManifestItem item, int itemIndex, int tagIndex) {
    }

    /**
     * Chooses the manifest item for a tag ({@code ref}), a zero-based index ({@code sourceIndex}), or, when both
     * are absent (null, -1), the only item, with containers/image's errors.
     */
    public Chosen chooseManifestItem(DockerReference ref, long sourceIndex) throws ImageException {
        if (ref != null && sourceIndex != -1) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "Internal error: Cannot have both ref " + ref
                    + " and source index @" + sourceIndex);
        }
        if (ref != null) {
            String want = ref.toString();
            for (int i = 0; i < manifest.size(); i++) {
                List<String> tags = manifest.get(i).repoTags();
                for (int t = 0; t < tags.size(); t++) {
                    DockerReference parsed;
                    try {
                        parsed = DockerReference.parseNormalized(tags.get(t));
                    } catch (InvalidReferenceException e) {
                        throw new ImageException(ErrorCode.INVALID_INPUT, "Invalid tag " + GoStrconv.quote(tags.get(t))
                                + " in manifest.json item @" + i + ": " + e.getMessage(), e);
                    }
                    if (parsed.toString().equals(want)) {
                        return new Chosen(manifest.get(i), i, t);
                    }
                }
            }
            throw new ImageException(ErrorCode.INVALID_INPUT, "Tag " + GoStrconv.quote(want) + " not found");
        }
        if (sourceIndex != -1) {
            if (sourceIndex >= manifest.size()) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "Invalid source index @" + sourceIndex + ", only "
                        + manifest.size() + " manifest items available");
            }
            return new Chosen(manifest.get((int) sourceIndex), (int) sourceIndex, -1);
        }
        if (manifest.size() != 1) {
            throw new ImageException(ErrorCode.INVALID_INPUT,
                    "Unexpected tar manifest.json: expected 1 item, got " + manifest.size());
        }
        return new Chosen(manifest.get(0), 0, -1);
    }

    /**
     * Resolves a file of the archive as containers/image does: the first entry with that cleaned name, following
     * one symlink (relative to the link's directory); it must then be a regular file.
     */
    public TarIndex.Entry resolveComponent(String componentPath) throws IOException {
        ensureOpen();
        TarIndex.Entry e = findOrFail(componentPath);
        if (e.isSymlink()) {
            e = findOrFail(GoCompat.joinPath(GoCompat.dirOf(componentPath), e.linkName()));
        }
        if (!e.isRegular()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "Error reading tar archive component "
                    + GoStrconv.quote(e.rawName()) + ": not a regular file");
        }
        return e;
    }

    private TarIndex.Entry findOrFail(String componentPath) throws IOException {
        TarIndex.Entry e = index.find(componentPath);
        if (e == null) {
            IOException scan = index.scanError();
            if (scan != null) {
                throw new ImageException(ErrorCode.INVALID_INPUT, scan.getMessage(), scan);
            }
            throw new ImageException(ErrorCode.INVALID_INPUT, "file does not exist");
        }
        return e;
    }

    /** Streams a file of the archive (see {@link #resolveComponent}); the caller closes the stream. */
    public InputStream openComponent(String componentPath) throws IOException {
        return openEntry(resolveComponent(componentPath));
    }

    /** Streams the data of an indexed entry. */
    public InputStream openEntry(TarIndex.Entry e) throws IOException {
        ensureOpen();
        return new RangeInputStream(channel, e.dataOffset(), e.size());
    }

    /** Reads a whole (small) file of the archive, failing above {@code limit} bytes. */
    public byte[] readComponent(String componentPath, int limit) throws IOException {
        InputStream in;
        try {
            in = openComponent(componentPath);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "loading tar component " + GoStrconv.quote(componentPath)
                    + ": " + e.getMessage(), e);
        }
        try (in) {
            return SizeLimits.readAtMost(in, limit, "tar component " + GoStrconv.quote(componentPath));
        }
    }

    private void ensureOpen() throws ImageException {
        if (closed) {
            throw new ImageException(ErrorCode.IO, "Internal error: trying to read an already closed tarfile.Reader");
        }
    }

    /** Closes the archive and deletes the temporary copy, if one was made. */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            channel.close();
        } finally {
            if (removeOnClose) {
                Files.deleteIfExists(path);
            }
        }
    }

    // --- manifest.json, decoded with Go's encoding/json rules (case-insensitive field names, null = zero value)

    static List<ManifestItem> parseManifest(byte[] bytes) throws ImageException {
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "decoding tar manifest.json: " + firstLine(e), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "decoding tar manifest.json: unexpected end of JSON input");
        }
        if (root.isNull()) {
            return List.of();
        }
        if (!root.isArray()) {
            throw mismatch(root, "[]tarfile.ManifestItem");
        }
        List<ManifestItem> items = new ArrayList<>();
        for (JsonNode n : root) {
            if (n.isNull()) {
                items.add(new ManifestItem("", List.of(), List.of(), "", Map.of()));
                continue;
            }
            if (!n.isObject()) {
                throw mismatch(n, "tarfile.ManifestItem");
            }
            String config = "";
            List<String> repoTags = List.of();
            List<String> layers = List.of();
            String parent = "";
            Map<String, ManifestItem.LayerSource> sources = Map.of();
            for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                switch (f.getKey().toLowerCase(java.util.Locale.ROOT)) {
                    case "config" -> config = string(f.getValue(), "Config");
                    case "repotags" -> repoTags = strings(f.getValue(), "RepoTags");
                    case "layers" -> layers = strings(f.getValue(), "Layers");
                    case "parent" -> parent = string(f.getValue(), "Parent");
                    case "layersources" -> sources = layerSources(f.getValue());
                    default -> {
                        // unknown fields are ignored
                    }
                }
            }
            items.add(new ManifestItem(config, repoTags, layers, parent, sources));
        }
        return items;
    }

    private static String string(JsonNode v, String field) throws ImageException {
        if (v.isNull()) {
            return "";
        }
        if (!v.isTextual()) {
            throw mismatch(v, "string", field);
        }
        return v.asText();
    }

    private static List<String> strings(JsonNode v, String field) throws ImageException {
        if (v.isNull()) {
            return List.of();
        }
        if (!v.isArray()) {
            throw mismatch(v, "[]string", field);
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : v) {
            out.add(string(e, field));
        }
        return out;
    }

    private static Map<String, ManifestItem.LayerSource> layerSources(JsonNode v) throws ImageException {
        if (v.isNull()) {
            return Map.of();
        }
        if (!v.isObject()) {
            throw mismatch(v, "map[digest.Digest]manifest.Schema2Descriptor", "LayerSources");
        }
        Map<String, ManifestItem.LayerSource> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            JsonNode d = f.getValue();
            String mt = "";
            long size = 0;
            String dg = "";
            List<String> urls = List.of();
            if (d.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> i2 = d.fields(); i2.hasNext(); ) {
                    Map.Entry<String, JsonNode> g = i2.next();
                    switch (g.getKey().toLowerCase(java.util.Locale.ROOT)) {
                        case "mediatype" -> mt = string(g.getValue(), "mediaType");
                        case "size" -> size = g.getValue().asLong();
                        case "digest" -> dg = string(g.getValue(), "digest");
                        case "urls" -> urls = strings(g.getValue(), "urls");
                        default -> {
                        }
                    }
                }
            }
            out.put(f.getKey(), new ManifestItem.LayerSource(mt, size, dg, urls));
        }
        return out;
    }

    private static ImageException mismatch(JsonNode v, String goType) {
        return new ImageException(ErrorCode.INVALID_INPUT, "decoding tar manifest.json: json: cannot unmarshal "
                + jsonKind(v) + " into Go value of type " + goType);
    }

    private static ImageException mismatch(JsonNode v, String goType, String field) {
        return new ImageException(ErrorCode.INVALID_INPUT, "decoding tar manifest.json: json: cannot unmarshal "
                + jsonKind(v) + " into Go struct field ManifestItem." + field + " of type " + goType);
    }

    static String jsonKind(JsonNode v) {
        if (v.isObject()) {
            return "object";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isTextual()) {
            return "string";
        }
        if (v.isNumber()) {
            return "number";
        }
        if (v.isBoolean()) {
            return "bool";
        }
        return "null";
    }

    static String firstLine(Exception e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl >= 0 ? m.substring(0, nl) : m;
    }

    /** Go's text for common file errors ({@code no such file or directory}, ...). */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return String.valueOf(e.getMessage());
    }

    private static ImageException openError(String prefix, IOException e) {
        // skopeo exits 1 (not 2) for a missing archive file: its not-found check covers only image lookups.
        ErrorCode code = ErrorCode.IO;
        return new ImageException(code, prefix + ": " + describe(e), e);
    }

    /** A stream over a byte range of a file channel, using positional reads (safe across threads). */
    private static final class RangeInputStream extends InputStream {
        private final FileChannel ch;
        private long pos;
        private final long end;

        RangeInputStream(FileChannel ch, long offset, long size) {
            this.ch = ch;
            this.pos = offset;
            this.end = offset + size;
        }

        @Override
        public int read() throws IOException {
            byte[] b = new byte[1];
            int n = read(b, 0, 1);
            return n < 0 ? -1 : b[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos >= end) {
                return -1;
            }
            int want = (int) Math.min(len, end - pos);
            int n = ch.read(ByteBuffer.wrap(b, off, want), pos);
            if (n < 0) {
                throw new EOFException("unexpected EOF");
            }
            pos += n;
            return n;
        }

        @Override
        public long skip(long n) {
            long k = Math.max(0, Math.min(n, end - pos));
            pos += k;
            return k;
        }

        @Override
        public int available() {
            return (int) Math.min(Integer.MAX_VALUE, end - pos);
        }
    }
}
