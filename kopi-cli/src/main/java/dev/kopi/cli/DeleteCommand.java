package dev.kopi.cli;

import dev.kopi.Kopi;
import dev.kopi.error.ImageException;
import dev.kopi.transport.ImageReference;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kopi delete IMAGE-NAME}. */
@Command(name = "delete", description = "Delete image IMAGE-NAME", usageHelpAutoWidth = true)
final class DeleteCommand implements Callable<Integer> {
    @ParentCommand
    Main main;
    @Mixin
    ImageOptions image = new ImageOptions();
    @Mixin
    RetryOptions retry = new RetryOptions();
    @Option(names = "--tag-only", description = "Delete only the tag, not the image it points at (other tags of that image stay)")
    boolean tagOnly;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for delete")
    boolean help;
    @Parameters(paramLabel = "IMAGE-NAME", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.size() != 1) {
            throw new CliException("Usage: delete imageReference", false);
        }
        ImageReference ref;
        try {
            ref = Kopi.parseImageName(args.get(0));
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Invalid source name " + args.get(0) + ": " + e.getMessage(), e);
        }
        var ctx = image.toContext(main.global, null).build();
        retry.run(() -> {
            if (tagOnly) {
                Kopi.deleteTag(ref, ctx);
            } else {
                Kopi.delete(ref, ctx);
            }
            return null;
        });
        return 0;
    }
}
