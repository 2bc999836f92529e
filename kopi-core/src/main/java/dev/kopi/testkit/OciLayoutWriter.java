package dev.kopi.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes an OCI image layout directly with plain file I/O (no kopi transport code), so tests can use it as an
 * oracle: {@code oci-layout}, {@code blobs/sha256/<hex>} and {@code index.json}. Adding a tag that already exists
 * replaces that entry, as containers/image does; other entries are kept.
 */
public final class OciLayoutWriter {
    /** The annotation that names a tag in {@code index.json}. */
    public static final String REF_NAME = "org.opencontainers.image.ref.name";

    static final ObjectMapper JSON = new ObjectMapper();

    private final Path root;
    private final Path blobs;

    /** Opens (creating when needed) the layout at {@code root}. */
    public OciLayoutWriter(Path root) throws IOException {
        this.root = root;
        this.blobs = root.resolve("blobs").resolve("sha256");
        Files.createDirectories(blobs);
        Path marker = root.resolve("oci-layout");
        if (!Files.exists(marker)) {
            Files.writeString(marker, "{\"imageLayoutVersion\":\"1.0.0\"}");
        }
    }

    public Path root() {
        return root;
    }

    /** The file of a blob in this layout. */
    public Path blobPath(Digest digest) {
        return root.resolve("blobs").resolve(digest.algorithm().prefix()).resolve(digest.encoded());
    }

    /** Stores a small blob and returns its digest. */
    public Digest putBlob(byte[] bytes) throws IOException {
        Digest d = Digest.sha256(bytes);
        Path target = blobPath(d);
        if (!Files.exists(target)) {
            Path tmp = Files.createTempFile(blobs, ".tmp-", "");
            Files.write(tmp, bytes);
            readable(tmp);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        return d;
    }

    /** Writes content into a blob */
    @FunctionalInterface
    public interface BlobContent {
        void writeTo(OutputStream out) throws IOException;
    }

    /** A streamed blob: digest and size of the stored bytes. */
    public record StoredBlob(Digest digest, long size) {
    }

    /** Streams a blob of any size to a temporary file, digesting it, then renames it to its digest. */
    public StoredBlob putBlob(BlobContent content) throws IOException {
        Path tmp = Files.createTempFile(blobs, ".tmp-", "");
        try {
            MessageDigest md = DigestAlgorithm.SHA256.newMessageDigest();
            CountingOutputStream counter;
            try (OutputStream file = Files.newOutputStream(tmp);
                    OutputStream digesting = new DigestOutputStream(new BufferedOutputStream(file, 256 * 1024), md)) {
                counter = new CountingOutputStream(digesting);
                content.writeTo(counter);
                counter.flush();
            }
            Digest d = Digest.of(DigestAlgorithm.SHA256, md.digest());
            readable(tmp);
            Files.move(tmp, blobPath(d), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return new StoredBlob(d, counter.count());
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Points {@code tag} at a manifest or index in {@code index.json}, replacing an entry with the same tag and
     * keeping all others.
     */
    public void tag(String tag, String mediaType, Digest digest, long size) throws IOException {
        Path indexFile = root.resolve("index.json");
        List<Object> manifests = new ArrayList<>();
        if (Files.exists(indexFile)) {
            JsonNode existing = JSON.readTree(indexFile.toFile());
            for (JsonNode m : existing.path("manifests")) {
                if (tag != null && tag.equals(m.path("annotations").path(REF_NAME).asText(null))) {
                    continue;
                }
                manifests.add(m);
            }
        }
        Map<String, Object> desc = new LinkedHashMap<>();
        desc.put("mediaType", mediaType);
        desc.put("digest", digest.toString());
        desc.put("size", size);
        if (tag != null) {
            desc.put("annotations", Map.of(REF_NAME, tag));
        }
        manifests.add(desc);
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("schemaVersion", 2);
        index.put("manifests", manifests);
        Path tmp = Files.createTempFile(root, ".index-", ".json");
        try {
            Files.write(tmp, JSON.writeValueAsBytes(index));
            readable(tmp);
            Files.move(tmp, indexFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Temporary files are created 0600; blobs are world-readable like the files containers/image writes. */
    private static void readable(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: keep the default
        }
    }

    static byte[] toJson(Object value) {
        try {
            return JSON.writeValueAsBytes(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Counts bytes passing through. */
    static final class CountingOutputStream extends java.io.FilterOutputStream {
        private long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void close() {
            // the owner closes the underlying stream
        }

        long count() {
            return count;
        }
    }
}
