package dev.kopi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ImageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthFilesTest {
    @TempDir
    Path tmp;

    Path home;
    Path runtime;
    Path helperStore;
    Path bin;
    Env env;
    final List<String> warnings = new ArrayList<>();
    final ConfigLog log = new ConfigLog() {
        @Override
        public void warn(String message) {
            warnings.add(message);
        }

        @Override
        public void debug(String message) {
        }
    };

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
        runtime = Files.createDirectories(tmp.resolve("run"));
        helperStore = Files.createDirectories(tmp.resolve("helper-store"));
        bin = Files.createDirectories(tmp.resolve("bin"));
        Map<String, String> vars = new HashMap<>();
        vars.put("HOME", home.toString());
        vars.put("XDG_RUNTIME_DIR", runtime.toString());
        vars.put("PATH", bin + ":/usr/bin:/bin");
        vars.put("KOPITEST_STORE", helperStore.toString());
        env = Env.of(vars);
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = AuthFilesTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return in.readAllBytes();
        }
    }

    private Path put(Path file, String resource) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, resource(resource));
        return file;
    }

    private Path putText(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return file;
    }

    private static String auth(String user, String pass) {
        return Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
    }

    private static String authJson(String key, String user, String pass) {
        return "{\"auths\":{\"" + key + "\":{\"auth\":\"" + auth(user, pass) + "\"}}}";
    }

    /** Installs the fake docker-credential-kopitest on the test PATH. */
    private void installHelper() throws IOException {
        Path h = bin.resolve("docker-credential-kopitest");
        Files.write(h, resource("docker-credential-kopitest.sh"));
        Files.setPosixFilePermissions(h, PosixFilePermissions.fromString("rwx------"));
    }

    private void helperHas(String url, String user, String secret) throws IOException {
        new CredentialHelper("kopitest", env).store(url, user, secret);
    }

    private List<String> helperCalls() throws IOException {
        Path calls = helperStore.resolve("calls");
        return Files.exists(calls) ? Files.readAllLines(calls) : List.of();
    }

    private AuthFiles files() {
        return new AuthFiles(env).withLog(log);
    }

    // ------------------------------------------------------------------------------------------- read paths

    @Test
    void readPathsFollowSkopeosOrder() {
        assertThat(files().readPaths()).containsExactly(
                new AuthFiles.AuthPath(runtime.resolve("containers/auth.json"), false),
                new AuthFiles.AuthPath(home.resolve(".config/containers/auth.json"), false),
                new AuthFiles.AuthPath(home.resolve(".docker/config.json"), false),
                new AuthFiles.AuthPath(home.resolve(".dockercfg"), true));
    }

    @Test
    void xdgConfigHomeAndDockerConfigMoveTheirFiles() {
        Env e = env.with("XDG_CONFIG_HOME", tmp.resolve("cfg").toString())
                .with("DOCKER_CONFIG", tmp.resolve("dc").toString());
        assertThat(new AuthFiles(e).readPaths()).extracting(AuthFiles.AuthPath::path).containsExactly(
                runtime.resolve("containers/auth.json"), tmp.resolve("cfg/containers/auth.json"),
                tmp.resolve("dc/config.json"), home.resolve(".dockercfg"));
    }

    @Test
    void anExplicitAuthFileIsTheOnlyFileRead() throws Exception {
        Path explicit = putText(tmp.resolve("explicit.json"), authJson("other.example", "o", "p"));
        putText(runtime.resolve("containers/auth.json"), authJson("quay.io", "u", "p"));
        AuthFiles af = new AuthFiles(env, explicit, List.of());
        assertThat(af.readPaths()).containsExactly(new AuthFiles.AuthPath(explicit, false));
        assertThat(af.lookup("quay.io")).isEqualTo(Credentials.NONE);
        assertThat(af.lookup("other.example/x/y")).isEqualTo(Credentials.basic("o", "p"));
        assertThat(af.writePath().path()).isEqualTo(explicit);
    }

    @Test
    void withoutXdgRuntimeDirTheFileIsPerUidUnderRun() throws Exception {
        AuthFiles af = new AuthFiles(env.with("XDG_RUNTIME_DIR", null).withUid(4321));
        assertThat(af.writePath().path()).isEqualTo(Path.of("/run/containers/4321/auth.json"));
        assertThat(af.readPaths().get(0).path()).isEqualTo(Path.of("/run/containers/4321/auth.json"));
    }

    @Test
    void aMissingXdgRuntimeDirFailsWritesAndIsSkippedWithAWarningOnReads() throws Exception {
        Path gone = tmp.resolve("no-such-runtime");
        AuthFiles af = new AuthFiles(env.with("XDG_RUNTIME_DIR", gone.toString())).withLog(log);
        String expected = "\"" + gone + "\" directory set by $XDG_RUNTIME_DIR does not exist. Either create the "
                + "directory or unset $XDG_RUNTIME_DIR.: no such file or directory";
        assertThatThrownBy(af::writePath).hasMessage(expected);
        assertThatThrownBy(() -> af.store("quay.io", "u", "p")).hasMessage(expected);
        putText(home.resolve(".docker/config.json"), authJson("quay.io", "du", "dp"));
        assertThat(af.lookup("quay.io/a/b")).isEqualTo(Credentials.basic("du", "dp"));
        assertThat(warnings).contains(expected + ": Trying to pull image in the event that it is a public image.");
    }

    @Test
    void loginDefaultsForTheAuthfileFlag() {
        assertThat(AuthFiles.defaultAuthFileFlag(env)).isEmpty();
        assertThat(AuthFiles.defaultLoginAuthFileFlag(env.with("DOCKER_CONFIG", "/d"))).contains(
                Path.of("/d/config.json"));
        Env both = env.with("DOCKER_CONFIG", "/d").with("REGISTRY_AUTH_FILE", "/r.json");
        assertThat(AuthFiles.defaultAuthFileFlag(both)).contains(Path.of("/r.json"));
        assertThat(AuthFiles.defaultLoginAuthFileFlag(both)).contains(Path.of("/r.json"));
    }

    // ------------------------------------------------------------------------------------------- lookup

    @Test
    void theFirstFileWithCredentialsWins() throws Exception {
        putText(home.resolve(".config/containers/auth.json"), authJson("quay.io", "config", "p1"));
        putText(home.resolve(".docker/config.json"), authJson("quay.io", "docker", "p2"));
        assertThat(files().lookup("quay.io/ns/img")).isEqualTo(Credentials.basic("config", "p1"));
        putText(runtime.resolve("containers/auth.json"), authJson("quay.io", "runtime", "p0"));
        assertThat(files().lookup("quay.io/ns/img")).isEqualTo(Credentials.basic("runtime", "p0"));
        // a file without a matching entry is passed over
        putText(runtime.resolve("containers/auth.json"), authJson("other.example", "x", "y"));
        assertThat(files().lookup("quay.io/ns/img")).isEqualTo(Credentials.basic("config", "p1"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "registry.example:5000/team/app|app|apppass",
        "registry.example:5000/team/app/sub|app|apppass",
        "registry.example:5000/team/other|team|teampass",
        "registry.example:5000/team|team|teampass",
        "registry.example:5000/elsewhere/x|reg|regpass",
        "registry.example:5000|reg|regpass",
        "legacy.example/some/repo|legacy|legacypass",
        "nul.example/x|nul|pw",
        "registry.example/team/app|''|''",
    })
    void entriesAreMatchedFromTheRepositoryUpToTheRegistry(String key, String user, String pass) throws Exception {
        put(runtime.resolve("containers/auth.json"), "auth-namespaces.json");
        assertThat(files().lookup(key)).isEqualTo(Credentials.basic(user, pass));
    }

    @Test
    void lookupByRegistryAndRepository() throws Exception {
        put(runtime.resolve("containers/auth.json"), "auth-namespaces.json");
        assertThat(files().lookup("registry.example:5000", "team/app")).isEqualTo(Credentials.basic("app", "apppass"));
        assertThat(files().lookup("registry.example:5000", "")).isEqualTo(Credentials.basic("reg", "regpass"));
    }

    @Test
    void identityTokensAreReturned() throws Exception {
        put(runtime.resolve("containers/auth.json"), "auth-namespaces.json");
        Credentials c = files().lookup("token.example/r");
        assertThat(c).isEqualTo(new Credentials("tok", "", "refresh-123"));
        assertThat(c.toString()).doesNotContain("refresh-123").contains("tok");
    }

    @Test
    void markerEntriesAreEmptyAndAnEntryWithoutAColonWarns() throws Exception {
        Path f = put(runtime.resolve("containers/auth.json"), "auth-namespaces.json");
        assertThat(files().lookup("marker.example/r")).isEqualTo(Credentials.NONE);
        assertThat(warnings).isEmpty();
        assertThat(files().lookup("nocolon.example/r")).isEqualTo(Credentials.NONE);
        assertThat(warnings).containsExactly("Error parsing the \"auth\" field of a credential entry "
                + "\"nocolon.example\" in \"" + f + "\", missing semicolon");
    }

    @Test
    void dockerHubKeysOfDockerLoginAreNormalised() throws Exception {
        put(home.resolve(".docker/config.json"), "docker-config-with-extras.json");
        assertThat(files().lookup("docker.io/library/busybox")).isEqualTo(Credentials.basic("hubuser", "hubpass"));
        assertThat(files().lookup("quay.io/a/b")).isEqualTo(Credentials.basic("quayuser", "quaypass"));
    }

    @Test
    void legacyDockercfgIsReadWithHostKeys() throws Exception {
        put(home.resolve(".dockercfg"), "dockercfg-legacy.json");
        assertThat(files().lookup("old.example:5000/x/y")).isEqualTo(Credentials.basic("old", "oldpass"));
        assertThat(files().lookup("docker.io/library/alpine")).isEqualTo(
                Credentials.basic("legacyhub", "legacyhubpass"));
    }

    @Test
    void allListsEveryRegistryWithCredentials() throws Exception {
        put(runtime.resolve("containers/auth.json"), "auth-namespaces.json");
        put(home.resolve(".docker/config.json"), "docker-config-with-extras.json");
        Map<String, Credentials> all = files().all();
        assertThat(all).containsEntry("registry.example:5000/team/app", Credentials.basic("app", "apppass"))
                .containsEntry("legacy.example", Credentials.basic("legacy", "legacypass"))
                .containsEntry("docker.io", Credentials.basic("hubuser", "hubpass"))
                .containsEntry("quay.io", Credentials.basic("quayuser", "quaypass"))
                .doesNotContainKey("marker.example");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "http://quay.io|key http://quay.io contains http[s]:// prefix",
        "quay.io/a@sha256:abc|key quay.io/a@sha256:abc contains a '@' character",
        "quay.io/a:tag|key quay.io/a:tag contains a ':' character after host[:port]",
    })
    void invalidKeysAreRejected(String key, String message) {
        assertThatThrownBy(() -> files().lookup(key)).hasMessage(message);
        assertThatThrownBy(() -> files().store(key, "u", "p")).hasMessage(message);
    }

    /** Malformed files: the texts skopeo 1.9.3 prints (checked with it) after "getting username and password: ". */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "{\"auths\": 5}|json: cannot unmarshal number into Go struct field dockerConfigFile.auths of type "
                + "map[string]config.dockerAuthConfig",
        "{\"auths\":{\"a\":{\"auth\":5}}}|json: cannot unmarshal number into Go struct field "
                + "dockerAuthConfig.auths.auth of type string",
        "{\"auths\":{\"a\":1}}|json: cannot unmarshal number into Go struct field dockerConfigFile.auths of type "
                + "config.dockerAuthConfig",
        "{\"credHelpers\":{\"x\":5}}|json: cannot unmarshal number into Go struct field "
                + "dockerConfigFile.credHelpers of type string",
        "[]|json: cannot unmarshal array into Go value of type config.dockerConfigFile",
        "x|invalid character 'x' looking for beginning of value",
        "{\"auths\":{|unexpected end of JSON input",
        "``|unexpected end of JSON input",
        "{\"auths\":{}} x|invalid character 'x' after top-level value",
        "{\"auths\" 1}|invalid character '1' after object key",
        "{\"auths\":{},}|invalid character '}' looking for beginning of object key string",
        "{\"a\":tru}|invalid character '}' in literal true (expecting 'e')",
    })
    void malformedFilesFailWithGoTexts(String content, String message) throws Exception {
        Path f = putText(runtime.resolve("containers/auth.json"), content);
        assertThatThrownBy(() -> files().lookup("quay.io/a"))
                .isInstanceOf(ImageException.class)
                .hasMessage("reading JSON file \"" + f + "\": unmarshaling JSON at \"" + f + "\": " + message);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "dXNlcjpwYXN|illegal base64 data at input byte 8",
        "dXNl*jpwYXNz|illegal base64 data at input byte 4",
        "!!|illegal base64 data at input byte 0",
    })
    void badBase64FailsWithGoTexts(String auth, String message) throws Exception {
        putText(runtime.resolve("containers/auth.json"), "{\"Auths\":{\"quay.io\":{\"Auth\":\"" + auth + "\"}}}");
        assertThatThrownBy(() -> files().lookup("quay.io/a")).hasMessage(message);
    }

    // ------------------------------------------------------------------------------------------- writing

    @Test
    void storeCreatesTheRuntimeFileWithPrivateModes() throws Exception {
        String where = files().store("localhost:5000", "alice", "s3cret");
        Path f = runtime.resolve("containers/auth.json");
        assertThat(where).isEqualTo(f.toString());
        assertThat(Files.readString(f)).isEqualTo("{\n\t\"auths\": {\n\t\t\"localhost:5000\": {\n\t\t\t\"auth\": \""
                + auth("alice", "s3cret") + "\"\n\t\t}\n\t}\n}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f.getParent())))
                .isEqualTo("rwx------");
        assertThat(files().lookup("localhost:5000/x")).isEqualTo(Credentials.basic("alice", "s3cret"));
        try (var s = Files.list(f.getParent())) {
            assertThat(s.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("auth.json",
                    "auth.json.lock");
        }
    }

    @Test
    void concurrentStoresAllLand() throws Exception {
        AuthFiles af = files();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int i = 0; i < 8; i++) {
            int n = i;
            Thread t = new Thread(() -> {
                try {
                    af.store("r" + n + ".example", "u" + n, "p" + n);
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(t);
            t.start();
        }
        for (Thread t : threads) {
            t.join(30_000);
        }
        assertThat(failures).isEmpty();
        for (int i = 0; i < 8; i++) {
            assertThat(af.lookup("r" + i + ".example")).isEqualTo(Credentials.basic("u" + i, "p" + i));
        }
    }

    @Test
    void storeKeepsOtherEntriesAndUnknownFields() throws Exception {
        Path f = put(tmp.resolve("docker/config.json"), "docker-config-with-extras.json");
        AuthFiles af = new AuthFiles(env, f, List.of());
        af.store("registry.example/ns", "ns-user", "ns-pass");
        af.store("quay.io", "newquay", "newpass");
        assertThat(Files.readString(f)).isEqualTo(
                new String(resource("docker-config-with-extras-after-store.json"), StandardCharsets.UTF_8).strip());
        assertThat(af.lookup("registry.example/ns/app")).isEqualTo(Credentials.basic("ns-user", "ns-pass"));
        assertThat(af.lookup("docker.io/library/x")).isEqualTo(Credentials.basic("hubuser", "hubpass"));
    }

    @Test
    void removeReportsWhetherThereWereCredentials() throws Exception {
        AuthFiles af = files();
        assertThat(af.remove("quay.io")).isFalse();
        Path f = runtime.resolve("containers/auth.json");
        assertThat(Files.readString(f)).isEqualTo("{\n\t\"auths\": {}\n}"); // as skopeo 1.9.3 leaves it
        af.store("quay.io", "u", "p");
        af.store("quay.io/ns", "u2", "p2");
        assertThat(af.remove("quay.io")).isTrue();
        assertThat(af.lookup("quay.io/other")).isEqualTo(Credentials.NONE);
        assertThat(af.lookup("quay.io/ns/x")).isEqualTo(Credentials.basic("u2", "p2"));
        assertThat(af.remove("quay.io")).isFalse();
    }

    @Test
    void removeAllEmptiesTheFileButKeepsUnknownFields() throws Exception {
        Path f = put(tmp.resolve("config.json"), "docker-config-with-extras.json");
        new AuthFiles(env, f, List.of()).removeAll();
        String text = Files.readString(f);
        assertThat(text).startsWith("{\n\t\"auths\": {},\n\t\"HttpHeaders\": {");
        assertThat(text).contains("\"psFormat\": \"table {{.ID}}\"").doesNotContain("hubuser");
    }

    @Test
    void writesToALegacyFileAreRefused() throws Exception {
        // only reachable through the legacy read path: editing always goes to the write path
        AuthFile legacy = AuthFile.parse(resource("dockercfg-legacy.json"), Path.of("x"), true);
        assertThat(legacy.authKeys()).containsExactly("https://old.example:5000/v1/", "https://index.docker.io/v1/");
        assertThat(legacy.toJson()).startsWith("{\n\t\"https://index.docker.io/v1/\"");
    }

    // ------------------------------------------------------------------------------------------- helpers

    @Test
    void credHelpersEntriesSendTheLookupToTheHelper() throws Exception {
        installHelper();
        helperHas("helped.example:5000", "hu", "hp");
        putText(runtime.resolve("containers/auth.json"),
                "{\"auths\":{\"helped.example:5000\":{\"auth\":\"" + auth("file", "ignored") + "\"}},"
                        + "\"credHelpers\":{\"helped.example:5000\":\"kopitest\"}}");
        assertThat(files().lookup("helped.example:5000/ns/app")).isEqualTo(Credentials.basic("hu", "hp"));
        assertThat(helperCalls()).containsExactly("store helped.example:5000", "get helped.example:5000");
    }

    @Test
    void aHelperAnsweringNotFoundMeansNoCredentials() throws Exception {
        installHelper();
        putText(runtime.resolve("containers/auth.json"), "{\"credHelpers\":{\"none.example\":\"kopitest\"}}");
        putText(home.resolve(".docker/config.json"), authJson("none.example", "later", "file"));
        // an empty helper answer passes the lookup on to the next file, as in containers/image
        assertThat(files().lookup("none.example/x")).isEqualTo(Credentials.basic("later", "file"));
    }

    @Test
    void identityTokensComeFromHelpersAsTheTokenUser() throws Exception {
        installHelper();
        helperHas("tok.example", "<token>", "refresh-xyz");
        AuthFiles af = new AuthFiles(env, null, List.of("kopitest"));
        assertThat(af.lookup("tok.example/a")).isEqualTo(Credentials.token("refresh-xyz"));
    }

    @Test
    void globalCredentialHelpersAreAskedInOrder() throws Exception {
        installHelper();
        helperHas("g.example", "helper-user", "helper-pass");
        putText(runtime.resolve("containers/auth.json"), authJson("g.example", "file-user", "file-pass"));
        assertThat(new AuthFiles(env, null, List.of("kopitest", AuthFiles.AUTH_FILE_HELPER)).lookup("g.example/x"))
                .isEqualTo(Credentials.basic("helper-user", "helper-pass"));
        assertThat(new AuthFiles(env, null, List.of(AuthFiles.AUTH_FILE_HELPER, "kopitest")).lookup("g.example/x"))
                .isEqualTo(Credentials.basic("file-user", "file-pass"));
        // the helper is asked for the registry, not the repository
        assertThat(helperCalls()).contains("get g.example");
    }

    @Test
    void helperFailuresNameTheHelperAndItsOutput() throws Exception {
        installHelper();
        AuthFiles af = new AuthFiles(env, null, List.of("kopitest"));
        assertThatThrownBy(() -> af.lookup("fail.example/x"))
                .hasMessage("error getting credentials - err: exit status 3, out: `the keychain is on fire`");
        AuthFiles missing = new AuthFiles(env, null, List.of("nosuchhelper"));
        assertThatThrownBy(() -> missing.lookup("quay.io/x")).hasMessage("error getting credentials - err: exec: "
                + "\"docker-credential-nosuchhelper\": executable file not found in $PATH, out: ``");
        AuthFiles two = new AuthFiles(env, null, List.of("nosuchhelper", "kopitest"));
        assertThatThrownBy(() -> two.lookup("fail.example/x")).hasMessageStartingWith(
                "errors looking up credentials:\n\t* error getting credentials - err: exec: "
                        + "\"docker-credential-nosuchhelper\"")
                .hasMessageEndingWith("\nt* error getting credentials - err: exit status 3, out: `the keychain is on "
                        + "fire`\n");
    }

    @Test
    void aHungHelperIsKilledAfterTheTimeout() throws Exception {
        installHelper();
        AuthFiles af = new AuthFiles(env, null, List.of("kopitest")).withHelperTimeout(Duration.ofMillis(500));
        long start = System.nanoTime();
        assertThatThrownBy(() -> af.lookup("slow.example/x")).hasMessageContaining(
                "docker-credential-kopitest get timed out after 0s");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void storeRemoveAndRemoveAllGoThroughHelpers() throws Exception {
        installHelper();
        AuthFiles af = new AuthFiles(env, null, List.of("kopitest"));
        assertThat(af.store("h.example", "u", "p")).isEqualTo("credential helper: kopitest");
        assertThat(af.lookup("h.example/r")).isEqualTo(Credentials.basic("u", "p"));
        assertThatThrownBy(() -> af.store("h.example/ns", "u", "p"))
                .hasMessage("namespaced key is not supported for credential helper kopitest");
        assertThat(af.remove("h.example")).isTrue();
        assertThat(af.remove("h.example")).isFalse();
        af.store("a.example", "a", "1");
        af.store("b.example", "b", "2");
        assertThat(new CredentialHelper("kopitest", env).list()).containsOnlyKeys("a.example", "b.example");
        af.removeAll();
        assertThat(new CredentialHelper("kopitest", env).list()).isEmpty();
    }

    @Test
    void credHelpersEntriesOfTheAuthFileReceiveStores() throws Exception {
        installHelper();
        Path f = putText(runtime.resolve("containers/auth.json"), "{\"credHelpers\":{\"c.example\":\"kopitest\"}}");
        assertThat(files().store("c.example", "cu", "cp")).isEqualTo("credential helper: kopitest");
        assertThat(Files.readString(f)).isEqualTo("{\"credHelpers\":{\"c.example\":\"kopitest\"}}"); // not rewritten
        assertThat(files().remove("c.example")).isTrue();
        assertThat(helperCalls()).endsWith("erase c.example");
    }

    @Test
    void credsStoreIsAskedWhenTheFileHasNoEntry() throws Exception {
        installHelper();
        helperHas(AuthFiles.DOCKER_HUB_LEGACY_KEY, "storeuser", "storepass");
        helperHas("cs.example", "csu", "csp");
        putText(home.resolve(".docker/config.json"),
                "{\"auths\":{\"https://index.docker.io/v1/\":{}},\"credsStore\":\"kopitest\"}");
        assertThat(files().lookup("docker.io/library/busybox")).isEqualTo(Credentials.basic("storeuser", "storepass"));
        assertThat(files().lookup("cs.example/x")).isEqualTo(Credentials.basic("csu", "csp"));
        // a credsStore helper that is not installed is skipped (skopeo ignores credsStore)
        put(home.resolve(".docker/config.json"), "docker-config-with-extras.json");
        assertThat(files().lookup("nothing.example/x")).isEqualTo(Credentials.NONE);
    }

    @Test
    void credentialsNeverShowSecrets() {
        Credentials c = new Credentials("bob", "hunter2", "tok-abc");
        assertThat(c.toString()).contains("bob").doesNotContain("hunter2").doesNotContain("tok-abc");
        assertThat(Credentials.NONE.isEmpty()).isTrue();
        assertThat(c.isEmpty()).isFalse();
    }
}
