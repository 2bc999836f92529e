package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code copy --format oci|v2s2}: kopi converts exactly as skopeo does (same manifest bytes, same blobs), skopeo reads
 * the result back, and a conversion the destination cannot store fails the same way.
 */
class FormatConversionIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String OCI = "application/vnd.oci.image.manifest.v1+json";
    private static final String V2S2 = "application/vnd.docker.distribution.manifest.v2+json";
    private static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
    private static final String V2_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    @TempDir
    Path tmp;

    /**
     * @param img the fixture
     * @param source how the source is prepared by skopeo: {@code oci} (the fixture itself), {@code dir-v2s2} (dir:
     *     with a v2s2 manifest) or {@code docker-archive}
     * @param format the {@code --format} value
     * @param dst destination transport
     * @param expectedType the manifest type expected at the destination, or null when the copy must fail
     */
    record Case(TestImage img, String source, String format, LocalTransport dst, String expectedType) {
        @Override
        public String toString() {
            return img + " from " + source + " --format " + format + " to " + dst;
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case(TestImage.SINGLE, "oci", "v2s2", LocalTransport.DIR, V2S2),
                new Case(TestImage.MULTI, "oci", "v2s2", LocalTransport.DIR, V2S2),
                new Case(TestImage.MULTI, "oci", "v2s2", LocalTransport.DOCKER_ARCHIVE, V2S2),
                new Case(TestImage.MULTI, "oci", "oci", LocalTransport.DIR, OCI),
                new Case(TestImage.MULTI, "oci", "oci", LocalTransport.DOCKER_ARCHIVE, null),
                new Case(TestImage.MULTI, "dir-v2s2", "oci", LocalTransport.DIR, OCI),
                new Case(TestImage.MULTI, "dir-v2s2", "oci", LocalTransport.OCI, OCI),
                new Case(TestImage.SINGLE, "dir-v2s2", "oci", LocalTransport.OCI_ARCHIVE, OCI),
                new Case(TestImage.MULTI, "dir-v2s2", "v2s2", LocalTransport.DIR, V2S2),
                new Case(TestImage.MULTI, "docker-archive", "oci", LocalTransport.DIR, OCI),
                new Case(TestImage.SINGLE, "docker-archive", "oci", LocalTransport.OCI_ARCHIVE, OCI),
                new Case(TestImage.INDEX, "oci", "v2s2", LocalTransport.DIR, V2_LIST),
                new Case(TestImage.INDEX, "oci", "oci", LocalTransport.OCI, OCI_INDEX));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void convertsLikeSkopeo(Case c) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String src = switch (c.source()) {
            case "oci" -> c.img().ociRef();
            case "dir-v2s2" -> {
                String ref = "dir:" + sb.path("src-v2s2");
                sb.skopeo(Images.copy(c.img(), false, c.img().ociRef(), ref, "--format", "v2s2")).assertSuccess();
                yield ref;
            }
            case "docker-archive" -> {
                String ref = LocalTransport.DOCKER_ARCHIVE.ref(sb.root(), "src");
                sb.skopeo(Images.copy(c.img(), false, c.img().ociRef(), ref)).assertSuccess();
                yield ref;
            }
            default -> throw new IllegalArgumentException(c.source());
        };
        String byKopi = c.dst().ref(sb.root(), "bykopi");
        String bySkopeo = c.dst().ref(sb.root(), "byskopeo");
        CommandResult kopi = sb.kopi(Images.copy(c.img(), true, src, byKopi, "--format", c.format()));
        CommandResult skopeo = sb.skopeo(Images.copy(c.img(), false, src, bySkopeo, "--format", c.format()));

        if (c.expectedType() == null) {
            assertThat(skopeo.exitCode()).as("skopeo refuses this conversion: %s", skopeo).isEqualTo(1);
            kopi.assertExit(1);
            kopi.assertOneFatalLine();
            return;
        }
        kopi.assertSuccess();
        skopeo.assertSuccess();
        byte[] raw = sb.skopeo("inspect", "--raw", byKopi).assertSuccess().stdoutBytes();
        assertThat(JSON.readTree(raw).path("mediaType").asText()).as("manifest type written by kopi")
                .isEqualTo(c.expectedType());
        String skopeoRaw = sb.skopeo("inspect", "--raw", bySkopeo).assertSuccess().stdout();
        if (c.source().equals("docker-archive") && c.dst() != LocalTransport.DIR) {
            // Uncompressed docker-archive layers get gzip-compressed for an OCI destination. Go's and zlib's deflate
            // produce different (equally valid) bytes (KNOWN_DIFFERENCES.md), so compare everything but the
            // compressed layers' digests and sizes, and compare the layers' content after decompression.
            assertThat(Images.maskLayers(new String(raw))).as("manifest kopi wrote vs skopeo's, layer digests masked")
                    .isEqualTo(Images.maskLayers(skopeoRaw));
            assertThat(sb.skopeo("inspect", "--config", "--raw", byKopi).assertSuccess().stdout())
                    .as("config kopi wrote vs skopeo's")
                    .isEqualTo(sb.skopeo("inspect", "--config", "--raw", bySkopeo).assertSuccess().stdout());
            Images.assertSameUncompressedLayers(sb, c.img(), byKopi, bySkopeo);
            return;
        }
        assertThat(new String(raw)).as("manifest kopi wrote vs skopeo's").isEqualTo(skopeoRaw);
        Images.assertSameImage(sb, c.img(), c.dst(), byKopi, c.dst().path(sb.root(), "bykopi"), bySkopeo,
                c.dst().path(sb.root(), "byskopeo"));
    }

}
