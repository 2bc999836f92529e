package dev.kopi.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegistriesDTest {
    @TempDir
    Path tmp;

    private static final String CONFIG = """
            default-docker:
              lookaside: https://default.example/sigs
              lookaside-staging: file:///srv/default-staging
            docker:
              example.com:
                sigstore: https://legacy.example/sigs
                sigstore-staging: file:///srv/legacy-staging
                use-sigstore-attachments: true
              example.com/ns:
                lookaside: https://ns.example/sigs
                use-sigstore-attachments: false
              example.com/ns/repo:tag:
                lookaside: https://exact.example/sigs
              example.com/other:
              plain.example:
                use-sigstore-attachments: yes
            """;

    /** The identity and namespaces as DockerPolicyScopes gives them for each reference, most specific first. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "example.com/ns/repo:tag|example.com/ns/repo,example.com/ns,example.com|false|https://exact.example/sigs",
        "example.com/ns/repo:tag|example.com/ns/repo,example.com/ns,example.com|true|https://exact.example/sigs",
        "example.com/ns/repo:v2|example.com/ns/repo,example.com/ns,example.com|false|https://ns.example/sigs",
        "example.com/ns/repo:v2|example.com/ns/repo,example.com/ns,example.com|true|https://ns.example/sigs",
        "example.com/x:v|example.com/x,example.com|false|https://legacy.example/sigs",
        "example.com/x:v|example.com/x,example.com|true|file:///srv/legacy-staging",
        "example.com/other/x:v|example.com/other/x,example.com/other,example.com|true|file:///srv/legacy-staging",
        "quay.io/a:b|quay.io/a,quay.io|false|https://default.example/sigs",
        "quay.io/a:b|quay.io/a,quay.io|true|file:///srv/default-staging",
    })
    void mostSpecificEntryWins(String identity, String namespaces, boolean write, String want) throws Exception {
        RegistriesD d = RegistriesD.parseFile(CONFIG);
        assertThat(d.lookasideTopLevel(identity, List.of(namespaces.split(",")), write)).contains(want);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "example.com/ns/repo:tag|example.com/ns/repo,example.com/ns,example.com|false",
        "example.com/x:v|example.com/x,example.com|true",
        "plain.example/a:b|plain.example/a,plain.example|true",
        "quay.io/a:b|quay.io/a,quay.io|false",
    })
    void useSigstoreAttachments(String identity, String namespaces, boolean want) throws Exception {
        assertThat(RegistriesD.parseFile(CONFIG).useSigstoreAttachments(identity, List.of(namespaces.split(","))))
                .isEqualTo(want);
    }

    @Test
    void nothingConfiguredIsEmpty() throws Exception {
        RegistriesD d = RegistriesD.parseFile("");
        assertThat(d.lookasideTopLevel("a.b/c:d", List.of("a.b/c", "a.b"), true)).isEmpty();
        assertThat(d.useSigstoreAttachments("a.b/c:d", List.of())).isFalse();
        assertThat(RegistriesD.loadDirectory(tmp.resolve("missing")).docker()).isEmpty();
    }

    @Test
    void filesAreMergedAndDuplicatesRefused() throws Exception {
        Files.writeString(tmp.resolve("a.yaml"), "docker:\n  a.example:\n    lookaside: file:///a\n");
        Files.writeString(tmp.resolve("b.yaml"), "default-docker:\n  lookaside: file:///d\n");
        Files.writeString(tmp.resolve("ignored.yml"), "default-docker:\n  lookaside: file:///x\n");
        RegistriesD d = RegistriesD.loadDirectory(tmp);
        assertThat(d.docker()).containsOnlyKeys("a.example");
        assertThat(d.defaultDocker().map(RegistriesD.Namespace::lookaside)).contains("file:///d");

        Files.writeString(tmp.resolve("c.yaml"), "docker:\n  a.example:\n    lookaside: file:///c\n");
        assertThatThrownBy(() -> RegistriesD.loadDirectory(tmp)).hasMessage(
                "Error parsing signature storage configuration: \"docker\" namespace \"a.example\" defined both in \""
                        + tmp.resolve("a.yaml") + "\" and \"" + tmp.resolve("c.yaml") + "\"");
        Files.delete(tmp.resolve("c.yaml"));
        Files.writeString(tmp.resolve("d.yaml"), "default-docker:\n  lookaside: file:///e\n");
        assertThatThrownBy(() -> RegistriesD.loadDirectory(tmp)).hasMessage(
                "Error parsing signature storage configuration: \"default-docker\" defined both in \""
                        + tmp.resolve("b.yaml") + "\" and \"" + tmp.resolve("d.yaml") + "\"");
    }

    @Test
    void yamlErrorsNameTheFile() throws Exception {
        Files.writeString(tmp.resolve("bad.yaml"), "docker:\n  a.example:\n    lookaside: x\n    lookaside: y\n");
        assertThatThrownBy(() -> RegistriesD.loadDirectory(tmp)).hasMessage("parsing " + tmp.resolve("bad.yaml")
                + ": yaml: unmarshal errors:\n  line 4: mapping key \"lookaside\" already defined at line 3");
        Files.writeString(tmp.resolve("bad.yaml"), "docker:\n  a.example:\n    use-sigstore-attachments: maybe\n");
        assertThatThrownBy(() -> RegistriesD.loadDirectory(tmp)).hasMessage("parsing " + tmp.resolve("bad.yaml")
                + ": yaml: unmarshal errors:\n  line 3: cannot unmarshal !!str `maybe` into bool");
        Files.writeString(tmp.resolve("bad.yaml"), "docker: [1]\n");
        assertThatThrownBy(() -> RegistriesD.loadDirectory(tmp)).hasMessageContaining(
                "line 1: cannot unmarshal !!seq into map[string]docker.registryNamespace");
        Files.writeString(tmp.resolve("bad.yaml"), "docker:\n  a: {\n");
        assertThatThrownBy(() -> RegistriesD.loadDirectory(tmp)).hasMessageStartingWith(
                "parsing " + tmp.resolve("bad.yaml") + ": yaml: ");
    }

    @Test
    void directorySearch() throws Exception {
        Env env = Env.of(Map.of("HOME", tmp.toString()));
        assertThat(RegistriesD.directory(env, Path.of("/x"))).isEqualTo(Path.of("/x"));
        assertThat(RegistriesD.directory(env, null)).isEqualTo(RegistriesD.SYSTEM_DIR);
        Path user = Files.createDirectories(tmp.resolve(".config/containers/registries.d"));
        assertThat(RegistriesD.directory(env, null)).isEqualTo(user);
    }

    @Test
    void emptyNamespaceAndNullsAreAccepted() throws Exception {
        RegistriesD d = RegistriesD.parseFile("docker:\n  a.example:\n  b.example:\n    lookaside:\n");
        assertThat(d.docker().get("a.example").lookaside()).isEmpty();
        assertThat(d.docker().get("b.example").useSigstoreAttachments()).isEqualTo(Optional.empty());
    }
}
