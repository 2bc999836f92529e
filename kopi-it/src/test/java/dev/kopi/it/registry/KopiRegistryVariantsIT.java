package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static dev.kopi.it.registry.RegistryCli.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.digest.Digest;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Fixtures;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.it.Trees;
import dev.kopi.testkit.WrittenImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Acceptance 1 and 5 of the registry issue: every registry command of kopi on the four registry setups (plain HTTP,
 * TLS with {@code --cert-dir} and with certs.d, htpasswd, token), with the credentials stored by {@code kopi login}
 * and used without {@code --creds}; wrong credentials refused naming the registry; no secret in any output, even
 * with {@code --debug}.
 */
class KopiRegistryVariantsIT {
    @RegisterExtension
    static final RegistryServer PLAIN = RegistryServer.plain();
    @RegisterExtension
    static final RegistryServer TLS = RegistryServer.tls();
    @RegisterExtension
    static final RegistryServer HTPASSWD = RegistryServer.htpasswd();
    @RegisterExtension
    static final RegistryServer TOKEN = RegistryServer.token();

    @TempDir
    Path tmp;

    /** The four registry setups. */
    enum Setup {
        PLAIN, TLS, HTPASSWD, TOKEN;

        RegistryServer registry() {
            return switch (this) {
                case PLAIN -> KopiRegistryVariantsIT.PLAIN;
                case TLS -> KopiRegistryVariantsIT.TLS;
                case HTPASSWD -> KopiRegistryVariantsIT.HTPASSWD;
                case TOKEN -> KopiRegistryVariantsIT.TOKEN;
            };
        }
    }

    /** How commands are told about the registry's TLS: flags, or (TLS, later) the sandbox's certs.d. */
    private static final class Tls {
        private final RegistryServer reg;
        private boolean certsD;

        Tls(RegistryServer reg) {
            this.reg = reg;
        }

        List<String> args(String prefix) {
            return certsD ? List.of() : reg.tlsArgs(prefix);
        }

        /** From now on no flag: the CA is in $HOME/.config/containers/certs.d/HOST:PORT/ca.crt. */
        void useCertsD(Sandbox sb) {
            reg.installCertsD(sb.home().resolve(".config/containers/certs.d"));
            certsD = true;
        }
    }

