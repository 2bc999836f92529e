package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.it.CommandResult;
import dev.kopi.it.Sandbox;
import dev.kopi.testkit.TestImages;
import dev.kopi.testkit.WrittenImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Eight kopi processes at once writing into one shared place: different images into one containers-storage store,
 * and logins to different registries into one auth.json. Nothing may be lost and every file must be valid
 * afterwards. (Eight writers into one {@code oci:} layout: {@link OciConcurrencyIT}.)
 */
class ConcurrencyIT {
    static final int WRITERS = 8;

    @RegisterExtension
    static final RegistryServer HTPASSWD = RegistryServer.htpasswd();

    @TempDir
    Path tmp;

    /** Runs the tasks all at once and returns their results in order. */
    static List<CommandResult> all(List<Callable<CommandResult>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<CommandResult>> fs = pool.invokeAll(tasks);
            List<CommandResult> out = new ArrayList<>();
            for (Future<CommandResult> f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@code WRITERS} different single-layer images, tags t0..t7, in one new OCI layout. */
    static List<WrittenImage> images(Path layout) throws IOException {
        List<WrittenImage> out = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            out.add(TestImages.singleLayer(layout, "t" + i, 1000 + i));
        }
        return out;
    }

    @Test
    void eightWritersIntoOneContainersStorageStore() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        Path src = sb.path("src");
        List<WrittenImage> imgs = images(src);
        String store = "containers-storage:[vfs@" + sb.root().resolve("podman/root") + "+"
                + sb.root().resolve("podman/runroot") + "]";
        List<Callable<CommandResult>> tasks = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            String from = "oci:" + src + ":t" + i;
            String to = store + "localhost/img-" + i + ":v1";
            tasks.add(() -> sb.kopi("copy", from, to));
        }
        for (CommandResult r : all(tasks)) {
            r.assertSuccess();
        }
        // every store file is valid JSON, nothing is left incomplete or in the staging area
        Path root = sb.root().resolve("podman/root");
        JsonNode layers = RegistryCli.JSON.readTree(root.resolve("vfs-layers/layers.json").toFile());
        JsonNode images = RegistryCli.JSON.readTree(root.resolve("vfs-images/images.json").toFile());
        assertThat(images.size()).as("images in images.json").isEqualTo(WRITERS);
        assertThat(layers.size()).as("layers in layers.json").isEqualTo(WRITERS);
        layers.forEach(l -> assertThat(l.has("incomplete")).as("incomplete layer %s", l).isFalse());
        if (Files.isDirectory(root.resolve("tmp"))) {
            try (Stream<Path> s = Files.list(root.resolve("tmp"))) {
                assertThat(s.toList()).as("staging area").isEmpty();
            }
        }
        // podman sees all of them, and each reads back with its own layer (skopeo copies it out)
        String names = sb.podman("images", "--format", "{{.Repository}}:{{.Tag}}").assertSuccess().stdout();
        for (int i = 0; i < WRITERS; i++) {
            assertThat(names).contains("localhost/img-" + i + ":v1");
            Path out = sb.path("out-" + i);
            sb.skopeo("copy", store + "localhost/img-" + i + ":v1", "dir:" + out).assertSuccess();
            JsonNode cfg = RegistryCli.JSON.readTree(out.resolve(imgs.get(i).configDigest().encoded()).toFile());
            assertThat(cfg.path("rootfs").path("diff_ids").get(0).asText()).as("image %d's layer", i)
                    .isEqualTo(RegistryCli.JSON.readTree(src.resolve("blobs/sha256/"
                            + imgs.get(i).configDigest().encoded()).toFile()).path("rootfs").path("diff_ids").get(0)
                            .asText());
        }
    }

    @Test
    void eightLoginsIntoOneAuthJson() throws Exception {
        Sandbox sb = new Sandbox(tmp);
        Path authfile = sb.path("auth/auth.json");
        Files.createDirectories(authfile.getParent());
        List<FaultProxy> proxies = new ArrayList<>();
        try {
            for (int i = 0; i < WRITERS; i++) {
                proxies.add(FaultProxy.start(HTPASSWD)); // eight registries (host:port) in front of one
            }
            Credentials alice = Credentials.ALICE;
            List<Callable<CommandResult>> tasks = new ArrayList<>();
            for (FaultProxy p : proxies) {
                tasks.add(() -> RegistryCli.kopiWithStdin(sb, alice.password(), args("login", "--tls-verify=false",
                        "--authfile", authfile, "-u", alice.username(), "--password-stdin", p.hostPort())));
            }
            List<CommandResult> results = all(tasks);
            for (CommandResult r : results) {
                assertThat(r.assertSuccess().stdout()).isEqualTo("Login Succeeded!\n");
            }
            JsonNode auths = RegistryCli.JSON.readTree(authfile.toFile()).path("auths");
            assertThat(auths.size()).as("entries in auth.json: %s", auths).isEqualTo(WRITERS);
            for (FaultProxy p : proxies) {
                assertThat(auths.path(p.hostPort()).path("auth").asText()).as(p.hostPort())
                        .isEqualTo(alice.authJsonAuth());
            }
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(authfile))).isEqualTo("rw-------");
            try (Stream<Path> s = Files.list(authfile.getParent())) {
                assertThat(s.map(f -> f.getFileName().toString()).toList()).as("files next to auth.json")
                        .allMatch(n -> n.equals("auth.json") || n.equals("auth.json.lock"));
            }
            RegistryCli.assertNoSecrets(results, KopiRegistryVariantsIT.secrets(HTPASSWD));
        } finally {
            proxies.forEach(FaultProxy::close);
        }
    }
}
