package dev.kopi.transport;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Per-side settings given to a transport when an image is opened (skopeo's {@code --src-*} / {@code --dest-*}
 * flags and global flags). Built with {@link #builder()}; unknown fields keep skopeo's defaults.
 *
 * @param tmpDir where big temporary files go ({@code --tmpdir}, else {@code $TMPDIR}, else /var/tmp)
 * @param overrideOs {@code --override-os}, null for the host's
 * @param overrideArch {@code --override-arch}, null for the host's
 * @param overrideVariant {@code --override-variant}, null for none
 * @param ociSharedBlobDir {@code --src/dest-shared-blob-dir}, null for the layout's own blobs/
 * @param ociAcceptUncompressedLayers {@code --dest-oci-accept-uncompressed-layers}
 * @param additionalTags {@code --additional-tag} for docker-archive destinations
 * @param daemonHost {@code --src/dest-daemon-host}, null for the default
 * @param certDir {@code --src/dest-cert-dir}, null for the default
 * @param tlsVerify {@code --src/dest-tls-verify}, empty when not given
 * @param credentials {@code --src/dest-creds}, null when not given
 * @param noCredentials {@code --src/dest-no-creds}
 * @param registryToken {@code --src/dest-registry-token}, null when not given
 * @param authFile {@code --authfile}, null for the default search
 * @param userAgentPrefix {@code --user-agent-prefix}, null for none
 * @param registriesDir {@code --registries.d}, null for the default
 * @param dirForceCompress {@code --dest-compress} (dir: destinations)
 * @param dirForceDecompress {@code --dest-decompress} (dir: destinations)
 * @param registriesConf {@code --registries-conf}, null for the default search
 * @param dockerPushPrecomputeDigests {@code --dest-precompute-digests}: digest a layer of unknown digest (one
 *     compressed on the way) before uploading it, so that one the registry has is not uploaded again
 * @param archiveAppend {@code copy --append} (beyond skopeo): add the image to an existing docker-archive: or
 *     oci-archive: file instead of refusing to modify it
 */
public record ImageContext(Path tmpDir, String overrideOs, String overrideArch, String overrideVariant,
        Path ociSharedBlobDir, boolean ociAcceptUncompressedLayers, List<String> additionalTags, String daemonHost,
        Path certDir, Optional<Boolean> tlsVerify, String credentials, boolean noCredentials, String registryToken,
        Path authFile, String userAgentPrefix, Path registriesDir, boolean dirForceCompress,
        boolean dirForceDecompress, Path registriesConf, boolean dockerPushPrecomputeDigests,
        boolean archiveAppend) {

    public ImageContext {
        additionalTags = additionalTags == null ? List.of() : List.copyOf(additionalTags);
        tlsVerify = tlsVerify == null ? Optional.empty() : tlsVerify;
        if (tmpDir == null) {
            tmpDir = defaultTmpDir();
        }
    }

    /** A context with every default. */
    public static ImageContext defaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.tmpDir = tmpDir;
        b.overrideOs = overrideOs;
        b.overrideArch = overrideArch;
        b.overrideVariant = overrideVariant;
        b.ociSharedBlobDir = ociSharedBlobDir;
        b.ociAcceptUncompressedLayers = ociAcceptUncompressedLayers;
        b.additionalTags = additionalTags;
        b.daemonHost = daemonHost;
        b.certDir = certDir;
        b.tlsVerify = tlsVerify;
        b.credentials = credentials;
        b.noCredentials = noCredentials;
        b.registryToken = registryToken;
        b.authFile = authFile;
        b.userAgentPrefix = userAgentPrefix;
        b.registriesDir = registriesDir;
        b.dirForceCompress = dirForceCompress;
        b.dirForceDecompress = dirForceDecompress;
        b.registriesConf = registriesConf;
        b.dockerPushPrecomputeDigests = dockerPushPrecomputeDigests;
        b.archiveAppend = archiveAppend;
        return b;
    }

    /** skopeo's big-file temp dir: {@code $TMPDIR}, else /var/tmp. */
    public static Path defaultTmpDir() {
        String env = System.getenv("TMPDIR");
        return Path.of(env != null && !env.isEmpty() ? env : "/var/tmp");
    }

    /** Builder for {@link ImageContext}. */
    public static final class Builder {
        private Path tmpDir;
        private String overrideOs;
        private String overrideArch;
        private String overrideVariant;
        private Path ociSharedBlobDir;
        private boolean ociAcceptUncompressedLayers;
        private List<String> additionalTags = List.of();
        private String daemonHost;
        private Path certDir;
        private Optional<Boolean> tlsVerify = Optional.empty();
        private String credentials;
        private boolean noCredentials;
        private String registryToken;
        private Path authFile;
        private String userAgentPrefix;
        private Path registriesDir;
        private boolean dirForceCompress;
        private boolean dirForceDecompress;
        private Path registriesConf;
        private boolean dockerPushPrecomputeDigests;
        private boolean archiveAppend;

        public Builder tmpDir(Path v) { tmpDir = v; return this; }
        public Builder overrideOs(String v) { overrideOs = v; return this; }
        public Builder overrideArch(String v) { overrideArch = v; return this; }
        public Builder overrideVariant(String v) { overrideVariant = v; return this; }
        public Builder ociSharedBlobDir(Path v) { ociSharedBlobDir = v; return this; }
        public Builder ociAcceptUncompressedLayers(boolean v) { ociAcceptUncompressedLayers = v; return this; }
        public Builder additionalTags(List<String> v) { additionalTags = v; return this; }
        public Builder daemonHost(String v) { daemonHost = v; return this; }
        public Builder certDir(Path v) { certDir = v; return this; }
        public Builder tlsVerify(Optional<Boolean> v) { tlsVerify = v; return this; }
        public Builder credentials(String v) { credentials = v; return this; }
        public Builder noCredentials(boolean v) { noCredentials = v; return this; }
        public Builder registryToken(String v) { registryToken = v; return this; }
        public Builder authFile(Path v) { authFile = v; return this; }
        public Builder userAgentPrefix(String v) { userAgentPrefix = v; return this; }
        public Builder registriesDir(Path v) { registriesDir = v; return this; }
        public Builder dirForceCompress(boolean v) { dirForceCompress = v; return this; }
        public Builder dirForceDecompress(boolean v) { dirForceDecompress = v; return this; }
        public Builder registriesConf(Path v) { registriesConf = v; return this; }
        public Builder dockerPushPrecomputeDigests(boolean v) { dockerPushPrecomputeDigests = v; return this; }
        public Builder archiveAppend(boolean v) { archiveAppend = v; return this; }

        public ImageContext build() {
            return new ImageContext(tmpDir, overrideOs, overrideArch, overrideVariant, ociSharedBlobDir,
                    ociAcceptUncompressedLayers, additionalTags, daemonHost, certDir, tlsVerify, credentials,
                    noCredentials, registryToken, authFile, userAgentPrefix, registriesDir, dirForceCompress,
                    dirForceDecompress, registriesConf, dockerPushPrecomputeDigests, archiveAppend);
        }
    }
}
