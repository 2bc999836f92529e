package dev.kopi.manifest;

import dev.kopi.json.GoJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Docker manifest list. */
public record Schema2List(List<Descriptor> instances) implements ManifestList {
    public Schema2List {
        instances = List.copyOf(instances);
    }

    @Override
    public String mediaType() {
        return MediaTypes.DOCKER_V2_LIST;
    }

    @Override
    public Schema2List withInstances(List<Descriptor> i) {
        return new Schema2List(i);
    }

    @Override
    public byte[] serialize() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.DOCKER_V2_LIST);
        List<Object> l = new ArrayList<>();
        for (Descriptor d : instances) {
            l.add(d.toDockerGo(true));
        }
        m.put("manifests", l);
        return GoJson.marshal(m);
    }
}
