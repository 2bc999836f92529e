package dev.kopi.manifest;

import dev.kopi.json.GoJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An OCI image manifest.
 *
 * @param mediaTypeField the {@code mediaType} field as written ("" when absent)
 * @param subject null when absent
 */
public record OciManifest(String mediaTypeField, String artifactType, Descriptor config, List<Descriptor> layers,
        Descriptor subject, Map<String, String> annotations) implements ImageManifest {
    public OciManifest {
        mediaTypeField = mediaTypeField == null ? "" : mediaTypeField;
        artifactType = artifactType == null ? "" : artifactType;
        layers = List.copyOf(layers);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    public OciManifest(Descriptor config, List<Descriptor> layers, Map<String, String> annotations) {
        this(MediaTypes.OCI_MANIFEST, "", config, layers, null, annotations);
    }

    @Override
    public String mediaType() {
        return MediaTypes.OCI_MANIFEST;
    }

    @Override
    public OciManifest withLayers(List<Descriptor> l) {
        return new OciManifest(mediaTypeField, artifactType, config, l, subject, annotations);
    }

    @Override
    public OciManifest withConfig(Descriptor c) {
        return new OciManifest(mediaTypeField, artifactType, c, layers, subject, annotations);
    }

    /** Whether this is a non-image OCI artifact (its config is not an image config). */
    public boolean isArtifact() {
        return !MediaTypes.OCI_CONFIG.equals(config.mediaType());
    }

    @Override
    public byte[] serialize() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        if (!mediaTypeField.isEmpty()) {
            m.put("mediaType", mediaTypeField);
        }
        if (!artifactType.isEmpty()) {
            m.put("artifactType", artifactType);
        }
        m.put("config", config.toOciGo());
        List<Object> l = new ArrayList<>();
        for (Descriptor d : layers) {
            l.add(d.toOciGo());
        }
        m.put("layers", l);
        if (subject != null) {
            m.put("subject", subject.toOciGo());
        }
        if (!annotations.isEmpty()) {
            m.put("annotations", GoJson.goMap(annotations));
        }
        return GoJson.marshal(m);
    }
}
