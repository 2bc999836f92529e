package dev.kopi.transport.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.digest.Digest;
import dev.kopi.digest.SizeLimits;
import dev.kopi.error.ImageException;
import dev.kopi.internal.io.AtomicFiles;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.manifest.OciIndex;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** An OCI image layout on disk: {@code oci-layout}, {@code index.json}, {@code blobs/<alg>/<hex>}. */
public final class OciLayout {
    public static final String REF_NAME = "org.opencontainers.image.ref.name";
    static final byte[] LAYOUT_FILE = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    private final Path dir;
    private final Path sharedBlobDir;

    private OciLayout(Path dir, Path sharedBlobDir) {
        this.dir = dir;
        this.sharedBlobDir = sharedBlobDir;
    }

    public static OciLayout at(Path dir, Path sharedBlobDir) {
        return new OciLayout(dir, sharedBlobDir);
    }

    public Path dir() {
        return dir;
    }

    public Path indexPath() {
        return dir.resolve("index.json");
    }

    public Path blobPath(Digest d) {
        Path blobs = sharedBlobDir != null ? sharedBlobDir : dir.resolve("blobs");
        return blobs.resolve(d.algorithm().prefix()).resolve(d.encoded());
    }

    /** Reads index.json. */
    public OciIndex readIndex() throws IOException {
        Path p = indexPath();
        byte[] b = LocalPaths.readAtMost(p, SizeLimits.TARBALL_JSON, p.toString());
        JsonNode n = Manifests.readTree(b, p.toString());
        if (!n.isObject()) {
            throw ImageException.invalid("parsing " + p + ": not a JSON object");
        }
        try {
            return (OciIndex) Manifests.parse(b, MediaTypes.OCI_INDEX);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "parsing " + p + ": " + e.getMessage(), e);
        }
    }

    /**
     * The multi-platform index a layout holds without a nested index (beyond containers/image, which answers
     * "more than one image in oci, choose an image"): as buildx and other tools write it, index.json itself lists
     * one image manifest per platform. Present only when the reference names no tag and no index (a reference
     * skopeo refuses for such a layout) and index.json has two or more entries, all image manifests with distinct
     * platforms: then index.json is the list, byte for byte.
     */
    public java.util.Optional<dev.kopi.image.RawManifest> implicitPlatformIndex(OciReference ref) throws IOException {
        if (ref.sourceIndex() != -1 || !ref.image().isEmpty() || !Files.exists(indexPath())) {
            return java.util.Optional.empty();
        }
        List<Descriptor> entries = readIndex().instances();
        if (entries.size() < 2) {
            return java.util.Optional.empty();
        }
        java.util.Set<String> platforms = new java.util.HashSet<>();
        for (Descriptor d : entries) {
            boolean image = d.mediaType().equals(MediaTypes.OCI_MANIFEST) || d.mediaType().equals(MediaTypes.DOCKER_V2S2);
            if (!image || d.platform() == null || d.platform().os().isEmpty()
                    || d.platform().architecture().isEmpty() || !platforms.add(d.platform().toString()
                            + "|" + d.platform().osVersion())) {
                return java.util.Optional.empty();
            }
        }
        byte[] raw = LocalPaths.readAtMost(indexPath(), SizeLimits.TARBALL_JSON, indexPath().toString());
        return java.util.Optional.of(new dev.kopi.image.RawManifest(raw, MediaTypes.OCI_INDEX));
    }

    /** The descriptor a reference names (containers/image's getManifestDescriptor). */
    public Descriptor findDescriptor(OciReference ref) throws IOException {
        OciIndex index = readIndex();
        List<Descriptor> ms = index.instances();
        if (ref.sourceIndex() != -1) {
            if (ref.sourceIndex() >= ms.size()) {
                throw ImageException.invalid("index " + ref.sourceIndex() + " is too large, only " + ms.size()
                        + " entries available");
            }
            return ms.get(ref.sourceIndex());
        }
        if (!ref.image().isEmpty()) {
            List<String> unsupported = new ArrayList<>();
            for (Descriptor d : ms) {
                if (ref.image().equals(d.annotations().get(REF_NAME))) {
                    String mt = d.mediaType();
                    if (mt.equals(MediaTypes.OCI_MANIFEST) || mt.equals(MediaTypes.OCI_INDEX)
                            || mt.equals(MediaTypes.DOCKER_V2S2) || mt.equals(MediaTypes.DOCKER_V2_LIST)) {
                        return d;
                    }
                    unsupported.add(mt);
                }
            }
            if (!unsupported.isEmpty()) {
                StringBuilder sb = new StringBuilder("[");
                for (int i = 0; i < unsupported.size(); i++) {
                    sb.append(i > 0 ? " " : "").append('"').append(unsupported.get(i)).append('"');
                }
                throw ImageException.invalid("reference \"" + ref.image() + "\" matches unsupported manifest MIME types "
                        + sb.append(']'));
            }
            throw ImageException.notFound("no descriptor found for reference \"" + ref.image() + "\"");
        }
        if (ms.size() != 1) {
            throw ImageException.invalid("more than one image in oci, choose an image");
        }
        return ms.get(0);
    }

    /** In-process locks per layout directory: a FileLock is held by the whole JVM, so threads need their own. */
    private static final java.util.concurrent.ConcurrentHashMap<Path, java.util.concurrent.locks.ReentrantLock>
            JVM_LOCKS = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * Updates index.json under the layout's lock (see {@link #withLock}), reading it again under the lock and
     * replacing it atomically, so that concurrent writers of other images in the same layout (threads or kopi
     * processes) never lose each other's entries.
     */
    public void updateIndex(UnaryOperator<OciIndex> change) throws IOException {
        withLock(() -> {
            OciIndex current = Files.exists(indexPath()) ? readIndex()
                    : new OciIndex("", "", List.of(), null, Map.of());
            OciIndex updated = change.apply(current);
            AtomicFiles.write(indexPath(), updated.serialize());
            return null;
        });
    }

    /** Work done while holding the layout's lock. */
    interface Locked<T> {
        T run() throws IOException;
    }

    /**
     * Runs {@code work} holding the layout's exclusive lock: an in-process lock, then an OS lock on the layout's own
     * {@code oci-layout} file, which every layout has and which kopi never replaces or removes (so every process
     * locks the same inode, and no extra file is left in the layout). Its content is (re)written in place under the
     * lock.
     */
    <T> T withLock(Locked<T> work) throws IOException {
        return withLock(work, true);
    }

    /**
     * {@link #withLock(Locked)}; {@code writeLayoutFile} false leaves the {@code oci-layout} file's content as it is
     * (a failed copy cleaning up must leave the layout byte for byte as it found it).
     */
    <T> T withLock(Locked<T> work, boolean writeLayoutFile) throws IOException {
        Files.createDirectories(dir);
        Path layoutFile = dir.resolve("oci-layout");
        java.util.concurrent.locks.ReentrantLock jvm = JVM_LOCKS.computeIfAbsent(dir.toAbsolutePath().normalize(),
                k -> new java.util.concurrent.locks.ReentrantLock());
        jvm.lock();
        // A FileChannel is interruptible: a cancelled copy (Ctrl-C, --command-timeout, a failed sibling layer)
        // still has to clean up under this lock, so the interrupt status is set aside for the locked work.
        boolean interrupted = Thread.interrupted();
        try (FileChannel ch = FileChannel.open(layoutFile, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
             FileLock lock = ch.lock()) {
            byte[] have = new byte[(int) Math.min(ch.size(), 4096)];
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(have);
            while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
                // read it all
            }
            if (writeLayoutFile && (ch.size() != LAYOUT_FILE.length || !java.util.Arrays.equals(have, LAYOUT_FILE))) {
                // written in place (the same file stays locked), as newest skopeo writes it
                ch.truncate(0);
                ch.write(java.nio.ByteBuffer.wrap(LAYOUT_FILE), 0);
                ch.force(true);
            }
            return work.run();
        } finally {
            jvm.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Every blob index.json reaches: the manifests it lists and, through them, child manifests, configs and layers
     * (read as JSON, whatever the media type; unreadable or missing blobs are skipped). Call under {@link #withLock}.
     */
    java.util.Set<Digest> referencedBlobs() throws IOException {
        java.util.Set<Digest> seen = new java.util.HashSet<>();
        if (!Files.exists(indexPath())) {
            return seen;
        }
        java.util.ArrayDeque<Digest> todo = new java.util.ArrayDeque<>();
        for (Descriptor d : readIndex().instances()) {
            todo.add(d.digest());
        }
        while (!todo.isEmpty()) {
            Digest d = todo.poll();
            if (!seen.add(d)) {
                continue;
            }
            Path p = blobPath(d);
            if (!Files.isRegularFile(p) || Files.size(p) > SizeLimits.MANIFEST) {
                continue;
            }
            JsonNode n;
            try {
                n = Manifests.JSON.readTree(Files.readAllBytes(p));
            } catch (IOException notJson) {
                continue;
            }
            if (n == null || !n.isObject()) {
                continue;
            }
            java.util.List<JsonNode> refs = new ArrayList<>();
            n.path("manifests").forEach(refs::add);
            n.path("layers").forEach(refs::add);
            if (n.has("config")) {
                refs.add(n.path("config"));
            }
            for (JsonNode r : refs) {
                String digest = r.path("digest").asText("");
                if (Digest.isValid(digest)) {
                    todo.add(Digest.parse(digest));
                }
            }
        }
        return seen;
    }

    /** containers/image's addManifest: the ref name moves to the new descriptor; same-digest untagged entries are replaced. */
    static OciIndex addManifest(OciIndex index, Descriptor desc) {
        List<Descriptor> ms = new ArrayList<>(index.instances());
        String name = desc.annotations().get(REF_NAME);
        if (name != null && !name.isEmpty()) {
            for (int i = 0; i < ms.size(); i++) {
                Descriptor m = ms.get(i);
                if (name.equals(m.annotations().get(REF_NAME))) {
                    Map<String, String> a = new HashMap<>(m.annotations());
                    a.remove(REF_NAME);
                    ms.set(i, m.withAnnotations(a));
                    break;
                }
            }
        }
        for (int i = 0; i < ms.size(); i++) {
            Descriptor m = ms.get(i);
            String n = m.annotations().get(REF_NAME);
            if (m.digest().equals(desc.digest()) && (n == null || n.isEmpty())) {
                ms.set(i, desc);
                return index.withInstances(ms);
            }
        }
        ms.add(desc);
        return index.withInstances(ms);
    }

    void deleteImage(OciReference ref) throws IOException {
        throw ImageException.unsupported("Deleting images from oci: layouts is not implemented yet");
    }
}
