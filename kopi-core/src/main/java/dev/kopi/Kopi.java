package dev.kopi;

import dev.kopi.copy.Copier;
import dev.kopi.copy.CopyOptions;
import dev.kopi.copy.CopyResult;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.manifest.Manifests;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.Transports;
import dev.kopi.transport.docker.DockerRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Objects;

/**
 * kopi as a Java library: skopeo's operations as static calls. The {@code kopi} command line is a thin layer over
 * this class, so a program gets the same behaviour, the same image names and the same error texts as the tool.
 *
 * <h2>Image names</h2>
 * Every method that takes a {@code String} image name accepts what the command line accepts:
 * {@code transport:reference}, for instance {@code oci:/srv/layout:latest}, {@code dir:/tmp/img},
 * {@code docker://quay.io/org/app:1.0} or {@code docker-archive:/tmp/app.tar:app:1.0}. {@link #parseImageName}
 * parses one into an {@link ImageReference}; the overloads that take a reference skip that step.
 *
 * <h2>Example</h2>
 * <pre>{@code
 * CopyListener progress = new CopyListener() {
 *     public void blobDone(BlobInfo blob, boolean isConfig) {
 *         System.out.println("copied " + blob.digest());
 *     }
 * };
 * CopyResult r = Kopi.copy("oci:examples/hello:latest", "dir:/tmp/hello",
 *         CopyOptions.defaults().withListener(progress));
 * System.out.println(r.manifestDigest());
 *
 * InspectResult info = Kopi.inspect("dir:/tmp/hello", InspectOptions.defaults());
 * System.out.println(info.json());
 * }</pre>
 *
 * <h2>Errors</h2>
 * Failures are {@link ImageException}s (checked, an {@link IOException}). {@link ImageException#code()} tells what
 * kind of failure it is ({@link ErrorCode#NOT_FOUND} for a missing image, ...), and the message names the action
 * and the object, as skopeo's messages do.
 *
 * <h2>Cancellation</h2>
 * A copy stops when the thread that called {@link #copy} is interrupted: the copy notices it at the next block of
 * data (or the next step), stops its worker threads, leaves the destination as it was before the copy (nothing is
 * committed), and throws an {@link ImageException} with code {@link ErrorCode#CANCELLED}. The thread's interrupt
 * status stays set. Waiting for a remote server is not interruptible; the copy stops once the server answers or
 * its time-out expires.
 *
 * <h2>Threads</h2>
 * All methods may be called from several threads at once. A copy uses its own worker threads (daemon threads),
 * and calls its {@link dev.kopi.copy.CopyListener} from them.
 */
public final class Kopi {
    private Kopi() {
    }

    /**
     * Parses {@code transport:reference} as the command line does; for instance {@code oci:/srv/layout:latest}.
     * Nothing is opened or checked beyond the syntax.
     *
     * @throws InvalidReferenceException with skopeo's text, e.g. {@code Invalid image name "x", expected
     *     colon-separated transport:reference}
     */
    public static ImageReference parseImageName(String imageName) throws InvalidReferenceException {
        Objects.requireNonNull(imageName, "imageName");
        return Transports.parseImageName(imageName);
    }

    /** The names of the transports this build knows, e.g. {@code dir}, {@code oci}, {@code docker}. */
    public static List<String> transports() {
        return Transports.names();
    }

