package dev.kopi.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kopi completion bash|zsh|fish}: shell completion scripts generated from the command model. Hidden from
 * the command list, as in skopeo (whose cobra {@code completion} command is hidden too).
 */
@Command(name = "completion", hidden = true,
        description = "Generate the autocompletion script for kopi for the specified shell",
        subcommands = {CompletionCommand.Bash.class, CompletionCommand.Zsh.class, CompletionCommand.Fish.class},
        usageHelpAutoWidth = true)
final class CompletionCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for completion")
    boolean help;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    private static int print(CommandSpec spec, String script) {
        // not println: the script must end in exactly one \n on every platform
        var out = spec.commandLine().getOut();
        out.print(script.endsWith("\n") ? script : script + "\n");
        out.flush();
        return 0;
    }

    /** {@code kopi completion bash}. */
    @Command(name = "bash", description = "Generate the autocompletion script for bash",
            footer = {"", "To load completions in your current shell session:", "  source <(kopi completion bash)"})
    static final class Bash implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for bash")
        boolean help;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return print(spec, Completions.bash(root(spec)));
        }
    }

    /** {@code kopi completion zsh}. */
    @Command(name = "zsh", description = "Generate the autocompletion script for zsh",
            footer = {"", "To load completions in your current shell session:", "  source <(kopi completion zsh)"})
    static final class Zsh implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for zsh")
        boolean help;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return print(spec, Completions.zsh(root(spec)));
        }
    }

    /** {@code kopi completion fish}. */
    @Command(name = "fish", description = "Generate the autocompletion script for fish",
            footer = {"", "To load completions in your current shell session:", "  kopi completion fish | source"})
    static final class Fish implements Callable<Integer> {
        @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for fish")
        boolean help;
        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            return print(spec, Completions.fish(root(spec)));
        }
    }

    /** The root command line, named {@code kopi}. */
    static CommandLine root(CommandSpec spec) {
        return spec.root().commandLine();
    }
}
