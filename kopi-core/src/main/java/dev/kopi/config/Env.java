package dev.kopi.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The process environment as the configuration layer sees it: environment variables (a map, {@link #system()} for
 * the real one, {@link #of(Map)} in tests) and the user id. Every path the config classes compute comes from here
 * ($HOME, $XDG_RUNTIME_DIR, $XDG_CONFIG_HOME, $DOCKER_CONFIG, REGISTRY_AUTH_FILE, $PATH), never from Java's
 * {@code user.home}. Immutable.
 */
public final class Env {
    private final Map<String, String> vars;
    private final OptionalInt uid;

    private Env(Map<String, String> vars, OptionalInt uid) {
        this.vars = Map.copyOf(vars);
        this.uid = uid;
    }

    /** The real environment ({@link System#getenv()}) and the real user id. */
    public static Env system() {
        return new Env(System.getenv(), OptionalInt.empty());
    }

    /** An environment with exactly these variables; the user id is the real one unless {@link #withUid} sets it. */
    public static Env of(Map<String, String> vars) {
        return new Env(vars, OptionalInt.empty());
    }

    /** A copy with {@code name} set to {@code value} (or removed when {@code value} is null). */
    public Env with(String name, String value) {
        Map<String, String> m = new HashMap<>(vars);
        if (value == null) {
            m.remove(name);
        } else {
            m.put(name, value);
        }
        return new Env(m, uid);
    }

    /** A copy that reports {@code id} as the user id (tests). */
    public Env withUid(int id) {
        return new Env(vars, OptionalInt.of(id));
    }

    /** The variables, unmodifiable (for passing to child processes). */
    public Map<String, String> asMap() {
        return vars;
    }

    /** Go's {@code os.Getenv}: the value, or "" when unset. */
    public String get(String name) {
        String v = vars.get(name);
        return v == null ? "" : v;
    }

    /** The value when set and non-empty (the test containers/image applies to every variable it reads). */
    public Optional<String> nonEmpty(String name) {
        String v = vars.get(name);
        return v == null || v.isEmpty() ? Optional.empty() : Optional.of(v);
    }

    /**
     * The home directory: $HOME, else the entry for the user id in /etc/passwd (as containers/storage's
     * homedir.Get falls back to the password database), else "/".
     */
    public Path home() {
        Optional<String> h = nonEmpty("HOME");
        if (h.isPresent()) {
            return Path.of(h.get());
        }
        try {
            String me = Integer.toString(uid());
            for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
                String[] f = line.split(":", -1);
                if (f.length >= 6 && f[2].equals(me) && !f[5].isEmpty()) {
                    return Path.of(f[5]);
                }
            }
        } catch (IOException | RuntimeException e) {
            // no password database: fall through
        }
        return Path.of("/");
    }

    /** The (real) user id of this process, or the one given by {@link #withUid}. */
    public int uid() {
        if (uid.isPresent()) {
            return uid.getAsInt();
        }
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }

    /**
     * Go's {@code exec.LookPath}: the first regular executable file called {@code name} in the $PATH directories
     * (an empty entry means the current directory), or empty.
     */
    public Optional<Path> findExecutable(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isRegularFile(p) && Files.isExecutable(p) ? Optional.of(p) : Optional.empty();
        }
        String path = get("PATH");
        if (path.isEmpty()) {
            return Optional.empty();
        }
        for (String dir : List.of(path.split(":", -1))) {
            Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(name);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return "Env" + vars.keySet();
    }
}
