package dev.kopi.transport;

import java.util.List;

/**
 * What a destination accepts.
 *
 * @param supportedManifestMimeTypes manifest types it stores, preferred first; empty = any
 * @param desiredLayerCompression what it wants done to layers
 * @param acceptsForeignLayerUrls whether layers with URLs may be kept as references
 * @param mustMatchRuntimeOs whether images for another OS are refused
 * @param supportsSignatures whether {@code putSignatures} can store anything
 * @param concurrentBlobWrites whether {@code putBlob} may run in parallel
 * @param supportsManifestLists whether lists can be stored (else one instance must be chosen)
 */
public record DestinationCapabilities(List<String> supportedManifestMimeTypes, LayerCompression desiredLayerCompression,
        boolean acceptsForeignLayerUrls, boolean mustMatchRuntimeOs, boolean supportsSignatures,
        boolean concurrentBlobWrites, boolean supportsManifestLists) {
    public DestinationCapabilities {
        supportedManifestMimeTypes = List.copyOf(supportedManifestMimeTypes);
    }

    /** What a destination wants done to layers: keep them as they are, compress or decompress them. */
    public enum LayerCompression { PRESERVE, COMPRESS, DECOMPRESS }
}
