package dev.kopi.cli;

import picocli.CommandLine.Option;

/** Image flags with the prefix "dest-". */
final class DestImageOptions extends ImageFlags {
    @Option(names = "--dest-authfile", paramLabel = "string", description = "path of the authentication file. Default is $${XDG_RUNTIME_DIR}/containers/auth.json")
    String authfile;
    @Option(names = "--dest-creds", paramLabel = "USERNAME[:PASSWORD]", description = "Use USERNAME[:PASSWORD] for accessing the registry")
    String creds;
    @Option(names = "--dest-username", paramLabel = "string", description = "Username for accessing the registry")
    String username;
    @Option(names = "--dest-password", paramLabel = "string", description = "Password for accessing the registry")
    String password;
    @Option(names = "--dest-registry-token", paramLabel = "string", description = "Provide a Bearer token for accessing the registry")
    String registryToken;
    @Option(names = "--dest-cert-dir", paramLabel = "PATH", description = "use certificates at PATH (*.crt, *.cert, *.key) to connect to the registry or daemon")
    String certDir;
    @Option(names = "--dest-tls-verify", arity = "0..1", fallbackValue = "true", paramLabel = "bool", description = "require HTTPS and verify certificates when talking to the container registry or daemon")
    Boolean tlsVerify;
    @Option(names = "--dest-no-creds", description = "Access the registry anonymously")
    boolean noCreds;
    @Option(names = "--dest-shared-blob-dir", paramLabel = "DIRECTORY", description = "DIRECTORY to use to share blobs across OCI repositories")
    String sharedBlobDir;
    @Option(names = "--dest-daemon-host", paramLabel = "HOST", description = "use docker daemon host at HOST (docker-daemon: only)")
    String daemonHost;

    @Option(names = "--dest-compress", description = "Compress tarball image layers when saving to directory using the 'dir' transport. (default is same compression type as source)")
    boolean compress;
    @Option(names = "--dest-decompress", description = "Decompress tarball image layers when saving to directory using the 'dir' transport. (default is same compression type as source)")
    boolean decompress;
    @Option(names = "--dest-oci-accept-uncompressed-layers", description = "Allow uncompressed image layers when saving to an OCI image using the 'oci' transport. (default is to compress things that aren't compressed)")
    boolean ociAcceptUncompressedLayers;
    @Option(names = "--dest-compress-format", paramLabel = "FORMAT", description = "FORMAT to use for the compression")
    String compressFormat;
    @Option(names = "--dest-compress-level", paramLabel = "LEVEL", description = "LEVEL to use for the compression")
    Integer compressLevel;
    @Option(names = "--dest-precompute-digests", description = "Precompute digests to prevent uploading layers already on the registry using the 'docker' transport.")
    boolean precomputeDigests;
    @Option(names = "--dest-force-compress-format", description = "Force exclusive use of the compression algorithm set in --dest-compress-format")
    boolean forceCompressFormat;

    @Override String authfile() { return authfile; }
    @Override String creds() { return creds; }
    @Override String username() { return username; }
    @Override String password() { return password; }
    @Override String registryToken() { return registryToken; }
    @Override String certDir() { return certDir; }
    @Override Boolean tlsVerify() { return tlsVerify; }
    @Override boolean noCreds() { return noCreds; }
    @Override String sharedBlobDir() { return sharedBlobDir; }
    @Override String daemonHost() { return daemonHost; }

    /**
     * {@code --format} (skopeo's parseManifestFormat) as a manifest MIME type; null when not given. Copy and sync
     * share it.
     */
    static String manifestType(String format) throws dev.kopi.error.ImageException {
        if (format == null) {
            return null;
        }
        return switch (format) {
            case "oci" -> dev.kopi.manifest.MediaTypes.OCI_MANIFEST;
            case "v2s1" -> dev.kopi.manifest.MediaTypes.DOCKER_V2S1_SIGNED;
            case "v2s2" -> dev.kopi.manifest.MediaTypes.DOCKER_V2S2;
            default -> throw dev.kopi.error.ImageException.invalid("unknown format \"" + format
                    + "\". Choose one of the supported formats: 'oci', 'v2s1', or 'v2s2'");
        };
    }

    /**
     * {@code --dest-compress-format} as an algorithm (null when not given), with containers/image's check of
     * {@code --dest-force-compress-format}: the copy engine already reuses or keeps a layer only when its
     * compression is the requested one (and recompresses it otherwise), so what is left is that check.
     */
    dev.kopi.blob.CompressionAlgorithm compression() throws dev.kopi.error.ImageException {
        dev.kopi.blob.CompressionAlgorithm c = compressFormat == null || compressFormat.isEmpty() ? null
                : dev.kopi.blob.CompressionAlgorithm.forWriting(compressFormat);
        if (forceCompressFormat && c == null) {
            throw dev.kopi.error.ImageException.invalid(
                    "cannot use ForceCompressionFormat with undefined default compression format");
        }
        return c;
    }
}
