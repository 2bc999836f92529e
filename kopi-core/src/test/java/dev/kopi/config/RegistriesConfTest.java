package dev.kopi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ImageException;
import dev.kopi.reference.DockerReference;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistriesConfTest {
    @TempDir
    Path tmp;

    Path home;
    Path etcConf;
    Path etcDir;
    Env env;

    @BeforeEach
    void setUp() throws IOException {
        home = Files.createDirectories(tmp.resolve("home"));
        etcConf = tmp.resolve("etc/registries.conf");
        etcDir = tmp.resolve("etc/registries.conf.d");
        env = Env.of(Map.of("HOME", home.toString()));
    }

    static String resource(String name) throws IOException {
        try (InputStream in = RegistriesConfTest.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("missing test resource " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Path write(Path p, String text) throws IOException {
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
        return p;
    }

    private RegistriesConf load(Path explicit) throws ImageException {
        return RegistriesConf.load(env, explicit, etcConf, etcDir);
    }

    private RegistriesConf loadText(String toml) throws Exception {
        return load(write(tmp.resolve("r.conf"), toml));
    }

    /** A stable text form of the merged configuration, compared with the golden *.expected.txt files. */
    static String describe(RegistriesConf c) {
        List<String> lines = new ArrayList<>();
        for (RegistriesConf.Registry r : c.registries()) {
            lines.add("prefix=" + r.prefix() + " location=" + r.location() + " insecure=" + r.insecure()
                    + " blocked=" + r.blocked() + " byDigest=" + r.mirrorByDigestOnly() + " mirrors=" + r.mirrors()
                    .stream().map(m -> m.location() + " insecure=" + m.insecure() + " pull-from-mirror="
                            + m.pullFromMirror()).collect(Collectors.toList()));
        }
        lines.add("unqualified-search-registries=" + c.unqualifiedSearchRegistries());
        lines.add("short-name-mode=" + c.shortNameMode().text());
        lines.add("credential-helpers=" + c.credentialHelpers());
        for (String name : List.of("busy", "fedora", "tools/box", "nothing")) {
            c.alias(name).ifPresent(a -> lines.add("alias " + name + "=" + a.value().map(Object::toString)
                    .orElse("")));
        }
        return String.join("\n", lines) + "\n";
    }

    @ParameterizedTest
    @CsvSource({"registries-v2.conf, registries-v2.expected.txt", "registries-v1.conf, registries-v1.expected.txt"})
    void goldenFiles(String conf, String expected) throws Exception {
        RegistriesConf c = loadText(resource(conf));
        assertThat(describe(c)).isEqualTo(resource(expected));
    }

    @Test
    void defaultsWithoutAnyFile() throws Exception {
        RegistriesConf c = load(null);
        assertThat(c.registries()).isEmpty();
        assertThat(c.unqualifiedSearchRegistries()).isEmpty();
        assertThat(c.shortNameMode()).isEqualTo(RegistriesConf.ShortNameMode.PERMISSIVE);
        assertThat(c.credentialHelpers()).containsExactly("containers-auth.json");
        assertThat(c.configPath()).isEqualTo(etcConf);
        assertThat(c.sourceDescription()).isEqualTo(etcConf + ", " + etcDir + ", "
                + home.resolve(".config/containers/registries.conf.d"));
    }

    @Test
    void aMissingExplicitFileIsAnError() {
        Path p = tmp.resolve("missing.conf");
        assertThatThrownBy(() -> load(p)).hasMessage("loading registries configuration \"" + p + "\": open " + p
                + ": no such file or directory");
    }

    @Test
    void theUsersFileReplacesTheSystemFileAndItsDropInDirectory() throws Exception {
        write(etcConf, "unqualified-search-registries = [\"system.example\"]\n");
        write(etcDir.resolve("10-sys.conf"), "short-name-mode = \"disabled\"\n");
        RegistriesConf system = load(null);
        assertThat(system.unqualifiedSearchRegistries()).containsExactly("system.example");
        assertThat(system.shortNameMode()).isEqualTo(RegistriesConf.ShortNameMode.DISABLED);

        Path user = write(home.resolve(".config/containers/registries.conf"),
                "unqualified-search-registries = [\"user.example\"]\n");
        write(home.resolve(".config/containers/registries.conf.d/50-user.conf"),
                "[[registry]]\nlocation = \"user-dropin.example\"\n");
        RegistriesConf c = load(null);
        assertThat(c.configPath()).isEqualTo(user);
        assertThat(c.unqualifiedSearchRegistries()).containsExactly("user.example");
        assertThat(c.unqualifiedSearchRegistriesOrigin()).contains(user);
        assertThat(c.shortNameMode()).isEqualTo(RegistriesConf.ShortNameMode.PERMISSIVE);
        assertThat(c.registries()).extracting(RegistriesConf.Registry::prefix).containsExactly("user-dropin.example");
        assertThat(c.configDirPath()).isEqualTo(home.resolve(".config/containers/registries.conf.d"));
    }

    @Test
    void dropInsMergeInNameOrderSystemDirectoryFirst() throws Exception {
        write(etcConf, """
                unqualified-search-registries = ["main.example"]
                credential-helpers = ["main-helper"]
                [[registry]]
                location = "a.example"
                insecure = true
                [[registry]]
                location = "b.example"
                [aliases]
                "one" = "quay.io/one/one"
                "two" = "quay.io/two/two"
                """);
        write(etcDir.resolve("20-second.conf"), """
                unqualified-search-registries = ["second.example"]
                [[registry]]
                location = "a.example"
                blocked = true
                [aliases]
                "two" = ""
                """);
        write(etcDir.resolve("10-first.conf"), """
                short-name-mode = "disabled"
                unqualified-search-registries = ["first.example"]
                """);
        write(etcDir.resolve("ignored.txt"), "this is not toml = = =");
        Path user = write(home.resolve(".config/containers/registries.conf.d/00-user.conf"),
                "credential-helpers = []\n[[registry]]\nprefix = \"c.example/ns\"\nlocation = \"c.example/other\"\n");
        RegistriesConf c = load(null);
        assertThat(c.unqualifiedSearchRegistries()).containsExactly("second.example");
        assertThat(c.unqualifiedSearchRegistriesOrigin()).contains(etcDir.resolve("20-second.conf"));
        assertThat(c.shortNameMode()).isEqualTo(RegistriesConf.ShortNameMode.DISABLED);
        // an empty list in a drop-in resets to the default
        assertThat(c.credentialHelpers()).containsExactly("containers-auth.json");
        assertThat(c.registries()).extracting(RegistriesConf.Registry::prefix)
                .containsExactly("a.example", "b.example", "c.example/ns");
        RegistriesConf.Registry a = c.findRegistry("a.example/x").orElseThrow();
        assertThat(a.blocked()).isTrue();
        assertThat(a.insecure()).isFalse(); // the drop-in's table replaced the whole table
        assertThat(c.alias("one").orElseThrow().value().map(Object::toString)).contains("quay.io/one/one");
        assertThat(c.alias("two").orElseThrow().value()).isEmpty();
        assertThat(c.alias("two").orElseThrow().origin()).isEqualTo(etcDir.resolve("20-second.conf"));
        assertThat(c.findRegistry("c.example/ns/app").orElseThrow().location()).isEqualTo("c.example/other");
        assertThat(user).exists();
    }

    @Test
    void anExplicitFileStillGetsTheDropIns() throws Exception {
        write(etcDir.resolve("x.conf"), "[[registry]]\nlocation = \"dropin.example\"\n");
        RegistriesConf c = loadText("[[registry]]\nlocation = \"explicit.example\"\n");
        assertThat(c.registries()).extracting(RegistriesConf.Registry::prefix)
                .containsExactly("dropin.example", "explicit.example");
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "example.com/foo/app:1, example.com/foo",
        "example.com/foo, example.com/foo",
        "example.com/foobar/app, example.com",
        "example.com/foo/deeper/x, example.com/foo/deeper",
        "example.com:5000/foo, example.com", // containers/image documents this match as unintended
        "example.community/x, ''",
        "a.wild.example.com/x/y, *.wild.example.com",
        "a.b.wild.example.com:443/x, *.wild.example.com",
        "wild.example.com/x, ''",
        "other.com/a.wild.example.com/x, ''",
        "digest.example.com@sha256:0000000000000000000000000000000000000000000000000000000000000000, "
                + "digest.example.com",
    })
    void longestPrefixWins(String ref, String prefix) throws Exception {
        RegistriesConf c = loadText(resource("registries-v2.conf"));
        assertThat(c.findRegistry(ref).map(RegistriesConf.Registry::prefix).orElse("")).isEqualTo(prefix);
    }

    private static final String D = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "example.com/foo/app:v1|m2.example.com/bar/app:v1 insecure, mirror-primary.example.com/bar/app:v1 insecure",
        "example.com/foo/app@" + D + "|m1.example.com:5000/bar/app@" + D + ", mirror-primary.example.com/bar/app@"
                + D + " insecure",
        "digest.example.com/x:1|digest.example.com/x:1",
        "digest.example.com/x@" + D + "|dm.example.com/x@" + D + ", digest.example.com/x@" + D,
        "foo.wild.example.com/x:1|foo.wild.example.com/x:1",
        "foo.wilder.example.com/ns/x:1|wild-mirror.example.com/all/ns/x:1",
        "unconfigured.example/x:1|unconfigured.example/x:1",
    })
    void pullSourcesListMirrorsThenThePrimary(String ref, String expected) throws Exception {
        RegistriesConf c = loadText(resource("registries-v2.conf"));
        List<RegistriesConf.PullSource> sources = c.pullSources(DockerReference.parseNormalized(ref));
        String got = sources.stream().map(s -> s.reference() + (s.endpoint().insecure() ? " insecure" : ""))
                .collect(Collectors.joining(", "));
        // the m3 mirror (no restriction) is used for both kinds of reference
        String withM3 = ref.startsWith("example.com/foo/")
                ? expected.replaceFirst(", mirror-primary", ", m3.example.com/bar/app" + ref.substring(
                        "example.com/foo/app".length()) + ", mirror-primary") : expected;
        assertThat(got).isEqualTo(withM3);
    }

    @Test
    void blockedAndInsecureQueries() throws Exception {
        Path p = write(tmp.resolve("r.conf"), resource("registries-v2.conf"));
        RegistriesConf c = load(p);
        assertThatThrownBy(() -> c.checkNotBlocked("example.com/foo/deeper/app")).hasMessage(
                "registry example.com/foo/deeper is blocked in " + p + " or "
                        + home.resolve(".config/containers/registries.conf.d"));
        c.checkNotBlocked("example.com/foo/app");
        assertThat(c.isInsecure("example.com/foo/x")).isTrue();
        assertThat(c.isInsecure("example.com")).isFalse();
        assertThat(c.isInsecure("nowhere.example")).isFalse();
    }

    /** Invalid files; texts as containers/image (checked against skopeo 1.9.3 where it has the check). */
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "[[registry]]\\nlocation=\"a\"\\ninsecure=\"yes\"|toml: (last key \"registry.insecure\"): incompatible types: "
                + "TOML value has type string; destination has type boolean",
        "[[registry]]\\nlocation=\"a\"\\ninsecure=1|toml: (last key \"registry.insecure\"): incompatible types: TOML "
                + "value has type int64; destination has type boolean",
        "[registry]\\nlocation=\"a\"|toml: (last key \"registry\"): incompatible types: TOML value has type "
                + "map[string]interface {}; destination has type slice",
        "unqualified-search-registries=\"x\"|toml: (last key \"unqualified-search-registries\"): incompatible types: "
                + "TOML value has type string; destination has type slice",
        "[registries.search]\\nregistries=[\"a\"]\\n[[registry]]\\nlocation=\"b\"|mixing sysregistry v1/v2 is not "
                + "supported",
        "short-name-mode=\"x\"|invalid short-name mode: \"x\"",
        "[[registry]]\\nprefix=\"*.a.com/x\"|Wildcarded prefix should be in the format: *.example.com. Current "
                + "prefix \"*.a.com/x\" is incorrectly formatted",
        "[[registry]]\\nlocation=\"https://x\"|invalid location 'https://x': URI schemes are not supported",
        "unqualified-search-registries=[\"x/y\"]|Invalid unqualified-search-registries entry \"x/y\"",
        "[[registry]]\\ninsecure=true|invalid condition: both location and prefix are unset",
        "[[registry]]\\nprefix=\"a.com\"|invalid condition: location is unset and prefix is not in the format: "
                + "*.example.com",
        "[[registry]]\\nlocation=\"a.com\"\\npull-from-mirror=\"all\"|pull-from-mirror must not be set for a "
                + "non-mirror registry \"a.com\"",
        "[[registry]]\\nlocation=\"a.com\"\\n[[registry.mirror]]\\ninsecure=true|invalid condition: mirror location "
                + "is unset",
        "[[registry]]\\nlocation=\"a.com\"\\nmirror-by-digest-only=true\\n[[registry.mirror]]\\nlocation=\"m\"\\n"
                + "pull-from-mirror=\"all\"|cannot set mirror usage mirror-by-digest-only for the registry (\"a.com\") "
                + "and pull-from-mirror for per-mirror (\"m\") at the same time",
        "[[registry]]\\nlocation=\"a.com\"\\n[[registry.mirror]]\\nlocation=\"m\"\\npull-from-mirror=\"some\"|"
                + "unsupported pull-from-mirror value \"some\" for mirror \"m\"",
        "[[registry]]\\nlocation=\"a.com\"\\n[[registry]]\\nprefix=\"a.com/x\"\\nlocation=\"a.com\"\\ninsecure=true|"
                + "registry 'a.com' is defined multiple times with conflicting 'insecure' setting",
        "[[registry]]\\nlocation=\"a.com\"\\nblocked=true\\n[[registry]]\\nprefix=\"b\"\\nlocation=\"a.com\"|"
                + "registry 'a.com' is defined multiple times with conflicting 'blocked' setting",
        "[aliases]\\n\"a/b\"=\"c\"\\n\"x\"=\"quay.io/x:1\"|validating short-name aliases: invalid alias \"c\": must "
                + "contain registry and repository\\ninvalid alias \"quay.io/x:1\": must not contain tag",
        "[aliases]\\n\"quay.io/x\"=\"quay.io/x\"|validating short-name aliases: invalid short name \"quay.io/x\": "
                + "must not contain registry",
    })
    void invalidFiles(String toml, String message) throws Exception {
        Path p = write(tmp.resolve("bad.conf"), toml.replace("\\n", "\n") + "\n");
        assertThatThrownBy(() -> load(p)).isInstanceOf(ImageException.class)
                .hasMessage("loading registries configuration \"" + p + "\": " + message.replace("\\n", "\n"));
    }

    @Test
    void syntaxErrorsCarryTheTomlPrefix() throws Exception {
        Path p = write(tmp.resolve("bad.conf"), "a = \n");
        assertThatThrownBy(() -> load(p)).hasMessageStartingWith("loading registries configuration \"" + p
                + "\": toml: ");
    }

    @Test
    void dropInsMustBeV2() throws Exception {
        Path d = write(etcDir.resolve("v1.conf"), "[registries.search]\nregistries = [\"x.example\"]\n");
        assertThatThrownBy(() -> load(null)).hasMessage("loading drop-in registries configuration \"" + d
                + "\": registry must be in v2 format but is in v1");
    }

    @Test
    void emptyV1SectionsStillMakeAV1File() throws Exception {
        RegistriesConf c = loadText("[registries.search]\nregistries = []\n");
        assertThat(c.unqualifiedSearchRegistries()).isEmpty();
        assertThatThrownBy(() -> loadText("[registries.search]\nregistries = []\n[aliases]\n"))
                .hasMessageContaining("mixing sysregistry v1/v2 is not supported");
    }

    @Test
    void keysMatchCaseInsensitivelyAndUnknownKeysAreIgnored() throws Exception {
        RegistriesConf c = loadText("[[Registry]]\nLocation = \"case.example\"\nInsecure = true\nfuture = 1\n"
                + "whatever = \"x\"\n");
        assertThat(c.findRegistry("case.example").orElseThrow().insecure()).isTrue();
    }

    @Test
    void matchingPrefixFollowsContainersImage() {
        assertThat(RegistriesConf.matchingPrefix("example.com/foo", "example.com")).isEqualTo(11);
        assertThat(RegistriesConf.matchingPrefix("example.com@sha256:x", "example.com")).isEqualTo(11);
        assertThat(RegistriesConf.matchingPrefix("example.comx", "example.com")).isEqualTo(-1);
        assertThat(RegistriesConf.matchingPrefix("x.example.com", "*.example.com")).isEqualTo(13);
        assertThat(RegistriesConf.matchingPrefix("x.example.com.evil", "*.example.com")).isEqualTo(-1);
        assertThat(RegistriesConf.matchingPrefix("example.com", "*.example.com")).isEqualTo(-1);
    }
}
