package dev.kopi.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code kopi generate-man DIR} (hidden): writes the man pages, generated from the command model, into DIR. */
@Command(name = "generate-man", hidden = true, description = "Write the man pages (kopi.1, kopi-COMMAND.1) into DIR")
final class GenerateManCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for generate-man")
    boolean help;
    @Parameters(paramLabel = "DIR", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (args.size() != 1) {
            throw new CliException("Exactly one argument expected", true);
        }
        for (Path p : ManPages.write(spec.root().commandLine(), Path.of(args.get(0)))) {
            spec.commandLine().getOut().println(p);
        }
        spec.commandLine().getOut().flush();
        return 0;
    }
}
