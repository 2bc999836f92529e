package dev.kopi.manifest;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Docker schema1 manifest, as containers/image holds it after parsing: consecutive history entries with the
 * same v1 ID are already merged ({@code fixManifestLayers}). {@code fsLayersTopFirst} and
 * {@code v1CompatibilityTopFirst} are in the manifest's order (top layer first); {@link #layers()} is root first.
 *
 * @param signed whether the manifest carries JWS signatures (its MIME type is then the {@code prettyjws} one)
 */
public record Schema1Manifest(String name, String tag, String architecture, List<Digest> fsLayersTopFirst,
        List<String> v1CompatibilityTopFirst, boolean signed) implements ImageManifest {
    public Schema1Manifest {
        name = name == null ? "" : name;
        tag = tag == null ? "" : tag;
        architecture = architecture == null ? "" : architecture;
        fsLayersTopFirst = List.copyOf(fsLayersTopFirst);
        v1CompatibilityTopFirst = List.copyOf(v1CompatibilityTopFirst);
        if (fsLayersTopFirst.size() != v1CompatibilityTopFirst.size()) {
            throw new IllegalArgumentException("length of history not equal to number of layers");
        }
    }

    @Override
    public String mediaType() {
        return signed ? MediaTypes.DOCKER_V2S1_SIGNED : MediaTypes.DOCKER_V2S1;
    }

    @Override
    public Descriptor config() {
        return null;
    }

    /** All fsLayers, root first, throwaway ones included (their digests may repeat). Sizes are unknown (-1). */
    @Override
    public List<Descriptor> layers() {
        List<Descriptor> out = new ArrayList<>();
        for (int i = fsLayersTopFirst.size() - 1; i >= 0; i--) {
            out.add(new Descriptor(MediaTypes.DOCKER_LAYER_GZIP, fsLayersTopFirst.get(i), -1));
        }
        return out;
    }

    /** The parsed history entries, root first (parallel to {@link #layers()}). */
    public List<Schema1V1Compatibility> historyRootFirst() throws ImageException {
        List<Schema1V1Compatibility> out = new ArrayList<>();
        for (int i = v1CompatibilityTopFirst.size() - 1; i >= 0; i--) {
            out.add(Schema1V1Compatibility.parse(v1CompatibilityTopFirst.get(i), i));
        }
        return out;
    }

    /**
     * The same manifest with other layer blobs (containers/image's {@code Schema1.UpdateLayerInfos}): one descriptor
     * per entry of {@link #layers()}, root first. The v1 IDs are left alone, as containers/image does. The result
     * is signed anew when serialized.
     */
    @Override
    public Schema1Manifest withLayers(List<Descriptor> layers) {
        if (layers.size() != fsLayersTopFirst.size()) {
            throw new IllegalArgumentException("Error preparing updated manifest: layer count changed from "
                    + fsLayersTopFirst.size() + " to " + layers.size());
        }
        List<Digest> top = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0; i--) {
            top.add(layers.get(i).digest());
        }
        return new Schema1Manifest(name, tag, architecture, top, v1CompatibilityTopFirst, true);
    }

    /** The same manifest with another embedded repository name and tag. */
    public Schema1Manifest withNameAndTag(String newName, String newTag) {
        return new Schema1Manifest(newName, newTag, architecture, fsLayersTopFirst, v1CompatibilityTopFirst, true);
    }

    @Override
    public ImageManifest withConfig(Descriptor config) {
        throw new UnsupportedOperationException("schema1 manifests have no config");
    }

    /** The manifest as Go marshals containers/image's {@code manifest.Schema1}, without signatures. */
    public byte[] serializeUnsigned() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", name);
        m.put("tag", tag);
        m.put("architecture", architecture);
        List<Object> fs = new ArrayList<>();
        for (Digest d : fsLayersTopFirst) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("blobSum", d.toString());
            fs.add(e);
        }
        m.put("fsLayers", fs);
        List<Object> h = new ArrayList<>();
        for (String v : v1CompatibilityTopFirst) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("v1Compatibility", v);
            h.add(e);
        }
        m.put("history", h);
        m.put("schemaVersion", 1);
        return GoJson.marshal(m);
    }

    /**
     * The manifest with a JWS signature by a throwaway key, as containers/image always writes schema1 (Docker
     * registries refuse unsigned ones). Each call signs anew: the bytes differ, the digest does not.
     */
    @Override
    public byte[] serialize() {
        return Schema1Signatures.addDummySignature(serializeUnsigned());
    }
}
