package dev.kopi.it.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.it.Trees;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Validates the four registry setups with skopeo as the client: push from the fixture layout and pull back,
 * {@code inspect}, {@code list-tags}, {@code delete}; TLS through {@code --cert-dir} and through certs.d; wrong or
 * missing credentials refused.
 */
class RegistryVariantsIT {
    @RegisterExtension
    static final RegistryServer PLAIN = RegistryServer.plain();
    @RegisterExtension
    static final RegistryServer TLS = RegistryServer.tls();
    @RegisterExtension
    static final RegistryServer HTPASSWD = RegistryServer.htpasswd();
    @RegisterExtension
    static final RegistryServer TOKEN = RegistryServer.token();

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    /** The multi-layer image on every setup, plus the three-platform index on one (the images are not the point). */
    static Stream<Arguments> registriesAndImages() {
        List<Arguments> out = new ArrayList<>();
        for (RegistryServer r : List.of(PLAIN, TLS, HTPASSWD, TOKEN)) {
            out.add(Arguments.of(r, TestImage.MULTI));
        }
        out.add(Arguments.of(TOKEN, TestImage.INDEX));
        return out.stream();
    }

    private static String[] cmd(List<String> head, List<String> flags, String... tail) {
        List<String> all = new ArrayList<>(head);
        all.addAll(flags);
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("registriesAndImages")
    void pushPullInspectListDelete(RegistryServer reg, TestImage img) throws IOException {
        Sandbox sb = new Sandbox(tmp);
        String repo = "variants/" + img.tag();
        String ref = reg.ref(repo + ":v1");
        List<String> all = img.isIndex() ? List.of("--all") : List.of();

        sb.skopeo(cmd(List.of("copy"), concat(all, reg.destArgs()), img.ociRef(), ref)).assertSuccess();

        // The registry holds exactly the fixture's manifest (no conversion on the way).
        byte[] fixtureRaw = sb.skopeo("inspect", "--raw", img.ociRef()).assertSuccess().stdoutBytes();
        byte[] raw = sb.skopeo(cmd(List.of("inspect", "--raw"), reg.args(), ref)).assertSuccess().stdoutBytes();
        assertThat(new String(raw)).as("manifest in the registry").isEqualTo(new String(fixtureRaw));
        String digest = "sha256:" + Trees.sha256(raw);
        assertThat(reg.hasManifest(repo, digest)).as("manifest by digest, asked directly").isTrue();
        assertThat(reg.hasManifest(repo, "v1")).as("manifest by tag, asked directly").isTrue();
        assertThat(reg.missingBlobs(repo, "v1")).as("blobs the pushed image refers to but the registry lacks")
                .isEmpty();

        // Pull back into a fresh layout: the same manifest digest.
        Path back = sb.path("back");
        sb.skopeo(cmd(List.of("copy"), concat(all, reg.srcArgs()), ref, "oci:" + back + ":v1")).assertSuccess();
        byte[] backRaw = sb.skopeo("inspect", "--raw", "oci:" + back + ":v1").assertSuccess().stdoutBytes();
        assertThat(Trees.sha256(backRaw)).as("digest pulled back").isEqualTo(Trees.sha256(raw));

        // inspect (for an index skopeo inspects this system's instance, which the fixture may not have).
        if (!img.isIndex()) {
            JsonNode inspect = JSON.readTree(sb.skopeo(cmd(List.of("inspect"), reg.args(), ref)).assertSuccess()
                    .stdout());
            assertThat(inspect.path("Name").asText()).isEqualTo(reg.hostPort() + "/" + repo);
            assertThat(inspect.path("Digest").asText()).isEqualTo(digest);
            assertThat(inspect.path("RepoTags").toString()).isEqualTo("[\"v1\"]");
        }

        // A second tag, then list-tags.
        sb.skopeo(cmd(List.of("copy"), concat(all, concat(reg.srcArgs(), reg.destArgs())), ref,
                reg.ref(repo + ":v2"))).assertSuccess();
        JsonNode tags = JSON.readTree(sb.skopeo(cmd(List.of("list-tags"), reg.args(), reg.ref(repo))).assertSuccess()
                .stdout());
        assertThat(tags.path("Repository").asText()).isEqualTo(reg.hostPort() + "/" + repo);
        List<String> tagList = new ArrayList<>();
        tags.path("Tags").forEach(t -> tagList.add(t.asText()));
        assertThat(tagList).containsExactlyInAnyOrder("v1", "v2");
        assertThat(reg.tags(repo)).containsExactlyInAnyOrder("v1", "v2");

        // delete removes the manifest (and so both tags, which point at it).
        sb.skopeo(cmd(List.of("delete"), reg.args(), ref)).assertSuccess();
        assertThat(reg.hasManifest(repo, digest)).as("manifest after delete").isFalse();
        CommandResult gone = sb.skopeo(cmd(List.of("inspect", "--raw"), reg.args(), reg.ref(repo + ":v2")));
        assertThat(gone.exitCode()).as("inspect after delete: %s", gone).isNotZero();
        assertThat(gone.stderr()).contains("manifest unknown");
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    @Test
    void tlsThroughCertsD() {
        Sandbox sb = new Sandbox(tmp);
        String ref = TLS.ref("certsd/single:v1");
        // Without the CA the registry's certificate is not trusted.
        CommandResult untrusted = sb.skopeo("copy", TestImage.SINGLE.ociRef(), ref);
        assertThat(untrusted.exitCode()).as("%s", untrusted).isEqualTo(1);
        assertThat(untrusted.stderr()).contains("x509: certificate signed by unknown authority");

        // $HOME/.config/containers/certs.d/127.0.0.1:PORT/ca.crt is read without any flag.
        TLS.installCertsD(sb.home().resolve(".config/containers/certs.d"));
        sb.skopeo("copy", TestImage.SINGLE.ociRef(), ref).assertSuccess();
        sb.skopeo("inspect", "--raw", ref).assertSuccess();
        // --cert-dir pointing at the certs.d layout's host directory works too (the per-class registry's own).
        sb.skopeo("inspect", "--cert-dir", TLS.certDir().toString(), "--raw", ref).assertSuccess();
        assertThat(TLS.certDir().resolve("ca.crt")).hasSameTextualContentAs(TLS.caCertificate());
        assertThat(TLS.certDir().getFileName().toString()).isEqualTo(TLS.hostPort());
    }

    @Test
    void plainHttpNeedsTlsVerifyFalse() {
        Sandbox sb = new Sandbox(tmp);
        CommandResult r = sb.skopeo("copy", TestImage.SINGLE.ociRef(), PLAIN.ref("strict/single:v1"));
        assertThat(r.exitCode()).as("%s", r).isEqualTo(1);
        assertThat(r.stderr()).contains("http: server gave HTTP response to HTTPS client");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("authRegistries")
    void wrongOrMissingCredentialsAreRefused(RegistryServer reg) {
        Sandbox sb = new Sandbox(tmp);
        String ref = reg.ref("refused/single:v1");
        for (Credentials who : new Credentials[] {Credentials.ALICE_WRONG, Credentials.NOBODY, null}) {
            CommandResult push = sb.skopeo(cmd(List.of("copy"), reg.args("dest-", who), TestImage.SINGLE.ociRef(),
                    ref));
            assertThat(push.exitCode()).as("push as %s: %s", who, push).isEqualTo(1);
            String expected;
            if (reg == HTPASSWD) {
                expected = "unauthorized: authentication required"; // the registry's 401, with or without creds
            } else if (who == null) {
                // an anonymous token has no access to this repository: the registry answers 401 insufficient_scope
                expected = "denied: requested access to the resource is denied";
            } else {
                expected = "unable to retrieve auth token: invalid username/password: unauthorized";
            }
            assertThat(push.stderr()).as("push as %s", who).contains(expected);
            if (who != null) {
                assertThat(push.stderr()).as("password never printed").doesNotContain(who.password());
            }
        }
        assertThat(reg.tags("refused/single")).isEmpty();
    }

    static Stream<RegistryServer> authRegistries() {
        return Stream.of(HTPASSWD, TOKEN);
    }
}
