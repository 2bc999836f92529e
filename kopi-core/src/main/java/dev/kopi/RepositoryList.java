package dev.kopi;

import dev.kopi.error.ImageException;
import java.util.List;

/**
 * The repositories of a registry, as {@link Kopi#listRepositories} returns them and {@code kopi list-repos} prints
 * them (beyond skopeo).
 *
 * @param registry the registry, {@code host[:port]}
 * @param repositories the repository names, in the registry's order
 */
public record RepositoryList(String registry, List<String> repositories) {
    /** Copies the list. */
    public RepositoryList {
        repositories = List.copyOf(repositories);
    }

    /** The repositories matching {@code include} and not {@code exclude}, as {@link TagList#filtered} does for tags. */
    public RepositoryList filtered(List<String> include, List<String> exclude) throws ImageException {
        return new RepositoryList(registry, new TagList(registry, repositories).filtered(include, exclude).tags());
    }
}
