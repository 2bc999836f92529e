package dev.kopi;

import java.util.List;

/**
 * The tags of a registry repository, as {@link Kopi#listTags} returns them and {@code skopeo list-tags} prints
 * them.
 *
 * @param repository the repository's full name, e.g. {@code docker.io/library/busybox}
 * @param tags the tags, in the registry's order
 */
public record TagList(String repository, List<String> tags) {
    /** Copies the list. */
    public TagList {
        tags = List.copyOf(tags);
    }
}
