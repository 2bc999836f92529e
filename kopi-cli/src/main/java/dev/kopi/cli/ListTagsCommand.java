package dev.kopi.cli;

import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.json.GoJson;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.Transports;
import dev.kopi.transport.docker.DockerRegistry;
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
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for list-tags")
    boolean help;
    @Parameters(paramLabel = "SOURCE-IMAGE", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.size() != 1) {
            throw new CliException("Exactly one non-option argument expected", true);
        }
        String name = args.get(0);
        int colon = name.indexOf(':');
        if (colon < 0 || Transports.get(name.substring(0, colon)) == null) {
            throw ImageException.invalid("Invalid " + GoStrconv.quote(name) + ": does not specify a transport");
        }
        String transport = name.substring(0, colon);
        if (!transport.equals("docker")) {
            throw ImageException.unsupported("Unsupported transport '" + transport
                    + "' for tag listing. Only supported: docker");
        }
        if (!name.startsWith("docker://")) {
            throw ImageException.invalid("docker: image reference " + name + " does not start with docker://");
        }
        DockerReference ref = DockerReference.parseNormalized(name.substring("docker://".length()));
        if (!ref.isNameOnly()) {
            throw ImageException.invalid("No tag or digest allowed in reference");
        }
        var ctx = image.toContext(main.global, null).build();
        List<String> tags = retry.run(() -> DockerRegistry.listTags(ref, ctx));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Repository", ref.name());
        out.put("Tags", tags);
        System.out.println(GoJson.marshalIndent(out, "    "));
        return 0;
    }
}
