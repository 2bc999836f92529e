package dev.kopi.transport.tarball;

import java.util.List;
import java.util.Map;

/**
 * One element of a docker-save archive's {@code manifest.json}: the config file, the tags ({@code RepoTags}) and
 * the layer files, bottom first. {@code parent} and {@code layerSources} are read but not used, as in
 * containers/image.
 *
 * @param config path of the config file inside the archive
 * @param repoTags tags as written (e.g. {@code docker.io/library/busybox:latest} or {@code busybox:latest})
 * @param layers paths of the layer files inside the archive
 * @param parent the {@code Parent} image ID, "" when absent
 * @param layerSources the {@code LayerSources} map (diffID to descriptor), empty when absent
 */
public record ManifestItem(String config, List<String> repoTags, List<String> layers, String parent,
        Map<String, LayerSource> layerSources) {
    public ManifestItem {
        config = config == null ? "" : config;
        repoTags = repoTags == null ? List.of() : List.copyOf(repoTags);
        layers = layers == null ? List.of() : List.copyOf(layers);
        parent = parent == null ? "" : parent;
        layerSources = layerSources == null ? Map.of() : Map.copyOf(layerSources);
    }

    /** A descriptor in {@code LayerSources} (foreign layers). */
    public record LayerSource(String mediaType, long size, String digest, List<String> urls) {
        public LayerSource {
            urls = urls == null ? List.of() : List.copyOf(urls);
        }
    }
}
