package dev.kopi.copy;

import static dev.kopi.copy.CopyTesting.copy;
import static dev.kopi.copy.CopyTesting.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.policy.PolicyContext;
import dev.kopi.testkit.FileTrees;
import dev.kopi.testkit.Skopeo;
import dev.kopi.testkit.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** policy.json is evaluated on the source before anything is written. */
class CopierPolicyTest {
    @TempDir
    Path tmp;

    private Path layout;

    @BeforeEach
    void writeImage() throws Exception {
        layout = tmp.resolve("src");
        TestImages.multiLayer(layout, "t", 101);
    }

    private PolicyContext policy(String transportsJson) throws Exception {
        Path p = tmp.resolve("policy.json");
        Files.writeString(p, "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":" + transportsJson
                + "}");
        return PolicyContext.load(p);
    }

    @ParameterizedTest
    @ValueSource(strings = {"dir", "oci", "oci-archive", "docker-archive"})
    void rejectForTheSourceScopeRefusesTheCopyAndWritesNothing(String kind) throws Exception {
        PolicyContext p = policy("{\"oci\":{\"" + layout + "\":[{\"type\":\"reject\"}]}}");
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        Path dest = out.resolve("d");
        String destName = switch (kind) {
            case "dir" -> "dir:" + dest;
            case "oci" -> "oci:" + dest + ":x";
            case "oci-archive" -> "oci-archive:" + dest + ":x";
            default -> "docker-archive:" + dest + ":a/b:c";
        };
        Path spool = tmp.resolve("spool");
        Files.createDirectories(spool);
        var ctx = dev.kopi.transport.ImageContext.builder().tmpDir(spool).build();
        assertThatThrownBy(() -> copy("oci:" + layout + ":t", destName, options(tmp).src(ctx).dest(ctx).policy(p)))
                .isInstanceOf(ImageException.class)
                .hasMessage("Source image rejected: Running image oci:" + layout + ":t is rejected by policy.")
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.POLICY_REJECTED));
        try (var s = Files.list(out)) {
            assertThat(s.toList()).as("nothing written beside the destination").isEmpty();
        }
        try (var s = Files.list(spool)) {
            assertThat(s.toList()).as("nothing left in the temp dir").isEmpty();
        }
    }

    @Test
    void rejectLeavesAnExistingLayoutIntact() throws Exception {
        Path dest = tmp.resolve("dest");
        TestImages.multiLayer(dest, "old", 102);
        Map<String, String> before = FileTrees.snapshot(dest);
        PolicyContext p = policy("{\"oci\":{\"" + layout + "\":[{\"type\":\"reject\"}]}}");
        assertThatThrownBy(() -> copy("oci:" + layout + ":t", "oci:" + dest + ":new", options(tmp).policy(p)))
                .isInstanceOf(ImageException.class);
        assertThat(FileTrees.snapshot(dest)).isEqualTo(before);
    }

    @Test
    void namespacesAndOtherTransportsAreLookedUpAsContainersImageDoes() throws Exception {
        // the parent directory is a namespace of the layout: rejected
        PolicyContext parent = policy("{\"oci\":{\"" + tmp + "\":[{\"type\":\"reject\"}]}}");
        assertThatThrownBy(() -> copy("oci:" + layout + ":t", "dir:" + tmp.resolve("a"), options(tmp).policy(parent)))
                .isInstanceOf(ImageException.class);
        // a more specific scope wins over the namespace
        PolicyContext specific = policy("{\"oci\":{\"" + tmp + "\":[{\"type\":\"reject\"}],\"" + layout
                + "\":[{\"type\":\"insecureAcceptAnything\"}]}}");
        copy("oci:" + layout + ":t", "dir:" + tmp.resolve("b"), options(tmp).policy(specific));
        assertThat(Files.exists(tmp.resolve("b/manifest.json"))).isTrue();
        // a reject for another transport, or another path, does not apply
        PolicyContext other = policy("{\"dir\":{\"" + layout + "\":[{\"type\":\"reject\"}]},"
                + "\"oci\":{\"" + tmp.resolve("elsewhere") + "\":[{\"type\":\"reject\"}]}}");
        copy("oci:" + layout + ":t", "dir:" + tmp.resolve("c"), options(tmp).policy(other));
        assertThat(Files.exists(tmp.resolve("c/manifest.json"))).isTrue();
    }

    @Test
    void defaultRejectRefusesEverything() throws Exception {
        Path p = tmp.resolve("reject.json");
        Files.writeString(p, "{\"default\":[{\"type\":\"reject\"}]}");
        assertThatThrownBy(() -> copy("oci:" + layout + ":t", "dir:" + tmp.resolve("a"),
                options(tmp).policy(PolicyContext.load(p))))
                .isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.POLICY_REJECTED));
        assertThat(Files.exists(tmp.resolve("a"))).isFalse();
    }

    @Test
    void rejectedIndexInstancesAreRefusedToo() throws Exception {
        Path index = tmp.resolve("index");
        TestImages.multiPlatform(index, "t", 103);
        PolicyContext p = policy("{\"oci\":{\"" + index + "\":[{\"type\":\"reject\"}]}}");
        assertThatThrownBy(() -> copy("oci:" + index + ":t", "oci:" + tmp.resolve("d") + ":t",
                options(tmp).policy(p).multiArch(MultiArch.ALL)))
                .isInstanceOf(ImageException.class)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.POLICY_REJECTED));
        assertThat(FileTrees.snapshot(tmp.resolve("d")).keySet()).doesNotContain("index.json");
    }

    @Test
    void policyRejectionIsCheckedBeforeTheManifestIsParsed() throws Exception {
        // containers/image checks the policy before parsing the image: even a broken manifest is "rejected"
        Path broken = tmp.resolve("broken");
        Files.createDirectories(broken);
        Files.writeString(broken.resolve("version"), "Directory Transport Version: 1.1\n");
        Files.writeString(broken.resolve("manifest.json"), "{\"schemaVersion\":3}");
        PolicyContext p = policy("{\"dir\":{\"" + broken + "\":[{\"type\":\"reject\"}]}}");
        assertThatThrownBy(() -> copy("dir:" + broken, "dir:" + tmp.resolve("d"), options(tmp).policy(p)))
                .isInstanceOf(ImageException.class)
                .hasMessage("Source image rejected: Running image dir:" + broken + " is rejected by policy.");
        if (Skopeo.installed()) {
            Skopeo.Result r = Skopeo.tryRun("--policy", tmp.resolve("policy.json").toString(), "copy",
                    "dir:" + broken, "dir:" + tmp.resolve("s"));
            assertThat(r.stderr()).contains("Source image rejected: Running image dir:" + broken
                    + " is rejected by policy.");
        }
    }
}
