package dev.kopi.config;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Registry credentials as skopeo finds and keeps them (containers/image {@code pkg/docker/config}).
 *
 * <p><b>Lookup</b> ({@link #lookup(String)}) asks the credential helpers of registries.conf's
 * {@code credential-helpers} in order (default: only {@value #AUTH_FILE_HELPER}, the auth files). The auth files
 * are read in this order, the first with credentials winning: the explicit file ({@code --authfile}, whose
 * default is REGISTRY_AUTH_FILE; when given, it is the <em>only</em> file read), else
 * {@code $XDG_RUNTIME_DIR/containers/auth.json} (or {@code /run/containers/UID/auth.json} when XDG_RUNTIME_DIR is
 * unset), {@code $XDG_CONFIG_HOME/containers/auth.json} (default {@code ~/.config}), {@code $DOCKER_CONFIG/config.json}
 * (default {@code ~/.docker/config.json}) and the legacy {@code ~/.dockercfg}. In a file, a {@code credHelpers}
 * entry for the registry sends the lookup to that helper; else {@code auths} keys are tried from the repository
 * up to the registry ({@code quay.io/ns/repo}, {@code quay.io/ns}, {@code quay.io}); else the keys are normalised
 * ({@code https://index.docker.io/v1/} → {@code index.docker.io}, scheme and path stripped) and compared with the
 * registry. Extension: when a file's entries give nothing and it names a {@code credsStore}, that helper is asked
 * (containers/image ignores {@code credsStore}); a credsStore helper that is not installed is skipped.
 *
 * <p><b>Writing</b> ({@link #store}, {@link #remove}, {@link #removeAll}) goes to one file: the explicit one, else
 * {@code $XDG_RUNTIME_DIR/containers/auth.json}, else {@code /run/containers/UID/auth.json}; a set but missing
 * XDG_RUNTIME_DIR is an error. Parent directories are made with mode 0700, the file is replaced atomically with
 * mode 0600 under an exclusive lock on {@code FILE.lock}, and fields kopi does not know are kept.
 */
public final class AuthFiles {
    /** The credential-helpers value that means "the auth files". */
    public static final String AUTH_FILE_HELPER = "containers-auth.json";
    /** The key {@code docker login} uses for Docker Hub. */
    public static final String DOCKER_HUB_LEGACY_KEY = "https://index.docker.io/v1/";

    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-------");

    private final Env env;
    private final Path explicitFile;
    private final List<String> helpers;
    private final ConfigLog log;
    private final Duration helperTimeout;

    /** An auth file path and whether it is in the legacy ~/.dockercfg format. */
    public record AuthPath(Path path, boolean legacyFormat) {
        public AuthPath {
            Objects.requireNonNull(path, "path");
        }
    }

    /**
     * @param env the environment all default paths come from
     * @param explicitFile {@code --authfile} (the CLI resolves its default, see {@link #defaultAuthFileFlag}), or
     *     null for the default search
     * @param credentialHelpers registries.conf's {@code credential-helpers}; empty means {@value #AUTH_FILE_HELPER}
     */
    public AuthFiles(Env env, Path explicitFile, List<String> credentialHelpers) {
        this(env, explicitFile, credentialHelpers, ConfigLog.NONE, CredentialHelper.DEFAULT_TIMEOUT);
    }

    /** Default search, auth files only. */
    public AuthFiles(Env env) {
        this(env, null, List.of());
    }

    private AuthFiles(Env env, Path explicitFile, List<String> helpers, ConfigLog log, Duration helperTimeout) {
        this.env = Objects.requireNonNull(env, "env");
        this.explicitFile = explicitFile == null || explicitFile.toString().isEmpty() ? null : explicitFile;
        this.helpers = helpers == null || helpers.isEmpty() ? List.of(AUTH_FILE_HELPER) : List.copyOf(helpers);
        this.log = Objects.requireNonNull(log, "log");
        this.helperTimeout = helperTimeout;
    }

    /** A copy reporting warnings and debug lines to {@code log}. */
    public AuthFiles withLog(ConfigLog newLog) {
        return new AuthFiles(env, explicitFile, helpers, newLog, helperTimeout);
    }

    /** A copy that kills credential helpers after {@code timeout}. */
    public AuthFiles withHelperTimeout(Duration timeout) {
        return new AuthFiles(env, explicitFile, helpers, log, timeout);
    }

    /** The credential helpers consulted, in order. */
    public List<String> credentialHelpers() {
        return helpers;
    }

    /** skopeo's default for {@code --authfile} of the image commands: REGISTRY_AUTH_FILE, if set. */
    public static Optional<Path> defaultAuthFileFlag(Env env) {
        return env.nonEmpty("REGISTRY_AUTH_FILE").map(Path::of);
    }

    /**
     * The default for {@code --authfile} of {@code login} and {@code logout} (containers/common
     * GetDefaultAuthFile): REGISTRY_AUTH_FILE, else {@code $DOCKER_CONFIG/config.json} when DOCKER_CONFIG is set.
     */
    public static Optional<Path> defaultLoginAuthFileFlag(Env env) {
        Optional<Path> p = defaultAuthFileFlag(env);
        if (p.isPresent()) {
            return p;
        }
        return env.nonEmpty("DOCKER_CONFIG").map(d -> Path.of(d, "config.json"));
    }

    // ------------------------------------------------------------------------------------------------ paths

    /**
     * The file credentials are written to (containers/image getPathToAuth). Fails when XDG_RUNTIME_DIR names a
     * directory that does not exist.
     */
    public AuthPath writePath() throws ImageException {
        if (explicitFile != null) {
            return new AuthPath(explicitFile, false);
        }
        Optional<String> runtimeDir = env.nonEmpty("XDG_RUNTIME_DIR");
        if (runtimeDir.isPresent()) {
            Path dir = Path.of(runtimeDir.get());
            if (!Files.exists(dir) && !Files.isSymbolicLink(dir)) {
                throw new ImageException(ErrorCode.INVALID_INPUT, GoStrconv.quote(runtimeDir.get())
                        + " directory set by $XDG_RUNTIME_DIR does not exist. Either create the directory or unset "
                        + "$XDG_RUNTIME_DIR.: no such file or directory");
            }
            return new AuthPath(dir.resolve("containers").resolve("auth.json"), false);
        }
        return new AuthPath(Path.of("/run/containers/" + env.uid() + "/auth.json"), false);
    }

    /** The files read, in order (some may not exist); see the class comment. */
    public List<AuthPath> readPaths() {
        List<AuthPath> paths = new ArrayList<>();
        try {
            paths.add(writePath());
        } catch (ImageException e) {
            log.warn(e.getMessage() + ": Trying to pull image in the event that it is a public image.");
        }
        if (explicitFile == null) {
            Path home = env.home();
            Path configHome = env.nonEmpty("XDG_CONFIG_HOME").map(Path::of).orElse(home.resolve(".config"));
            paths.add(new AuthPath(configHome.resolve("containers").resolve("auth.json"), false));
            paths.add(new AuthPath(env.nonEmpty("DOCKER_CONFIG").map(d -> Path.of(d, "config.json"))
                    .orElse(home.resolve(".docker").resolve("config.json")), false));
            paths.add(new AuthPath(home.resolve(".dockercfg"), true));
        }
        return paths;
    }

    // ------------------------------------------------------------------------------------------------ keys

    /**
     * containers/image validateKey: rejects {@code http[s]://}, {@code @} and a {@code :} after the host part;
     * returns whether the key is namespaced (has a {@code /}).
     */
    public static boolean validateKey(String key) throws ImageException {
        if (key.startsWith("http://") || key.startsWith("https://")) {
            throw ImageException.invalid("key " + key + " contains http[s]:// prefix");
        }
        if (key.indexOf('@') >= 0) {
            throw ImageException.invalid("key " + key + " contains a '@' character");
        }
        int slash = key.indexOf('/');
        if (slash >= 0 && key.indexOf(':', slash + 1) >= 0) {
            throw ImageException.invalid("key " + key + " contains a ':' character after host[:port]");
        }
        return slash >= 0;
    }

    static String registryOf(String key) {
        int slash = key.indexOf('/');
        return slash >= 0 ? key.substring(0, slash) : key;
    }

    /** Docker Hub's host names all map to {@code index.docker.io}. */
    static String normalizeRegistry(String registry) {
        return switch (registry) {
            case "registry-1.docker.io", "docker.io" -> "index.docker.io";
            default -> registry;
        };
    }

    /** An {@code auths} key as a registry host: scheme and (for URLs and legacy files) path stripped. */
    static String normalizeAuthFileKey(String key, boolean legacyFormat) {
        String stripped = key;
        if (stripped.startsWith("http://")) {
            stripped = stripped.substring("http://".length());
        }
        if (stripped.startsWith("https://")) {
            stripped = stripped.substring("https://".length());
        }
        if (legacyFormat || !stripped.equals(key)) {
            int slash = stripped.indexOf('/');
            if (slash >= 0) {
                stripped = stripped.substring(0, slash);
            }
        }
        return normalizeRegistry(stripped);
    }

    /** The keys tried in a file, most specific first: the key, then each parent, down to the registry. */
    static List<String> lookupOrder(String key, String registry, boolean legacyFormat) {
        if (legacyFormat) {
            return List.of(registry);
        }
        List<String> keys = new ArrayList<>();
        String k = key;
        while (true) {
            keys.add(k);
            int slash = k.lastIndexOf('/');
            if (slash < 0) {
                break;
            }
            k = k.substring(0, slash);
        }
        return keys;
    }

    // ------------------------------------------------------------------------------------------------ lookup

    /** The credentials for {@code registry} ({@code host[:port]}) and {@code repository} (its path, may be ""). */
    public Credentials lookup(String registry, String repository) throws ImageException {
        return lookup(repository == null || repository.isEmpty() ? registry : registry + "/" + repository);
    }

    /**
     * The credentials for {@code key}: a registry ({@code host[:port]}), a namespace or a repository
     * ({@code DockerReference.name()}); {@link Credentials#NONE} when there are none.
     */
    public Credentials lookup(String key) throws ImageException {
        validateKey(key);
        String registry = registryOf(key);
        List<ImageException> errors = new ArrayList<>();
        for (String helper : helpers) {
            Credentials creds;
            String where = null;
            String helperKey;
            try {
                if (AUTH_FILE_HELPER.equals(helper)) {
                    helperKey = key;
                    creds = Credentials.NONE;
                    for (AuthPath p : readPaths()) {
                        Credentials c = findInFile(key, registry, p);
                        if (!c.isEmpty()) {
                            creds = c;
                            where = p.path().toString();
                            break;
                        }
                    }
                } else {
                    helperKey = registry;
                    creds = fromHelper(helper, registry);
                }
            } catch (ImageException e) {
                log.debug("Error looking up credentials for " + key + " in credential helper " + helper + ": "
                        + e.getMessage());
                errors.add(e);
                continue;
            }
            if (!creds.isEmpty()) {
                log.debug("Found credentials for " + helperKey + " in credential helper " + helper
                        + (where != null ? " in file " + where : ""));
                return creds;
            }
        }
        if (!errors.isEmpty()) {
            throw multiError("errors looking up credentials:\n\t* ", "\nt* ", "\n", errors);
        }
        log.debug("No credentials for " + key + " found");
        return Credentials.NONE;
    }

    /**
     * containers/image's multierr.Format: a single error as it is, several joined. (The lookup's separator really
     * is {@code "\nt* "} there.)
     */
    private static ImageException multiError(String first, String middle, String last, List<ImageException> errs) {
        if (errs.size() == 1) {
            return errs.get(0);
        }
        StringBuilder sb = new StringBuilder(first);
        for (int i = 0; i < errs.size(); i++) {
            if (i > 0) {
                sb.append(middle);
            }
            sb.append(errs.get(i).getMessage());
        }
        sb.append(last);
        ImageException e = new ImageException(errs.get(0).code(), sb.toString(), errs.get(0));
        errs.subList(1, errs.size()).forEach(e::addSuppressed);
        return e;
    }

    private AuthFile parse(AuthPath p) throws ImageException {
        try {
            return AuthFile.read(p.path(), p.legacyFormat());
        } catch (ImageException e) {
            throw new ImageException(e.code(), "reading JSON file " + GoStrconv.quote(p.path().toString()) + ": "
                    + e.getMessage(), e);
        }
    }

    private Credentials findInFile(String key, String registry, AuthPath p) throws ImageException {
        AuthFile file = parse(p);
        String helper = file.credHelpers().get(registry);
        if (helper != null) {
            log.debug("Looking up in credential helper " + helper + " based on credHelpers entry in " + p.path());
            return fromHelper(helper, registry);
        }
        Credentials found = null;
        for (String k : lookupOrder(key, registry, p.legacyFormat())) {
            Optional<AuthFile.Entry> e = file.entry(k);
            if (e.isPresent()) {
                found = decode(p.path(), k, e.get());
                break;
            }
        }
        if (found == null) {
            String normalized = normalizeRegistry(registry);
            for (String k : file.authKeys()) {
                if (normalizeAuthFileKey(k, p.legacyFormat()).equals(normalized)) {
                    found = decode(p.path(), k, file.entry(k).orElseThrow());
                    break;
                }
            }
        }
        if ((found == null || found.isEmpty()) && !file.credsStore().isEmpty()) {
            String server = normalizeRegistry(registry).equals("index.docker.io") ? DOCKER_HUB_LEGACY_KEY : registry;
            try {
                Credentials c = fromHelper(file.credsStore(), server);
                if (!c.isEmpty()) {
                    log.debug("Found credentials for " + registry + " in credsStore " + file.credsStore()
                            + " named in " + p.path());
                    return c;
                }
            } catch (CredentialHelper.HelperNotFoundException e) {
                log.debug("Ignoring credsStore " + file.credsStore() + " in " + p.path() + ": " + e.getMessage());
            }
        }
        if (found == null) {
            log.debug("No credentials matching " + key + " found in " + p.path());
            return Credentials.NONE;
        }
        return found;
    }

    /** containers/image decodeDockerAuth. */
    private Credentials decode(Path path, String key, AuthFile.Entry entry) throws ImageException {
        byte[] decoded;
        try {
            decoded = GoBase64.decode(entry.auth());
        } catch (GoBase64.CorruptInputException e) {
            throw ImageException.invalid(e.getMessage());
        }
        String s = new String(decoded, StandardCharsets.UTF_8);
        int colon = s.indexOf(':');
        if (colon < 0) {
            if (decoded.length > 0) {
                log.warn("Error parsing the \"auth\" field of a credential entry " + GoStrconv.quote(key) + " in "
                        + GoStrconv.quote(path.toString()) + ", missing semicolon");
            } else {
                log.debug("Found an empty credential entry " + GoStrconv.quote(key) + " in "
                        + GoStrconv.quote(path.toString()) + " (an unhandled credential helper marker?), moving on");
            }
            return Credentials.NONE;
        }
        String password = trimNul(s.substring(colon + 1));
        return new Credentials(s.substring(0, colon), password, entry.identityToken());
    }

    private static String trimNul(String s) {
        int b = 0;
        int e = s.length();
        while (b < e && s.charAt(b) == '\0') {
            b++;
        }
        while (e > b && s.charAt(e - 1) == '\0') {
            e--;
        }
        return s.substring(b, e);
    }

    private CredentialHelper helper(String name) {
        return new CredentialHelper(name, env, helperTimeout);
    }

    private Credentials fromHelper(String name, String registry) throws ImageException {
        Optional<Credentials> c = helper(name).get(registry);
        if (c.isEmpty()) {
            log.debug("Not logged in to " + registry + " with credential helper " + name);
        }
        return c.orElse(Credentials.NONE);
    }

    /**
     * Every registry with credentials in any source (containers/image GetAllCredentials): the keys of all auth
     * files and credHelpers, and what the external helpers list, each looked up with {@link #lookup(String)}.
     */
    public Map<String, Credentials> all() throws ImageException {
        Set<String> keys = new LinkedHashSet<>();
        String hub = normalizeRegistry("docker.io");
        for (String helper : helpers) {
            if (AUTH_FILE_HELPER.equals(helper)) {
                for (AuthPath p : readPaths()) {
                    AuthFile f = parse(p);
                    keys.addAll(f.credHelpers().keySet());
                    for (String k : f.authKeys()) {
                        String n = normalizeAuthFileKey(k, p.legacyFormat());
                        keys.add(n.equals(hub) ? "docker.io" : n);
                    }
                }
            } else {
                try {
                    keys.addAll(helper(helper).list().keySet());
                } catch (CredentialHelper.HelperNotFoundException e) {
                    log.debug("Error listing credentials stored in credential helper " + helper + ": "
                            + e.getMessage());
                }
            }
        }
        Map<String, Credentials> res = new LinkedHashMap<>();
        for (String k : keys) {
            Credentials c = lookup(k);
            if (!c.isEmpty()) {
                res.put(k, c);
            }
        }
        return res;
    }

    // ------------------------------------------------------------------------------------------------ writing

    /**
     * Saves credentials for {@code key} (a registry, or a namespace/repository when the auth file is used) in the
     * first credential helper that takes them (containers/image SetCredentials).
     *
     * @return where they went: the auth file path, or {@code credential helper: NAME} (what {@code login -v}
     *     prints after "Used: ")
     */
    public String store(String key, String username, String password) throws ImageException {
        boolean namespaced = validateKey(key);
        List<ImageException> errors = new ArrayList<>();
        for (String helper : helpers) {
            try {
                String desc;
                if (AUTH_FILE_HELPER.equals(helper)) {
                    desc = modifyAuthFile(file -> {
                        String ch = file.credHelpers().get(key);
                        if (ch != null) {
                            if (namespaced) {
                                throw unsupportedNamespace(ch);
                            }
                            helper(ch).store(key, username, password);
                            return new Edit(false, "credential helper: " + ch);
                        }
                        file.putAuth(key, username, password);
                        return new Edit(true, "");
                    });
                } else {
                    if (namespaced) {
                        throw unsupportedNamespace(helper);
                    }
                    helper(helper).store(key, username, password);
                    desc = "credential helper: " + helper;
                }
                log.debug("Stored credentials for " + key + " in credential helper " + helper);
                return desc;
            } catch (ImageException e) {
                log.debug("Error storing credentials for " + key + " in credential helper " + helper + ": "
                        + e.getMessage());
                errors.add(e);
            }
        }
        throw multiError("Errors storing credentials\n\t* ", "\n\t* ", "\n", errors);
    }

    private static ImageException unsupportedNamespace(String helper) {
        return ImageException.invalid("namespaced key is not supported for credential helper " + helper);
    }

    /**
     * Removes the credentials for {@code key} from the auth file and from every credential helper
     * (containers/image RemoveAuthentication).
     *
     * @return false when there were none ("not logged into KEY")
     */
    public boolean remove(String key) throws ImageException {
        boolean namespaced = validateKey(key);
        boolean[] loggedIn = {false};
        List<ImageException> errors = new ArrayList<>();
        for (String helper : helpers) {
            try {
                if (AUTH_FILE_HELPER.equals(helper)) {
                    modifyAuthFile(file -> {
                        String inner = file.credHelpers().get(key);
                        ImageException helperErr = null;
                        if (inner != null) {
                            try {
                                loggedIn[0] |= removeFromHelper(inner, key, namespaced);
                            } catch (ImageException e) {
                                helperErr = e;
                            }
                        }
                        if (file.removeAuth(key)) {
                            loggedIn[0] = true;
                        }
                        if (helperErr != null) {
                            throw helperErr; // as containers/image: the file is then not written
                        }
                        return new Edit(true, "");
                    });
                } else {
                    loggedIn[0] |= removeFromHelper(helper, key, namespaced);
                }
            } catch (ImageException e) {
                errors.add(e);
            }
        }
        if (!errors.isEmpty()) {
            throw multiError("errors removing credentials\n\t* ", "\n\t*", "\n", errors);
        }
        return loggedIn[0];
    }

    private boolean removeFromHelper(String helper, String key, boolean namespaced) throws ImageException {
        if (namespaced) {
            log.debug("Not removing credentials because namespaced keys are not supported for the credential "
                    + "helper: " + helper);
            return false;
        }
        try {
            helper(helper).erase(key);
            log.debug("Credentials for " + GoStrconv.quote(key) + " were deleted from credential helper " + helper);
            return true;
        } catch (ImageException e) {
            if (CredentialHelper.isNotFound(e)) {
                log.debug("Not logged in to " + key + " with credential helper " + helper);
                return false;
            }
            throw new ImageException(e.code(), "removing credentials for " + key + " from credential helper "
                    + helper + ": " + e.getMessage(), e);
        }
    }

    /**
     * Removes every credential from the auth file (and the helpers its credHelpers name) and from every external
     * credential helper (containers/image RemoveAllAuthentication).
     */
    public void removeAll() throws ImageException {
        List<ImageException> errors = new ArrayList<>();
        for (String helper : helpers) {
            try {
                if (AUTH_FILE_HELPER.equals(helper)) {
                    modifyAuthFile(file -> {
                        for (Map.Entry<String, String> e : file.credHelpers().entrySet()) {
                            helper(e.getValue()).erase(e.getKey());
                        }
                        file.clear();
                        return new Edit(true, "");
                    });
                } else {
                    Map<String, String> creds;
                    try {
                        creds = helper(helper).list();
                    } catch (CredentialHelper.HelperNotFoundException e) {
                        continue;
                    }
                    for (String registry : creds.keySet()) {
                        helper(helper).erase(registry);
                    }
                }
                log.debug("All credentials removed from credential helper " + helper);
            } catch (ImageException e) {
                log.debug("Error removing credentials from credential helper " + helper + ": " + e.getMessage());
                errors.add(e);
            }
        }
        if (!errors.isEmpty()) {
            throw multiError("errors removing all credentials:\n\t* ", "\n\t* ", "\n", errors);
        }
    }

    /** What an edit of the auth file did: whether to write it, and a description of where credentials went. */
    private record Edit(boolean updated, String description) {
    }

    @FunctionalInterface
    private interface Editor {
        Edit edit(AuthFile file) throws ImageException;
    }

    /**
     * In-process locks per lock file: a {@link FileLock} excludes other processes only, and a second lock of the
     * same file in this JVM would throw instead of waiting.
     */
    private static final java.util.concurrent.ConcurrentHashMap<Path, Object> IN_PROCESS_LOCKS =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** containers/image modifyJSON, under an exclusive lock on {@code FILE.lock}. */
    private String modifyAuthFile(Editor editor) throws ImageException {
        Path lockKey = writePath().path().toAbsolutePath().normalize();
        synchronized (IN_PROCESS_LOCKS.computeIfAbsent(lockKey, k -> new Object())) {
            return modifyAuthFileLocked(editor);
        }
    }

    private String modifyAuthFileLocked(Editor editor) throws ImageException {
        AuthPath ap = writePath();
        Path path = ap.path();
        String q = GoStrconv.quote(path.toString());
        Path dir = path.toAbsolutePath().getParent();
        try {
            mkdirs(dir);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, AuthFile.goFileError("mkdir", dir, e), e);
        }
        Path lockPath = path.resolveSibling(path.getFileName() + ".lock");
        try (FileChannel lockChannel = openLock(lockPath); FileLock ignored = lockChannel.lock()) {
            AuthFile file;
            try {
                file = AuthFile.read(path, false);
            } catch (ImageException e) {
                throw new ImageException(e.code(), "reading JSON file " + q + ": " + e.getMessage(), e);
            }
            Edit edit;
            try {
                edit = editor.edit(file);
            } catch (ImageException e) {
                throw new ImageException(e.code(), "updating " + q + ": " + e.getMessage(), e);
            }
            if (edit.updated()) {
                try {
                    atomicWrite(path, file.toJson().getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    throw new ImageException(ErrorCode.IO, "writing to file " + q + ": "
                            + AuthFile.goFileError("open", path, e), e);
                }
            }
            return edit.description().isEmpty() ? path.toString() : edit.description();
        } catch (IOException e) {
            if (e instanceof ImageException ie) {
                throw ie;
            }
            throw new ImageException(ErrorCode.IO, "locking " + lockPath + ": " + e.getMessage(), e);
        }
    }

    private static FileChannel openLock(Path lockPath) throws IOException {
        try {
            return FileChannel.open(lockPath, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    PosixFilePermissions.asFileAttribute(FILE_MODE));
        } catch (FileAlreadyExistsException e) {
            return FileChannel.open(lockPath, StandardOpenOption.WRITE);
        } catch (UnsupportedOperationException e) {
            return FileChannel.open(lockPath, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
    }

    private static void mkdirs(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            mkdirs(parent);
        }
        try {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(DIR_MODE));
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(dir)) {
                throw e;
            }
        } catch (UnsupportedOperationException e) {
            Files.createDirectories(dir);
        }
    }

    /** Temp file in the same directory (mode 0600), fsync, atomic rename over {@code target}. */
    static void atomicWrite(Path target, byte[] data) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        try {
            try {
                Files.setPosixFilePermissions(tmp, FILE_MODE);
            } catch (UnsupportedOperationException e) {
                // not POSIX: keep the default
            }
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE,
                    StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(data);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (AccessDeniedException e) {
            throw e;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public String toString() {
        return "AuthFiles[file=" + explicitFile + ", helpers=" + helpers + "]";
    }
}
