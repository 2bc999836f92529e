package dev.kopi;

import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

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

    /**
     * The tags that match at least one of {@code include} (every tag when it is empty) and none of {@code exclude}
     * ({@code list-tags --include/--exclude}, beyond skopeo). A pattern matches when it is found anywhere in the tag,
     * as Go's {@code regexp.MatchString} (the way skopeo sync's {@code images-by-tag-regex} matches); anchor it with
     * {@code ^...$} to match the whole tag.
     *
     * @throws ImageException for a pattern that is not a valid regular expression
     */
    public TagList filtered(List<String> include, List<String> exclude) throws ImageException {
        List<Pattern> in = compile(include, "--include");
        List<Pattern> out = compile(exclude, "--exclude");
        List<String> kept = new ArrayList<>();
        for (String t : tags) {
            if ((in.isEmpty() || in.stream().anyMatch(p -> p.matcher(t).find()))
                    && out.stream().noneMatch(p -> p.matcher(t).find())) {
                kept.add(t);
            }
        }
        return new TagList(repository, kept);
    }

    private static List<Pattern> compile(List<String> regexes, String what) throws ImageException {
        List<Pattern> out = new ArrayList<>();
        for (String r : regexes == null ? List.<String>of() : regexes) {
            try {
                out.add(Pattern.compile(r));
            } catch (PatternSyntaxException e) {
                throw ImageException.invalid("invalid " + what + " regular expression " + GoStrconv.quote(r) + ": "
                        + e.getDescription());
            }
        }
        return out;
    }
}
