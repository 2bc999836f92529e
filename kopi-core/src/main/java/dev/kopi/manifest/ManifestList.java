package dev.kopi.manifest;

import java.util.List;

/** A list of per-platform manifests: a Docker manifest list or an OCI index. */
public sealed interface ManifestList extends Manifest permits Schema2List, OciIndex {
    List<Descriptor> instances();

    ManifestList withInstances(List<Descriptor> instances);
}
