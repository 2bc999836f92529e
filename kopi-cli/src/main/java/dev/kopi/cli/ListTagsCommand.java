package dev.kopi.cli;

import dev.kopi.Kopi;
import dev.kopi.TagList;
import dev.kopi.json.GoJson;
import dev.kopi.reference.DockerReference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kopi list-tags docker://REPOSITORY}: the tags of a repository, as skopeo prints them. */
@Command(name = "list-tags", description = "List tags in the transport/repository specified by the SOURCE-IMAGE",
        usageHelpAutoWidth = true)
final class ListTagsCommand implements Callable<Integer> {
    @ParentCommand
    Main main;
    @Mixin
    ImageOptions image = new ImageOptions();
    @Mixin
    RetryOptions retry = new RetryOptions();
    @Option(names = "--include", paramLabel = "REGEX", description = "Only list tags matching REGEX (repeatable; any match counts)")
    List<String> include = new ArrayList<>();
    @Option(names = "--exclude", paramLabel = "REGEX", description = "Leave out tags matching REGEX (repeatable)")
    List<String> exclude = new ArrayList<>();
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for list-tags")
    boolean help;
    @Parameters(paramLabel = "SOURCE-IMAGE", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.size() != 1) {
            throw new CliException("Exactly one non-option argument expected", true);
        }
        DockerReference ref = Kopi.parseRepositoryName(args.get(0));
        var ctx = image.toContext(main.global, null).build();
        TagList tags = retry.run(() -> Kopi.listTags(ref, ctx));
        if (!include.isEmpty() || !exclude.isEmpty()) {
            tags = tags.filtered(include, exclude);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Repository", tags.repository());
        out.put("Tags", tags.tags());
        System.out.println(GoJson.marshalIndent(out, "    "));
        return 0;
    }
}