    /**
     * login, then copy (oci -> docker, docker -> docker, docker -> oci or dir), inspect, list-tags, delete with the
     * stored credentials, then logout; every kopi command runs with {@code --debug} and none prints a secret. The TLS
     * registry is given by {@code --cert-dir} for login and the pushes, then by certs.d under the sandbox's HOME.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(Setup.class)
    void everyCommandWithStoredCredentials(Setup setup) throws IOException {
        RegistryServer reg = setup.registry();
        Sandbox sb = new Sandbox(tmp);
        Tls tls = new Tls(reg);
        String repo = "variants-" + setup.name().toLowerCase() + "/app";
        String copyRepo = repo + "-copy";
        Credentials alice = Credentials.ALICE;
        WrittenImage multi = Fixtures.multi();
        List<CommandResult> outputs = new ArrayList<>();

        // login --password-stdin: verified against the registry, stored 0600 in $XDG_RUNTIME_DIR/containers/auth.json
        CommandResult login = RegistryCli.kopiWithStdin(sb, alice.password() + "\n", args("--debug", "login",
                tls.args(""), "--username", alice.username(), "--password-stdin", reg.hostPort()));
        outputs.add(login.assertSuccess());
        assertThat(login.stdout()).isEqualTo("Login Succeeded!\n");
        Path authJson = sb.root().resolve("run/containers/auth.json");
        assertThat(authJson).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(authJson))).isEqualTo("rw-------");
        JsonNode auths = RegistryCli.JSON.readTree(authJson.toFile()).path("auths");
        assertThat(auths.path(reg.hostPort()).path("auth").asText()).isEqualTo(alice.authJsonAuth());

        // oci -> docker
        String v1 = reg.ref(repo + ":v1");
        outputs.add(sb.kopi(args("--debug", "copy", tls.args("dest-"), TestImage.MULTI.ociRef(), v1))
                .assertSuccess());
        assertThat(reg.hasManifest(repo, multi.manifestDigest().toString())).as("pushed manifest by digest").isTrue();
        assertThat(reg.missingBlobs(repo, "v1")).isEmpty();

        // docker -> docker (another repository of the same registry)
        outputs.add(sb.kopi(args("--debug", "copy", tls.args("src-"), tls.args("dest-"), v1,
                reg.ref(copyRepo + ":v1"))).assertSuccess());
        assertThat(reg.hasManifest(copyRepo, multi.manifestDigest().toString())).isTrue();
        assertThat(reg.missingBlobs(copyRepo, "v1")).isEmpty();

        if (setup == Setup.TLS) {
            tls.useCertsD(sb);
        }

        // docker -> oci or dir: the same manifest, every blob
        if (setup == Setup.PLAIN || setup == Setup.HTPASSWD) {
            Path oci = sb.path("pulled-oci");
            outputs.add(sb.kopi(args("--debug", "copy", tls.args("src-"), v1, "oci:" + oci + ":v1")).assertSuccess());
            byte[] ociManifest = sb.skopeo("inspect", "--raw", "oci:" + oci + ":v1").assertSuccess().stdoutBytes();
            assertThat(ociManifest).isEqualTo(multi.manifest());
            assertBlobs(oci.resolve("blobs/sha256"), multi);
        } else {
            Path dir = sb.path("pulled-dir");
            outputs.add(sb.kopi(args("--debug", "copy", tls.args("src-"), v1, "dir:" + dir)).assertSuccess());
            assertThat(dir.resolve("manifest.json")).hasBinaryContent(multi.manifest());
            assertBlobs(dir, multi);
        }

        // inspect (RepoTags from the tag list) and --no-tags, as skopeo prints them
        List<String> skopeoCreds = reg.requiresAuth() ? List.of("--creds", alice.creds()) : List.of();
        CommandResult inspect = sb.kopi(args("--debug", "inspect", tls.args(""), v1));
        outputs.add(inspect.assertSuccess());
        CommandResult skopeoInspect = sb.skopeo(args("inspect", tls.args(""), skopeoCreds, v1)).assertSuccess();
        assertSameInspect(inspect, skopeoInspect);
        assertThat(json(inspect).path("RepoTags").toString()).isEqualTo("[\"v1\"]");
        assertThat(json(inspect).path("Digest").asText()).isEqualTo(multi.manifestDigest().toString());
        CommandResult noTags = sb.kopi(args("--debug", "inspect", "--no-tags", tls.args(""), v1));
        outputs.add(noTags.assertSuccess());
        assertThat(json(noTags).path("RepoTags").toString()).isEqualTo("[]");

        // list-tags: byte for byte as skopeo
        CommandResult tags = sb.kopi(args("--debug", "list-tags", tls.args(""), reg.ref(repo)));
        outputs.add(tags.assertSuccess());
        assertThat(tags.stdout()).isEqualTo(sb.skopeo(args("list-tags", tls.args(""), skopeoCreds, reg.ref(repo)))
                .assertSuccess().stdout());

        // delete, then the image is gone: inspect exits 2
        outputs.add(sb.kopi(args("--debug", "delete", tls.args(""), reg.ref(copyRepo + ":v1"))).assertSuccess());
        assertThat(reg.hasManifest(copyRepo, multi.manifestDigest().toString())).as("after delete").isFalse();
        CommandResult gone = sb.kopi(args("inspect", tls.args(""), reg.ref(copyRepo + ":v1")));
        outputs.add(gone.assertExit(2));
        assertThat(gone.assertOneFatalLine()).contains("manifest unknown");
        if (setup == Setup.PLAIN) {
            // deleting it again: containers/image's words, and exit 1 (not a "manifest unknown" error)
            CommandResult again = sb.kopi(args("delete", tls.args(""), reg.ref(copyRepo + ":v1")));
            outputs.add(again.assertExit(1));
            assertThat(again.assertOneFatalLine()).isEqualTo("Unable to delete " + reg.hostPort() + "/" + copyRepo
                    + ":v1. Image may not exist or is not stored with a v2 Schema in a v2 registry");
        }

        // logout: the entry is removed; an auth registry then refuses the anonymous client
        CommandResult logout = sb.kopi("logout", reg.hostPort());
        outputs.add(logout.assertSuccess());
        assertThat(logout.stdout()).isEqualTo("Removed login credentials for " + reg.hostPort() + "\n");
        assertThat(RegistryCli.JSON.readTree(authJson.toFile()).path("auths").has(reg.hostPort())).isFalse();
        if (reg.requiresAuth()) {
            // newest skopeo's words (1.9.3 prefixes "unauthorized: " / "denied: ")
            CommandResult anonymous = sb.kopi(args("inspect", "--raw", tls.args(""), v1));
            outputs.add(anonymous.assertExit(1));
            assertThat(anonymous.assertOneFatalLine()).isEqualTo("Error parsing image name \\\"" + v1
                    + "\\\": reading manifest v1 in " + reg.hostPort() + "/" + repo + ": "
                    + (setup == Setup.TOKEN ? "requested access to the resource is denied" : "authentication required"));
        }

        RegistryCli.assertNoSecrets(outputs, secrets(reg));
    }

    /** Every secret the setup knows: the users' passwords and, for token auth, every token minted. */
    static Set<String> secrets(RegistryServer reg) {
        Set<String> s = new HashSet<>();
        for (Credentials c : List.of(Credentials.ALICE, Credentials.BOB, Credentials.ALICE_WRONG, Credentials.NOBODY)) {
            s.add(c.password());
            s.add(c.authJsonAuth());
        }
        if (reg == TOKEN) {
            s.addAll(reg.tokenServer().secrets());
        }
        return s;
    }

