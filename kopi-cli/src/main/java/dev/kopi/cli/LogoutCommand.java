package dev.kopi.cli;

import dev.kopi.config.AuthFiles;
import dev.kopi.config.Env;
import dev.kopi.config.LoginKeys;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kopi logout REGISTRY} / {@code --all}: removes stored credentials. */
@Command(name = "logout", description = "Logout of a container registry", usageHelpAutoWidth = true)
final class LogoutCommand implements Callable<Integer> {
    @ParentCommand
    Main main;
    @Option(names = "--authfile", paramLabel = "string", description = "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override")
    String authfile;
    @Option(names = "--compat-auth-file", paramLabel = "string", description = "path of a Docker-compatible config file to update instead")
    String compatAuthFile;
    @Option(names = {"-a", "--all"}, description = "Remove the cached credentials for all registries in the auth file")
    boolean all;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for logout")
    boolean help;
    @Parameters(paramLabel = "REGISTRY", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (compatAuthFile != null && authfile != null) {
            throw ImageException.invalid("options for paths to the credential file and to the Docker-compatible"
                    + " credential file can not be set simultaneously");
        }
        Env env = Env.system();
        Path file = authfile != null ? Path.of(authfile) : compatAuthFile != null ? Path.of(compatAuthFile)
                : AuthFiles.defaultLoginAuthFileFlag(env).orElse(null);
        if (authfile != null) {
            LoginKeys.checkAuthFile(Path.of(authfile));
        }
        AuthFiles files = new AuthFiles(env, file, List.of(AuthFiles.AUTH_FILE_HELPER));
        if (all) {
            if (!args.isEmpty()) {
                throw ImageException.invalid("--all takes no arguments");
            }
            files.removeAll();
            System.out.println(LoginKeys.REMOVED_ALL);
            return 0;
        }
        if (args.isEmpty()) {
            throw ImageException.invalid("registry must be given");
        }
        if (args.size() > 1) {
            throw ImageException.invalid("too many arguments, logout takes at most 1 argument");
        }
        LoginKeys.Key key = LoginKeys.parse(args.get(0), true);
        if (!files.remove(key.key())) {
            throw ImageException.invalid(LoginKeys.notLoggedInto(key.key()));
        }
        System.out.println(LoginKeys.removed(key.key()));
        return 0;
    }
}