    /**
     * Copies an image, or a list of images, from {@code source} to {@code destination} (skopeo's {@code copy}).
     * A parse error names the side: {@code Invalid source name x: ...} or {@code Invalid destination name x: ...}.
     *
     * @param options what to copy and how; null for {@link CopyOptions#defaults()}
     * @see #copy(ImageReference, ImageReference, CopyOptions)
     */
    public static CopyResult copy(String source, String destination, CopyOptions options) throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        ImageReference src;
        ImageReference dest;
        try {
            src = Transports.parseImageName(source);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Invalid source name " + source + ": " + e.getMessage(), e);
        }
        try {
            dest = Transports.parseImageName(destination);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Invalid destination name " + destination + ": " + e.getMessage(), e);
        }
        return copy(src, dest, options);
    }

    /**
     * Copies an image, or a list of images, from {@code source} to {@code destination} (skopeo's {@code copy}):
     * the trust policy in {@code options} is checked first, then the blobs are copied (in parallel where both
     * sides allow it) with their digests verified, then the config, the manifest and the signatures, and last the
     * destination is committed. When the copy fails or is interrupted the destination is left as it was.
     *
     * @param options what to copy and how; null for {@link CopyOptions#defaults()}. Its listener hears the
     *     progress, from the copy's worker threads.
     * @return the manifest written at the top level of the destination and its digest
     * @throws ImageException with code {@link ErrorCode#CANCELLED} when the calling thread was interrupted, or the
     *     code of the failure
     */
    public static CopyResult copy(ImageReference source, ImageReference destination, CopyOptions options)
            throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        CopyOptions opts = options == null ? CopyOptions.defaults() : options;
        Thread caller = Thread.currentThread();
        if (caller.isInterrupted()) {
            ImageException e = cancelled(source, destination, null);
            opts.listener().copyFailed(e);
            throw e;
        }
        CancellingListener watch = new CancellingListener(opts.listener(), caller);
        CopyResult result;
        try {
            result = Copier.copy(source, destination, opts.withListener(watch));
        } catch (IOException | RuntimeException e) {
            Exception thrown = e;
            if (watch.cancelled() || caller.isInterrupted()) {
                caller.interrupt();
                thrown = cancelled(source, destination, e);
            }
            opts.listener().copyFailed(thrown);
            if (thrown instanceof IOException io) {
                throw io;
            }
            throw (RuntimeException) thrown;
        }
        opts.listener().copyDone(result);
        return result;
    }

    private static ImageException cancelled(ImageReference src, ImageReference dest, Throwable cause) {
        return new ImageException(ErrorCode.CANCELLED, "copying " + src.imageName() + " to " + dest.imageName()
                + ": interrupted", cause);
    }

    /**
     * Opens an image for reading: its manifest, config, tags and skopeo's inspect summary, each read when asked
     * for. Close the returned image when done.
     *
     * @param context how to reach the image (credentials, TLS, platform choice, ...); null for the defaults
     * @throws ImageException for a bad name, or with code {@link ErrorCode#NOT_FOUND} when the image is missing
     */
    public static SourceImage open(String imageName, ImageContext context) throws IOException {
        return open(parseImageName(imageName), context);
    }

    /** Opens an image for reading; see {@link #open(String, ImageContext)}. */
    public static SourceImage open(ImageReference image, ImageContext context) throws IOException {
        Objects.requireNonNull(image, "image");
        ImageContext ctx = context == null ? ImageContext.defaults() : context;
        ImageSource src = image.newImageSource(ctx);
        return new SourceImage(src, ctx);
    }

    /**
     * skopeo's {@code inspect} in one call: the summary (name, digest, tags, created, architecture, layers, ...)
     * together with the raw manifest and config it was made from. For a list the summary describes the image
     * for this platform (or the one {@link ImageContext#overrideArch()} and friends choose), and
     * {@link InspectResult#manifest()} is the list itself, as {@code skopeo inspect --raw} prints it.
     *
     * @param options null for {@link InspectOptions#defaults()}
     */
    public static InspectResult inspect(String imageName, InspectOptions options) throws IOException {
        return inspect(parseImageName(imageName), options);
    }

    /** skopeo's {@code inspect} in one call; see {@link #inspect(String, InspectOptions)}. */
    public static InspectResult inspect(ImageReference image, InspectOptions options) throws IOException {
        InspectOptions opts = options == null ? InspectOptions.defaults() : options;
        try (SourceImage img = open(image, opts.context())) {
            List<String> tags = opts.repositoryTags() ? img.repositoryTags() : List.of();
            return new InspectResult(img.inspect(tags, opts.digestAlgorithm()), img.manifest(),
                    img.hasConfig() ? img.config() : null);
        }
    }

    /**
     * The tags of a registry repository (skopeo's {@code list-tags}); {@code repository} is
     * {@code docker://HOST/NAME} without a tag or digest, for instance {@code docker://quay.io/org/app}.
     *
     * @param context credentials and TLS settings; null for the defaults
     * @throws ImageException with skopeo's texts for a name of another transport or with a tag
     */
    public static TagList listTags(String repository, ImageContext context) throws IOException {
        return listTags(parseRepositoryName(repository), context);
    }

    /**
     * Parses the repository name {@link #listTags(String, ImageContext)} takes ({@code docker://HOST/NAME}, no tag
     * or digest), with skopeo's errors.
     */
    public static DockerReference parseRepositoryName(String repository) throws ImageException {
        Objects.requireNonNull(repository, "repository");
        requireDockerTransport(repository, "tag listing", "image reference");
        DockerReference ref = DockerReference.parseNormalized(repository.substring("docker://".length()));
        if (!ref.isNameOnly()) {
            throw ImageException.invalid("No tag or digest allowed in reference");
        }
        return ref;
    }

    /** skopeo's checks that a name is {@code docker://...}, with its texts; {@code what} names the operation. */
    private static void requireDockerTransport(String name, String what, String kind) throws ImageException {
        int colon = name.indexOf(':');
        if (colon < 0 || Transports.get(name.substring(0, colon)) == null) {
            throw ImageException.invalid("Invalid " + GoStrconv.quote(name) + ": does not specify a transport");
        }
        String transport = name.substring(0, colon);
        if (!transport.equals("docker")) {
            throw ImageException.unsupported("Unsupported transport '" + transport + "' for " + what
                    + ". Only supported: docker");
        }
        if (!name.startsWith("docker://")) {
            throw ImageException.invalid("docker: " + kind + " " + name + " does not start with docker://");
        }
    }

    /** The tags of the registry repository {@code repository} names (its tag or digest is ignored). */
    public static TagList listTags(DockerReference repository, ImageContext context) throws IOException {
        Objects.requireNonNull(repository, "repository");
        ImageContext ctx = context == null ? ImageContext.defaults() : context;
        return new TagList(repository.name(), DockerRegistry.listTags(repository, ctx));
    }

    /**
     * The repositories of a registry ({@code kopi list-repos}, beyond skopeo): {@code registry} is
     * {@code docker://HOST[:PORT]}; every page of the registry's {@code /v2/_catalog} is read.
     *
     * @param context credentials and TLS settings; null for the defaults
     */
    public static RepositoryList listRepositories(String registry, ImageContext context) throws IOException {
        String host = parseRegistryName(registry);
        ImageContext ctx = context == null ? ImageContext.defaults() : context;
        return new RepositoryList(host, DockerRegistry.listRepositories(host, ctx));
    }

    /** Parses {@code docker://HOST[:PORT]} as {@link #listRepositories} takes it; returns {@code HOST[:PORT]}. */
    public static String parseRegistryName(String registry) throws ImageException {
        Objects.requireNonNull(registry, "registry");
        requireDockerTransport(registry, "repository listing", "registry name");
        String host = registry.substring("docker://".length());
        if (host.endsWith("/")) {
            host = host.substring(0, host.length() - 1);
        }
        DockerReference probe;
        try {
            probe = DockerReference.parseNormalized(host + "/kopi-catalog");
        } catch (ImageException e) {
            probe = null;
        }
        if (host.isEmpty() || host.contains("/") || probe == null || !probe.domain().equals(host)) {
            throw ImageException.invalid("Invalid registry " + GoStrconv.quote(registry)
                    + ": expected docker://HOST[:PORT] with no repository");
        }
        return host;
    }

    /**
     * Deletes an image (skopeo's {@code delete}). Registries delete the manifest the tag points at (every tag of
     * that manifest goes with it); transports that cannot delete fail with {@link ErrorCode#UNSUPPORTED}.
     *
     * @param context credentials and TLS settings; null for the defaults
     */
    public static void delete(String imageName, ImageContext context) throws IOException {
        delete(parseImageName(imageName), context);
    }

    /** Deletes an image; see {@link #delete(String, ImageContext)}. */
    public static void delete(ImageReference image, ImageContext context) throws IOException {
        Objects.requireNonNull(image, "image");
        image.deleteImage(context == null ? ImageContext.defaults() : context);
    }

    /**
     * Deletes one tag of a registry image and leaves the manifest and its other tags ({@code delete --tag-only},
     * beyond skopeo): the registry's tag DELETE where it has one, else the tag is moved to a throw-away manifest
     * that is then deleted. Only {@code docker://} references with a tag can do this.
     *
     * @param context credentials and TLS settings; null for the defaults
     */
    public static void deleteTag(ImageReference image, ImageContext context) throws IOException {
        Objects.requireNonNull(image, "image");
        if (!(image instanceof dev.kopi.transport.docker.DockerImageReference docker)) {
            throw ImageException.unsupported("--tag-only is only supported for docker:// images, not "
                    + image.transport().name() + ":");
        }
        docker.deleteTag(context == null ? ImageContext.defaults() : context);
    }

    /**
     * Checks that the credentials in {@code context} are accepted by {@code registry} ({@code host[:port]}), as
     * {@code kopi login} does before it saves them.
     */
    public static void checkLogin(String registry, ImageContext context) throws IOException {
        Objects.requireNonNull(registry, "registry");
        DockerRegistry.checkAuth(registry, context == null ? ImageContext.defaults() : context);
    }

    /**
     * Mirrors images (skopeo's {@code sync}): every tag of a repository, one image, the {@code dir:} images under a
     * directory, or the images a YAML file lists ({@link dev.kopi.sync.SyncOptions#sourceTransport()}), to a
     * registry path or a directory, named as skopeo names them. Beyond skopeo: several images at once, one
     * connection pool and token per repository for the whole run, each blob checked and moved once, images the
     * destination already has skipped after one HEAD request, and {@code --shard I/N}.
     *
     * @param source a repository or image ({@code docker}), a directory ({@code dir}) or a YAML file ({@code yaml})
     * @param destination a registry and path ({@code registry.example.com/mirror}) or a directory
     * @return the summary: each image's outcome, bytes moved, time
     * @throws dev.kopi.sync.SyncFailedException when images failed; it carries the summary
     */
    public static dev.kopi.sync.SyncResult sync(String source, String destination, dev.kopi.sync.SyncOptions options)
            throws IOException {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(options, "options");
        return dev.kopi.sync.Syncer.sync(source, destination, options);
    }

    /**
     * The digest of a manifest as skopeo's {@code manifest-digest} computes it: of the bytes as they are, except
     * that a signed Docker schema1 manifest is digested without its signatures.
     */
    public static Digest manifestDigest(byte[] manifest, DigestAlgorithm algorithm) throws ImageException {
        return Manifests.digest(manifest, algorithm == null ? DigestAlgorithm.SHA256 : algorithm);
    }
}
