package dev.kopi.manifest;

import dev.kopi.json.GoJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An OCI image index. */
public record OciIndex(String mediaTypeField, String artifactType, List<Descriptor> instances, Descriptor subject,
        Map<String, String> annotations) implements ManifestList {
    public OciIndex {
        mediaTypeField = mediaTypeField == null ? "" : mediaTypeField;
        artifactType = artifactType == null ? "" : artifactType;
        instances = List.copyOf(instances);
        annotations = annotations == null ? Map.of() : Map.copyOf(annotations);
    }

    @Override
    public String mediaType() {
        return MediaTypes.OCI_INDEX;
    }

    @Override
    public OciIndex withInstances(List<Descriptor> i) {
        return new OciIndex(mediaTypeField, artifactType, i, subject, annotations);
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
        List<Object> l = new ArrayList<>();
        for (Descriptor d : instances) {
            l.add(d.toOciGo());
        }
        m.put("manifests", l);
        if (subject != null) {
            m.put("subject", subject.toOciGo());
        }
        if (!annotations.isEmpty()) {
            m.put("annotations", GoJson.goMap(annotations));
        }
        return GoJson.marshal(m);
    }
}
