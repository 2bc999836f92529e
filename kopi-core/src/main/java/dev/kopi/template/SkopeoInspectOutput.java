package dev.kopi.template;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the value {@code skopeo inspect --format} templates run over: Go's {@code inspect.Output} struct with its
 * field order, Go types (for error texts and {@code printf}) and JSON tags ({@code Name} and {@code Tag} are
 * omitempty). Pass {@code null} for a nil map/slice/pointer (printed as {@code map[]}, {@code []}, {@code <nil>};
 * JSON {@code null}).
 */
public final class SkopeoInspectOutput {
    private SkopeoInspectOutput() {
    }

    /** One entry of LayersData (Go's types.ImageInspectLayer); size -1 means unknown. */
    public record Layer(String mimeType, String digest, long size, Map<String, String> annotations) {
    }

    public static GoStruct of(String name, String tag, String digest, List<String> repoTags,
            OffsetDateTime created, String dockerVersion, Map<String, String> labels, String architecture,
            String os, List<String> layers, List<Layer> layersData, List<String> env) {
        return builder(name, tag, digest, repoTags, created, dockerVersion, labels, architecture, os, layers,
                layersData, env).build();
    }

    /**
     * A kopi extension: the summary of a non-image OCI artifact, skopeo's fields (those of an image config empty)
     * followed by {@code ArtifactType}.
     */
    public static GoStruct ofArtifact(String name, String digest, List<String> repoTags, OffsetDateTime created,
            List<String> layers, List<Layer> layersData, String artifactType) {
        return builder(name, null, digest, repoTags, created, null, null, null, null, layers, layersData, null)
                .field("ArtifactType", nz(artifactType), "string")
                .build();
    }

    private static GoStruct.Builder builder(String name, String tag, String digest, List<String> repoTags,
            OffsetDateTime created, String dockerVersion, Map<String, String> labels, String architecture,
            String os, List<String> layers, List<Layer> layersData, List<String> env) {
        List<Object> layerStructs = null;
        if (layersData != null) {
            layerStructs = new ArrayList<>();
            for (Layer l : layersData) {
                layerStructs.add(layer(l));
            }
        }
        return GoStruct.builder("inspect.Output")
                .field("Name", nz(name), "string", null, true)
                .field("Tag", nz(tag), "string", null, true)
                .field("Digest", nz(digest), "digest.Digest")
                .field("RepoTags", nilSlice(repoTags), "[]string")
                .field("Created", created, "*time.Time")
                .field("DockerVersion", nz(dockerVersion), "string")
                .field("Labels", labels == null ? GoNil.MAP : labels, "map[string]string")
                .field("Architecture", nz(architecture), "string")
                .field("Os", nz(os), "string")
                .field("Layers", nilSlice(layers), "[]string")
                .field("LayersData", nilSlice(layerStructs), "[]types.ImageInspectLayer")
                .field("Env", nilSlice(env), "[]string");
    }

    /** Go's types.ImageInspectLayer. */
    public static GoStruct layer(Layer l) {
        return GoStruct.builder("types.ImageInspectLayer")
                .field("MIMEType", nz(l.mimeType()), "string")
                .field("Digest", nz(l.digest()), "digest.Digest")
                .field("Size", l.size(), "int64")
                .field("Annotations", l.annotations() == null ? GoNil.MAP : l.annotations(), "map[string]string")
                .build();
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static List<?> nilSlice(List<?> l) {
        return l == null ? GoNil.SLICE : l;
    }
}
