package dev.kopi.transport.daemon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.kopi.blob.BlobInfo;
import dev.kopi.blob.BlobStream;
import dev.kopi.config.Env;
import dev.kopi.copy.Copier;
import dev.kopi.copy.CopyOptions;
import dev.kopi.digest.Digest;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.RawManifest;
import dev.kopi.reference.DockerReference;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageDestination;
import dev.kopi.transport.ImageSource;
import dev.kopi.transport.Transports;
import dev.kopi.transport.tarball.ArchiveReader;
import dev.kopi.transport.tarball.ArchiveWriter;
import dev.kopi.transport.tarball.ManifestItem;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The docker-daemon transport against a scripted Engine API server on a unix socket: version negotiation, reading
 * ({@code /images/get}), writing ({@code /images/load}), and the error texts of the Docker Go client and
 * containers/image for absent daemons, error responses, rejected loads and connections dropped mid-stream.
 */
class DaemonEngineTest {
    private static final byte[] LAYER = layerBytes();

    @TempDir
    Path dir;
    private Path tmp;
    private Path socket;
    private FakeEngine engine;

    @BeforeEach
    void setUp() throws IOException {
        tmp = Files.createDirectories(dir.resolve("tmp"));
        socket = dir.resolve("d.sock");
    }

    @AfterEach
    void tearDown() throws IOException {
        if (engine != null) {
            engine.close();
            assertThat(engine.failures).as("fake engine failures").isEmpty();
        }
    }

    private static byte[] layerBytes() {
        byte[] b = new byte[3000];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    private ImageContext ctx(String host) {
        return ImageContext.builder().tmpDir(tmp).daemonHost(host).build();
    }

    private FakeEngine start(FakeEngine.Handler h) throws IOException {
        engine = FakeEngine.unix(socket, h);
        return engine;
    }

    /** Answers pings with {@code Api-Version: version} (none when null). */
    private static boolean ping(FakeEngine.Req req, FakeEngine.Exchange ex, String version) throws IOException {
        if (!req.path().equals("/_ping")) {
            return false;
        }
        Map<String, String> h = version == null ? Map.of() : Map.of("Api-Version", version);
        if (req.method.equals("HEAD")) {
            StringBuilder sb = new StringBuilder("HTTP/1.1 200 OK\r\n");
            h.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
            sb.append("Content-Length: 2\r\n\r\n");
            ex.out.write(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
            ex.out.flush();
        } else {
            ex.respond(200, "OK", h, "OK".getBytes(StandardCharsets.US_ASCII));
        }
        return true;
    }

    /** A docker-save archive of one image with one (uncompressed) layer, manifest.json last as docker writes it. */
    static byte[] saveArchive(List<String> tags) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        ArchiveWriter w = new ArchiveWriter(bos);
        Digest layer = Digest.sha256(LAYER);
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + layer + "\"]}}").getBytes(StandardCharsets.UTF_8);
        Digest cd = Digest.sha256(config);
        w.sendLayer(layer, LAYER.length, new ByteArrayInputStream(LAYER));
        w.sendConfig(cd, config, config.length);
        List<DockerReference> refs = new java.util.ArrayList<>();
        for (String t : tags) {
            refs.add(DockerReference.parseNormalized(t));
        }
        w.addImage(List.of(layer), cd, config, refs);
        w.close();
        return bos.toByteArray();
    }

    private static List<Path> files(Path d) throws IOException {
        try (Stream<Path> s = Files.list(d)) {
            return s.toList();
        }
    }

    // ---- host parsing ----

    static Stream<Arguments> hosts() {
        return Stream.of(
                arguments("unix:///var/run/docker.sock", "unix", "/var/run/docker.sock", "", "http"),
                arguments("tcp://127.0.0.1:2376", "tcp", "127.0.0.1:2376", "", "https"),
                arguments("tcp://user@docker.example:2376/base", "tcp", "docker.example:2376", "/base", "https"),
                arguments("http://localhost:2375", "http", "localhost:2375", "", "http"),
                arguments("https://localhost:2376", "https", "localhost:2376", "", "https"),
                arguments("ssh://user@host", "ssh", "user@host", "", "https"));
    }

