package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@code inspect} flags ({@code --raw}, {@code --config}, {@code --format}, {@code --manifest-digest}) and
 * {@code manifest-digest FILE} against skopeo 1.9.3: same stdout bytes, same exit codes. Template features and flags
 * that 1.9.3 does not have are checked against values computed here, tagged {@value FailureIT#NEWEST}.
 */
class InspectFlagsIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** Where the image to inspect comes from. */
    enum Source {
        OCI_IMAGE, OCI_INDEX, DIR_V2S2, DOCKER_ARCHIVE;

        String ref(Sandbox sb) {
            return switch (this) {
                case OCI_IMAGE -> TestImage.MULTI.ociRef();
                case OCI_INDEX -> TestImage.INDEX.ociRef();
                case DIR_V2S2 -> {
                    String r = "dir:" + sb.path("v2s2");
                    sb.skopeo("copy", "--format", "v2s2", TestImage.MULTI.ociRef(), r).assertSuccess();
                    yield r;
                }
                case DOCKER_ARCHIVE -> {
                    String r = "docker-archive:" + sb.path("a.tar") + ":kopi.test/inspect:t1";
                    sb.skopeo("copy", TestImage.MULTI.ociRef(), r).assertSuccess();
                    yield r;
                }
            };
        }
    }

    private static JsonNode json(String s) {
        try {
            return JSON.readTree(s);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + s, e);
        }
    }

    private static CommandResult[] both(Sandbox sb, String... args) {
        return new CommandResult[] {sb.kopi(args), sb.skopeo(args)};
    }

    static Stream<Arguments> rawModes() {
        List<Arguments> out = new ArrayList<>();
        for (Source s : Source.values()) {
            for (List<String> flags : List.of(List.of("--raw"), List.of("--config"), List.of("--config", "--raw"))) {
                out.add(Arguments.of(s, flags));
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{1} {0}")
    @MethodSource("rawModes")
    void rawAndConfig(Source source, List<String> flags) {
        Sandbox sb = new Sandbox(tmp);
        List<String> a = new ArrayList<>(List.of("inspect"));
        a.addAll(flags);
        a.add(source.ref(sb));
        CommandResult[] r = both(sb, a.toArray(String[]::new));
        r[0].assertSuccess();
        r[1].assertSuccess();
        assertThat(new String(r[0].stdoutBytes(), StandardCharsets.UTF_8)).as("kopi vs skopeo")
                .isEqualTo(r[1].stdout());
        assertThat(r[0].stderr()).isEmpty();
    }

    /** --override-* choose the list instance whose config --config shows; --raw still prints the list. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"arm64", "arm", "amd64"})
    void configOfTheChosenInstance(String arch) {
        Sandbox sb = new Sandbox(tmp);
        CommandResult[] raw = both(sb, "--override-arch", arch, "inspect", "--raw", TestImage.INDEX.ociRef());
        assertThat(raw[0].assertSuccess().stdout()).as("--raw").isEqualTo(raw[1].assertSuccess().stdout());
        CommandResult[] config = both(sb, "--override-arch", arch, "inspect", "--config", TestImage.INDEX.ociRef());
        // As JSON: newest skopeo (image-spec 1.1 v1.Image) puts "variant" after "os", 1.9.3 before it.
        assertThat(json(config[0].assertSuccess().stdout())).as("--config for %s", arch)
                .isEqualTo(json(config[1].assertSuccess().stdout()));
        assertThat(json(config[0].stdout()).path("architecture").asText()).isEqualTo(arch);
        CommandResult[] r = both(sb, "--override-arch", arch, "inspect", "--format", "{{.Architecture}}",
                TestImage.INDEX.ociRef());
        assertThat(r[0].assertSuccess().stdout()).isEqualTo(r[1].assertSuccess().stdout()).isEqualTo(arch + "\n");
    }

    static Stream<Arguments> templates() {
        List<Arguments> out = new ArrayList<>();
        for (String t : List.of("{{.Digest}}", "{{.Architecture}}/{{.Os}}",
                "{{.Created}}|{{.DockerVersion}}|{{.Env}}|{{.Name}}|{{.Tag}}", "{{.Labels}}", "{{.RepoTags}}",
                "table {{.Digest}}", "{{range .Layers}}{{.}} {{end}}", "{{len .Layers}}",
                "{{index .Labels \"org.opencontainers.image.title\"}}", "json", "{{.Name}}:{{.Tag}}",
                "{{printf \"%d\" .Digest}}", "{{.Layers | len}}", "{{range .Env}}[{{.}}]{{end}}",
                "{{with .Labels}}{{.}}{{end}}", "{{if .Name}}n{{else}}none{{end}}", "{{eq .Os \"linux\"}}",
                "{{.Created.Year}}", "{{.Created.Format \"2006-01\"}}", "{{.Labels.x.y}}")) {
            out.add(Arguments.of(t, Source.OCI_IMAGE));
        }
        out.add(Arguments.of("{{.Name}} {{.Digest}}", Source.DOCKER_ARCHIVE));
        out.add(Arguments.of("{{.Digest}} {{.Layers}}", Source.OCI_INDEX));
        out.add(Arguments.of("{{.Digest}} {{.Env}}", Source.DIR_V2S2));
        return out.stream();
    }

    @ParameterizedTest(name = "{0} of {1}")
    @MethodSource("templates")
    void formatTemplates(String template, Source source) {
        Sandbox sb = new Sandbox(tmp);
        CommandResult[] r = both(sb, "inspect", "--format", template, source.ref(sb));
        String k = r[0].assertSuccess().stdout();
        String s = r[1].assertSuccess().stdout();
        if (template.equals("json") && !Kopi.isSkopeo()) {
            Images.assertSameInspect(k, s, "inspect --format json");
        } else {
            assertThat(k).as("kopi vs skopeo").isEqualTo(s).isNotBlank();
        }
    }

    static Stream<Arguments> configTemplates() {
        List<Arguments> out = new ArrayList<>();
        for (String t : List.of("{{.Architecture}}", "{{.OS}} {{.Config.Env}} {{.RootFS.Type}} {{.Created}}",
                "{{.Config}}", "{{.RootFS}}", "{{.History}}", "{{len .RootFS.DiffIDs}}", "{{.Config.Labels}}",
                "{{.Config.ExposedPorts}}|{{.Config.Volumes}}|{{.Config.User}}|{{.Config.ArgsEscaped}}",
                "{{.Variant}}|{{.OSVersion}}|{{.OSFeatures}}|{{.Author}}",
                "{{range .History}}{{.CreatedBy}};{{.EmptyLayer}};{{end}}", "{{printf \"%+v\" .RootFS}}",
                "{{.Created.Year}}", "{{.architecture}}")) {
            out.add(Arguments.of(t, Source.OCI_IMAGE));
        }
        out.add(Arguments.of("{{.Architecture}} {{.Config.Env}} {{.RootFS.DiffIDs}}", Source.DIR_V2S2));
        out.add(Arguments.of("{{.Architecture}} {{.Variant}} {{.History}}", Source.OCI_INDEX));
        return out.stream();
    }

    /**
     * --config --format runs the template over image-spec's v1.Image struct (Go field names), not the JSON keys:
     * {@code .architecture} is an error. Errors are compared but for the column (see {@link #badTemplates}).
     */
    @ParameterizedTest(name = "{0} of {1}")
    @MethodSource("configTemplates")
    void configFormatTemplates(String template, Source source) {
        Sandbox sb = new Sandbox(tmp);
        CommandResult[] r = both(sb, "inspect", "--config", "--format", template, source.ref(sb));
        assertThat(r[0].exitCode()).as("exit code of %s", r[0]).isEqualTo(r[1].exitCode());
        assertThat(r[0].stdout()).as("kopi vs skopeo").isEqualTo(r[1].stdout());
        if (r[1].exitCode() != 0) {
            String norm = "skopeo inspect:1:N:";
            assertThat(r[0].assertOneFatalLine().replaceAll("skopeo inspect:1:\\d+:", norm))
                    .isEqualTo(r[1].assertOneFatalLine().replaceAll("skopeo inspect:1:\\d+:", norm))
                    .startsWith("Error writing OCI-formatted configuration data to standard output: template: ");
        }
    }

    /**
     * Newest skopeo only: image-spec 1.1's v1.Image embeds Platform (1.9.3's has its fields inline), so
     * {@code .Platform} exists; {@code json .} encodes what --config prints.
     */
    @Test
    @Tag(FailureIT.NEWEST)
    void configStructOfImageSpec11() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        assertThat(sb.kopi("--override-arch", "arm64", "inspect", "--config", "--format", "{{.Platform}}",
                TestImage.INDEX.ociRef()).assertSuccess().stdout()).isEqualTo("{arm64 linux  [] v8}\n");
        String json = sb.kopi("inspect", "--config", "--format", "{{json .}}", TestImage.MULTI.ociRef())
                .assertSuccess().stdout();
        assertThat(json).doesNotContain("\n    ").endsWith("}\n");
        assertThat(json(json)).isEqualTo(json(sb.skopeo("inspect", "--config", TestImage.MULTI.ociRef())
                .assertSuccess().stdout()));
    }

    /** Newest skopeo only: the json function and a template that fails to parse once \n is expanded. */
    @Test
    @Tag(FailureIT.NEWEST)
    void newerTemplateFeatures() {
        Sandbox sb = new Sandbox(tmp);
        String ref = TestImage.MULTI.ociRef();
        assertThat(sb.kopi("inspect", "--format", "{{json .Labels}}", ref).assertSuccess().stdout())
                .isEqualTo("{\"org.opencontainers.image.title\":\"kopi test image\"}\n");
        StringBuilder layers = new StringBuilder();
        for (var d : Fixtures.multi().layers()) {
            layers.append(d).append('\n');
        }
        assertThat(sb.kopi("inspect", "--format", "{{range .Layers}}{{.}}{{\"\\n\"}}{{end}}", ref).assertSuccess()
                .stdout()).isEqualTo(layers.toString());
        assertThat(sb.kopi("inspect", "--format", "{{upper .Os}}/{{lower .Architecture}}", ref).assertSuccess()
                .stdout()).isEqualTo("LINUX/amd64\n");
        // An action left open: newest skopeo reports the error of parsing the template as given.
        assertThat(sb.kopi("inspect", "--format", "{{.Digest", ref).assertExit(1).assertOneFatalLine())
                .isEqualTo("template: skopeo inspect:1: bad character U+007B '{'");
    }

    static Stream<String> badTemplates() {
        return Stream.of("{{.Nope}}", "{{nosuchfunc .Digest}}", "{{.Digest.Foo}}", "{{index .Layers 7}}",
                "{{template \"x\"}}");
    }

    /**
     * A failing template: exit 1 and the same error, but for the column (newest skopeo's "{{range .}}" prefix is
     * one byte shorter than 1.9.3's).
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("badTemplates")
    void badTemplates(String template) {
        Sandbox sb = new Sandbox(tmp);
        CommandResult[] r = both(sb, "inspect", "--format", template, TestImage.MULTI.ociRef());
        r[1].assertExit(1);
        r[0].assertExit(1);
        String norm = "skopeo inspect:1:N:";
        assertThat(r[0].assertOneFatalLine().replaceAll("skopeo inspect:1:\\d+:", norm))
                .isEqualTo(r[1].assertOneFatalLine().replaceAll("skopeo inspect:1:\\d+:", norm));
        assertThat(r[0].stdout()).isEqualTo(r[1].stdout());
    }

    @Test
    void rawRefusesFormat() {
        Sandbox sb = new Sandbox(tmp);
        CommandResult[] r = both(sb, "inspect", "--raw", "--format", "{{.Digest}}", TestImage.MULTI.ociRef());
        assertThat(r[0].assertExit(1).assertOneFatalLine()).isEqualTo(r[1].assertExit(1).assertOneFatalLine())
                .isEqualTo("raw output does not support format option");
    }

    // ---- --manifest-digest (newer than 1.9.3) ----

    private static String hex(String alg, byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(alg).digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"single", "multi", "index"})
    @Tag(FailureIT.NEWEST)
    void manifestDigestAlgorithm(String tag) {
        Sandbox sb = new Sandbox(tmp);
        String ref = "oci:" + Fixtures.layout() + ":" + tag;
        byte[] manifest = sb.skopeo("inspect", "--raw", ref).assertSuccess().stdoutBytes();
        assertThat(sb.kopi("inspect", "--manifest-digest", "sha512", "--format", "{{.Digest}}", ref).assertSuccess()
                .stdout()).isEqualTo("sha512:" + hex("SHA-512", manifest) + "\n");
        assertThat(sb.kopi("inspect", "--manifest-digest", "sha384", "--format", "{{.Digest}}", ref).assertSuccess()
                .stdout()).isEqualTo("sha384:" + hex("SHA-384", manifest) + "\n");
        // sha256 (and the empty value, go-digest's canonical algorithm) give skopeo 1.9.3's default Digest
        String skopeo = sb.skopeo("inspect", "--format", "{{.Digest}}", ref).assertSuccess().stdout();
        assertThat(skopeo).isEqualTo("sha256:" + hex("SHA-256", manifest) + "\n");
        for (String v : List.of("--manifest-digest=sha256", "--manifest-digest=")) {
            assertThat(sb.kopi("inspect", v, "--format", "{{.Digest}}", ref).assertSuccess().stdout()).as(v)
                    .isEqualTo(skopeo);
        }
        // the whole output: only Digest differs from the default
        String full = sb.kopi("inspect", "--manifest-digest", "sha512", ref).assertSuccess().stdout();
        String dflt = sb.kopi("inspect", ref).assertSuccess().stdout();
        assertThat(full.replace("sha512:" + hex("SHA-512", manifest), "sha256:" + hex("SHA-256", manifest)))
                .isEqualTo(dflt);
    }

    /** An unknown algorithm fails only where a digest is computed: not for --raw or --config. */
    @Test
    @Tag(FailureIT.NEWEST)
    void manifestDigestUnknownAlgorithm() {
        Sandbox sb = new Sandbox(tmp);
        String ref = TestImage.MULTI.ociRef();
        assertThat(sb.kopi("inspect", "--manifest-digest", "md5", ref).assertExit(1).assertOneFatalLine())
                .isEqualTo("Error computing manifest digest: digest algorithm \\\"md5\\\" is not available");
        assertThat(sb.kopi("inspect", "--manifest-digest", "md5", "--raw", ref).assertSuccess().stdout())
                .isEqualTo(sb.skopeo("inspect", "--raw", ref).assertSuccess().stdout());
        assertThat(sb.kopi("inspect", "--manifest-digest", "md5", "--config", ref).assertSuccess().stdout())
                .isEqualTo(sb.skopeo("inspect", "--config", ref).assertSuccess().stdout());
    }

    // ---- manifest-digest FILE ----

    static Stream<String> manifestFiles() {
        return Stream.of("oci-manifest", "oci-index", "v2s2", "v2s1-signed", "empty", "not-json", "missing");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("manifestFiles")
    void manifestDigestCommand(String kind) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path file = sb.path("manifest.json");
        switch (kind) {
            case "oci-manifest" -> Files.write(file, Fixtures.multi().manifest());
            case "oci-index" -> Files.write(file, Fixtures.index().index());
            case "v2s2", "v2s1-signed" -> {
                Path dir = sb.path("d");
                sb.skopeo("copy", "--format", kind.equals("v2s2") ? "v2s2" : "v2s1", TestImage.MULTI.ociRef(),
                        "dir:" + dir).assertSuccess();
                file = dir.resolve("manifest.json");
            }
            case "empty" -> Files.write(file, new byte[0]);
            case "not-json" -> Files.writeString(file, "not json\n");
            default -> file = sb.path("missing.json");
        }
        CommandResult[] r = both(sb, "manifest-digest", file.toString());
        assertThat(r[0].exitCode()).as("exit code").isEqualTo(r[1].exitCode());
        assertThat(r[0].stdout()).as("stdout").isEqualTo(r[1].stdout());
        if (r[1].exitCode() == 0) {
            assertThat(r[0].stdout()).matches("sha256:[0-9a-f]{64}\n");
            if (!kind.equals("v2s1-signed")) {
                assertThat(r[0].stdout()).isEqualTo("sha256:" + hex("SHA-256", Files.readAllBytes(file)) + "\n");
            }
        } else {
            assertThat(r[0].assertOneFatalLine()).isEqualTo(r[1].assertOneFatalLine());
        }
    }

    /** The digest of a signed schema1 manifest covers its payload: the same for both tools and for inspect. */
    @Test
    void schema1DigestIsThePayloads() throws IOException {
        Sandbox sb = new Sandbox(tmp);
        Path dir = sb.path("s1");
        sb.skopeo("copy", "--format", "v2s1", TestImage.MULTI.ociRef(), "dir:" + dir).assertSuccess();
        String file = sb.kopi("manifest-digest", dir.resolve("manifest.json").toString()).assertSuccess().stdout();
        assertThat(file).isNotEqualTo("sha256:" + hex("SHA-256", Files.readAllBytes(dir.resolve("manifest.json")))
                + "\n");
        JsonNode inspect = JSON.readTree(sb.kopi("inspect", "dir:" + dir).assertSuccess().stdout());
        assertThat(inspect.path("Digest").asText() + "\n").isEqualTo(file);
    }
}
