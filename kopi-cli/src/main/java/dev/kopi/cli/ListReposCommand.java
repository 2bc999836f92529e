package dev.kopi.cli;

import dev.kopi.Kopi;
import dev.kopi.RepositoryList;
import dev.kopi.json.GoJson;
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

/**
 * {@code kopi list-repos docker://HOST}: the repositories of a registry (its whole catalog, every page), printed as
 * {@code list-tags} prints tags. Not a skopeo command.
 */
@Command(name = "list-repos", description = "List the repositories of the registry specified by docker://HOST[:PORT]",
        usageHelpAutoWidth = true)
final class ListReposCommand implements Callable<Integer> {
    @ParentCommand
    Main main;
    @Mixin
    ImageOptions image = new ImageOptions();
    @Mixin
    RetryOptions retry = new RetryOptions();
    @Option(names = "--include", paramLabel = "REGEX", description = "Only list repositories matching REGEX (repeatable; any match counts)")
    List<String> include = new ArrayList<>();
    @Option(names = "--exclude", paramLabel = "REGEX", description = "Leave out repositories matching REGEX (repeatable)")
    List<String> exclude = new ArrayList<>();
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for list-repos")
    boolean help;
    @Parameters(paramLabel = "REGISTRY", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.size() != 1) {
            throw new CliException("Exactly one non-option argument expected", true);
        }
        String registry = args.get(0);
        Kopi.parseRegistryName(registry);
        var ctx = image.toContext(main.global, null).build();
        RepositoryList repos = retry.run(() -> Kopi.listRepositories(registry, ctx)).filtered(include, exclude);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Registry", repos.registry());
        out.put("Repositories", repos.repositories());
        System.out.println(GoJson.marshalIndent(out, "    "));
        return 0;
    }
}
