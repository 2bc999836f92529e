package dev.kopi.testkit;

import dev.kopi.digest.Digest;
import java.util.List;

/**
 * What {@link TestImages} wrote for one image manifest.
 *
 * @param manifestDigest digest of the manifest bytes
 * @param manifest the manifest bytes as stored
 * @param configDigest digest of the config blob
 * @param layers digests of the layer blobs as stored (compressed when gzip is on)
 * @param layerSizes sizes of the layer blobs as stored
 * @param diffIds digests of the uncompressed layer tars
 */
public record WrittenImage(Digest manifestDigest, byte[] manifest, Digest configDigest, List<Digest> layers,
        List<Long> layerSizes, List<Digest> diffIds) {
    public WrittenImage {
        manifest = manifest.clone();
        layers = List.copyOf(layers);
        layerSizes = List.copyOf(layerSizes);
        diffIds = List.copyOf(diffIds);
    }

    @Override
    public byte[] manifest() {
        return manifest.clone();
    }

    /** The image ID as podman and docker show it: the config digest's hex. */
    public String imageId() {
        return configDigest.encoded();
    }
}
