package dev.kopi.manifest;

import dev.kopi.digest.Digest;
import java.util.ArrayList;
import java.util.List;

/**
 * A Docker schema1 manifest (read only). Layers are listed root first here (schema1 stores them top first);
 * {@code v1Compatibility} holds the history entries, also root first.
 */
public record Schema1Manifest(String name, String tag, String architecture, List<Digest> fsLayersTopFirst,
        List<String> v1CompatibilityTopFirst, boolean signed) implements ImageManifest {
    public Schema1Manifest {
        fsLayersTopFirst = List.copyOf(fsLayersTopFirst);
        v1CompatibilityTopFirst = List.copyOf(v1CompatibilityTopFirst);
    }

    @Override
    public String mediaType() {
        return signed ? MediaTypes.DOCKER_V2S1_SIGNED : MediaTypes.DOCKER_V2S1;
    }

    @Override
    public Descriptor config() {
        return null;
    }

    @Override
    public List<Descriptor> layers() {
        List<Descriptor> out = new ArrayList<>();
        for (int i = fsLayersTopFirst.size() - 1; i >= 0; i--) {
            out.add(new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, fsLayersTopFirst.get(i), -1));
        }
        return out;
    }

    @Override
    public ImageManifest withLayers(List<Descriptor> layers) {
        throw new UnsupportedOperationException("editing schema1 manifests is not supported");
    }

    @Override
    public ImageManifest withConfig(Descriptor config) {
        throw new UnsupportedOperationException("schema1 manifests have no config");
    }

    @Override
    public byte[] serialize() {
        throw new UnsupportedOperationException("writing schema1 manifests is not supported");
    }
}
