package dev.kopi;

import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.ImageConfigs;
import dev.kopi.image.ImageInspector;
import dev.kopi.image.RawManifest;
import dev.kopi.image.UnparsedImage;
import dev.kopi.log.Log;
import dev.kopi.manifest.ImageManifest;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.template.GoStruct;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.docker.DockerImageReference;
import dev.kopi.transport.docker.DockerRegistry;
import java.io.Closeable;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An image opened for reading by {@link Kopi#open}. Each method that reads names what it reads and does so when
 * called (a failed read can simply be called again); what was read is verified against its digest and kept, so
 * asking twice costs nothing. Close it when done. Not for use by several threads at once.
 *
 * <p>For a manifest list, {@link #manifest()} is the list, and the other methods describe the image in it that
 * matches this platform, or the one the context's {@code overrideOs/Arch/Variant} choose.
 */
public final class SourceImage implements Closeable {
    private final ImageSource source;
    private final ImageContext context;
    private final UnparsedImage top;
    private ImageInspector.ResolvedImage resolved;
    private byte[] config;

    SourceImage(ImageSource source, ImageContext context) {
        this.source = source;
        this.context = context;
        this.top = new UnparsedImage(source, Optional.empty());
    }

    /** The image's reference, as parsed. */
    public ImageReference reference() {
        return source.reference();
    }

    /**
     * The top-level manifest, byte for byte as stored (what {@code skopeo inspect --raw} prints), checked against
     * the digest in the reference when it has one.
     */
    public RawManifest manifest() throws IOException {
        return top.manifest();
    }

    /** Whether the top-level manifest is a list (an OCI index or a Docker manifest list). */
    public boolean isList() throws IOException {
        return MediaTypes.isList(manifest().mediaType());
    }

    /**
     * The manifest of the single image this handle describes: the top-level manifest, or for a list the manifest
     * of the instance chosen for the platform.
     *
     * @throws ImageException when no instance of a list matches the platform
     */
    public RawManifest instanceManifest() throws IOException {
        return resolve().manifest();
    }

    /** The digest of the chosen list instance; empty when the image is not a list. */
    public Optional<Digest> instanceDigest() throws IOException {
        return resolve().instance();
    }

    /** Whether the image has a config blob (every image but Docker schema1 ones). */
    public boolean hasConfig() throws IOException {
        return resolve().parsed().config() != null;
    }

    /**
     * The config blob of the image, byte for byte (what {@code skopeo inspect --config --raw} prints), verified
     * against its digest.
     *
     * @throws ImageException with code {@link ErrorCode#UNSUPPORTED} for a schema1 image, which has no config
     */
    public byte[] config() throws IOException {
        if (config == null) {
            ImageManifest m = resolve().parsed();
            config = ImageInspector.fetchConfig(source, m);
        }
        return config.clone();
    }

    /**
     * The config as an OCI image config, as containers/image converts it and {@code skopeo inspect --config}
     * prints it: a map in the field order of the OCI specification, ready for {@link dev.kopi.json.GoJson}.
     */
    public Map<String, Object> ociConfig() throws IOException {
        return ImageConfigs.toOciGo(config());
    }

    /**
     * The tags of the image's repository, for registry images ({@code docker://}); an empty list for other
     * transports. A registry that refuses to list tags (access denied, or no tag list at all) gives an empty
     * list and a warning through {@link Log}, as skopeo's {@code inspect} does.
     */
    public List<String> repositoryTags() throws IOException {
        if (!(source.reference() instanceof DockerImageReference d)) {
            return List.of();
        }
        try {
            return DockerRegistry.listTags(d.ref(), context);
        } catch (ImageException e) {
            if (e.code() != ErrorCode.DENIED && !e.getMessage().endsWith("404 page not found")) {
                throw e;
            }
            Log.warn("Registry disallows tag list retrieval; skipping");
            return List.of();
        }
    }

    /**
     * skopeo's inspect summary of the image ({@code inspect.Output}: Name, Digest, RepoTags, Created,
     * DockerVersion, Labels, Architecture, Os, Layers, LayersData, Env), as a Go struct value that
     * {@link dev.kopi.template.GoJson#marshalIndent} prints as skopeo does and that {@code --format} templates run
     * over. Reads the config blob.
     *
     * @param repoTags the RepoTags field (for instance {@link #repositoryTags()}, or an empty list)
     * @param digestAlgorithm the algorithm of the Digest field; null for the one of the config digest
     * @throws ImageException with code {@link ErrorCode#UNSUPPORTED} for an OCI artifact (not an image)
     */
    public GoStruct inspect(List<String> repoTags, DigestAlgorithm digestAlgorithm) throws IOException {
        return ImageInspector.inspect(resolve(), repoTags, digestAlgorithm);
    }

    private ImageInspector.ResolvedImage resolve() throws IOException {
        if (resolved == null) {
            resolved = ImageInspector.resolve(top, context);
        }
        return resolved;
    }

    /** Closes the source (connections, temporary files of archives). */
    @Override
    public void close() throws IOException {
        source.close();
    }
}
