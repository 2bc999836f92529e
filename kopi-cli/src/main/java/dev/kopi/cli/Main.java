package dev.kopi.cli;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Properties;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code kopi} command: skopeo's command line over kopi-core. The subcommands are in {@link #SUBCOMMANDS}
 * rather than in the annotation: building picocli's model of every command costs more start-up time than most
 * commands take, so a command line that names one command builds only that one (see {@link #commandLine}).
 */
@Command(name = "kopi", description = "Various operations with container images and container image registries",
        usageHelpAutoWidth = true)
public final class Main implements Callable<Integer> {
    /** The subcommands, in the order help lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(CopyCommand.class, DeleteCommand.class,
            GenerateSigstoreKeyCommand.class, InspectCommand.class,
            ListTagsCommand.class, ListReposCommand.class, LoginCommand.class, LogoutCommand.class,
            ManifestDigestCommand.class, StandaloneSignCommand.class, StandaloneVerifyCommand.class,
            SyncCommand.class, UntrustedSignatureDumpCommand.class, LayersCommand.class, ImageProxyCommand.class,
            CommandLine.HelpCommand.class, CompletionCommand.class, GenerateManCommand.class);
    /** Commands that need the whole model (they list or describe the other commands). */
    private static final List<Class<?>> NEED_ALL = List.of(CommandLine.HelpCommand.class, CompletionCommand.class,
            GenerateManCommand.class);

    /** skopeo release whose behaviour kopi follows. */
    static final String SKOPEO_COMPAT = "1.22.2";

    @Mixin
    GlobalOptions global = new GlobalOptions();

    @Option(names = {"-v", "--version"}, description = "Version for kopi")
    boolean version;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for kopi")
    boolean help;

    @Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (version) {
            spec.commandLine().getOut().println(versionLine());
            spec.commandLine().getOut().flush();
            return 0;
        }
        spec.commandLine().usage(spec.commandLine().getOut());
        return 0;
    }

    static String versionLine() {
        return "kopi version " + version() + " (skopeo version " + SKOPEO_COMPAT + " compatible)";
    }

    static String version() {
        try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "0.0.0");
        } catch (IOException e) {
            return "0.0.0";
        }
    }

    public static void main(String[] args) {
        CountDownLatch finished = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(stopOnSignal(Thread.currentThread(), finished));
        int code = run(System.out, System.err, args);
        System.out.flush();
        finished.countDown();
        System.exit(code);
    }

    /**
     * SIGINT/SIGTERM (the JVM runs its shutdown hooks, then exits with 130/143): the command is interrupted as a
     * cancelled copy is, so it removes its temporary files and leaves the destination as it was; the hook waits a
     * bounded time for that before the JVM goes on exiting. After a normal end ({@code finished} counted down) the
     * hook returns at once.
     */
    private static Thread stopOnSignal(Thread command, CountDownLatch finished) {
        Thread hook = new Thread(() -> {
            if (finished.getCount() == 0) {
                return;
            }
            command.interrupt();
            try {
                finished.await(SIGNAL_GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "kopi-signal");
        return hook;
    }

    /** How long a signalled command may take to clean up before the JVM exits anyway. */
    private static final Duration SIGNAL_GRACE = Duration.ofSeconds(10);

    /** Runs kopi in-process (tests drive the CLI through this). */
    public static int run(PrintStream out, PrintStream err, String... args) {
        if (args.length == 1 && (args[0].equals("--version") || args[0].equals("-v"))) {
            // Scripts ask for the version to find out whether kopi is there: answer without building the
            // command model (about half of this command's start-up time). Same output as through picocli.
            out.println(versionLine());
            out.flush();
            return 0;
        }
        CommandLine cl = commandLine(args);
        CommandLine.ITypeConverter<Integer> goInt = Main::parseGoInt;
        cl.registerConverter(Integer.class, goInt);
        cl.registerConverter(Integer.TYPE, goInt);
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        cl.setParameterExceptionHandler((ex, a) -> {
            err.flush();
            Logrus.log(err, "fatal", cobraMessage(ex));
            return 1;
        });
        cl.setExecutionStrategy(parseResult -> {
            Object root = parseResult.commandSpec().userObject();
            if (root instanceof Main m) {
                if (m.global.tlsDetails != null && !m.global.tlsDetails.isEmpty()) {
                    // Never silently ignore a TLS policy the user asked for.
                    Logrus.log(err, "fatal", "--tls-details is not supported by kopi yet");
                    return 1;
                }
                Deadline.start(m.global.commandTimeout, err);
                dev.kopi.log.Log.install((level, msg) -> Logrus.log(err, level.name().toLowerCase(java.util.Locale.ROOT),
                        msg), m.global.debug);
            }
            int code = new CommandLine.RunLast().execute(parseResult);
            if (code == 0 && Deadline.expired()) {
                Logrus.log(err, "fatal", "context deadline exceeded");
                return 1;
            }
            return code;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof CliException ce) {
                if (ce.showUsage()) {
                    commandLine.usage(err);
                }
                Logrus.log(err, "fatal", ce.getMessage());
                return 1;
            }
            return ErrorReporter.report(err, ex, isDebug(commandLine));
        });
        return cl.execute(args);
    }

    /**
     * The command line for {@code args}: the root command with only the subcommand {@code args} names, or with
     * all of them when it names none (or one that describes the others, like {@code help}). The root's options
     * are the same either way, and so is everything picocli does with a command line that names one command.
     */
    static CommandLine commandLine(String... args) {
        CommandLine cl = new CommandLine(new Main());
        for (Class<?> c : subcommandsFor(cl.getCommandSpec(), args)) {
            cl.addSubcommand(c);
        }
        return cl;
    }

    /**
     * The subcommands {@code args} needs: the one its first operand names (the root's options and their values
     * skipped), none for a bare {@code --version}, else all.
     */
    private static List<Class<?>> subcommandsFor(CommandLine.Model.CommandSpec root, String[] args) {
        boolean version = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--")) {
                return SUBCOMMANDS;
            }
            if (a.startsWith("-")) {
                CommandLine.Model.OptionSpec o = a.contains("=") ? null : root.findOption(a);
                if (o != null && o.arity().min() > 0) {
                    i++; // its value
                }
                if (o != null && o.usageHelp()) {
                    return SUBCOMMANDS; // the usage lists the commands
                }
                version |= o != null && o.longestName().equals("--version");
                continue;
            }
            for (Class<?> c : SUBCOMMANDS) {
                if (c.getAnnotation(Command.class).name().equals(a)) {
                    return NEED_ALL.contains(c) ? SUBCOMMANDS : List.of(c);
                }
            }
            return SUBCOMMANDS;
        }
        return version ? List.of() : SUBCOMMANDS;
    }

    private static boolean isDebug(CommandLine cl) {
        CommandLine c = cl;
        while (c.getParent() != null) {
            c = c.getParent();
        }
        return c.getCommand() instanceof Main m && m.global.debug;
    }

    /** picocli's parse errors in cobra's words, as scripts see them from skopeo. */
    static String cobraMessage(ParameterException ex) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u) {
            String first = u.getUnmatched().isEmpty() ? "" : u.getUnmatched().get(0);
            if (first.startsWith("--")) {
                return "unknown flag: " + first.split("=", 2)[0];
            }
            if (first.startsWith("-") && first.length() > 1) {
                return "unknown shorthand flag: '" + first.charAt(1) + "' in " + first;
            }
            if (u.getCommandLine().getCommand() instanceof Main) {
                return "Unrecognized command `kopi " + first + "`\nTry 'kopi --help' for more information";
            }
            return ex.getMessage();
        }
        if (ex instanceof CommandLine.MissingParameterException m && m.getMissing() != null
                && !m.getMissing().isEmpty() && m.getMissing().get(0) instanceof CommandLine.Model.OptionSpec o) {
            return "flag needs an argument: " + o.longestName();
        }
        if (ex.getArgSpec() instanceof CommandLine.Model.OptionSpec o && ex.getValue() != null) {
            String reason = ex.getCause() != null && ex.getCause().getMessage() != null ? ex.getCause().getMessage()
                    : ex.getMessage();
            if (ex instanceof CommandLine.ParameterException && reason.startsWith("Invalid value for option")) {
                int colon = reason.indexOf("': ");
                reason = colon >= 0 ? reason.substring(colon + 3) : reason;
            }
            return "invalid argument \"" + ex.getValue() + "\" for \"" + o.longestName() + "\" flag: " + reason;
        }
        return ex.getMessage();
    }

    /** Integers as Go's strconv.ParseInt reads them (base 10), with its error texts. */
    static Integer parseGoInt(String s) {
        try {
            return Integer.parseInt(s.startsWith("+") ? s.substring(1) : s);
        } catch (NumberFormatException e) {
            boolean digits = !s.isEmpty() && s.replaceFirst("^[+-]", "").chars().allMatch(Character::isDigit)
                    && s.replaceFirst("^[+-]", "").length() > 0;
            throw new CommandLine.TypeConversionException("strconv.ParseInt: parsing \"" + s + "\": "
                    + (digits ? "value out of range" : "invalid syntax"));
        }
    }

    /** Maps core errors to skopeo's exit codes: 2 when the image does not exist, else 1. */
    static int exitCode(Throwable t) {
        return ImageException.hasCode(t, ErrorCode.NOT_FOUND) ? 2 : 1;
    }
}
