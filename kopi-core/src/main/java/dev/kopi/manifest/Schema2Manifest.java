package dev.kopi.manifest;

import dev.kopi.json.GoJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A Docker image manifest, schema version 2. */
public record Schema2Manifest(Descriptor config, List<Descriptor> layers) implements ImageManifest {
    public Schema2Manifest {
        layers = List.copyOf(layers);
    }

    @Override
    public String mediaType() {
        return MediaTypes.DOCKER_V2S2;
    }

    @Override
    public Schema2Manifest withLayers(List<Descriptor> l) {
        return new Schema2Manifest(config, l);
    }

    @Override
    public Schema2Manifest withConfig(Descriptor c) {
        return new Schema2Manifest(c, layers);
    }

    @Override
    public byte[] serialize() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", 2);
        m.put("mediaType", MediaTypes.DOCKER_V2S2);
        m.put("config", config.toDockerGo(false));
        List<Object> l = new ArrayList<>();
        for (Descriptor d : layers) {
            l.add(d.toDockerGo(false));
        }
        m.put("layers", l);
        return GoJson.marshal(m);
    }
}
