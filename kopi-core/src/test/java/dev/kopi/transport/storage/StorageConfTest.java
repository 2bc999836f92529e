package dev.kopi.transport.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.config.Env;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** storage.conf lookup and store resolution (containers/storage 1.43 types/options.go, store.go GetStore). */
class StorageConfTest {
    @TempDir
    Path tmp;

    private Path missing() {
        return tmp.resolve("missing.conf");
    }

    private Path write(String name, String toml) throws IOException {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, toml);
        return p;
    }

    @Test
    void rootWithoutConfigurationUsesTheBuiltInPaths() throws Exception {
        StorageConf.Options o = StorageConf.defaults(Env.of(Map.of()).withUid(0), missing(), missing());
        assertThat(o.graphRoot()).isEqualTo("/var/lib/containers/storage");
        assertThat(o.runRoot()).isEqualTo("/run/containers/storage");
        assertThat(o.driver()).isEmpty();
    }

    @Test
    void systemFileThenOverrideThenEnvironment() throws Exception {
        Path usr = write("usr.conf", "[storage]\ndriver = \"overlay2\"\ngraphroot = \"/usr-graph\"\n");
        Path etc = write("etc.conf", "[storage]\ndriver = \"vfs\"\ngraphroot = \"/etc-graph\"\nrunroot = \"/etc-run\"\n"
                + "[storage.options.vfs]\nignore_chown_errors = \"true\"\n");
        Env root = Env.of(Map.of()).withUid(0);
        StorageConf.Options fromUsr = StorageConf.defaults(root, missing(), usr);
        assertThat(fromUsr.driver()).as("overlay2 is overlay").isEqualTo("overlay");
        assertThat(fromUsr.graphRoot()).isEqualTo("/usr-graph");
        assertThat(fromUsr.runRoot()).isEqualTo("/run/containers/storage");

        StorageConf.Options fromEtc = StorageConf.defaults(root, etc, usr);
        assertThat(fromEtc.driver()).isEqualTo("vfs");
        assertThat(fromEtc.graphRoot()).isEqualTo("/etc-graph");
        assertThat(fromEtc.runRoot()).isEqualTo("/etc-run");
        assertThat(fromEtc.driverOptions()).containsExactly("vfs.ignore_chown_errors=true");

        Path env = write("env.conf", "[storage]\ndriver = \"vfs\"\ngraphroot = \"/env/$UID/graph\"\n");
        StorageConf.Options fromEnv = StorageConf.defaults(root.with("CONTAINERS_STORAGE_CONF", env.toString())
                .with("STORAGE_DRIVER", "vfs").with("STORAGE_OPTS", "vfs.ignore_chown_errors=false"), etc, usr);
        assertThat(fromEnv.graphRoot()).isEqualTo("/env/0/graph");
        assertThat(fromEnv.driverOptions()).containsExactly("vfs.ignore_chown_errors=false");

        assertThatThrownBy(() -> StorageConf.defaults(root.with("CONTAINERS_STORAGE_CONF", missing().toString()),
                etc, usr)).hasMessage("stat " + missing() + ": no such file or directory");
    }

    @Test
    void rootlessUsersGetPerUserPaths() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("home"));
        Env user = Env.of(Map.of("HOME", home.toString(), "XDG_RUNTIME_DIR", tmp.resolve("run").toString()))
                .withUid(1000);
        Path etc = write("etc.conf", "[storage]\ndriver = \"overlay\"\nrootless_storage_path = \"$HOME/rootless\"\n");
        StorageConf.Options o = StorageConf.defaults(user, etc, missing());
        assertThat(o.graphRoot()).isEqualTo(home.resolve("rootless").toString());
        assertThat(o.runRoot()).isEqualTo(tmp.resolve("run/containers").toString());
        assertThat(o.driver()).isEqualTo("overlay");

        StorageConf.Options none = StorageConf.defaults(user, missing(), missing());
        assertThat(none.graphRoot()).isEqualTo(home.resolve(".local/share/containers/storage").toString());
        assertThat(none.driver()).isEqualTo("vfs");

        write("home/.config/containers/storage.conf", "[storage]\ndriver = \"vfs\"\ngraphroot = \"/mine\"\n");
        StorageConf.Options mine = StorageConf.defaults(user, etc, missing());
        assertThat(mine.graphRoot()).isEqualTo("/mine");
        assertThat(mine.runRoot()).isEqualTo(tmp.resolve("run/containers").toString());
    }

    @Test
    void resolverCompletesSpecsLikeGetStore() throws Exception {
        Path etc = write("etc.conf", "[storage]\ndriver = \"vfs\"\ngraphroot = \"/g\"\nrunroot = \"/r\"\n");
        DefaultStoreResolver r = new DefaultStoreResolver(Env.of(Map.of()).withUid(0), etc, missing());
        assertThat(r.resolve(StoreSpec.UNSPECIFIED)).isEqualTo(new StoreSpec("vfs", "/g", "/r", List.of()));
        assertThat(r.resolve(StoreSpec.parse("vfs@/a/./b/+/c")))
                .isEqualTo(new StoreSpec("vfs", "/a/b", "/c", List.of()));
        assertThat(r.resolve(StoreSpec.parse("vfs@/a"))).as("a missing run root comes from the defaults")
                .isEqualTo(new StoreSpec("vfs", "/a", "/r", List.of()));
        Files.createDirectories(tmp.resolve("ov/overlay"));
        assertThat(r.resolve(StoreSpec.parse(tmp.resolve("ov").toString())))
                .as("no driver named: the one whose directory is there")
                .isEqualTo(new StoreSpec("overlay", tmp.resolve("ov").toString(), "/r", List.of()));
        Files.createDirectories(tmp.resolve("two/overlay"));
        Files.createDirectories(tmp.resolve("two/btrfs"));
        assertThatThrownBy(() -> r.resolve(StoreSpec.parse(tmp.resolve("two").toString())))
                .hasMessageContaining("contains several valid graphdrivers: overlay, btrfs");
        assertThatThrownBy(() -> r.resolve(StoreSpec.parse("btrfs@/x"))).hasMessageContaining("not supported by kopi");
        assertThatThrownBy(() -> r.resolve(StoreSpec.parse("nope@/x")))
                .hasMessage("failed to GetDriver graph nope /x: driver not supported");
    }
}
