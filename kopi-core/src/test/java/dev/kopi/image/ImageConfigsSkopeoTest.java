package dev.kopi.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.testkit.DirImages;
import dev.kopi.testkit.Skopeo;
import dev.kopi.testkit.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Golden tests against skopeo: the OCI config that {@code skopeo copy --format oci} derives from a Docker schema2
 * image equals, byte for byte, what {@link ImageConfigs#toOciConfigBytes} derives from the same config.
 * (Debian's skopeo 1.9.3 is built with an image-spec 1.1.0 pre-release that writes {@code variant} between
 * {@code architecture} and {@code os}; containers/image HEAD uses 1.1.1, which writes it after {@code os.features},
 * as kopi does. These configs avoid {@code variant}; ImageConfigsTest covers its order.)
 */
class ImageConfigsSkopeoTest {
    @TempDir
    Path tmp;

    @BeforeEach
    void needsSkopeo() {
        Skopeo.assumeInstalled();
    }

    private void assertSameConversionAsSkopeo(Path v2s2Dir) throws Exception {
        assertThat(DirImages.manifest(v2s2Dir).get("mediaType").asText())
                .isEqualTo("application/vnd.docker.distribution.manifest.v2+json");
        Path oci = tmp.resolve("converted-" + v2s2Dir.getFileName());
        Skopeo.copy("dir:" + v2s2Dir, "dir:" + oci, "--format", "oci");
        assertThat(DirImages.manifest(oci).get("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
        byte[] theirs = DirImages.config(oci);
        byte[] ours = ImageConfigs.toOciConfigBytes(DirImages.config(v2s2Dir));
        assertThat(new String(ours, StandardCharsets.UTF_8)).isEqualTo(new String(theirs, StandardCharsets.UTF_8));
    }

    @Test
    void testImagesConfigConvertsAsSkopeoConvertsIt() throws Exception {
        Path layout = tmp.resolve("layout");
        TestImages.multiLayer(layout, "t", 11);
        Path v2s2 = tmp.resolve("v2s2");
        Skopeo.copy("oci:" + layout + ":t", "dir:" + v2s2, "--format", "v2s2");
        assertSameConversionAsSkopeo(v2s2);
    }

    @Test
    void richDockerConfigConvertsAsSkopeoConvertsIt() throws Exception {
        byte[] layer = DirImages.gzip(DirImages.layerTar("etc/motd", "hi\n"));
        byte[] emptyLayerTar = DirImages.layerTar();
        String diff1 = dev.kopi.digest.Digest.sha256(DirImages.layerTar("etc/motd", "hi\n")).toString();
        String diff2 = dev.kopi.digest.Digest.sha256(emptyLayerTar).toString();
        // A Docker config with fields OCI drops (container_config, docker_version, Hostname, Image, ...), the ones it
        // keeps, unsorted maps, fractional seconds with trailing zeros, an offset, and empty_layer history entries.
        String config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"os.version\":\"10.0.1\","
                + "\"author\":\"Jane <jane@example.com> & co\","
                + "\"container\":\"0123\",\"docker_version\":\"20.10.7\","
                + "\"created\":\"2023-05-06T07:08:09.123456700Z\","
                + "\"container_config\":{\"Hostname\":\"x\",\"Cmd\":[\"/bin/sh\"]},"
                + "\"config\":{\"Hostname\":\"abc\",\"Domainname\":\"\",\"User\":\"app:app\",\"AttachStdin\":false,"
                + "\"ExposedPorts\":{\"8080/tcp\":{},\"53/udp\":{},\"443/tcp\":{}},"
                + "\"Tty\":false,\"Env\":[\"PATH=/usr/bin:/bin\",\"LANG=C.UTF-8\",\"X=<&>\"],"
                + "\"Cmd\":[\"--serve\",\"--port=8080\"],\"Healthcheck\":{\"Test\":[\"CMD\",\"true\"]},"
                + "\"Image\":\"sha256:abcd\",\"Volumes\":{\"/var/lib/data\":{},\"/cache\":{}},"
                + "\"WorkingDir\":\"/srv\",\"Entrypoint\":[\"/usr/bin/app\"],\"OnBuild\":null,"
                + "\"Labels\":{\"z.last\":\"1\",\"a.first\":\"2\",\"org.opencontainers.image.title\":\"t\\u2028x\",\"empty\":\"\"},"
                + "\"StopSignal\":\"SIGTERM\",\"Shell\":[\"/bin/bash\",\"-c\"]},"
                + "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + diff1 + "\",\"" + diff2 + "\"]},"
                + "\"history\":["
                + "{\"created\":\"2023-05-06T07:08:09.5+02:00\",\"created_by\":\"/bin/sh -c #(nop) ADD file\"},"
                + "{\"created\":\"2023-05-06T07:08:10Z\",\"created_by\":\"/bin/sh -c #(nop)  CMD [\\\"sh\\\"]\","
                + "\"empty_layer\":true,\"comment\":\"a comment\",\"author\":\"someone\"},"
                + "{\"created\":\"2023-05-06T07:08:11.000000001Z\",\"created_by\":\"RUN true\",\"empty_layer\":false},"
                + "{\"created_by\":\"LABEL x=y\",\"empty_layer\":true}]}";
        Path v2s2 = tmp.resolve("rich");
        DirImages.writeSchema2(v2s2, config.getBytes(StandardCharsets.UTF_8),
                List.of(layer, DirImages.gzip(emptyLayerTar)));
        assertSameConversionAsSkopeo(v2s2);
    }

    @Test
    void minimalDockerConfigConvertsAsSkopeoConvertsIt() throws Exception {
        // No created, no config, no history; empty maps and lists are omitted, diff_ids kept.
        String config = "{\"architecture\":\"arm64\",\"os\":\"linux\",\"config\":{\"Env\":[],\"Labels\":{},"
                + "\"ExposedPorts\":null,\"Volumes\":{}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]},"
                + "\"history\":[]}";
        Path v2s2 = tmp.resolve("minimal");
        DirImages.writeSchema2(v2s2, config.getBytes(StandardCharsets.UTF_8), List.of());
        assertSameConversionAsSkopeo(v2s2);
    }

    @Test
    void configWithoutRootfsConvertsAsSkopeoConvertsIt() throws Exception {
        String config = "{\"architecture\":\"s390x\",\"os\":\"linux\",\"created\":\"2001-02-03T04:05:06+00:00\"}";
        Path v2s2 = tmp.resolve("norootfs");
        DirImages.writeSchema2(v2s2, config.getBytes(StandardCharsets.UTF_8), List.of());
        assertSameConversionAsSkopeo(v2s2);
    }

    @Test
    void keysInAnotherCaseConvertAsSkopeoConvertsThem() throws Exception {
        // Go's encoding/json matches struct fields case-insensitively; the last matching key wins
        String config = "{\"Architecture\":\"amd64\",\"OS\":\"linux\",\"Created\":\"2020-01-01T00:00:00Z\","
                + "\"CONFIG\":{\"env\":[\"A=1\"],\"cmd\":[\"x\"],\"labels\":{\"K\":\"v\"},\"USER\":\"u\","
                + "\"exposedports\":{\"1/tcp\":{}}},"
                + "\"RootFS\":{\"Type\":\"layers\",\"DIFF_IDS\":[]},"
                + "\"History\":[{\"Created_By\":\"c\",\"EMPTY_LAYER\":true}],\"os\":\"windows\"}";
        Path v2s2 = tmp.resolve("cases");
        DirImages.writeSchema2(v2s2, config.getBytes(StandardCharsets.UTF_8), List.of());
        assertSameConversionAsSkopeo(v2s2);
    }
}
