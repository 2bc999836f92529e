package dev.kopi.cli;

import dev.kopi.Kopi;
import dev.kopi.copy.LegacyLayers;
import dev.kopi.transport.ImageReference;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * {@code kopi layers IMAGE-NAME [LAYER...]}: skopeo's hidden, deprecated command that downloads an image's blobs
 * and manifest into a new {@code layers-*} directory (a {@code dir:} image) in the working directory.
 */
@Command(name = "layers", hidden = true, description = "Get layers of IMAGE-NAME", usageHelpAutoWidth = true)
final class LayersCommand implements Callable<Integer> {
    @ParentCommand
    Main main;
    @Spec
    CommandSpec spec;
    @Mixin
    ImageOptions image = new ImageOptions();
    @Mixin
    RetryOptions retry = new RetryOptions();
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for layers")
    boolean help;
    @Parameters(paramLabel = "IMAGE-NAME", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        spec.commandLine().getErr().println(LegacyLayers.DEPRECATION_NOTE);
        spec.commandLine().getErr().flush();
        if (args.isEmpty()) {
            throw new CliException("Usage: layers imageReference [layer...]", false);
        }
        ImageReference ref = Kopi.parseImageName(args.get(0));
        var ctx = image.toContext(main.global, null).build();
        List<String> blobs = args.subList(1, args.size());
        retry.run(() -> LegacyLayers.download(ref, ctx, blobs, Path.of("").toAbsolutePath()));
        return 0;
    }
}
