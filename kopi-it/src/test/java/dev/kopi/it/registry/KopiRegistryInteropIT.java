package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.it.Trees;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Acceptance 2 of the registry issue: what kopi pushes, skopeo pulls with identical digests, and the other way
 * round; for a single image and a three-platform index, with OCI and Docker (v2s2) media types. Also
 * {@code --digestfile} with a registry destination.
 */
class KopiRegistryInteropIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.token();

    @TempDir
    Path tmp;

    static Stream<Arguments> cases() {
        return Stream.of(
                Arguments.of("oci-image", TestImage.MULTI, List.of()),
                Arguments.of("v2s2-image", TestImage.MULTI, List.of("--format", "v2s2")),
                Arguments.of("oci-index", TestImage.INDEX, List.of("--all")),
                Arguments.of("docker-list", TestImage.INDEX, List.of("--multi-arch", "all", "--format", "v2s2")));
    }

    /**
     * kopi and skopeo push the same fixture to two repositories: the registry holds the same manifest digest for
     * both, with every blob. Then each pulls the other's push into {@code dir:}: identical trees, and the same
     * digest in both {@code --digestfile}s.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kopiPushesSkopeoPullsAndViceVersa(String name, TestImage image, List<String> flags) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String kopiRepo = "interop/kopi-" + name;
        String skopeoRepo = "interop/skopeo-" + name;
        Path kopiDigest = sb.path("kopi.digest");
        Path skopeoDigest = sb.path("skopeo.digest");

        sb.kopi(args("copy", flags, "--digestfile", kopiDigest, REGISTRY.destArgs(), image.ociRef(),
                REGISTRY.ref(kopiRepo + ":v1"))).assertSuccess();
        sb.skopeo(args("copy", flags, "--digestfile", skopeoDigest, REGISTRY.destArgs(), image.ociRef(),
                REGISTRY.ref(skopeoRepo + ":v1"))).assertSuccess();
        String digest = Files.readString(skopeoDigest);
        assertThat(digest).startsWith("sha256:");
        assertThat(Files.readString(kopiDigest)).as("--digestfile").isEqualTo(digest);
        assertThat(REGISTRY.hasManifest(kopiRepo, digest)).as("kopi's push has skopeo's manifest digest %s", digest)
                .isTrue();
        assertThat(REGISTRY.missingBlobs(kopiRepo, "v1")).isEmpty();
        assertThat(REGISTRY.missingBlobs(skopeoRepo, "v1")).isEmpty();

        List<String> pullFlags = image.isIndex() ? List.of("--all") : List.of();
        Path bySkopeo = sb.path("skopeo-pulled");
        Path byKopi = sb.path("kopi-pulled");
        sb.skopeo(args("copy", pullFlags, REGISTRY.srcArgs(), REGISTRY.ref(kopiRepo + ":v1"), "dir:" + bySkopeo))
                .assertSuccess();
        sb.kopi(args("copy", pullFlags, REGISTRY.srcArgs(), REGISTRY.ref(skopeoRepo + ":v1"), "dir:" + byKopi))
                .assertSuccess();
        Trees.assertSameTree(byKopi, bySkopeo, "dir: pulled by kopi (from skopeo's push) vs by skopeo (from kopi's)");
        assertThat("sha256:" + Trees.sha256(Files.readAllBytes(byKopi.resolve("manifest.json")))).isEqualTo(digest);
    }
}
