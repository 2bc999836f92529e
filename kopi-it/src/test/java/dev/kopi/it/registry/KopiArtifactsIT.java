package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Sandbox;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 8 item 2: non-image OCI 1.1 artifacts (a Helm chart: a non-image config type; an SBOM: {@code artifactType},
 * the empty config, a {@code subject}, a JSON layer) copy byte for byte between an oci layout and the real registry,
 * and {@code inspect} describes them where skopeo fails.
 */
class KopiArtifactsIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String HELM_CONFIG = "application/vnd.cncf.helm.config.v1+json";

    @TempDir
    Path tmp;
    private Sandbox sb;
    private Path layout;
    private byte[] chart;
    private byte[] sbom;

    static Stream<Arguments> artifacts() {
        return Stream.of(Arguments.of("chart", HELM_CONFIG, "application/vnd.cncf.helm.chart.content.v1.tar+gzip"),
                Arguments.of("sbom", "application/spdx+json", "application/spdx+json"));
    }

    private static String sha256(byte[] b) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private String blob(byte[] b) throws IOException {
        String d = sha256(b);
        Files.write(layout.resolve("blobs/sha256/" + d.substring(7)), b);
        return d;
    }

    private static String desc(String mediaType, String digest, int size) {
        return "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size + "}";
    }

    @BeforeEach
    void layout() throws IOException {
        sb = new Sandbox(tmp.resolve("sb"));
        layout = tmp.resolve("artifacts");
        Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        byte[] config = "{\"name\":\"mychart\",\"version\":\"0.1.0\",\"apiVersion\":\"v2\"}".getBytes(StandardCharsets.UTF_8);
        byte[] content = new byte[3000];
        new Random(8).nextBytes(content);
        content[0] = 0x1f; // looks gzip-compressed, as a chart is
        content[1] = (byte) 0x8b;
        chart = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                + desc(HELM_CONFIG, blob(config), config.length) + ",\"layers\":["
                + desc("application/vnd.cncf.helm.chart.content.v1.tar+gzip", blob(content), content.length)
                + "],\"annotations\":{\"org.opencontainers.image.created\":\"2024-01-01T00:00:00Z\"}}")
                .getBytes(StandardCharsets.UTF_8);
        String chartDigest = blob(chart);
        byte[] spdx = "{\"spdxVersion\":\"SPDX-2.3\",\"name\":\"mychart\"}".getBytes(StandardCharsets.UTF_8);
        byte[] empty = "{}".getBytes(StandardCharsets.UTF_8);
        sbom = ("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
                + "\"artifactType\":\"application/spdx+json\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\","
                + "\"digest\":\"" + blob(empty) + "\",\"size\":2,\"data\":\"e30=\"},\"layers\":["
                + desc("application/spdx+json", blob(spdx), spdx.length) + "],\"subject\":"
                + desc("application/vnd.oci.image.manifest.v1+json", chartDigest, chart.length) + "}")
                .getBytes(StandardCharsets.UTF_8);
        String sbomDigest = blob(sbom);
        Files.writeString(layout.resolve("index.json"), "{\"schemaVersion\":2,\"manifests\":["
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + chartDigest
                + "\",\"size\":" + chart.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"chart\"}},"
                + "{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + sbomDigest
                + "\",\"size\":" + sbom.length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"sbom\"}}]}");
    }

    private byte[] manifest(String name) {
        return name.equals("chart") ? chart : sbom;
    }

    /** oci -> registry -> oci with kopi: every manifest and blob byte for byte; skopeo reads what kopi pushed. */
    @ParameterizedTest
    @MethodSource("artifacts")
    void copiesByteForByte(String name, String artifactType, String layerType) throws IOException {
        String ref = REGISTRY.ref("artifacts/" + name + ":v1");
        sb.kopi(args("copy", REGISTRY.destArgs(), "oci:" + layout + ":" + name, ref)).assertSuccess();
        CommandResult raw = sb.skopeo(args("inspect", "--raw", REGISTRY.tlsArgs(), ref)).assertSuccess();
        assertThat(raw.stdoutBytes()).as("manifest in the registry").isEqualTo(manifest(name));
        JsonNode m = JSON.readTree(manifest(name));
        for (JsonNode layer : m.path("layers")) {
            assertThat(REGISTRY.hasBlob("artifacts/" + name, layer.path("digest").asText())).isTrue();
        }
        assertThat(REGISTRY.hasBlob("artifacts/" + name, m.path("config").path("digest").asText())).isTrue();

        Path back = sb.path("back-" + name);
        sb.kopi(args("copy", REGISTRY.srcArgs(), ref, "oci:" + back + ":" + name)).assertSuccess();
        CommandResult again = sb.skopeo("inspect", "--raw", "oci:" + back + ":" + name).assertSuccess();
        assertThat(again.stdoutBytes()).as("manifest after the round trip").isEqualTo(manifest(name));
        for (JsonNode layer : m.path("layers")) {
            String hex = layer.path("digest").asText().substring(7);
            assertThat(back.resolve("blobs/sha256/" + hex)).hasSameBinaryContentAs(layout.resolve("blobs/sha256/" + hex));
        }
        assertThat(layerType).isEqualTo(m.path("layers").get(0).path("mediaType").asText());
    }

    /** skopeo fails to inspect an artifact; kopi describes it, in an oci layout and in the registry. */
    @ParameterizedTest
    @MethodSource("artifacts")
    void inspectDescribesArtifacts(String name, String artifactType, String layerType) throws IOException {
        String oci = "oci:" + layout + ":" + name;
        CommandResult skopeo = sb.skopeo("inspect", oci);
        skopeo.assertExit(1);
        assertThat(skopeo.stderr()).contains("unsupported image-specific operation on artifact with type");

        String ref = REGISTRY.ref("artifacts-inspect/" + name + ":v1");
        sb.kopi(args("copy", REGISTRY.destArgs(), oci, ref)).assertSuccess();
        for (String[] a : new String[][] {{"inspect", oci}, args("inspect", REGISTRY.tlsArgs(), ref)}) {
            JsonNode out = JSON.readTree(sb.kopi(a).assertSuccess().stdoutBytes());
            assertThat(out.path("Digest").asText()).isEqualTo(sha256(manifest(name)));
            assertThat(out.path("ArtifactType").asText()).isEqualTo(artifactType);
            assertThat(out.path("LayersData").get(0).path("MIMEType").asText()).isEqualTo(layerType);
            assertThat(out.path("Layers").get(0).asText())
                    .isEqualTo(JSON.readTree(manifest(name)).path("layers").get(0).path("digest").asText());
            assertThat(out.path("Architecture").asText()).isEmpty();
        }
        assertThat(sb.kopi("inspect", "--format", "{{.ArtifactType}}", oci).assertSuccess().stdout().trim())
                .isEqualTo(artifactType);
    }
}
