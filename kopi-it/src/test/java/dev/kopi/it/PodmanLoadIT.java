package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.digest.Digest;
import dev.kopi.testkit.WrittenImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code podman load} (a throwaway store: --root/--runroot under a temp dir, vfs driver) accepts what kopi writes to
 * docker-archive: and oci-archive:, and ends up with the same image (ID = config digest, same layer diff IDs).
 */
class PodmanLoadIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(value = TestImage.class, names = {"SINGLE", "MULTI"})
    void podmanLoadsKopisDockerArchive(TestImage img) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path archive = sb.path("image.tar");
        String name = "localhost/kopi/" + img.tag() + ":v1";
        sb.kopi("copy", img.ociRef(), "docker-archive:" + archive + ":" + name).assertSuccess();

        CommandResult load = sb.podman("load", "-i", archive.toString()).assertSuccess();
        assertThat(load.stdout()).contains("Loaded image").contains(name);
        assertLoaded(sb, name, expected(img));
    }

    @ParameterizedTest
    @EnumSource(value = TestImage.class, names = {"SINGLE", "MULTI"})
    void podmanLoadsKopisOciArchive(TestImage img) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path archive = sb.path("image-oci.tar");
        sb.kopi("copy", img.ociRef(), "oci-archive:" + archive + ":v1").assertSuccess();

        CommandResult load = sb.podman("load", "-i", archive.toString()).assertSuccess();
        assertThat(load.stdout()).contains("Loaded image");
        assertLoaded(sb, expected(img).imageId(), expected(img));
    }

    private static WrittenImage expected(TestImage img) {
        return img == TestImage.SINGLE ? Fixtures.single() : Fixtures.multi();
    }

    private static void assertLoaded(Sandbox sb, String nameOrId, WrittenImage expected) throws IOException {
        CommandResult inspect = sb.podman("image", "inspect", nameOrId).assertSuccess();
        JsonNode image = JSON.readTree(inspect.stdout()).get(0);
        assertThat(image.path("Id").asText()).as("image ID = config digest").isEqualTo(expected.imageId());
        List<String> layers = new ArrayList<>();
        image.path("RootFS").path("Layers").forEach(l -> layers.add(l.asText()));
        assertThat(layers).as("RootFS layers = the config's diff IDs")
                .containsExactlyElementsOf(expected.diffIds().stream().map(Digest::toString).toList());
        assertThat(image.path("Architecture").asText()).isEqualTo("amd64");
    }
}