    private static void assertBlobs(Path dir, WrittenImage img) {
        List<Digest> all = new ArrayList<>(img.layers());
        all.add(img.configDigest());
        for (Digest d : all) {
            Path f = dir.resolve(d.encoded());
            assertThat(f).as("blob %s", d).exists();
            assertThat(Trees.sha256(readAll(f))).isEqualTo(d.encoded());
        }
    }

    private static byte[] readAll(Path f) {
        try {
            return Files.readAllBytes(f);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** kopi's inspect output has skopeo's fields and values (skopeo 1.9.3 lacks some newer fields). */
    static void assertSameInspect(CommandResult kopi, CommandResult skopeo) {
        JsonNode k = json(kopi);
        JsonNode s = json(skopeo);
        s.fieldNames().forEachRemaining(f -> assertThat(k.path(f)).as("inspect field %s", f).isEqualTo(s.path(f)));
    }

    /** login and logout --all with --authfile: the file is written 0600, used by copy, and emptied. */
    @Test
    void authfileLoginAndLogoutAll() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path authfile = sb.path("my-auth.json");
        Credentials alice = Credentials.ALICE;
        List<CommandResult> outputs = new ArrayList<>();
        CommandResult login = RegistryCli.kopiWithStdin(sb, alice.password(), args("login", "--tls-verify=false",
                "--authfile", authfile, "-u", alice.username(), "--password-stdin", TOKEN.hostPort()));
        outputs.add(login.assertSuccess());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(authfile))).isEqualTo("rw-------");
        assertThat(sb.root().resolve("run/containers/auth.json")).doesNotExist();
        outputs.add(RegistryCli.kopiWithStdin(sb, alice.password(), args("login", "--tls-verify=false",
                "--authfile", authfile, "-u", alice.username(), "--password-stdin", HTPASSWD.hostPort()))
                .assertSuccess());
        CommandResult getLogin = sb.kopi("login", "--authfile", authfile.toString(), "--get-login", TOKEN.hostPort());
        outputs.add(getLogin.assertSuccess());
        assertThat(getLogin.stdout()).isEqualTo("alice\n");

        outputs.add(sb.kopi(args("--debug", "copy", "--authfile", authfile, "--dest-tls-verify=false",
                TestImage.SINGLE.ociRef(), TOKEN.ref("authfile/single:v1"))).assertSuccess());
        outputs.add(sb.kopi(args("--debug", "copy", "--src-authfile", authfile, "--dest-authfile", authfile,
                "--src-tls-verify=false", "--dest-tls-verify=false", TOKEN.ref("authfile/single:v1"),
                HTPASSWD.ref("authfile/single:v1"))).assertSuccess());
        assertThat(HTPASSWD.missingBlobs("authfile/single", "v1")).isEmpty();

