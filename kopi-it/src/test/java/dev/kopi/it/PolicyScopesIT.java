package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.it.registry.RegistryServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every policy.json scope form (issue acceptance 4): docker {@code host/ns/repo:tag}, {@code @digest}, repository,
 * namespace, host, {@code *.domain} wildcards, the transport's {@code ""}; oci and dir paths and their parents;
 * {@code default}. kopi and skopeo 1.9.3 run the same copy under the same policy and must agree on accept or reject
 * (and on the rejection line).
 */
class PolicyScopesIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();
    static final AtomicInteger N = new AtomicInteger();

    @TempDir
    static Path tmp;
    static Sandbox sb;
    static Path dirImage;
    static String digest;

    @BeforeAll
    static void images() throws IOException {
        sb = new Sandbox(tmp);
        for (String repo : List.of("ns/app:v1", "ns/app:v2", "other/app:v1")) {
            sb.skopeo("copy", "--dest-tls-verify=false", TestImage.SINGLE.ociRef(), REGISTRY.ref(repo)).assertSuccess();
        }
        dirImage = sb.path("images/dir-image");
        Files.createDirectories(dirImage.getParent());
        sb.skopeo("copy", TestImage.SINGLE.ociRef(), "dir:" + dirImage).assertSuccess();
        digest = sb.skopeo("manifest-digest", dirImage.resolve("manifest.json").toString()).assertSuccess().stdout()
                .strip();
    }

    static final String ACCEPT = "[{\"type\":\"insecureAcceptAnything\"}]";
    static final String REJECT = "[{\"type\":\"reject\"}]";

    /** A scope entry: {@code "scope":REQS}. */
    static String e(String scope, String reqs) {
        return "\"" + scope + "\":" + reqs;
    }

    static Arguments row(String name, String defaultReqs, String transport, List<String> scopes, String image,
            boolean allowed) {
        return Arguments.of(name, defaultReqs, transport, scopes, image, allowed ? "allow" : "reject");
    }

    /** A policy both tools refuse to load (the scope is invalid for the transport). */
    static Arguments invalid(String name, String transport, List<String> scopes, String image) {
        return Arguments.of(name, ACCEPT, transport, scopes, image, "invalid");
    }

    static Stream<Arguments> cases() {
        String h = REGISTRY.hostPort();
        String app1 = "docker://" + h + "/ns/app:v1";
        String app2 = "docker://" + h + "/ns/app:v2";
        String other = "docker://" + h + "/other/app:v1";
        Path layout = Fixtures.layout();
        String single = "oci:" + layout + ":single";
        String multi = "oci:" + layout + ":multi";
        String dir = "dir:" + dirImage;
        List<Arguments> rows = new ArrayList<>();
        rows.add(row("default reject", REJECT, null, List.of(), app1, false));
        rows.add(row("default accept", ACCEPT, null, List.of(), app1, true));
        rows.add(row("docker host/ns/repo:tag", ACCEPT, "docker", List.of(e(h + "/ns/app:v1", REJECT)), app1, false));
        rows.add(row("docker host/ns/repo:tag, other tag", ACCEPT, "docker", List.of(e(h + "/ns/app:v1", REJECT)), app2,
                true));
        rows.add(row("docker repository", ACCEPT, "docker", List.of(e(h + "/ns/app", REJECT)), app2, false));
        rows.add(row("docker namespace", ACCEPT, "docker", List.of(e(h + "/ns", REJECT)), app1, false));
        rows.add(row("docker namespace, other namespace", ACCEPT, "docker", List.of(e(h + "/ns", REJECT)), other,
                true));
        rows.add(row("docker host", ACCEPT, "docker", List.of(e(h, REJECT)), other, false));
        rows.add(row("docker *.0.0.1", ACCEPT, "docker", List.of(e("*.0.0.1", REJECT)), app1, false));
        rows.add(row("docker *.1", ACCEPT, "docker", List.of(e("*.1", REJECT)), app1, false));
        rows.add(row("docker *.2 (no match)", ACCEPT, "docker", List.of(e("*.2", REJECT)), app1, true));
        rows.add(row("docker other host", ACCEPT, "docker", List.of(e("127.0.0.2:5000", REJECT)), app1, true));
        rows.add(row("docker transport default", ACCEPT, "docker", List.of(e("", REJECT)), app1, false));
        rows.add(row("docker: tag beats namespace", REJECT, "docker",
                List.of(e(h + "/ns", REJECT), e(h + "/ns/app:v1", ACCEPT)), app1, true));
        rows.add(row("docker: repository beats host", REJECT, "docker",
                List.of(e(h, REJECT), e(h + "/ns/app", ACCEPT)), app2, true));
        rows.add(row("docker: host rejects other repository", ACCEPT, "docker",
                List.of(e(h, REJECT), e(h + "/ns/app", ACCEPT)), other, false));
        rows.add(row("docker: namespace beats wildcard", REJECT, "docker",
                List.of(e("*.0.0.1", REJECT), e(h + "/ns", ACCEPT)), app1, true));
        rows.add(row("docker: wildcard beats transport default", ACCEPT, "docker",
                List.of(e("", ACCEPT), e("*.1", REJECT)), app1, false));
        rows.add(row("docker: scope of another transport", ACCEPT, "dir", List.of(e(dirImage.getParent().toString(),
                REJECT)), app1, true));
        rows.add(invalid("docker scope under oci (not an absolute path)", "oci", List.of(e(h + "/ns/app:v1", REJECT)),
                app1));
        rows.add(row("docker repo@digest", ACCEPT, "docker", List.of(e(h + "/ns/app@" + digest, REJECT)),
                "docker://" + h + "/ns/app@" + digest, false));
        // containers/image's oci identity is the directory alone: a path:tag scope is valid but never matches
        rows.add(row("oci path:tag (never matches)", ACCEPT, "oci", List.of(e(layout + ":single", REJECT)), single,
                true));
        rows.add(row("oci path:tag, other tag", ACCEPT, "oci", List.of(e(layout + ":single", REJECT)), multi, true));
        rows.add(row("oci path", ACCEPT, "oci", List.of(e(layout.toString(), REJECT)), single, false));
        rows.add(row("oci parent directory", ACCEPT, "oci", List.of(e(layout.getParent().toString(), REJECT)), single,
                false));
        rows.add(row("oci unrelated path", ACCEPT, "oci", List.of(e("/nonexistent/x", REJECT)), single, true));
        rows.add(row("oci: path beats parent", REJECT, "oci",
                List.of(e(layout.getParent().toString(), REJECT), e(layout.toString(), ACCEPT)), single, true));
        rows.add(row("oci: path:tag does not beat parent", ACCEPT, "oci",
                List.of(e(layout.getParent().toString(), REJECT), e(layout + ":single", ACCEPT)), single, false));
        rows.add(invalid("oci relative path", "oci", List.of(e("relative/x", REJECT)), single));
        rows.add(row("oci transport default", ACCEPT, "oci", List.of(e("", REJECT)), single, false));
        rows.add(row("dir path", ACCEPT, "dir", List.of(e(dirImage.toString(), REJECT)), dir, false));
        rows.add(row("dir parent", ACCEPT, "dir", List.of(e(dirImage.getParent().toString(), REJECT)), dir, false));
        rows.add(invalid("dir root \"/\"", "dir", List.of(e("/", REJECT)), dir));
        rows.add(invalid("dir non-canonical path", "dir", List.of(e(dirImage + "/", REJECT)), dir));
        rows.add(row("dir sibling", ACCEPT, "dir", List.of(e(dirImage + "-other", REJECT)), dir, true));
        rows.add(row("dir: path beats parent", REJECT, "dir",
                List.of(e(dirImage.getParent().toString(), REJECT), e(dirImage.toString(), ACCEPT)), dir, true));
        return rows.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void kopiAndSkopeoAgree(String name, String defaultReqs, String transport, List<String> scopes, String image,
            String outcome) throws IOException {
        boolean allowed = outcome.equals("allow");
        String json = "{\"default\":" + defaultReqs + (transport == null ? ""
                : ",\"transports\":{\"" + transport + "\":{" + String.join(",", scopes) + "}}") + "}";
        Path policy = sb.path("policy-" + N.incrementAndGet() + ".json");
        Files.writeString(policy, json);
        List<String> tls = image.startsWith("docker://") ? List.of("--src-tls-verify=false") : List.of();
        CommandResult k = sb.kopi(args(policy, tls, image, sb.path("k-" + N.incrementAndGet())));
        CommandResult s = sb.skopeo(args(policy, tls, image, sb.path("s-" + N.incrementAndGet())));
        assertThat(k.exitCode() == 0).as("kopi allowed (%s)", k).isEqualTo(allowed);
        assertThat(s.exitCode() == 0).as("skopeo allowed (%s)", s).isEqualTo(allowed);
        if (!allowed) {
            String line = k.assertOneFatalLine();
            if (outcome.equals("invalid")) {
                assertThat(line).startsWith("Error loading trust policy: invalid policy in ").contains("Unknown key");
            } else {
                assertThat(line).endsWith(" is rejected by policy.");
            }
            assertThat(line).isEqualTo(s.assertOneFatalLine());
        }
    }

    private static String[] args(Path policy, List<String> tls, String image, Path dest) {
        List<String> a = new ArrayList<>(List.of("--policy", policy.toString(), "copy"));
        a.addAll(tls);
        a.add(image);
        a.add("dir:" + dest);
        return a.toArray(String[]::new);
    }
}
