package dev.kopi.transport.docker;

import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import java.io.IOException;
import java.util.List;

/** Registry operations that are not about one image: the tag list of a repository, the catalog. */
public final class DockerRegistry {
    private DockerRegistry() {
    }

    /** The tags of the repository {@code ref} names (its tag or digest is ignored). */
    public static List<String> listTags(DockerReference ref, ImageContext ctx) throws IOException {
        try (RegistryClient c = RegistryClients.forReference(ref, ctx, false)) {
            return c.listTags();
        }
    }

    /**
     * The digest of the manifest {@code ref} (with a tag or digest) names at a destination registry, from one HEAD
     * request; empty when the registry does not have it. Asked with the push scope, so that within a
     * {@link RegistrySession} the client (and token) of the copy to that repository is the same.
     */
    public static java.util.Optional<dev.kopi.digest.Digest> destinationManifestDigest(DockerReference ref,
            ImageContext ctx) throws IOException {
        String tagOrDigest = ref.digest().map(Object::toString).orElse(ref.tag().orElse(DockerReference.DEFAULT_TAG));
        try (RegistryClient c = RegistryClients.forReference(ref, ctx, true)) {
            return c.headManifest(tagOrDigest);
        }
    }

    /**
     * The repositories of registry {@code registry} ({@code host[:port]}), every page of its catalog. Credentials
     * and TLS settings are those of the registry (as for any repository on it).
     */
    public static List<String> listRepositories(String registry, ImageContext ctx) throws IOException {
        DockerReference ref = DockerReference.parseNormalized(registry + "/kopi-catalog");
        try (RegistryClient c = RegistryClients.forReference(ref, ctx, false)) {
            return c.listRepositories();
        }
    }

    /** Checks credentials against a registry, as {@code login} does before saving them. */
    public static void checkAuth(String registry, ImageContext ctx) throws IOException {
        DockerReference ref = DockerReference.parseNormalized(registry + "/kopi-login-check");
        try (RegistryClient c = RegistryClients.forReference(ref, ctx, false)) {
            c.checkAuth();
        }
    }
}
