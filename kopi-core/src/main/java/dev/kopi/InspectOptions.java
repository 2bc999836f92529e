package dev.kopi;

import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.transport.ImageContext;

/**
 * Options of {@link Kopi#inspect}.
 *
 * @param context how to reach the image (credentials, TLS, the platform to choose from a list); null for
 *     {@link ImageContext#defaults()}
 * @param repositoryTags whether to list the repository's tags (registry images only); skopeo's
 *     {@code --no-tags} is {@code false}
 * @param digestAlgorithm the algorithm of the summary's Digest; null for the one the config digest uses
 *     (skopeo's {@code --manifest-digest})
 */
public record InspectOptions(ImageContext context, boolean repositoryTags, DigestAlgorithm digestAlgorithm) {
    /** Fills in the defaults. */
    public InspectOptions {
        context = context == null ? ImageContext.defaults() : context;
    }

    /** The defaults: default context, tags listed, config digest algorithm. */
    public static InspectOptions defaults() {
        return new InspectOptions(null, true, null);
    }

    /** These options with another context. */
    public InspectOptions withContext(ImageContext c) {
        return new InspectOptions(c, repositoryTags, digestAlgorithm);
    }

    /** These options without (false) or with the repository's tags. */
    public InspectOptions withRepositoryTags(boolean list) {
        return new InspectOptions(context, list, digestAlgorithm);
    }
}
