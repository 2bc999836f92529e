package dev.kopi.transport.storage;

import com.electronwill.nightconfig.core.UnmodifiableConfig;
import com.electronwill.nightconfig.core.io.ParsingException;
import com.electronwill.nightconfig.toml.TomlParser;
import dev.kopi.config.Env;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The default store from {@code storage.conf}, as containers/storage 1.43 computes it
 * ({@code types.DefaultStoreOptionsAutoDetectUID}): for root, {@code $CONTAINERS_STORAGE_CONF}, else
 * {@code $XDG_CONFIG_HOME/containers/storage.conf}, else {@code /etc/containers/storage.conf}, else
 * {@code /usr/share/containers/storage.conf}, with {@code /var/lib/containers/storage} and
 * {@code /run/containers/storage} for what the file leaves out; for other users,
 * {@code $CONTAINERS_STORAGE_CONF} or {@code ~/.config/containers/storage.conf} (XDG_CONFIG_HOME honoured), falling
 * back to the system file's driver with per-user paths ({@code ~/.local/share/containers/storage}, or its
 * {@code rootless_storage_path}, and {@code $XDG_RUNTIME_DIR/containers}). {@code $STORAGE_DRIVER} and
 * {@code $STORAGE_OPTS} override the file; {@code $UID} and environment variables in paths are expanded.
 */
final class StorageConf {
    static final String DEFAULT_GRAPH_ROOT = "/var/lib/containers/storage";
    static final String DEFAULT_RUN_ROOT = "/run/containers/storage";
    static final Path SYSTEM_OVERRIDE = Path.of("/etc/containers/storage.conf");
    static final Path SYSTEM_DEFAULT = Path.of("/usr/share/containers/storage.conf");

    /** A store's settings: driver ("" = detect), paths, driver options. */
    record Options(String driver, String graphRoot, String runRoot, String rootlessStoragePath,
            List<String> driverOptions) {
        Options {
            driverOptions = List.copyOf(driverOptions);
        }
    }

    private StorageConf() {
    }

    /** The default store's settings for the process environment {@code env}. */
    static Options defaults(Env env) throws ImageException {
        return defaults(env, SYSTEM_OVERRIDE, SYSTEM_DEFAULT);
    }

    static Options defaults(Env env, Path systemOverride, Path systemDefault) throws ImageException {
        int uid = env.uid();
        Optional<String> explicit = Optional.ofNullable(env.asMap().get("CONTAINERS_STORAGE_CONF"));
        if (uid == 0) {
            Path file = null;
            if (explicit.isPresent()) {
                file = Path.of(explicit.get());
                if (!Files.exists(file)) {
                    throw new ImageException(ErrorCode.IO, "stat " + file + ": no such file or directory");
                }
            } else {
                Optional<String> xdg = Optional.ofNullable(env.asMap().get("XDG_CONFIG_HOME"));
                if (xdg.isPresent() && Files.exists(Path.of(xdg.get(), "containers", "storage.conf"))) {
                    file = Path.of(xdg.get(), "containers", "storage.conf");
                } else if (Files.exists(systemOverride)) {
                    file = systemOverride;
                } else if (Files.exists(systemDefault)) {
                    file = systemDefault;
                }
            }
            Options o = file == null ? new Options("", "", "", "", List.of()) : parse(file, env);
            return new Options(o.driver(), expand(o.graphRoot().isEmpty() ? DEFAULT_GRAPH_ROOT : o.graphRoot(), env),
                    expand(o.runRoot().isEmpty() ? DEFAULT_RUN_ROOT : o.runRoot(), env), o.rootlessStoragePath(),
                    o.driverOptions());
        }
        Path userFile;
        if (explicit.isPresent()) {
            userFile = Path.of(explicit.get());
        } else {
            String xdg = env.get("XDG_CONFIG_HOME");
            userFile = !xdg.isEmpty() ? Path.of(xdg, "containers", "storage.conf")
                    : env.home().resolve(".config/containers/storage.conf");
        }
        String runtime = rootlessRuntimeDir(env, uid);
        String dataHome = env.nonEmpty("XDG_DATA_HOME").orElse(env.home().resolve(".local/share").toString());
        if (Files.exists(userFile)) {
            Options o = parse(userFile, env);
            String graph = !o.graphRoot().isEmpty() ? o.graphRoot()
                    : !o.rootlessStoragePath().isEmpty() ? o.rootlessStoragePath()
                    : Path.of(dataHome, "containers", "storage").toString();
            String run = !o.runRoot().isEmpty() ? o.runRoot() : runtime;
            return new Options(o.driver(), expand(graph, env), expand(run, env), o.rootlessStoragePath(),
                    o.driverOptions());
        }
        Options system = Files.exists(systemOverride) ? parse(systemOverride, env)
                : Files.exists(systemDefault) ? parse(systemDefault, env) : new Options("", "", "", "", List.of());
        String graph = !system.rootlessStoragePath().isEmpty() ? system.rootlessStoragePath()
                : Path.of(dataHome, "containers", "storage").toString();
        String driver = List.of("btrfs", "overlay", "overlay2", "vfs").contains(system.driver()) ? system.driver() : "";
        driver = env.nonEmpty("STORAGE_DRIVER").orElse(driver);
        if (driver.equals("overlay2")) {
            driver = "overlay";
        }
        if (driver.isEmpty()) {
            driver = "vfs";
        }
        List<String> opts = new ArrayList<>();
        if (driver.equals("overlay")) {
            for (String o : system.driverOptions()) {
                if (o.contains("ignore_chown_errors")) {
                    opts.add(o);
                    break;
                }
            }
        }
        env.nonEmpty("STORAGE_OPTS").ifPresent(s -> opts.addAll(List.of(s.split(",", -1))));
        return new Options(driver, expand(graph, env), expand(runtime, env), system.rootlessStoragePath(), opts);
    }

