package dev.kopi.copy;

import static dev.kopi.copy.CopyTesting.copy;
import static dev.kopi.copy.CopyTesting.options;
import static dev.kopi.copy.CopyTesting.read;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.blob.CompressionAlgorithm;
import dev.kopi.manifest.MediaTypes;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;

/** Copier round trips across every ordered pair of dir, oci, oci-archive and docker-archive. */
class CopierRoundTripTest {
    private static final List<String> KINDS = List.of("dir", "oci", "oci-archive", "docker-archive");

    @TempDir
    Path tmp;

    static Stream<Arguments> pairs() {
        List<Arguments> out = new ArrayList<>();
        for (String a : KINDS) {
            for (String b : KINDS) {
                out.add(Arguments.of(a, b));
            }
        }
        return out.stream();
    }

    /** The name to write an image of {@code kind} at {@code base}, and the name to read it back. */
    private static String[] names(String kind, Path base) {
        return switch (kind) {
            case "dir" -> new String[] {"dir:" + base, "dir:" + base};
            case "oci" -> new String[] {"oci:" + base + ":img", "oci:" + base + ":img"};
            case "oci-archive" -> new String[] {"oci-archive:" + base + ".tar:img", "oci-archive:" + base + ".tar:img"};
            case "docker-archive" -> new String[] {"docker-archive:" + base + ".tar:example.com/kopi/test:v1",
                "docker-archive:" + base + ".tar"};
            default -> throw new IllegalArgumentException(kind);
        };
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("pairs")
    void copiesAMultiLayerImage(String from, String to) throws Exception {
        Path layout = tmp.resolve("origin");
        WrittenImage origin = TestImages.multiLayer(layout, "t", 21);
        String originName = "oci:" + layout + ":t";

        String[] src = names(from, tmp.resolve("src"));
        String srcRead = originName;
        if (!from.equals("oci")) {
            copy(originName, src[0], options(tmp));
            srcRead = src[1];
        }
        String[] dest = names(to, tmp.resolve("dest"));
        CopyResult result = copy(srcRead, dest[0], options(tmp));

        CopyTesting.Image got = read(dest[1], CopyTesting.ctx(tmp));
        // whatever the transports, the uncompressed layers and the config's diff_ids survive
        assertThat(got.diffIds()).isEqualTo(origin.diffIds());
        assertThat(got.configDiffIds()).isEqualTo(origin.diffIds().stream().map(Object::toString).toList());
        assertThat(got.configJson().get("architecture").asText()).isEqualTo("amd64");
        assertThat(got.configJson().get("config").get("Env").get(1).asText()).isEqualTo("KOPI_TEST=1");
        // the result describes what was written (docker-archive stores no manifest: its source makes one up)
        if (!to.equals("docker-archive")) {
            assertThat(result.manifest()).isEqualTo(got.manifest().bytes());
            assertThat(result.manifestDigest()).isEqualTo(got.manifestDigest());
        }

        boolean viaDockerArchive = from.equals("docker-archive") || to.equals("docker-archive");
        if (!viaDockerArchive) {
            // dir, oci and oci-archive all store the OCI image as it is: same manifest, config and layer blobs
            assertThat(got.manifest().bytes()).isEqualTo(origin.manifest());
            assertThat(got.manifestDigest()).isEqualTo(origin.manifestDigest());
            assertThat(got.parsed().config().digest()).isEqualTo(origin.configDigest());
            assertThat(got.layerDigests()).isEqualTo(origin.layers());
            assertThat(got.layers()).extracting(CopyTesting.Layer::mediaType).containsOnly(MediaTypes.OCI_LAYER_GZIP);
        } else if (to.equals("docker-archive") || to.equals("dir")) {
            // docker-archive stores schema2 with uncompressed layers; dir keeps that as it is. Like containers/image,
            // the docker-archive source calls its uncompressed layers tar.gzip, and a preserving copy keeps that.
            assertThat(got.manifest().mediaType()).isEqualTo(MediaTypes.DOCKER_V2S2);
            assertThat(got.layerDigests()).isEqualTo(origin.diffIds());
            assertThat(got.layers()).extracting(CopyTesting.Layer::compression).containsOnly(Optional.empty());
            assertThat(got.layers()).extracting(CopyTesting.Layer::mediaType)
                    .containsOnly(MediaTypes.DOCKER_LAYER_GZIP);
        } else {
            // from docker-archive into an OCI layout: converted to OCI, layers compressed again
            assertThat(got.manifest().mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
            assertThat(got.layers()).extracting(CopyTesting.Layer::compression)
                    .containsOnly(Optional.of(CompressionAlgorithm.GZIP));
            assertThat(got.layers()).extracting(CopyTesting.Layer::mediaType).containsOnly(MediaTypes.OCI_LAYER_GZIP);
            assertThat(got.parsed().config().mediaType()).isEqualTo(MediaTypes.OCI_CONFIG);
        }
    }
}