        CommandResult logout = sb.kopi("logout", "--authfile", authfile.toString(), "--all");
        outputs.add(logout.assertSuccess());
        assertThat(logout.stdout()).isEqualTo("Removed login credentials for all registries\n");
        assertThat(RegistryCli.JSON.readTree(authfile.toFile()).path("auths").size()).isZero();
        CommandResult refused = sb.kopi("inspect", "--raw", "--authfile", authfile.toString(), "--tls-verify=false",
                HTPASSWD.ref("authfile/single:v1"));
        outputs.add(refused.assertExit(1));
        Set<String> secrets = secrets(TOKEN);
        secrets.addAll(secrets(HTPASSWD));
        RegistryCli.assertNoSecrets(outputs, secrets);
    }

    /**
     * Wrong credentials (a wrong password, an unknown user) on copy, inspect and login: exit 1 with newest skopeo's
     * messages (containers/image df7e80d2), which name the registry where containers/image does.
     */
    @ParameterizedTest(name = "{0}")
    @EnumSource(names = {"HTPASSWD", "TOKEN"})
    void wrongCredentialsAreRefused(Setup setup) {
        RegistryServer reg = setup.registry();
        Sandbox sb = new Sandbox(tmp);
        String repo = "refused/single";
        String ref = reg.ref(repo + ":v1");
        String layer = Fixtures.single().layers().get(0).toString();
        String tokenRefused = "unable to retrieve auth token: invalid username/password: unauthorized: authentication"
                + " required: incorrect username or password";
        List<CommandResult> outputs = new ArrayList<>();

        CommandResult push = sb.kopi(args("--debug", "copy", reg.args("dest-", Credentials.ALICE_WRONG),
                TestImage.SINGLE.ociRef(), ref));
        outputs.add(push.assertExit(1));
        assertThat(push.stderrLines().get(push.stderrLines().size() - 1)).endsWith("level=fatal msg=\"copying layer:"
                + " trying to reuse blob " + layer + " at destination: " + (setup == Setup.TOKEN ? tokenRefused
                : "checking whether a blob " + layer + " exists in " + reg.hostPort() + "/" + repo
                + ": authentication required") + "\"");

        CommandResult inspect = sb.kopi(args("inspect", reg.args("", Credentials.NOBODY), ref));
        outputs.add(inspect.assertExit(1));
        assertThat(inspect.assertOneFatalLine()).isEqualTo("Error parsing image name \\\"" + ref + "\\\": "
                + (setup == Setup.TOKEN ? tokenRefused : "reading manifest v1 in " + reg.hostPort() + "/" + repo
                + ": authentication required"));

        for (Credentials who : List.of(Credentials.ALICE_WRONG, Credentials.NOBODY)) {
            CommandResult login = RegistryCli.kopiWithStdin(sb, who.password(), args("login", reg.tlsArgs(),
                    "-u", who.username(), "--password-stdin", reg.hostPort()));
            outputs.add(login.assertExit(1));
            assertThat(login.assertOneFatalLine()).isEqualTo("logging into \\\"" + reg.hostPort()
                    + "\\\": invalid username/password");
        }
        assertThat(sb.root().resolve("run/containers/auth.json")).doesNotExist();
        assertThat(reg.tags(repo)).isEmpty();
        RegistryCli.assertNoSecrets(outputs, secrets(reg));
    }

    private static String fatal(String line) {
        var m = CommandResult.FATAL_LINE.matcher(line);
        assertThat(m.matches()).as("a logrus fatal line: %s", line).isTrue();
        return m.group(1);
    }

    /** Without the CA (no --cert-dir, no certs.d) the TLS registry is refused, as skopeo refuses it. */
    @Test
    void untrustedTlsRegistryIsRefused() {
        Sandbox sb = new Sandbox(tmp);
        CommandResult r = sb.kopi("inspect", "--raw", TLS.ref("untrusted/single:v1"));
        r.assertExit(1);
        assertThat(r.assertOneFatalLine()).contains(TLS.hostPort()).contains("x509: certificate signed by unknown"
                + " authority");
    }
}
