package dev.kopi.manifest;

import java.util.Set;

/** The MIME types of manifests, configs and layers that kopi knows. */
public final class MediaTypes {
    public static final String DOCKER_V2S1 = "application/vnd.docker.distribution.manifest.v1+json";
    public static final String DOCKER_V2S1_SIGNED = "application/vnd.docker.distribution.manifest.v1+prettyjws";
    public static final String DOCKER_V2S2 = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_V2_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
    public static final String DOCKER_CONFIG = "application/vnd.docker.container.image.v1+json";
    public static final String DOCKER_LAYER = "application/vnd.docker.image.rootfs.diff.tar";
    public static final String DOCKER_LAYER_GZIP = "application/vnd.docker.image.rootfs.diff.tar.gzip";
    public static final String DOCKER_LAYER_ZSTD = "application/vnd.docker.image.rootfs.diff.tar.zstd";
    public static final String DOCKER_FOREIGN_LAYER_GZIP = "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

    public static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String OCI_CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String OCI_LAYER = "application/vnd.oci.image.layer.v1.tar";
    public static final String OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    public static final String OCI_LAYER_ZSTD = "application/vnd.oci.image.layer.v1.tar+zstd";
    public static final String OCI_LAYER_NONDIST = "application/vnd.oci.image.layer.nondistributable.v1.tar";
    public static final String OCI_LAYER_NONDIST_GZIP = "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip";
    public static final String OCI_LAYER_NONDIST_ZSTD = "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd";
    public static final String OCI_EMPTY = "application/vnd.oci.empty.v1+json";

    /** Every manifest type, lists last. */
    public static final Set<String> MANIFEST_TYPES = Set.of(DOCKER_V2S1, DOCKER_V2S1_SIGNED, DOCKER_V2S2, OCI_MANIFEST,
            DOCKER_V2_LIST, OCI_INDEX);

    private MediaTypes() {
    }

    /** Whether the type is a manifest list: an OCI index or a Docker manifest list. */
    public static boolean isList(String mediaType) {
        return DOCKER_V2_LIST.equals(mediaType) || OCI_INDEX.equals(mediaType);
    }

    /** Whether the type is a Docker schema1 manifest, signed or not. */
    public static boolean isSchema1(String mediaType) {
        return DOCKER_V2S1.equals(mediaType) || DOCKER_V2S1_SIGNED.equals(mediaType);
    }

    /**
     * Normalizes a MIME type as containers/image does: strips parameters ({@code ; charset=...}) and maps
     * {@code application/json} and the empty string (old registries) to schema1 signed.
     */
    public static String normalize(String mediaType) {
        if (mediaType == null) {
            return null;
        }
        int semi = mediaType.indexOf(';');
        String mt = (semi >= 0 ? mediaType.substring(0, semi) : mediaType).trim();
        return mt;
    }
}
