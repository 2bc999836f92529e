package dev.kopi.transport.tarball;

import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.digest.DigestingInputStream;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.reference.DockerReference;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@code copy --append} into a docker-archive (beyond skopeo): the images already in the archive are written again,
 * unchanged, into the new archive ahead of the appended one. A tag the appended image takes is removed from the
 * image that had it (as {@code docker load} moves a tag); an image left without tags stays, untagged.
 */
public final class ArchiveAppend {
    private ArchiveAppend() {
    }

    /** Copies every image of {@code existing} into {@code writer}, minus the tags in {@code taken}. */
    public static void copyExisting(ArchiveReader existing, ArchiveWriter writer, List<DockerReference> taken)
            throws IOException {
        Set<String> takenNames = new HashSet<>();
        for (DockerReference t : taken) {
            takenNames.add(t.toString());
        }
        List<ManifestItem> items = existing.manifest();
        for (int i = 0; i < items.size(); i++) {
            ManifestItem item = items.get(i);
            String where = "existing archive " + existing.path() + " item @" + i;
            byte[] config = existing.readComponent(item.config(), ArchiveReader.MAX_MANIFEST_JSON * 4);
            Digest configDigest = Digest.sha256(config);
            if (writer.sentBlobSize(configDigest) < 0) {
                writer.sendConfig(configDigest, config, config.length);
            }
            List<Digest> layers = new ArrayList<>();
            for (String layerPath : item.layers()) {
                TarIndex.Entry e = existing.resolveComponent(layerPath);
                Digest d;
                try (InputStream in = existing.openEntry(e);
                     DigestingInputStream din = new DigestingInputStream(in, DigestAlgorithm.SHA256)) {
                    din.transferTo(java.io.OutputStream.nullOutputStream());
                    d = din.digest();
                }
                if (writer.sentBlobSize(d) < 0) {
                    try (InputStream in = existing.openEntry(e)) {
                        writer.sendLayer(d, e.size(), in);
                    }
                }
                layers.add(d);
            }
            List<DockerReference> tags = new ArrayList<>();
            for (String t : item.repoTags()) {
                DockerReference r;
                try {
                    r = DockerReference.parseNormalized(t);
                } catch (InvalidReferenceException ex) {
                    throw ImageException.invalid("Invalid tag " + GoStrconv.quote(t) + " in " + where + ": "
                            + ex.getMessage(), ex);
                }
                if (r.tag().isPresent() && !takenNames.contains(r.toString())) {
                    tags.add(r);
                }
            }
            writer.addImage(layers, configDigest, config, tags);
        }
    }
}