    @ParameterizedTest
    @MethodSource("hosts")
    void parsesHostsAsTheDockerClient(String value, String proto, String addr, String base, String scheme)
            throws Exception {
        DaemonHost h = DaemonHost.parse(value);
        assertThat(h.proto()).isEqualTo(proto);
        assertThat(h.addr()).isEqualTo(addr);
        assertThat(h.basePath()).isEqualTo(base);
        assertThat(h.scheme()).isEqualTo(scheme);
    }

    @Test
    void defaultHostAndBadHosts() throws Exception {
        assertThat(DaemonHost.resolve(null).value()).isEqualTo("unix:///var/run/docker.sock");
        assertThat(DaemonHost.resolve("").socketPath()).isEqualTo(Path.of("/var/run/docker.sock"));
        assertThatThrownBy(() -> DaemonHost.parse("foo")).hasMessage("unable to parse docker host `foo`");
        assertThatThrownBy(() -> DaemonHost.parse("unix://")).hasMessage("unable to parse docker host `unix://`");
        String longPath = "/" + "x".repeat(120);
        assertThatThrownBy(() -> DaemonHost.parse("unix://" + longPath))
                .hasMessage("unix socket path \"" + longPath + "\" is too long");
        assertThat(DaemonHost.parse("unix:///var/run/docker.sock").goUrl("/v1.41/_ping"))
                .isEqualTo("http://%2Fvar%2Frun%2Fdocker.sock/v1.41/_ping");
    }

    // ---- negotiation ----

    static Stream<Arguments> negotiation() {
        return Stream.of(
                arguments("1.41", 200, "1.41"),
                arguments("1.47", 200, "1.47"),
                arguments("1.60", 200, EngineClient.MAX_API_VERSION),
                arguments(null, 200, EngineClient.MAX_API_VERSION),
                arguments("1.30", 200, EngineClient.MAX_API_VERSION), // below the minimum: ignored
                arguments("v1.41", 200, EngineClient.MAX_API_VERSION), // malformed: ignored
                arguments("1.43", 405, "1.43"), // HEAD refused: GET is asked
                arguments("1.43", 500, EngineClient.MAX_API_VERSION)); // GET fails too: ignored
    }

