package dev.kopi.copy;

import static dev.kopi.copy.CopyTesting.copy;
import static dev.kopi.copy.CopyTesting.ctx;
import static dev.kopi.copy.CopyTesting.options;
import static dev.kopi.copy.CopyTesting.read;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kopi.manifest.ManifestList;
import dev.kopi.manifest.Manifests;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import dev.kopi.testkit.WrittenIndex;
import dev.kopi.transport.ImageContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-image archives (beyond skopeo): {@code copy --append}, and index.json as a multi-platform index. */
class MultiImageArchiveTest {
    @TempDir
    Path tmp;

    private Path layout;
    private WrittenImage a;
    private WrittenImage b;

    @BeforeEach
    void images() throws Exception {
        layout = tmp.resolve("src");
        a = TestImages.singleLayer(layout, "a", 51);
        b = TestImages.multiLayer(layout, "b", 52);
    }

    private CopyTesting.Options append() {
        ImageContext dest = ImageContext.builder().tmpDir(tmp).archiveAppend(true).build();
        return options(tmp).dest(dest);
    }

    @Test
    void dockerArchiveAppendKeepsTheImagesThereAndMovesATakenTag() throws Exception {
        Path tar = tmp.resolve("multi.tar");
        copy("oci:" + layout + ":a", "docker-archive:" + tar + ":kopi/a:1", options(tmp));
        assertThatThrownBy(() -> copy("oci:" + layout + ":b", "docker-archive:" + tar + ":kopi/b:1", options(tmp)))
                .hasMessageContaining("docker-archive doesn't support modifying existing images");
        copy("oci:" + layout + ":b", "docker-archive:" + tar + ":kopi/b:1", append());
        assertThat(read("docker-archive:" + tar + ":kopi/a:1", ctx(tmp)).diffIds()).isEqualTo(a.diffIds());
        assertThat(read("docker-archive:" + tar + ":kopi/b:1", ctx(tmp)).diffIds()).isEqualTo(b.diffIds());
        assertThat(read("docker-archive:" + tar + ":@0", ctx(tmp)).diffIds()).isEqualTo(a.diffIds());
        assertThat(read("docker-archive:" + tar + ":@1", ctx(tmp)).diffIds()).isEqualTo(b.diffIds());

        // kopi/a:1 moves to image b; image a stays, untagged, at @0
        copy("oci:" + layout + ":b", "docker-archive:" + tar + ":kopi/a:1", append());
        assertThat(read("docker-archive:" + tar + ":kopi/a:1", ctx(tmp)).diffIds()).isEqualTo(b.diffIds());
        assertThat(read("docker-archive:" + tar + ":@0", ctx(tmp)).diffIds()).isEqualTo(a.diffIds());
        JsonNode manifest = manifestJson(tar);
        assertThat(manifest.size()).isEqualTo(2);
        assertThat(manifest.get(0).path("RepoTags").size()).isZero();
        assertThat(manifest.get(1).path("RepoTags").toString())
                .isEqualTo("[\"docker.io/kopi/b:1\",\"docker.io/kopi/a:1\"]");
    }

    private static JsonNode manifestJson(Path tar) throws Exception {
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(Files.newInputStream(tar))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                if (e.getName().equals("manifest.json")) {
                    return Manifests.JSON.readTree(in.readAllBytes());
                }
            }
        }
        throw new AssertionError("no manifest.json");
    }

    @Test
    void ociArchiveAppendAddsATag() throws Exception {
        Path tar = tmp.resolve("multi-oci.tar");
        copy("oci:" + layout + ":a", "oci-archive:" + tar + ":a", options(tmp));
        copy("oci:" + layout + ":b", "oci-archive:" + tar + ":b", append());
        assertThat(read("oci-archive:" + tar + ":a", ctx(tmp)).manifest().bytes()).isEqualTo(a.manifest());
        assertThat(read("oci-archive:" + tar + ":b", ctx(tmp)).manifest().bytes()).isEqualTo(b.manifest());
        // without --append, skopeo's behaviour: the archive holds just the new image
        copy("oci:" + layout + ":b", "oci-archive:" + tar + ":b", options(tmp));
        assertThatThrownBy(() -> read("oci-archive:" + tar + ":a", ctx(tmp)))
                .hasMessageContaining("no descriptor found for reference \"a\"");
    }

    @Test
    void anIndexJsonListingOneManifestPerPlatformIsReadAsTheList() throws Exception {
        Path flat = tmp.resolve("flat");
        WrittenIndex idx = TestImages.multiPlatform(flat, "t", 61);
        // rewrite index.json as buildx-style tools write it: the platform manifests themselves, no nested index
        ManifestList nested = (ManifestList) Manifests.parse(idx.index(), MediaTypes.OCI_INDEX);
        ObjectNode top = Manifests.JSON.createObjectNode();
        top.put("schemaVersion", 2);
        top.put("mediaType", MediaTypes.OCI_INDEX);
        ArrayNode ms = top.putArray("manifests");
        for (var d : nested.instances()) {
            ObjectNode m = ms.addObject();
            m.put("mediaType", d.mediaType());
            m.put("digest", d.digest().toString());
            m.put("size", d.size());
            ObjectNode p = m.putObject("platform");
            p.put("architecture", d.platform().architecture());
            p.put("os", d.platform().os());
            if (!d.platform().variant().isEmpty()) {
                p.put("variant", d.platform().variant());
            }
        }
        byte[] indexJson = Manifests.JSON.writeValueAsBytes(top);
        Files.write(flat.resolve("index.json"), indexJson);

        Path out = tmp.resolve("out");
        CopyResult all = copy("oci:" + flat, "oci:" + out + ":all", options(tmp).multiArch(MultiArch.ALL));
        assertThat(all.manifest()).isEqualTo(indexJson);
        for (WrittenImage inst : idx.instances()) {
            assertThat(read("oci:" + out + ":all", ctx(tmp), Optional.of(inst.manifestDigest())).manifest().bytes())
                    .isEqualTo(inst.manifest());
        }
        ImageContext arm = ImageContext.builder().tmpDir(tmp).overrideOs("linux").overrideArch("arm64").build();
        CopyResult one = copy("oci:" + flat, "dir:" + tmp.resolve("arm"), options(tmp).src(arm));
        assertThat(one.manifestDigest()).isEqualTo(idx.instances().get(1).manifestDigest());
        // a tag or @index still names one entry, as in skopeo
        Path tagged = tmp.resolve("tagged");
        TestImages.singleLayer(tagged, "x", 1);
        TestImages.singleLayer(tagged, "y", 2);
        assertThatThrownBy(() -> copy("oci:" + tagged, "dir:" + tmp.resolve("t"), options(tmp)))
                .hasMessageContaining("more than one image in oci, choose an image");
    }
}
