package dev.kopi.it.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Sandbox;
import dev.kopi.testkit.WrittenImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight kopi processes at once writing different images (tags t0..t7) into one {@code oci:} layout: every tag ends
 * up in index.json with its own manifest, and every image reads back (skopeo copies each out).
 *
 * <p>Without a lock around index.json updates concurrent writers lose tags (read-modify-write races).
 */
class OciConcurrencyIT {
    @TempDir
    Path tmp;

    @Test
    void eightWritersIntoOneOciLayout() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        Path src = sb.path("src");
        List<WrittenImage> imgs = ConcurrencyIT.images(src);
        Path dest = sb.path("shared-layout");
        List<Callable<CommandResult>> tasks = new ArrayList<>();
        for (int i = 0; i < ConcurrencyIT.WRITERS; i++) {
            String from = "oci:" + src + ":t" + i;
            String to = "oci:" + dest + ":t" + i;
            tasks.add(() -> sb.kopi("copy", from, to));
        }
        for (CommandResult r : ConcurrencyIT.all(tasks)) {
            r.assertSuccess();
        }
        JsonNode index = RegistryCli.JSON.readTree(dest.resolve("index.json").toFile());
        Map<String, String> tags = new TreeMap<>();
        index.path("manifests").forEach(m -> tags.put(m.path("annotations").path("org.opencontainers.image.ref.name")
                .asText(), m.path("digest").asText()));
        Map<String, String> expected = new TreeMap<>();
        for (int i = 0; i < ConcurrencyIT.WRITERS; i++) {
            expected.put("t" + i, imgs.get(i).manifestDigest().toString());
        }
        assertThat(tags).as("tags in index.json").isEqualTo(expected);
        for (int i = 0; i < ConcurrencyIT.WRITERS; i++) {
            sb.skopeo("copy", "oci:" + dest + ":t" + i, "dir:" + sb.path("out-" + i)).assertSuccess();
        }
    }
}
