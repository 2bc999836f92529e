package dev.kopi.copy;

/**
 * Which artifacts attached to the copied manifests a copy also brings along (beyond skopeo, which copies none).
 *
 * @param referrers {@code --referrers}: every manifest whose {@code subject} is a copied manifest (OCI 1.1
 *     Referrers API, else the referrers tag schema), and their referrers in turn, byte for byte
 * @param digestTags {@code --digest-tags}: cosign's {@code <alg>-<hex>.sig}, {@code .att} and {@code .sbom} tags of
 *     each copied manifest, under the same tags
 */
public record AttachedArtifacts(boolean referrers, boolean digestTags) {
    /** Nothing attached is copied (skopeo's behaviour). */
    public static final AttachedArtifacts NONE = new AttachedArtifacts(false, false);

    /** Whether anything is to be copied. */
    public boolean any() {
        return referrers || digestTags;
    }
}
