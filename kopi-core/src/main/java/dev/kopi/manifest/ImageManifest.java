package dev.kopi.manifest;

import java.util.List;

/** A manifest of one image: a config and layers. */
public sealed interface ImageManifest extends Manifest permits Schema2Manifest, OciManifest, Schema1Manifest {
    /** The config descriptor; for schema1 (which has none) null. */
    Descriptor config();

    /** Layers, root first. */
    List<Descriptor> layers();

    /** The same manifest with other layer descriptors (same count). */
    ImageManifest withLayers(List<Descriptor> layers);

    ImageManifest withConfig(Descriptor config);
}