    /** {@code $XDG_RUNTIME_DIR/containers}, else {@code /run/user/UID/containers}, else a per-user temp dir. */
    private static String rootlessRuntimeDir(Env env, int uid) {
        Optional<String> xdg = env.nonEmpty("XDG_RUNTIME_DIR");
        if (xdg.isPresent()) {
            return Path.of(xdg.get(), "containers").toString();
        }
        Path runUser = Path.of("/run/user", Integer.toString(uid));
        if (Files.isDirectory(runUser)) {
            return runUser.resolve("containers").toString();
        }
        String tmp = env.nonEmpty("TMPDIR").orElse("/tmp");
        return Path.of(tmp, "containers-user-" + uid, "containers").toString();
    }

    /** Reads one storage.conf ({@code ReloadConfigurationFile}). */
    static Options parse(Path file, Env env) throws ImageException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new ImageException(ErrorCode.IO, "open " + file + ": no such file or directory", e);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "reading " + file + ": " + e.getMessage(), e);
        }
        return parse(text, file.toString(), env);
    }

    static Options parse(String text, String origin, Env env) throws ImageException {
        UnmodifiableConfig doc;
        try {
            doc = new TomlParser().parse(new StringReader(text));
        } catch (ParsingException e) {
            throw ImageException.invalid(origin + ": toml: " + e.getMessage());
        }
        Map<String, Object> storage = table(doc.valueMap().get("storage"));
        String confDriver = string(storage.get("driver"), "driver");
        String driver = env.nonEmpty("STORAGE_DRIVER").orElse(confDriver);
        if (driver.equals("overlay2")) {
            driver = "overlay";
        }
        String runRoot = string(storage.get("runroot"), "runroot");
        String graphRoot = string(storage.get("graphroot"), "graphroot");
        String rootless = string(storage.get("rootless_storage_path"), "rootless_storage_path");
        Map<String, Object> options = table(storage.get("options"));
        String optDriver = env.nonEmpty("STORAGE_DRIVER").orElse(confDriver);
        List<String> driverOptions = new ArrayList<>();
        Object stores = options.get("additionalimagestores");
        if (stores instanceof List<?> l) {
            for (Object s : l) {
                driverOptions.add(optDriver + ".imagestore=" + s);
            }
        }
        String ignoreChown = string(options.get("ignore_chown_errors"), "ignore_chown_errors");
        if (!ignoreChown.isEmpty()) {
            driverOptions.add(optDriver + ".ignore_chown_errors=" + ignoreChown);
        }
        for (String k : List.of("size", "mount_program", "skip_mount_home", "mountopt")) {
            String v = string(options.get(k), k);
            if (!v.isEmpty()) {
                driverOptions.add(optDriver + "." + k + "=" + v);
            }
        }
        if (driver.equals("vfs")) {
            Map<String, Object> vfs = table(options.get("vfs"));
            String v = string(vfs.get("ignore_chown_errors"), "ignore_chown_errors");
            if (!v.isEmpty()) {
                driverOptions.add("vfs.ignore_chown_errors=" + v);
            }
        }
        Optional<String> envOpts = Optional.ofNullable(env.asMap().get("STORAGE_OPTS"));
        if (envOpts.isPresent()) {
            driverOptions = new ArrayList<>(List.of(envOpts.get().split(",", -1)));
        }
        if (driverOptions.size() == 1 && driverOptions.get(0).isEmpty()) {
            driverOptions = List.of();
        }
        return new Options(driver, graphRoot, runRoot, rootless, driverOptions);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> table(Object o) {
        if (o instanceof UnmodifiableConfig c) {
            return (Map<String, Object>) c.valueMap();
        }
        return Map.of();
    }

    private static String string(Object o, String key) throws ImageException {
        if (o == null) {
            return "";
        }
        if (o instanceof String s) {
            return s;
        }
        throw ImageException.invalid("toml: (last key \"storage." + key + "\"): incompatible types: TOML value has type "
                + o.getClass().getSimpleName() + "; destination has type string");
    }

    /**
     * c/storage's {@code expandEnvPath}: {@code $UID} replaced, {@code $VAR}/{@code ${VAR}} expanded, symlinks
     * resolved when the path exists, else cleaned.
     */
    static String expand(String path, Env env) {
        String p = path.replace("$UID", Integer.toString(env.uid()));
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c != '$' || i + 1 >= p.length()) {
                out.append(c);
                continue;
            }
            int start = i + 1;
            int end;
            String name;
            if (p.charAt(start) == '{') {
                end = p.indexOf('}', start);
                if (end < 0) {
                    out.append(c);
                    continue;
                }
                name = p.substring(start + 1, end);
                i = end;
            } else {
                end = start;
                while (end < p.length() && (Character.isLetterOrDigit(p.charAt(end)) || p.charAt(end) == '_')) {
                    end++;
                }
                if (end == start) {
                    out.append(c);
                    continue;
                }
                name = p.substring(start, end);
                i = end - 1;
            }
            out.append(env.get(name));
        }
        String expanded = out.toString();
        try {
            return Path.of(expanded).toRealPath().toString();
        } catch (IOException | RuntimeException e) {
            return GoPaths.clean(expanded);
        }
    }
}
