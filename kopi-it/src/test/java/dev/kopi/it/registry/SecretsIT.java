package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.it.CommandResult;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Secrets stay secret: over login, copy (push, pull, registry to registry with {@code --creds} flags), inspect,
 * list-tags and delete, all with {@code --debug}, and over failures with wrong credentials, no password, auth.json
 * {@code auth} value, bearer token or {@code Authorization} header value appears in any output, and no file under
 * the sandbox (HOME, XDG dirs, caches such as {@code $XDG_DATA_HOME/kopi}, {@code $TMPDIR}, the copied images)
 * holds one, except auth.json (mode 0600) with the login's own credentials. Bearer tokens are never written to disk.
 */
class SecretsIT {
    @RegisterExtension
    static final RegistryServer HTPASSWD = RegistryServer.htpasswd();
    @RegisterExtension
    static final RegistryServer TOKEN = RegistryServer.token();

    /** An Authorization header with a value, as a debug log would print it. */
    private static final Pattern AUTH_HEADER = Pattern.compile("(?i)authorization\"?\\s*[:=]\\s*\\[?\"?(basic|bearer)"
            + "\\s+[A-Za-z0-9._~+/=-]{6,}");

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"htpasswd", "token"})
    void noSecretInOutputsOrFiles(String variant) throws IOException {
        RegistryServer reg = variant.equals("token") ? TOKEN : HTPASSWD;
        Sandbox sb = new Sandbox(tmp);
        Credentials alice = Credentials.ALICE;
        String repo = "secrets/" + variant;
        List<CommandResult> outputs = new ArrayList<>();

        outputs.add(RegistryCli.kopiWithStdin(sb, alice.password() + "\n", args("--debug", "login",
                "--tls-verify=false", "-u", alice.username(), "--password-stdin", reg.hostPort())).assertSuccess());
        outputs.add(sb.kopi(args("--debug", "copy", "--dest-tls-verify=false", TestImage.MULTI.ociRef(),
                reg.ref(repo + ":v1"))).assertSuccess());
        outputs.add(sb.kopi(args("--debug", "copy", "--src-tls-verify=false", reg.ref(repo + ":v1"),
                "oci:" + sb.path("pulled") + ":v1")).assertSuccess());
        outputs.add(sb.kopi(args("--debug", "copy", "--src-tls-verify=false", reg.ref(repo + ":v1"),
                "dir:" + sb.path("pulled-dir"))).assertSuccess());
        // credentials on the command line (they are in argv, never in the output)
        outputs.add(sb.kopi(args("--debug", "copy", reg.args("src-", Credentials.BOB), reg.args("dest-", alice),
                reg.ref(repo + ":v1"), reg.ref(repo + "-copy:v1"))).assertSuccess());
        outputs.add(sb.kopi(args("--debug", "inspect", "--tls-verify=false", reg.ref(repo + ":v1")))
                .assertSuccess());
        outputs.add(sb.kopi(args("--debug", "inspect", "--raw", reg.args("", alice), reg.ref(repo + ":v1")))
                .assertSuccess());
        outputs.add(sb.kopi(args("--debug", "list-tags", "--tls-verify=false", reg.ref(repo))).assertSuccess());
        outputs.add(sb.kopi(args("--debug", "list-tags", reg.args("", Credentials.BOB), reg.ref(repo + "-copy")))
                .assertSuccess());
        outputs.add(sb.kopi(args("--debug", "delete", "--tls-verify=false", reg.ref(repo + "-copy:v1")))
                .assertSuccess());
        // failures: wrong password, unknown user, missing image, refused login
        outputs.add(sb.kopi(args("--debug", "inspect", reg.args("", Credentials.ALICE_WRONG), reg.ref(repo + ":v1")))
                .assertExit(1));
        outputs.add(sb.kopi(args("--debug", "copy", reg.args("dest-", Credentials.NOBODY), TestImage.SINGLE.ociRef(),
                reg.ref(repo + "-refused:v1"))).assertExit(1));
        outputs.add(sb.kopi(args("--debug", "inspect", "--tls-verify=false", reg.ref(repo + ":missing"))));
        outputs.add(RegistryCli.kopiWithStdin(sb, Credentials.ALICE_WRONG.password(), args("--debug", "login",
                "--tls-verify=false", "-u", alice.username(), "--password-stdin", reg.hostPort())).assertExit(1));
        outputs.add(sb.kopi(args("--debug", "login", "--get-login", reg.hostPort())).assertSuccess());

        Set<String> secrets = new HashSet<>(KopiRegistryVariantsIT.secrets(reg));
        Set<String> tokens = reg == TOKEN ? new HashSet<>(reg.tokenServer().secrets()) : new HashSet<>();
        tokens.removeAll(List.of(alice.password(), Credentials.BOB.password()));
        if (reg == TOKEN) {
            assertThat(tokens).as("bearer tokens the token server issued").isNotEmpty();
        }
        secrets.addAll(tokens);
        RegistryCli.assertNoSecrets(outputs, secrets);
        for (CommandResult r : outputs) {
            assertThat(AUTH_HEADER.matcher(r.stdout() + r.stderr()).find()).as("an Authorization value in %s",
                    r.command().subList(r.command().indexOf("-jar") + 2, r.command().size())).isFalse();
        }

        // files: auth.json (0600) holds the login's credentials and no token; nothing else holds any secret
        Path authJson = sb.root().resolve("run/containers/auth.json");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(authJson))).isEqualTo("rw-------");
        String auth = Files.readString(authJson);
        assertThat(auth).contains(alice.authJsonAuth());
        for (String t : tokens) {
            assertThat(auth.contains(t)).as("a bearer token in auth.json").isFalse();
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(sb.root())) {
            files = s.filter(Files::isRegularFile).filter(f -> !f.equals(authJson)).toList();
        }
        assertThat(files).as("files under the sandbox").isNotEmpty();
        for (Path f : files) {
            String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            for (String s : secrets) {
                if (s.length() >= 6) {
                    assertThat(text.contains(s)).as("a secret (%s...) in %s", s.substring(0, 3), sb.root().relativize(f))
                            .isFalse();
                }
            }
        }
    }
}
