package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.JSON;
import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Fixtures;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.testkit.WrittenImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, "Beyond skopeo": one test per item, each failing on skopeo 1.9.3's behaviour (shown by running skopeo
 * the same way) and passing on kopi's, with a real docker-registry and skopeo/podman checking what kopi wrote.
 * Tagged {@code beyond-skopeo}: a run with {@code -Dkopi.cmd=/usr/bin/skopeo} leaves it out.
 */
@Tag("beyond-skopeo")
class BeyondSkopeoIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();

    @TempDir
    Path tmp;

    /** Item 1: {@code --multi-arch=os/arch,...} (and {@code --platform}) writes an index of only those instances. */
    @Test
    void platformSubsetWritesAnIndexOfOnlyThoseInstancesThatSkopeoAndPodmanRead() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        List<WrittenImage> all = Fixtures.index().instances(); // linux/amd64, linux/arm64/v8, linux/arm/v7
        sb.kopi(args("copy", "--all", REGISTRY.destArgs(), TestImage.INDEX.ociRef(), REGISTRY.ref("subset/app:all")))
                .assertSuccess();

        CommandResult skopeo = sb.skopeo(args("copy", "--multi-arch=linux/amd64,linux/arm64", REGISTRY.srcArgs(),
                REGISTRY.destArgs(), REGISTRY.ref("subset/app:all"), REGISTRY.ref("subset/app:skopeo")));
        assertThat(skopeo.exitCode()).as("skopeo 1.9.3 has no platform subsets").isEqualTo(1);
        assertThat(skopeo.stderr()).contains("unknown multi-arch option");

        sb.kopi(args("copy", "--multi-arch=linux/amd64,linux/arm64", REGISTRY.srcArgs(), REGISTRY.destArgs(),
                REGISTRY.ref("subset/app:all"), REGISTRY.ref("subset/app:two"))).assertSuccess();
        sb.kopi(args("copy", "--platform", "linux/arm/v7", REGISTRY.srcArgs(), REGISTRY.destArgs(),
                REGISTRY.ref("subset/app:all"), REGISTRY.ref("subset/app:arm"))).assertSuccess();

        // skopeo reads the new index: two entries, the digests of the source's amd64 and arm64 images
        JsonNode two = JSON.readTree(sb.skopeo(args("inspect", "--raw", REGISTRY.args(),
                REGISTRY.ref("subset/app:two"))).assertSuccess().stdout());
        assertThat(platformsAndDigests(two)).containsExactly(
                "linux/amd64 " + all.get(0).manifestDigest(), "linux/arm64/v8 " + all.get(1).manifestDigest());
        JsonNode arm = JSON.readTree(sb.skopeo(args("inspect", "--raw", REGISTRY.args(),
                REGISTRY.ref("subset/app:arm"))).assertSuccess().stdout());
        assertThat(platformsAndDigests(arm)).containsExactly("linux/arm/v7 " + all.get(2).manifestDigest());
        assertThat(REGISTRY.missingBlobs("subset/app", "two")).isEmpty();
        // skopeo copies all of it back out; the arm/v7 layers were never pushed for :two's sake
        sb.skopeo(args("copy", "--all", REGISTRY.srcArgs(), REGISTRY.ref("subset/app:two"),
                "oci:" + sb.path("back") + ":two")).assertSuccess();
        // podman pulls the arm64 instance from the two-platform index
        CommandResult pull = sb.podman("pull", "--tls-verify=false", "--arch", "arm64", "-q",
                REGISTRY.hostPort() + "/subset/app:two").assertSuccess();
        assertThat(pull.stdout().trim()).isEqualTo(all.get(1).imageId().replace("sha256:", ""));
        CommandResult missing = sb.podman("pull", "--tls-verify=false", "--arch", "arm", "-q",
                REGISTRY.hostPort() + "/subset/app:two");
        assertThat(missing.exitCode()).as("arm/v7 is not in the subset").isNotZero();
    }

    private static List<String> platformsAndDigests(JsonNode index) {
        List<String> out = new ArrayList<>();
        for (JsonNode m : index.path("manifests")) {
            JsonNode p = m.path("platform");
            out.add(p.path("os").asText() + "/" + p.path("architecture").asText()
                    + (p.path("variant").asText().isEmpty() ? "" : "/" + p.path("variant").asText()) + " "
                    + m.path("digest").asText());
        }
        return out;
    }
}
