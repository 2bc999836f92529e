package dev.kopi.transport.sif;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.digest.Digest;
import dev.kopi.image.RawManifest;
import dev.kopi.json.GoJson;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.testkit.SifWriter;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageSource;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.UUID;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SifImageSourceTest {
    /** A config skopeo 1.9.3 generated (`skopeo inspect --config --raw sif:F`) for a SIF with a %runscript. */
    private static final String SKOPEO_CONFIG = "{\"created\":\"2023-11-14T22:13:20Z\",\"architecture\":\"amd64\","
            + "\"os\":\"linux\",\"config\":{\"Cmd\":[\"/podman/runscript\"]},\"rootfs\":{\"type\":\"layers\","
            + "\"diff_ids\":[\"sha256:1028964c86f06f05f3443e3ef09fc6d29175e0c4d966d2096f990531b43c4e05\"]},"
            + "\"history\":[{\"created\":\"2023-11-14T22:13:20Z\",\"created_by\":\"/bin/sh -c #(nop) ADD file:"
            + "1028964c86f06f05f3443e3ef09fc6d29175e0c4d966d2096f990531b43c4e05 in /\",\"comment\":\"imported from "
            + "SIF, uuid: 12345678-1234-5678-1234-567812345678\"},{\"created\":\"2023-11-14T22:13:20Z\","
            + "\"created_by\":\"/bin/sh -c #(nop) CMD [\\\"bash\\\"]\",\"empty_layer\":true}]}";
    /** The manifest skopeo 1.9.3 generated (`skopeo inspect --raw sif:F`). */
    private static final String SKOPEO_MANIFEST = "{\"schemaVersion\":2,\"mediaType\":"
            + "\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":"
            + "\"application/vnd.oci.image.config.v1+json\",\"digest\":"
            + "\"sha256:72d9f6776bd36c13805e7ebaca69af053de7c037a8e588807aba4924e4f8924d\",\"size\":558},"
            + "\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":"
            + "\"sha256:62fbf114f3488ec796573cc5d8e27528067174a29f2f7cbfb76b2d48c01541c0\",\"size\":20480}]}";
    private static final String DEF = "Bootstrap: docker\nFrom: busybox\n\n%environment\n  export FOO=bar\n"
            + "  # comment\n\n%runscript\n  echo \"run $@\"\n\n  exec /bin/sh\n%labels\n  a b\n";

    @TempDir
    Path tmp;

    @Test
    void configIsByteIdenticalToContainersImages() {
        Digest layer = Digest.of("sha256:1028964c86f06f05f3443e3ef09fc6d29175e0c4d966d2096f990531b43c4e05");
        byte[] config = GoJson.marshal(SifImageSource.config("2023-11-14T22:13:20Z", "amd64",
                List.of("/podman/runscript"), layer, "12345678-1234-5678-1234-567812345678"));
        assertThat(new String(config, StandardCharsets.UTF_8)).isEqualTo(SKOPEO_CONFIG);
        assertThat(Digest.sha256(config)).hasToString(
                "sha256:340975405132aea994bfe925a9f49fecb7f9711d67b8620bf01971345245f17f");
    }

    @Test
    void manifestIsByteIdenticalToContainersImages() {
        byte[] m = GoJson.marshal(SifImageSource.manifest(
                Digest.of("sha256:72d9f6776bd36c13805e7ebaca69af053de7c037a8e588807aba4924e4f8924d"), 558,
                Digest.of("sha256:62fbf114f3488ec796573cc5d8e27528067174a29f2f7cbfb76b2d48c01541c0"), 20480));
        assertThat(new String(m, StandardCharsets.UTF_8)).isEqualTo(SKOPEO_MANIFEST);
    }

    @Test
    void createdIsTheModificationTimeInTheLocalZone() throws Exception {
        SifReference ref = new SifReference("x.sif", Path.of("/x.sif"));
        TimeZone saved = TimeZone.getDefault();
        try {
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
            assertThat(SifImageSource.created(1_700_000_000L, ref)).isEqualTo("2023-11-14T22:13:20Z");
            TimeZone.setDefault(TimeZone.getTimeZone("Europe/Berlin"));
            assertThat(SifImageSource.created(1_700_000_000L, ref)).isEqualTo("2023-11-14T23:13:20+01:00");
            assertThat(SifImageSource.created(0, ref)).isEqualTo("1970-01-01T01:00:00+01:00");
            TimeZone.setDefault(TimeZone.getTimeZone("UTC"));
            assertThatThrownBy(() -> SifImageSource.created(Long.MAX_VALUE, ref)).hasMessage(
                    "generating configuration blob for \"/x.sif\": json: error calling MarshalJSON for type "
                            + "*time.Time: Time.MarshalJSON: year outside of range [0,9999]");
            assertThatThrownBy(() -> SifImageSource.created(-62_167_219_201L, ref)).hasMessageContaining(
                    "year outside of range");
        } finally {
            TimeZone.setDefault(saved);
        }
    }

    private static void assumeTools() {
        for (String t : List.of("mksquashfs", "unsquashfs", "fakeroot")) {
            Assumptions.assumeTrue(onPath(t), t + " is not installed (squashfs-tools, fakeroot)");
        }
    }

    private static boolean onPath(String name) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, name))) {
                return true;
            }
        }
        return false;
    }

    private Path sif(String name, String deffile) throws Exception {
        Path tree = tmp.resolve(name + "-tree");
        SifWriter.sampleTree(tree);
        Path sqfs = SifWriter.mksquashfs(tree, tmp.resolve(name + ".sqfs"));
        SifWriter w = new SifWriter().id(UUID.fromString("12345678-1234-5678-1234-567812345678")).time(1_700_000_000L);
        if (deffile != null) {
            w.deffile(deffile);
        }
        return w.primaryPartition(sqfs, "arm64").write(tmp.resolve(name + ".sif"));
    }

    @Test
    void convertsTheSquashfsIntoALayerWithTheInjectedRunscript() throws Exception {
        assumeTools();
        Path file = sif("def", DEF);
        Path work = Files.createDirectories(tmp.resolve("work"));
        SifReference ref = (SifReference) SifTransport.INSTANCE.parseReference(file.toString());
        try (ImageSource src = ref.newImageSource(ImageContext.builder().tmpDir(work).build())) {
            try (var l = Files.list(work)) {
                assertThat(l.map(p -> p.getFileName().toString()).toList()).singleElement().asString()
                        .matches("container_images_sif[0-9]+");
            }
            RawManifest m = src.fetchManifest(Optional.empty());
            assertThat(m.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
            JsonNode mj = new ObjectMapper().readTree(m.bytes());
            Digest configDigest = Digest.of(mj.path("config").path("digest").asText());
            Digest layerDigest = Digest.of(mj.path("layers").get(0).path("digest").asText());
            assertThat(mj.path("layers").get(0).path("mediaType").asText()).isEqualTo(MediaTypes.OCI_LAYER);

            byte[] config = readBlob(src, configDigest);
            assertThat(Digest.sha256(config)).isEqualTo(configDigest);
            assertThat(mj.path("config").path("size").asLong()).isEqualTo(config.length);
            String expectedConfig = new String(GoJson.marshal(SifImageSource.config(
                    SifImageSource.created(1_700_000_000L, ref), "arm64", List.of("/podman/runscript"), layerDigest,
                    "12345678-1234-5678-1234-567812345678")), StandardCharsets.UTF_8);
            assertThat(new String(config, StandardCharsets.UTF_8)).isEqualTo(expectedConfig);

            byte[] layer = readBlob(src, layerDigest);
            assertThat(Digest.sha256(layer)).isEqualTo(layerDigest);
            assertThat(mj.path("layers").get(0).path("size").asLong()).isEqualTo(layer.length);
            Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
            Map<String, String> contents = new LinkedHashMap<>();
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new java.io.ByteArrayInputStream(layer))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    entries.put(e.getName(), e);
                    if (e.isFile()) {
                        contents.put(e.getName(), new String(tar.readAllBytes(), StandardCharsets.UTF_8));
                    }
                }
            }
            assertThat(entries.keySet()).containsExactlyInAnyOrder("./", "./etc/", "./etc/conf.d/",
                    "./etc/conf.d/app.conf", "./etc/hello.txt", "./etc/empty", "./bin/", "./bin/tool", "./bin/link",
                    "./var/", "./var/empty/", "./podman/", "./podman/runscript");
            assertThat(contents).containsEntry("./etc/hello.txt", "hello from a SIF\n")
                    .containsEntry("./podman/runscript", "#!/bin/bash\nexport FOO=bar\necho \"run $@\"\n\nexec /bin/sh\n");
            TarArchiveEntry hello = entries.get("./etc/hello.txt");
            assertThat(hello.getLongUserId()).as("owner kept through fakeroot").isEqualTo(1000);
            assertThat(hello.getLongGroupId()).isEqualTo(100);
            assertThat(hello.getModTime().getTime()).isEqualTo(1_577_934_245_000L);
            assertThat(entries.get("./etc/conf.d/app.conf").getMode() & 07777).isEqualTo(0600);
            assertThat(entries.get("./bin/link").getLinkName()).isEqualTo("tool");
            assertThat(entries.get("./podman/runscript").getMode() & 0777).isEqualTo(0755 & ~umask());

            assertThatThrownBy(() -> src.openBlob(new BlobInfo(Digest.sha256(new byte[1]), -1, null)))
                    .hasMessage("no blob with digest \"" + Digest.sha256(new byte[1]) + "\" found");
            assertThatThrownBy(() -> src.fetchManifest(Optional.of(layerDigest)))
                    .hasMessage("manifest lists are not supported by the sif transport");
            assertThat(src.fetchSignatures(Optional.empty())).isEmpty();
        }
        try (var l = Files.list(work)) {
            assertThat(l).as("temporary directory removed on close").isEmpty();
        }
    }

    @Test
    void withoutDefFileTheCommandIsBashAndNothingIsInjected() throws Exception {
        assumeTools();
        Path file = sif("plain", null);
        Path work = Files.createDirectories(tmp.resolve("work"));
        try (ImageSource src = SifTransport.INSTANCE.parseReference(file.toString())
                .newImageSource(ImageContext.builder().tmpDir(work).build())) {
            JsonNode mj = new ObjectMapper().readTree(src.fetchManifest(Optional.empty()).bytes());
            JsonNode config = new ObjectMapper().readTree(readBlob(src,
                    Digest.of(mj.path("config").path("digest").asText())));
            assertThat(config.path("config").path("Cmd").toString()).isEqualTo("[\"bash\"]");
            assertThat(config.path("architecture").asText()).isEqualTo("arm64");
            byte[] layer = readBlob(src, Digest.of(mj.path("layers").get(0).path("digest").asText()));
            try (TarArchiveInputStream tar = new TarArchiveInputStream(new java.io.ByteArrayInputStream(layer))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    assertThat(e.getName()).doesNotStartWith("./podman");
                }
            }
        }
    }

    @Test
    void noPrimaryPartitionFailsAndLeavesNoTemporaryFiles() throws Exception {
        Path file = new SifWriter().deffile(DEF).partition(new byte[100], SifWriter.PART_DATA, "amd64")
                .write(tmp.resolve("data.sif"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        assertThatThrownBy(() -> SifTransport.INSTANCE.parseReference(file.toString())
                .newImageSource(ImageContext.builder().tmpDir(work).build()))
                .hasMessage("converting rootfs from SquashFS to Tarball: looking up rootfs from SIF file: "
                        + "object not found");
        try (var l = Files.list(work)) {
            assertThat(l).isEmpty();
        }
    }

    @Test
    void aPartitionThatIsNotSquashfsFailsWithTheConversionOutput() throws Exception {
        assumeTools();
        Path file = new SifWriter().partition("garbage".repeat(100).getBytes(StandardCharsets.US_ASCII),
                SifWriter.PART_PRIMSYS, "amd64").write(tmp.resolve("garbage.sif"));
        Path work = Files.createDirectories(tmp.resolve("work"));
        assertThatThrownBy(() -> SifTransport.INSTANCE.parseReference(file.toString())
                .newImageSource(ImageContext.builder().tmpDir(work).build()))
                .hasMessageStartingWith("converting rootfs from SquashFS to Tarball: converting image: exit status ")
                .hasMessageContaining(", output: ")
                .hasMessageContaining("rootfs.squashfs");
        try (var l = Files.list(work)) {
            assertThat(l).isEmpty();
        }
    }

    private static byte[] readBlob(ImageSource src, Digest d) throws Exception {
        try (BlobStream b = src.openBlob(new BlobInfo(d, -1, null))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            b.stream().transferTo(out);
            assertThat(b.size()).isEqualTo(out.size());
            return out.toByteArray();
        }
    }

    private static int umask() throws Exception {
        for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (l.startsWith("Umask:")) {
                return Integer.parseInt(l.substring(6).trim(), 8);
            }
        }
        return 022;
    }
}
