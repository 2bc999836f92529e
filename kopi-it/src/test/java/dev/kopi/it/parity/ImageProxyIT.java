package dev.kopi.it.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.it.Kopi;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.it.Tools;
import dev.kopi.it.registry.RegistryServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@code experimental-image-proxy}: {@link ImageProxyClient} (test code) reads the manifest, the config and every
 * layer of registry images through kopi and through skopeo 1.9.3 (protocol 0.2.3, which lacks the newer calls),
 * and both must give the same answers, with digests that check out. The calls newer than 0.2.3 and the error
 * replies are checked against the protocol's rules.
 */
class ImageProxyIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    @BeforeAll
    static void push() {
        Sandbox sb = new Sandbox(shared.resolve("push"));
        for (TestImage img : TestImage.values()) {
            sb.skopeo("copy", "--all", "--dest-tls-verify=false", img.ociRef(), ref(img)).assertSuccess();
        }
    }

    private static String ref(TestImage img) {
        return "docker://" + REGISTRY.hostPort() + "/proxy/" + img.tag() + ":1";
    }

    /** What a client learns of one image. */
    record Seen(String manifestDigest, String manifest, JsonNode config, JsonNode fullConfig,
            Map<String, Integer> layerSizes) {
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(TestImage.class)
    void kopiAndSkopeoGiveTheSameAnswers(TestImage img) throws IOException {
        Seen kopi = read("kopi", img);
        Seen skopeo = read("skopeo", img);
        assertThat(kopi.manifestDigest()).isEqualTo(skopeo.manifestDigest());
        assertThat(kopi.manifest()).isEqualTo(skopeo.manifest());
        assertThat(kopi.config()).isEqualTo(skopeo.config());
        assertThat(kopi.fullConfig()).isEqualTo(skopeo.fullConfig());
        assertThat(kopi.layerSizes()).isEqualTo(skopeo.layerSizes()).isNotEmpty();
    }

    private Seen read(String tool, TestImage img) throws IOException {
        try (ImageProxyClient c = start(tool)) {
            String version = c.value("Initialize").asText();
            assertThat(version).isEqualTo(tool.equals("kopi") ? "0.2.8" : "0.2.3");
            long id = c.value("OpenImage", ref(img)).asLong();
            assertThat(id).isPositive();
            ImageProxyClient.Piped m = c.piped("GetManifest", id);
            String digest = m.value().asText();
            assertThat("sha256:" + sha256(m.data())).as("GetManifest's digest names its bytes").isEqualTo(digest);
            JsonNode manifest = JSON.readTree(m.data());
            assertThat(manifest.path("mediaType").asText()).isEqualTo("application/vnd.oci.image.manifest.v1+json");
            JsonNode config = JSON.readTree(c.piped("GetConfig", id).data());
            JsonNode full = JSON.readTree(c.piped("GetFullConfig", id).data());
            assertThat(full.path("config")).isEqualTo(config);
            Map<String, Integer> layers = new LinkedHashMap<>();
            for (JsonNode l : manifest.path("layers")) {
                String d = l.path("digest").asText();
                long size = l.path("size").asLong();
                ImageProxyClient.Piped blob = c.piped("GetBlob", id, d, size);
                assertThat(blob.value().asLong()).isEqualTo(size);
                assertThat(blob.data()).hasSize((int) size);
                assertThat("sha256:" + sha256(blob.data())).as("layer %s", d).isEqualTo(d);
                layers.put(d, blob.data().length);
            }
            assertThat(c.value("CloseImage", id).isNull()).isTrue();
            assertThat(c.shutdown()).isZero();
            return new Seen(digest, new String(m.data()), config, full, layers);
        }
    }

    /** The calls skopeo 1.9.3 does not have: OpenImageOptional, GetLayerInfo(Piped), GetRawBlob. */
    @Test
    void newerCalls() throws IOException {
        try (ImageProxyClient c = start("kopi")) {
            c.value("Initialize");
            assertThat(c.value("OpenImageOptional", "docker://" + REGISTRY.hostPort() + "/proxy/nosuch:1").asLong())
                    .isZero();
            long id = c.value("OpenImageOptional", ref(TestImage.MULTI)).asLong();
            assertThat(id).isPositive();
            JsonNode manifest = JSON.readTree(c.piped("GetManifest", id).data());
            com.fasterxml.jackson.databind.node.ArrayNode expected = JSON.createArrayNode();
            for (JsonNode l : manifest.path("layers")) {
                expected.add(JSON.createObjectNode().put("digest", l.path("digest").asText())
                        .put("size", l.path("size").asLong()).put("media_type", l.path("mediaType").asText()));
            }
            assertThat(expected).hasSize(3);
            assertThat(c.value("GetLayerInfo", id).toString()).isEqualTo(expected.toString());
            assertThat(JSON.readTree(c.piped("GetLayerInfoPiped", id).data()).toString())
                    .isEqualTo(expected.toString());
            for (JsonNode l : expected) {
                ImageProxyClient.Piped raw = c.rawBlob(id, l.path("digest").asText());
                assertThat(raw.value().asLong()).isEqualTo(l.path("size").asLong());
                assertThat("sha256:" + sha256(raw.data())).isEqualTo(l.path("digest").asText());
            }
            assertThat(c.shutdown()).isZero();
        }
    }

    @Test
    void errorsAreRepliesAndTheProxyKeepsServing() throws IOException {
        for (String tool : List.of("kopi", "skopeo")) {
            try (ImageProxyClient c = start(tool)) {
                assertThat(c.call("GetManifest", 1).error()).isEqualTo("client error: must invoke Initialize");
                c.value("Initialize");
                assertThat(c.call("Initialize").error()).isEqualTo("already initialized");
                assertThat(c.call("NoSuchMethod").error()).isEqualTo("unknown method: NoSuchMethod");
                assertThat(c.call("GetManifest", 7).error()).isEqualTo("no image 7");
                assertThat(c.call("GetManifest", 0).error())
                        .isEqualTo(tool.equals("kopi") ? "Invalid imageid value of zero" : "no image 0");
                assertThat(c.call("GetManifest", "x").error()).isEqualTo(tool.equals("kopi")
                        ? "expecting numeric, not string" : "expecting integer imageid, not string");
                assertThat(c.call("OpenImage", 1).error()).isEqualTo("expecting string imageref, not float64");
                assertThat(c.call("OpenImage").error()).isEqualTo("invalid request, expecting one argument");
                assertThat(c.call("OpenImage", "nosuch").error())
                        .isEqualTo("Invalid image name \"nosuch\", expected colon-separated transport:reference");
                long id = c.value("OpenImage", ref(TestImage.SINGLE)).asLong();
                assertThat(c.call("GetBlob", id, "sha256:abc", 1).error()).isEqualTo("invalid checksum digest length");
                assertThat(c.call("GetBlob", id).error()).isEqualTo("found 1 args, expecting (imgid, digest, size)");
                assertThat(c.call("FinishPipe", 12345).error()).isEqualTo("finishpipe: no active pipe 12345");
                // a wrong size: the data arrives, FinishPipe reports the mismatch
                JsonNode manifest = JSON.readTree(c.piped("GetManifest", id).data());
                JsonNode layer = manifest.path("layers").get(0);
                assertThatThrownBy(() -> c.piped("GetBlob", id, layer.path("digest").asText(),
                        layer.path("size").asLong() + 1)).hasMessage("expected " + (layer.path("size").asLong() + 1)
                                + " bytes in blob, got " + layer.path("size").asLong());
                assertThat(c.closeAndWait()).as("%s exits 0 at end of data", tool).isZero();
            }
        }
    }

    private ImageProxyClient start(String tool) throws IOException {
        Sandbox sb = new Sandbox(tmp.resolve(tool + "-" + System.nanoTime()));
        List<String> cmd = new ArrayList<>(tool.equals("kopi") ? Kopi.command(sb)
                : List.of(Tools.skopeo().toString()));
        cmd.addAll(List.of("experimental-image-proxy", "--tls-verify=false", "--sockfd", "3"));
        Path logs = Files.createDirectories(sb.root().resolve("proxy-logs"));
        return ImageProxyClient.start(cmd, sb.env(), logs);
    }

    private static String sha256(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
