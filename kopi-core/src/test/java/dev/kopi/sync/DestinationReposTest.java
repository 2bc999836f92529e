package dev.kopi.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code destination-repos} in the sync YAML (a kopi extension): parsing, validation and destination names. */
class DestinationReposTest {
    @TempDir
    Path tmp;

    private static YamlSource.Registry entry(String destinationRepos) throws ImageException {
        return YamlSource.parse("""
                reg.example:
                  images:
                    ns/app: [v1]
                  images-by-tag-regex:
                    ns/web: ^v
                  images-by-semver:
                    tools/cli: ">= 1"
                  destination-repos:
                """ + destinationRepos).registries().get("reg.example");
    }

    @Test
    void parsedInFileOrder() throws ImageException {
        YamlSource.Registry r = entry("    ns/app: mirror/application\n    ns/web: web\n");
        assertThat(r.destinationRepos()).containsExactly(java.util.Map.entry("ns/app", "mirror/application"),
                java.util.Map.entry("ns/web", "web"));
        assertThat(SyncPlanner.destinationRepo("reg.example", r, "ns/app")).isEqualTo("mirror/application");
        assertThat(SyncPlanner.destinationRepo("reg.example", r, "tools/cli")).isNull();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "ns/app | mirror/application | ",
        "ns/web | a.b/c_d/e-f/g__h | ",
        "tools/cli | cli | ",
        "ns/other | x | source repository \"ns/other\" is not named in images, images-by-tag-regex or images-by-semver",
        "NS/app | x | invalid source repository \"NS/app\": invalid reference format: repository name must be lowercase",
        "ns/app:v1 | x | invalid source repository \"ns/app:v1\": a repository has no tag or digest",
        "ns/app | Mirror/App | invalid destination repository \"Mirror/App\" for \"ns/app\": repository name must be lowercase",
        "ns/app | mirror/app:v2 | invalid destination repository \"mirror/app:v2\" for \"ns/app\": a repository path has no tag or digest",
        "ns/app | /abs | invalid destination repository \"/abs\" for \"ns/app\": invalid reference format",
        "ns/app | a//b | invalid destination repository \"a//b\" for \"ns/app\": invalid reference format",
        "ns/app | '' | invalid destination repository \"\" for \"ns/app\": empty",
    })
    void validated(String from, String to, String error) throws ImageException {
        YamlSource.Registry r = entry("    " + from + ": \"" + to + "\"\n");
        if (error == null) {
            assertThatCode(() -> SyncPlanner.checkDestinationRepos("reg.example", r)).doesNotThrowAnyException();
        } else {
            assertThatThrownBy(() -> SyncPlanner.checkDestinationRepos("reg.example", r))
                    .isInstanceOf(ImageException.class).hasMessage(error)
                    .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
        }
    }

    private Path yaml(String body) throws IOException {
        Path p = tmp.resolve("sync.yaml");
        Files.writeString(p, body);
        return p;
    }

    private List<String> dryRunDestinations(Path yaml, String destTransport, String dest, boolean scoped)
            throws IOException {
        SyncResult r = Syncer.sync(yaml.toString(), dest, SyncOptions.builder("yaml", destTransport).dryRun(true)
                .scoped(scoped).build());
        return r.images().stream().map(i -> i.source() + " -> " + i.destination()).toList();
    }

    @Test
    void pairedRepositoriesGoWhereTheYamlSaysOthersKeepSkopeosNames() throws IOException {
        Path y = yaml("""
                reg.example:
                  images:
                    ns/app: [v1, "sha256:0000000000000000000000000000000000000000000000000000000000000000"]
                    ns/plain: [v2]
                  destination-repos:
                    ns/app: mirror/application
                """);
        String d = "@sha256:0000000000000000000000000000000000000000000000000000000000000000";
        for (boolean scoped : new boolean[] {false, true}) {
            assertThat(dryRunDestinations(y, "docker", "dst.example/base", scoped)).containsExactly(
                    "docker://reg.example/ns/app:v1 -> docker://dst.example/base/mirror/application:v1",
                    "docker://reg.example/ns/app" + d + " -> docker://dst.example/base/mirror/application" + d,
                    "docker://reg.example/ns/plain:v2 -> docker://dst.example/base/"
                            + (scoped ? "reg.example/ns/plain:v2" : "plain:v2"));
        }
        assertThat(dryRunDestinations(y, "oci", tmp.resolve("layout").toString(), false).get(0))
                .endsWith(" -> oci:" + tmp.resolve("layout") + ":mirror/application:v1");
    }

    @Test
    void aBadPairFailsTheWholeRunBeforeAnythingIsCopied() throws IOException {
        Path y = yaml("""
                reg.example:
                  images:
                    ns/app: [v1]
                  destination-repos:
                    ns/nope: mirror/application
                """);
        assertThatThrownBy(() -> dryRunDestinations(y, "docker", "dst.example/base", false))
                .isInstanceOf(ImageException.class)
                .hasMessage("Invalid destination-repos in \"" + y + "\" for registry \"reg.example\": source"
                        + " repository \"ns/nope\" is not named in images, images-by-tag-regex or images-by-semver");
    }
}
