package dev.kopi.transport.docker;

import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.manifest.Descriptor;
import dev.kopi.manifest.ImageManifest;
import dev.kopi.manifest.Manifest;
import dev.kopi.manifest.Manifests;
import dev.kopi.signature.Signature;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

/** Reads an image from a registry. */
final class DockerImageSource implements ImageSource {
    private final DockerImageReference ref;
    private final RegistryClient client;

    DockerImageSource(DockerImageReference ref, RegistryClient client) {
        this.ref = ref;
        this.client = client;
    }

    @Override
    public ImageReference reference() {
        return ref;
    }

    @Override
    public RawManifest fetchManifest(Optional<Digest> instance) throws IOException {
        String tagOrDigest = instance.isPresent() ? instance.get().toString() : ref.tagOrDigest();
        RawManifest m = client.fetchManifest(tagOrDigest);
        rememberBlobs(m);
        return m;
    }

    /** Records the blobs this repository holds, for mounts into other repositories of the same registry. */
    private void rememberBlobs(RawManifest m) {
        try {
            Manifest parsed = Manifests.parse(m.bytes(), m.mediaType());
            if (parsed instanceof ImageManifest im) {
                if (im.config() != null && im.config().digest() != null) {
                    BlobLocations.record(client.registry(), client.repository(), im.config().digest());
                }
                for (Descriptor d : im.layers()) {
                    BlobLocations.record(client.registry(), client.repository(), d.digest());
                }
            }
        } catch (ImageException | RuntimeException e) {
            // not ours to judge here: the copy parses (and reports) the manifest itself
        }
    }

    @Override
    public BlobStream openBlob(BlobInfo info) throws IOException {
        return new BlobStream(client.openBlob(info.digest(), info.size()), info.size());
    }

    @Override
    public List<Signature> fetchSignatures(Optional<Digest> instance) {
        return List.of();
    }

    @Override
    public void close() {
        client.close();
    }
}