    @ParameterizedTest
    @MethodSource("negotiation")
    void negotiatesTheApiVersionWithPing(String reported, int headStatus, String expected) throws Exception {
        start((req, ex) -> {
            Map<String, String> h = reported == null ? Map.of() : Map.of("Api-Version", reported);
            if (req.method.equals("HEAD")) {
                if (headStatus == 200) {
                    ping(req, ex, reported);
                } else {
                    ex.out.write(("HTTP/1.1 " + headStatus + " X\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    ex.out.flush();
                }
            } else {
                int status = headStatus == 500 ? 500 : 200;
                ex.respond(status, status == 200 ? "OK" : "Internal Server Error", h, "OK".getBytes());
            }
        });
        try (EngineClient c = EngineClient.create(ctx(engine.host()))) {
            assertThat(c.apiVersion()).isEqualTo(EngineClient.MAX_API_VERSION);
            c.negotiate();
            assertThat(c.apiVersion()).isEqualTo(expected);
        }
        assertThat(engine.requests.get(0).toString()).isEqualTo("HEAD /_ping");
        assertThat(engine.requests.get(0).header("Host")).isEqualTo("api.moby.localhost");
        assertThat(engine.requests).hasSize(headStatus == 200 ? 1 : 2);
    }

    @Test
    void versionComparisonIsNumeric() {
        assertThat(EngineClient.compareVersions("1.9", "1.41")).isNegative();
        assertThat(EngineClient.compareVersions("1.41", "1.41")).isZero();
        assertThat(EngineClient.compareVersions("2.0", "1.54")).isPositive();
        assertThat(EngineClient.parseApiVersion("1.041")).isEqualTo("1.41");
        assertThat(EngineClient.parseApiVersion("1")).isNull();
    }

    // ---- source ----

    @Test
    void readsAnImageThroughImagesGet() throws Exception {
        byte[] archive = saveArchive(List.of("docker.io/library/foo:bar"));
        start((req, ex) -> {
            if (ping(req, ex, "1.41")) {
                return;
            }
            assertThat(req.target).isEqualTo("/v1.41/images/get?names=foo%3Abar");
            // docker streams the save output chunked
            ex.startChunked(Map.of("Content-Type", "application/x-tar"));
            for (int off = 0; off < archive.length; off += 1000) {
                ex.chunk(archive, off, Math.min(1000, archive.length - off));
            }
            ex.endChunks();
        });
        Digest layer = Digest.sha256(LAYER);
        try (ImageSource src = Transports.parseImageName("docker-daemon:foo:bar").newImageSource(
                ctx(engine.host()))) {
            assertThat(files(tmp)).as("docker save output is spooled under the tmp dir").hasSize(1);
            RawManifest m = src.fetchManifest(Optional.empty());
            assertThat(new String(m.bytes(), StandardCharsets.UTF_8)).contains(layer.toString());
            try (BlobStream bs = src.openBlob(new BlobInfo(layer, LAYER.length, null, List.of(), Map.of()))) {
                assertThat(bs.stream().readAllBytes()).isEqualTo(LAYER);
            }
        }
        assertThat(files(tmp)).as("the spooled archive is deleted on close").isEmpty();
        assertThat(engine.requests).extracting(Object::toString)
                .containsExactly("HEAD /_ping", "GET /v1.41/images/get?names=foo%3Abar");
    }

    @Test
    void imageIdsAndDigestsAreAskedForVerbatim() throws Exception {
        byte[] archive = saveArchive(List.of());
        start((req, ex) -> {
            if (!ping(req, ex, "1.41")) {
                ex.respond(200, "OK", Map.of(), archive);
            }
        });
        String id = "sha256:" + "ab".repeat(32);
        String named = "example.com/ns/img@sha256:" + "cd".repeat(32);
        for (String ref : List.of(id, named)) {
            try (ImageSource src = Transports.parseImageName("docker-daemon:" + ref).newImageSource(
                    ctx(engine.host()))) {
                src.fetchManifest(Optional.empty());
            }
        }
        assertThat(engine.requests).extracting(r -> r.target).filteredOn(t -> t.contains("images"))
                .containsExactly("/v1.41/images/get?names=sha256%3A" + "ab".repeat(32),
                        "/v1.41/images/get?names=example.com%2Fns%2Fimg%40sha256%3A" + "cd".repeat(32));
    }

    static Stream<Arguments> errorResponses() {
        String url = "http://%2FSOCK/v1.41/images/get?names=foo%3Abar";
        return Stream.of(
                arguments(500, "application/json",
                        "{\"cause\":\"image not known\",\"message\":\"docker.io/library/foo:bar: image not known\","
                                + "\"response\":500}",
                        "Error response from daemon: docker.io/library/foo:bar: image not known"),
                arguments(404, "application/json", "{\"message\":\"No such image: foo:bar\"}\n",
                        "Error response from daemon: No such image: foo:bar"),
                arguments(404, "text/plain", "page not found\n", "Error response from daemon: page not found"),
                arguments(500, "application/json", "{}", "Error response from daemon: API returned a 500 (Internal "
                        + "Server Error) but provided no error-message"),
                arguments(404, "text/plain", "", "request returned 404 Not Found for API route and version " + url
                        + ", check if the server supports the requested API version"),
                arguments(500, "application/json", "{oops", "error reading JSON: "));
    }

    @ParameterizedTest
    @MethodSource("errorResponses")
    void errorResponsesAreReportedAsTheDockerClientDoes(int status, String type, String body, String expected)
            throws Exception {
        start((req, ex) -> {
            if (!ping(req, ex, "1.41")) {
                ex.respond(status, status == 404 ? "Not Found" : "Internal Server Error",
                        Map.of("Content-Type", type), body.getBytes(StandardCharsets.UTF_8));
            }
        });
        String want = "loading image from docker engine: "
                + expected.replace("%2FSOCK", DaemonHost.escapeHost(socket.toString()));
        assertThatThrownBy(() -> Transports.parseImageName("docker-daemon:foo:bar").newImageSource(
                ctx(engine.host())))
                .isInstanceOf(ImageException.class)
                .hasMessageStartingWith(want)
                // skopeo exits 1, not 2: its "image not found" check does not cover docker-daemon:
                .matches(e -> ((ImageException) e).code() != ErrorCode.NOT_FOUND);
        assertThat(files(tmp)).isEmpty();
    }

    @Test
    void aDaemonClosingTheSocketMidStreamFailsTheSourceAndLeavesNoTemporaryFile() throws Exception {
        byte[] archive = saveArchive(List.of("docker.io/library/foo:bar"));
        start((req, ex) -> {
            if (!ping(req, ex, "1.41")) {
                ex.startChunked(Map.of("Content-Type", "application/x-tar"));
                ex.chunk(archive, 0, 2000);
                ex.close();
            }
        });
        assertThatThrownBy(() -> Transports.parseImageName("docker-daemon:foo:bar").newImageSource(
                ctx(engine.host())))
                .isInstanceOf(ImageException.class)
                .hasMessageMatching("copying contents to temporary file \"" + java.util.regex.Pattern.quote(
                        tmp.toString()) + "/container_images_docker-tar[^\"]*\": unexpected EOF");
        assertThat(files(tmp)).isEmpty();
    }

    // ---- absent daemons ----

    @Test
    void aMissingSocketIsReportedWithItsPath() {
        String host = "unix://" + socket;
        assertThatThrownBy(() -> Transports.parseImageName("docker-daemon:foo:bar").newImageSource(ctx(host)))
                .hasMessage("loading image from docker engine: failed to connect to the docker API at " + host
                        + "; check if the path is correct and if the daemon is running: dial unix " + socket
                        + ": connect: no such file or directory");
    }

    @Test
    void aSocketNobodyListensOnCannotBeConnectedTo() throws Exception {
        String host = staleSocket();
        assertThatThrownBy(() -> Transports.parseImageName("docker-daemon:foo:bar").newImageSource(ctx(host)))
                .hasMessage("loading image from docker engine: Cannot connect to the Docker daemon at " + host
                        + ". Is the docker daemon running?");
    }

    @Test
    void aDestinationWithoutDaemonFailsTheFirstWriteAndTheCommit() throws Exception {
        String host = staleSocket();
        Path oci = dir.resolve("oci");
        TestImages.singleLayer(oci, "v1", 3);
        assertThatThrownBy(() -> copy("oci:" + oci + ":v1", "docker-daemon:foo:bar", host))
                .isInstanceOf(ImageException.class)
                .hasMessageEndingWith("starting a load operation in docker engine: Cannot connect to the Docker "
                        + "daemon at " + host + ". Is the docker daemon running?");
    }

    /** A socket file whose listener is gone (a daemon that died): connecting is refused. */
    private String staleSocket() throws IOException {
        try (ServerSocketChannel ch = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.bind(UnixDomainSocketAddress.of(socket));
        }
        assertThat(socket).exists();
        return "unix://" + socket;
    }

    // ---- destination ----

    private void copy(String src, String dest, String host) throws IOException {
        ImageContext c = ctx(host);
        Copier.copy(Transports.parseImageName(src), Transports.parseImageName(dest),
                new CopyOptions(c, c, null, null, false, false, null, null, 0, null, null));
    }

    /** A load handler that keeps the uploaded tar and answers with {@code reply} lines. */
    private CompletableFuture<byte[]> loadHandler(String reply) throws IOException {
        CompletableFuture<byte[]> uploaded = new CompletableFuture<>();
        start((req, ex) -> {
            if (ping(req, ex, "1.41")) {
                return;
            }
            assertThat(req.toString()).isEqualTo("POST /v1.41/images/load?quiet=1");
            assertThat(req.header("Content-Type")).isEqualTo("application/x-tar");
            assertThat(req.header("Transfer-Encoding")).isEqualTo("chunked");
            byte[] body = req.body.readAll();
            uploaded.complete(body);
            ex.json(200, "OK", reply);
        });
        return uploaded;
    }

    @Test
    void writesAnImageThroughImagesLoad() throws Exception {
        CompletableFuture<byte[]> uploaded = loadHandler("{\"stream\":\"Loaded image: docker.io/library/foo:bar\"}");
        Path oci = dir.resolve("oci");
        WrittenImage img = TestImages.multiLayer(oci, "v1", 5);
        copy("oci:" + oci + ":v1", "docker-daemon:foo:bar", engine.host());

        byte[] tar = uploaded.get(10, TimeUnit.SECONDS);
        try (ArchiveReader r = ArchiveReader.fromStream(new ByteArrayInputStream(tar), tmp)) {
            assertThat(r.manifest()).hasSize(1);
            ManifestItem item = r.manifest().get(0);
            assertThat(item.repoTags()).containsExactly("docker.io/library/foo:bar");
            assertThat(item.config()).isEqualTo(img.configDigest().encoded() + ".json");
            // layers are passed on as the source has them (compressed), the daemon decompresses
            assertThat(item.layers()).containsExactlyElementsOf(
                    img.layers().stream().map(d -> d.encoded() + ".tar").toList());
        }
        assertThat(files(tmp)).as("nothing spooled").isEmpty();
    }

    @Test
    void aLoadErrorReportedInTheMessageStreamFailsTheCommit() throws Exception {
        loadHandler("{\"stream\":\"Loading layer\"}\n{\"errorDetail\":{\"message\":\"invalid \\\"tar\\\" header\"},"
                + "\"error\":\"invalid tar header\"}\n");
        Path oci = dir.resolve("oci");
        TestImages.singleLayer(oci, "v1", 3);
        assertThatThrownBy(() -> copy("oci:" + oci + ":v1", "docker-daemon:foo:bar", engine.host()))
                .hasMessage("committing the finished image: docker engine reported: \"invalid \\\"tar\\\" header\"");
    }

    @Test
    void aRejectedLoadFailsTheCommitWithTheDaemonsMessage() throws Exception {
        start((req, ex) -> {
            if (!ping(req, ex, "1.41")) {
                req.body.readAll();
                ex.json(500, "Internal Server Error", "{\"cause\":\"x\",\"message\":\"failed to load image: "
                        + "payload does not match any of the supported image formats\",\"response\":500}");
            }
        });
        Path oci = dir.resolve("oci");
        TestImages.singleLayer(oci, "v1", 3);
        assertThatThrownBy(() -> copy("oci:" + oci + ":v1", "docker-daemon:foo:bar", engine.host()))
                .hasMessage("committing the finished image: starting a load operation in docker engine: Error "
                        + "response from daemon: failed to load image: payload does not match any of the supported "
                        + "image formats");
    }

    @Test
    void aMalformedMessageStreamIsReported() throws Exception {
        loadHandler("{\"stream\":\"ok\"}\nnot json");
        Path oci = dir.resolve("oci");
        TestImages.singleLayer(oci, "v1", 3);
        assertThatThrownBy(() -> copy("oci:" + oci + ":v1", "docker-daemon:foo:bar", engine.host()))
                .hasMessageStartingWith("committing the finished image: parsing docker load progress: ");
    }

    @Test
    void aDaemonClosingTheSocketMidUploadFailsTheCopy() throws Exception {
        CompletableFuture<Boolean> complete = new CompletableFuture<>();
        start((req, ex) -> {
            if (ping(req, ex, "1.41")) {
                return;
            }
            byte[] buf = new byte[64 * 1024];
            req.body.readNBytes(buf, 0, buf.length);
            complete.complete(req.body.complete);
            ex.close();
        });
        Path oci = dir.resolve("oci");
        TestImages.multiLayer(oci, "v1", 9, 3L << 20, 3L << 20); // more than the socket buffers hold
        String sockUrl = "http://" + DaemonHost.escapeHost(socket.toString()) + "/v1.41/images/load?quiet=1";
        assertThatThrownBy(() -> copy("oci:" + oci + ":v1", "docker-daemon:foo:bar", engine.host()))
                .isInstanceOf(ImageException.class)
                .hasMessageContaining("starting a load operation in docker engine: error during connect: Post \""
                        + sockUrl + "\": ");
        assertThat(complete.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(files(tmp)).isEmpty();
    }

    @Test
    void closingWithoutCommitAbandonsTheUpload() throws Exception {
        CompletableFuture<String> outcome = new CompletableFuture<>();
        CompletableFuture<Void> posted = new CompletableFuture<>();
        start((req, ex) -> {
            if (ping(req, ex, "1.41")) {
                return;
            }
            posted.complete(null);
            try {
                req.body.readAll();
                outcome.complete(req.body.complete ? "complete" : "short");
            } catch (IOException e) {
                outcome.complete("cut: " + e.getMessage());
            }
            ex.close();
        });
        byte[] big = new byte[300 * 1024]; // more than the pipe's and the connection's buffers: the POST is under way
        try (ImageDestination d = Transports.parseImageName("docker-daemon:foo:bar").newImageDestination(
                ctx(engine.host()))) {
            assertThat(d.capabilities().desiredLayerCompression())
                    .isEqualTo(dev.kopi.transport.DestinationCapabilities.LayerCompression.PRESERVE);
            assertThat(d.capabilities().mustMatchRuntimeOs()).isFalse();
            d.putBlob(new ByteArrayInputStream(big), new BlobInfo(Digest.sha256(big), big.length, null,
                    List.of(), Map.of()), ImageDestination.PutBlobOptions.layer(0));
            posted.get(10, TimeUnit.SECONDS);
        }
        assertThat(outcome.get(10, TimeUnit.SECONDS)).startsWith("cut: ");
    }

    @Test
    void destinationsMustBeNameAndTag() throws Exception {
        for (String ref : List.of("sha256:" + "ab".repeat(32), "foo@sha256:" + "cd".repeat(32))) {
            assertThatThrownBy(() -> Transports.parseImageName("docker-daemon:" + ref).newImageDestination(
                    ctx("unix://" + socket)))
                    .hasMessage("Invalid destination docker-daemon:" + ref + ": a destination must be a name:tag");
        }
        assertThatThrownBy(() -> Transports.parseImageName("docker-daemon:foo:bar").newImageDestination(ctx("foo")))
                .hasMessage("initializing docker engine client: unable to parse docker host `foo`");
    }

    @Test
    void onlyTheExplicitDefaultSocketMustMatchTheRuntimeOs() {
        assertThat(DaemonImageDestination.mustMatchRuntimeOs(DaemonHost.DEFAULT)).isTrue();
        assertThat(DaemonImageDestination.mustMatchRuntimeOs(null)).isFalse();
        assertThat(DaemonImageDestination.mustMatchRuntimeOs("unix:///run/podman/podman.sock")).isFalse();
    }

    // ---- TCP hosts ----

    @Test
    void httpHostsSpeakPlainHttpOverTcp() throws Exception {
        byte[] archive = saveArchive(List.of("docker.io/library/foo:bar"));
        engine = FakeEngine.tcp("http", (req, ex) -> {
            if (!ping(req, ex, "1.44")) {
                ex.respond(200, "OK", Map.of(), archive);
            }
        });
        try (ImageSource src = Transports.parseImageName("docker-daemon:foo:bar").newImageSource(
                ctx(engine.host()))) {
            src.fetchManifest(Optional.empty());
        }
        assertThat(engine.requests.get(1).target).isEqualTo("/v1.44/images/get?names=foo%3Abar");
        assertThat(engine.requests.get(1).header("Host")).isEqualTo(engine.host().substring("http://".length()));
    }

    @Test
    void tcpHostsUseTls() throws Exception {
        engine = FakeEngine.tcp("tcp", (req, ex) -> ex.respond(200, "OK", Map.of(), new byte[0]));
        String addr = engine.host().substring("tcp://".length());
        assertThatThrownBy(() -> Transports.parseImageName("docker-daemon:foo:bar").newImageSource(
                ctx(engine.host())))
                .hasMessage("loading image from docker engine: error during connect: Get \"https://" + addr
                        + "/v" + EngineClient.MAX_API_VERSION + "/images/get?names=foo%3Abar\": http: server gave "
                        + "HTTP response to HTTPS client");
    }

    @Test
    void tlsMaterialComesFromTheCertDir() throws Exception {
        Path certs = Files.createDirectories(dir.resolve("certs"));
        assertThatThrownBy(() -> EngineClient.tlsSettings(certs, false, Env.of(Map.of())))
                .hasMessage("reading CA file \"" + certs.resolve("ca.pem") + "\": open " + certs.resolve("ca.pem")
                        + ": no such file or directory");
        Files.writeString(certs.resolve("ca.pem"), "not a certificate");
        assertThatThrownBy(() -> EngineClient.tlsSettings(certs, false, Env.of(Map.of())))
                .hasMessage("no certificate found in \"" + certs.resolve("ca.pem") + "\"");
        // with verification off, ca.pem is not read, but the client key pair still is
        assertThatThrownBy(() -> EngineClient.tlsSettings(certs, true, Env.of(Map.of())))
                .hasMessage("loading X509 key pair: open " + certs.resolve("cert.pem")
                        + ": no such file or directory");
        assertThat(EngineClient.tlsSettings(null, true, Env.of(Map.of())).verifyHostname()).isFalse();
    }
}
