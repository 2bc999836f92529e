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

    /**
     * Updates index.json under an exclusive lock (so that concurrent writers of other images in the same layout
     * never lose each other's entries), writing {@code oci-layout} too.
     */
    public void updateIndex(UnaryOperator<OciIndex> change) throws IOException {
        Files.createDirectories(dir);
        Path lockFile = dir.resolve(".kopi-index.lock");
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = ch.lock()) {
            OciIndex current = Files.exists(indexPath()) ? readIndex()
                    : new OciIndex("", "", List.of(), null, Map.of());
            OciIndex updated = change.apply(current);
            AtomicFiles.write(dir.resolve("oci-layout"), LAYOUT_FILE);
            AtomicFiles.write(indexPath(), updated.serialize());
        } finally {
            Files.deleteIfExists(lockFile);
        }
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
