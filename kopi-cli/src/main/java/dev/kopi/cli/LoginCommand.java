package dev.kopi.cli;

import dev.kopi.config.AuthFiles;
import dev.kopi.config.Credentials;
import dev.kopi.config.Env;
import dev.kopi.config.LoginKeys;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.transport.ImageContext;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kopi login REGISTRY}: checks credentials against the registry, then stores them in auth.json. */
@Command(name = "login", description = "Login to a container registry", usageHelpAutoWidth = true)
final class LoginCommand implements Callable<Integer> {
    @ParentCommand
    Main main;
    @Option(names = "--authfile", paramLabel = "string", description = "path of the authentication file. Use REGISTRY_AUTH_FILE environment variable to override")
    String authfile;
    @Option(names = "--compat-auth-file", paramLabel = "string", description = "path of a Docker-compatible config file to update instead")
    String compatAuthFile;
    @Option(names = "--cert-dir", paramLabel = "string", description = "use certificates at the specified path to access the registry")
    String certDir;
    @Option(names = "--get-login", description = "Return the current login user for the registry")
    boolean getLogin;
    @Option(names = {"-p", "--password"}, paramLabel = "string", description = "Password for registry")
    String password;
    @Option(names = "--password-stdin", description = "Take the password from stdin")
    boolean passwordStdin;
    @Option(names = {"-u", "--username"}, paramLabel = "string", description = "Username for registry")
    String username;
    @Option(names = {"-v", "--verbose"}, description = "Write more detailed information to stdout")
    boolean verbose;
    @Option(names = "--tls-verify", arity = "0..1", fallbackValue = "true", paramLabel = "bool", description = "require HTTPS and verify certificates when accessing the registry")
    Boolean tlsVerify;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for login")
    boolean help;
    @Parameters(paramLabel = "REGISTRY", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.size() > 1) {
            throw ImageException.invalid("login accepts only one registry to login to");
        }
        if (args.isEmpty()) {
            throw ImageException.invalid("please provide a registry to login to");
        }
        if (compatAuthFile != null && authfile != null) {
            throw ImageException.invalid("options for paths to the credential file and to the Docker-compatible"
                    + " credential file can not be set simultaneously");
        }
        Env env = Env.system();
        LoginKeys.Key key = LoginKeys.parse(args.get(0), true);
        Path file = authfile != null ? Path.of(authfile) : compatAuthFile != null ? Path.of(compatAuthFile)
                : AuthFiles.defaultLoginAuthFileFlag(env).orElse(null);
        AuthFiles files = new AuthFiles(env, file, List.of(AuthFiles.AUTH_FILE_HELPER));
        if (getLogin) {
            Credentials c = files.lookup(key.key());
            if (c.isEmpty() || c.username().isEmpty()) {
                throw ImageException.invalid(LoginKeys.notLoggedInto(key.key()));
            }
            System.out.println(c.username());
            return 0;
        }
        if (password != null && passwordStdin) {
            throw ImageException.invalid("--password and --password-stdin are mutually exclusive");
        }
        if (passwordStdin) {
            if (username == null || username.isEmpty()) {
                throw ImageException.invalid("must provide --username with --password-stdin");
            }
            password = readPasswordFromStdin();
        }
        String user = username;
        String pass = password;
        if (user == null || user.isEmpty() || pass == null) {
            Credentials existing = files.lookup(key.key());
            if (!existing.isEmpty() && (user == null || user.isEmpty() || user.equals(existing.username()))
                    && pass == null) {
                if (!existing.identityToken().isEmpty()) {
                    throw ImageException.invalid(LoginKeys.IDENTITY_TOKEN_PRESENT);
                }
                System.out.println(LoginKeys.authenticatingWithExisting(key.key()));
                try {
                    check(key.registry(), existing.username(), existing.password());
                    System.out.println(LoginKeys.alreadyLoggedIn(key.registry()));
                    return 0;
                } catch (ImageException e) {
                    if (e.code() != ErrorCode.UNAUTHORIZED) {
                        throw e;
                    }
                    System.out.println(LoginKeys.EXISTING_INVALID);
                }
            }
            Terminal t = new Terminal();
            if (user == null || user.isEmpty()) {
                user = t.readLine("Username: ");
            }
            if (pass == null) {
                pass = t.readPassword("Password: ");
            }
        }
        if (user == null || user.isEmpty() || pass == null || pass.isEmpty()) {
            throw ImageException.invalid("username and password must not be empty");
        }
        try {
            check(key.registry(), user, pass);
        } catch (ImageException e) {
            if (e.code() == ErrorCode.UNAUTHORIZED) {
                throw new ImageException(ErrorCode.UNAUTHORIZED, LoginKeys.invalidUsernamePassword(key.key()), e);
            }
            throw ImageException.wrap("authenticating creds for " + dev.kopi.internal.go.GoStrconv.quote(key.key()), e);
        }
        files.store(key.key(), user, pass);
        System.out.println(LoginKeys.LOGIN_SUCCEEDED);
        return 0;
    }

    private void check(String registry, String user, String pass) throws IOException {
        ImageContext.Builder b = main.global.baseContext().credentials(user + ":" + pass)
                .tlsVerify(java.util.Optional.ofNullable(tlsVerify));
        if (certDir != null && !certDir.isEmpty()) {
            b.certDir(Path.of(certDir));
        }
        dev.kopi.Kopi.checkLogin(registry, b.build());
    }

    private static String readPasswordFromStdin() throws IOException {
        BufferedReader r = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = r.read()) >= 0) {
            sb.append((char) c);
        }
        String s = sb.toString();
        // containers/common trims the trailing newline(s)
        return s.replaceAll("[\\r\\n]+$", "");
    }

    /** Prompts on the controlling terminal; fails clearly when there is none. */
    private static final class Terminal {
        String readLine(String prompt) throws ImageException {
            java.io.Console c = System.console();
            if (c == null) {
                throw ImageException.invalid("reading username: the terminal is not available; use --username");
            }
            String s = c.readLine("%s", prompt);
            return s == null ? "" : s.strip();
        }

        String readPassword(String prompt) throws ImageException {
            java.io.Console c = System.console();
            if (c == null) {
                throw ImageException.invalid("reading password: the terminal is not available; use --password-stdin");
            }
            char[] p = c.readPassword("%s", prompt);
            return p == null ? "" : new String(p);
        }
    }

}
