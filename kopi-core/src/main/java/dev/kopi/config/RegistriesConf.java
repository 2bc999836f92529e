package dev.kopi.config;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.json.GoJson;
import dev.kopi.reference.DockerReference;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The merged registries configuration, as containers/image sysregistriesv2 builds it.
 *
 * <p><b>Files</b> ({@link #load}): the main file is {@code --registries-conf} when given, else
 * {@code $HOME/.config/containers/registries.conf} when it exists, else {@code /etc/containers/registries.conf}
 * (a missing default file is an empty configuration; a missing explicit one is an error). Then the {@code *.conf}
 * drop-ins of {@code /etc/containers/registries.conf.d} and {@code $HOME/.config/containers/registries.conf.d}, each
 * directory in name order, are merged on top (only the user directory when the user's registries.conf is the main
 * file). A drop-in replaces the {@code [[registry]]} tables with its prefixes, the lists and modes it sets, and its
 * aliases; drop-ins must be v2.
 *
 * <p><b>Queries</b>: {@link #findRegistry} picks the table with the longest matching prefix ({@code *.example.com}
 * matches any subdomain); {@link #pullSources} lists the endpoints to try for a reference (allowed mirrors in
 * order, then the primary location), each with the reference rewritten from the prefix to the endpoint's location.
 */
public final class RegistriesConf {
    /** {@code pull-from-mirror} values. */
    public static final String MIRROR_ALL = "all";
    public static final String MIRROR_BY_DIGEST_ONLY = "digest-only";
    public static final String MIRROR_BY_TAG_ONLY = "tag-only";

    /** The built-in system paths. */
    public static final Path SYSTEM_CONF = Path.of("/etc/containers/registries.conf");
    public static final Path SYSTEM_CONF_DIR = Path.of("/etc/containers/registries.conf.d");

    /** {@code short-name-mode}. */
    public enum ShortNameMode {
        DISABLED("disabled"), PERMISSIVE("permissive"), ENFORCING("enforcing");

        private final String text;

        ShortNameMode(String text) {
            this.text = text;
        }

        /** The registries.conf spelling. */
        public String text() {
            return text;
        }

        static ShortNameMode parse(String s) throws ImageException {
            for (ShortNameMode m : values()) {
                if (m.text.equals(s)) {
                    return m;
                }
            }
            throw ImageException.invalid("invalid short-name mode: " + GoStrconv.quote(s));
        }
    }

    /**
     * Where a registry or mirror lives. {@code location} is {@code host[:port][/namespace...]}; it is "" only for a
     * wildcard-prefix registry, which keeps the reference's own host. {@code insecure} allows plain HTTP and
     * unverified TLS; {@code pullFromMirror} ("", all, digest-only, tag-only) is set on mirrors only.
     */
    public record Endpoint(String location, boolean insecure, String pullFromMirror) {
        public Endpoint {
            Objects.requireNonNull(location, "location");
            pullFromMirror = Objects.requireNonNullElse(pullFromMirror, "");
        }

        /** The reference {@code ref} (whose name matched {@code prefix}) rewritten to this endpoint's location. */
        DockerReference rewrite(DockerReference ref, String prefix) throws ImageException {
            String refString = ref.toString();
            int prefixLen = matchingPrefix(refString, prefix);
            if (prefixLen == -1) {
                throw ImageException.invalid("invalid prefix '" + prefix + "' for reference '" + refString + "'");
            }
            if (location.isEmpty()) {
                if (!prefix.startsWith("*.")) {
                    throw ImageException.invalid("invalid prefix '" + prefix
                            + "' for empty location, should be in the format: *.example.com");
                }
                return ref;
            }
            try {
                return DockerReference.parseNamed(location + refString.substring(prefixLen));
            } catch (InvalidReferenceException e) {
                throw new ImageException(ErrorCode.INVALID_REFERENCE, "rewriting reference: " + e.getMessage(), e);
            }
        }
    }

    /**
     * A {@code [[registry]]} table: its {@code prefix} (defaults to the location), primary {@code endpoint},
     * {@code mirrors} in order, {@code blocked}, and {@code mirror-by-digest-only}.
     */
    public record Registry(String prefix, Endpoint endpoint, List<Endpoint> mirrors, boolean blocked,
                           boolean mirrorByDigestOnly) {
        public Registry {
            Objects.requireNonNull(prefix, "prefix");
            Objects.requireNonNull(endpoint, "endpoint");
            mirrors = List.copyOf(mirrors);
        }

        /** The primary location. */
        public String location() {
            return endpoint.location();
        }

        /** Whether the primary endpoint is insecure. */
        public boolean insecure() {
            return endpoint.insecure();
        }

        /**
         * The endpoints to pull {@code ref} from, in order: mirrors allowed for this kind of reference (digested or
         * not), then the primary location (containers/image PullSourcesFromReference).
         */
        public List<PullSource> pullSources(DockerReference ref) throws ImageException {
            boolean digested = ref.digest().isPresent();
            List<Endpoint> endpoints = new ArrayList<>();
            if (mirrorByDigestOnly) {
                if (digested) {
                    endpoints.addAll(mirrors);
                }
            } else {
                for (Endpoint m : mirrors) {
                    if (m.pullFromMirror().equals(MIRROR_BY_DIGEST_ONLY) && !digested) {
                        continue;
                    }
                    if (m.pullFromMirror().equals(MIRROR_BY_TAG_ONLY) && digested) {
                        continue;
                    }
                    endpoints.add(m);
                }
            }
            endpoints.add(endpoint);
            List<PullSource> sources = new ArrayList<>();
            for (Endpoint e : endpoints) {
                sources.add(new PullSource(e, e.rewrite(ref, prefix)));
            }
            return sources;
        }
    }

    /** One endpoint to try, with the reference as it is named there. */
    public record PullSource(Endpoint endpoint, DockerReference reference) {
    }

    /**
     * A short-name alias: {@code name} resolves to {@code value} (empty when a file reset it with {@code ""}),
     * set in {@code origin}.
     */
    public record Alias(String name, Optional<DockerReference> value, Path origin) {
    }

    private final List<Registry> registries;
    private final List<String> unqualifiedSearchRegistries;
    private final Path unqualifiedSearchRegistriesOrigin;
    private final List<String> credentialHelpers;
    private final ShortNameMode shortNameMode;
    private final String additionalLayerStoreAuthHelper;
    private final Map<String, Alias> aliases;
    private final Path configPath;
    private final Path configDirPath;
    private final Path userConfigDirPath;

    private RegistriesConf(List<Registry> registries, List<String> search, Path searchOrigin,
                           List<String> credentialHelpers, ShortNameMode mode, String alsHelper,
                           Map<String, Alias> aliases, Path configPath, Path configDirPath, Path userConfigDirPath) {
        this.registries = List.copyOf(registries);
        this.unqualifiedSearchRegistries = List.copyOf(search);
        this.unqualifiedSearchRegistriesOrigin = searchOrigin;
        this.credentialHelpers = credentialHelpers == null || credentialHelpers.isEmpty()
                ? List.of(AuthFiles.AUTH_FILE_HELPER) : List.copyOf(credentialHelpers);
        this.shortNameMode = mode == null ? ShortNameMode.PERMISSIVE : mode;
        this.additionalLayerStoreAuthHelper = alsHelper;
        this.aliases = Map.copyOf(aliases);
        this.configPath = configPath;
        this.configDirPath = configDirPath;
        this.userConfigDirPath = userConfigDirPath;
    }

    /** No configuration at all (what a system without registries.conf has). */
    public static RegistriesConf empty() {
        return new RegistriesConf(List.of(), List.of(), null, null, null, "", Map.of(), SYSTEM_CONF,
                SYSTEM_CONF_DIR, null);
    }

    /** Loads the configuration for {@code --registries-conf} ({@code explicitConf}, null when not given). */
    public static RegistriesConf load(Env env, Path explicitConf) throws ImageException {
        return load(env, explicitConf, SYSTEM_CONF, SYSTEM_CONF_DIR);
    }

    /**
     * Loads the configuration with other system paths than {@link #SYSTEM_CONF} and {@link #SYSTEM_CONF_DIR}
     * (tests, or a build configured like containers/image's {@code -ldflags} overrides).
     */
    public static RegistriesConf load(Env env, Path explicitConf, Path systemConf, Path systemConfDir)
            throws ImageException {
        Path home = env.home();
        Path userFile = home.resolve(".config/containers/registries.conf");
        Path userDir = home.resolve(".config/containers/registries.conf.d");
        Path configPath;
        Path configDir = null;
        Path userConfigDir = null;
        if (explicitConf != null && !explicitConf.toString().isEmpty()) {
            configPath = explicitConf;
            configDir = systemConfDir;
            userConfigDir = userDir;
        } else if (Files.exists(userFile)) {
            configPath = userFile;
            userConfigDir = userDir;
        } else {
            configPath = systemConf;
            configDir = systemConfDir;
            userConfigDir = userDir;
        }

        RegistriesConfParser.Parsed main;
        try {
            main = RegistriesConfParser.parseFile(configPath, false);
        } catch (ImageException e) {
            if (e.getCause() instanceof NoSuchFileException && explicitConf == null) {
                main = new RegistriesConfParser.Parsed(List.of(), null, null, null, "", Map.of(), null);
            } else {
                throw new ImageException(e.code(), "loading registries configuration "
                        + GoStrconv.quote(configPath.toString()) + ": " + e.getMessage(), e);
            }
        }
        Merged merged = new Merged(main, main.origin() == null ? null : configPath);
        for (Path dropIn : dropIns(configDir, userConfigDir)) {
            RegistriesConfParser.Parsed d;
            try {
                d = RegistriesConfParser.parseFile(dropIn, true);
            } catch (ImageException e) {
                if (e.getCause() instanceof NoSuchFileException) {
                    continue; // removed since the listing
                }
                throw new ImageException(e.code(), "loading drop-in registries configuration "
                        + GoStrconv.quote(dropIn.toString()) + ": " + e.getMessage(), e);
            }
            merged.update(d);
        }
        return new RegistriesConf(new ArrayList<>(merged.registries.values()),
                merged.search == null ? List.of() : merged.search, merged.searchOrigin, merged.helpers,
                merged.mode, merged.alsHelper, merged.aliases, configPath, configDir, userConfigDir);
    }

    /** The {@code *.conf} files of the drop-in directories, each directory in name order. */
    static List<Path> dropIns(Path... dirs) throws ImageException {
        List<Path> res = new ArrayList<>();
        for (Path dir : dirs) {
            if (dir == null) {
                continue;
            }
            List<Path> files = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                for (Path p : ds) {
                    if (!Files.isDirectory(p) && p.getFileName().toString().endsWith(".conf")) {
                        files.add(p);
                    }
                }
            } catch (NoSuchFileException | NotDirectoryException e) {
                continue;
            } catch (IOException e) {
                throw new ImageException(ErrorCode.IO, "reading registries.conf.d: "
                        + AuthFile.goFileError("open", dir, e), e);
            }
            files.sort((a, b) -> GoJson.KEY_ORDER.compare(a.getFileName().toString(), b.getFileName().toString()));
            res.addAll(files);
        }
        return res;
    }

    /** The state while drop-ins are merged (containers/image updateWithConfigurationFrom). */
    private static final class Merged {
        final TreeMap<String, Registry> registries = new TreeMap<>(GoJson.KEY_ORDER);
        List<String> search;
        Path searchOrigin;
        List<String> helpers;
        ShortNameMode mode;
        String alsHelper;
        final Map<String, Alias> aliases = new LinkedHashMap<>();

        Merged(RegistriesConfParser.Parsed main, Path origin) {
            main.registries().forEach(r -> registries.put(r.prefix(), r));
            search = main.unqualifiedSearchRegistries();
            searchOrigin = origin;
            helpers = main.credentialHelpers();
            mode = main.shortNameMode();
            alsHelper = main.additionalLayerStoreAuthHelper();
            aliases.putAll(main.aliases());
        }

        void update(RegistriesConfParser.Parsed d) {
            d.registries().forEach(r -> registries.put(r.prefix(), r));
            if (d.unqualifiedSearchRegistries() != null) {
                search = d.unqualifiedSearchRegistries();
                searchOrigin = d.origin();
            }
            if (d.credentialHelpers() != null) {
                helpers = d.credentialHelpers();
            }
            if (d.shortNameMode() != null) {
                mode = d.shortNameMode();
            }
            if (!d.additionalLayerStoreAuthHelper().isEmpty()) {
                alsHelper = d.additionalLayerStoreAuthHelper();
            }
            aliases.putAll(d.aliases());
        }
    }

    // ------------------------------------------------------------------------------------------------ queries

    /** All {@code [[registry]]} tables, one per prefix, sorted by prefix. */
    public List<Registry> registries() {
        return registries;
    }

    /** {@code host[:port]} entries to try for unqualified references, in order. */
    public List<String> unqualifiedSearchRegistries() {
        return unqualifiedSearchRegistries;
    }

    /** The file that set {@link #unqualifiedSearchRegistries()} (null when none did). */
    public Optional<Path> unqualifiedSearchRegistriesOrigin() {
        return Optional.ofNullable(unqualifiedSearchRegistriesOrigin);
    }

    /** {@code credential-helpers}; {@code [containers-auth.json]} when not set. */
    public List<String> credentialHelpers() {
        return credentialHelpers;
    }

    /** {@code short-name-mode}; permissive when not set. */
    public ShortNameMode shortNameMode() {
        return shortNameMode;
    }

    /** {@code additional-layer-store-auth-helper}, or "". */
    public String additionalLayerStoreAuthHelper() {
        return additionalLayerStoreAuthHelper;
    }

    /** The alias of {@code shortName} from {@code [aliases]}, if any file sets it. */
    public Optional<Alias> alias(String shortName) {
        return Optional.ofNullable(aliases.get(shortName));
    }

    /** The main configuration file (it need not exist). */
    public Path configPath() {
        return configPath;
    }

    /** containers/image ConfigDirPath: the user drop-in directory when used, else the system one. */
    public Path configDirPath() {
        return userConfigDirPath != null ? userConfigDirPath : configDirPath;
    }

    /** containers/image ConfigurationSourceDescription: the main file and the drop-in directories. */
    public String sourceDescription() {
        StringBuilder sb = new StringBuilder(configPath.toString());
        if (configDirPath != null) {
            sb.append(", ").append(configDirPath);
        }
        if (userConfigDirPath != null) {
            sb.append(", ").append(userConfigDirPath);
        }
        return sb.toString();
    }

    /**
     * The table with the longest prefix matching {@code ref}: a registry ({@code host[:port]}), a repository name,
     * or a whole reference string (it must start with an explicit host).
     */
    public Optional<Registry> findRegistry(String ref) {
        Registry best = null;
        int bestLen = 0;
        for (Registry r : registries) {
            if (matchingPrefix(ref, r.prefix()) != -1 && r.prefix().length() > bestLen) {
                best = r;
                bestLen = r.prefix().length();
            }
        }
        return Optional.ofNullable(best);
    }

    /**
     * The pull sources for {@code ref} (its name is matched): those of its table, or the reference itself when no
     * table matches (containers/image newImageSource's default).
     */
    public List<PullSource> pullSources(DockerReference ref) throws ImageException {
        Optional<Registry> reg = findRegistry(ref.name());
        if (reg.isEmpty()) {
            return List.of(new PullSource(new Endpoint(ref.toString(), false, ""), ref));
        }
        return reg.get().pullSources(ref);
    }

    /**
     * Fails when the table for {@code ref} (a registry or a repository name) is {@code blocked}, with
     * containers/image's text {@code registry PREFIX is blocked in CONF or DIR}.
     */
    public void checkNotBlocked(String ref) throws ImageException {
        Optional<Registry> reg = findRegistry(ref);
        if (reg.isPresent() && reg.get().blocked()) {
            throw new ImageException(ErrorCode.DENIED, "registry " + reg.get().prefix() + " is blocked in "
                    + configPath + " or " + configDirPath());
        }
    }

    /** Whether the table for {@code ref} (a registry or a repository name) is {@code insecure}. */
    public boolean isInsecure(String ref) {
        return findRegistry(ref).map(Registry::insecure).orElse(false);
    }

    /**
     * containers/image refMatchingPrefix: the length of the match when {@code ref} starts with {@code prefix}
     * followed by its end, {@code :}, {@code /} or {@code @}; for {@code *.example.com}, when the host of
     * {@code ref} ends with {@code .example.com}; else -1.
     */
    static int matchingPrefix(String ref, String prefix) {
        if (prefix.startsWith("*.")) {
            String suffix = prefix.substring(1);
            int index = ref.indexOf(suffix);
            if (index == -1 || ref.substring(0, index).contains("/")) {
                return -1;
            }
            index += suffix.length();
            if (index == ref.length()) {
                return index;
            }
            char c = ref.charAt(index);
            return c == ':' || c == '/' || c == '@' ? index : -1;
        }
        if (ref.length() < prefix.length()) {
            return -1;
        }
        if (ref.length() == prefix.length()) {
            return ref.equals(prefix) ? prefix.length() : -1;
        }
        if (!ref.startsWith(prefix)) {
            return -1;
        }
        char c = ref.charAt(prefix.length());
        return c == ':' || c == '/' || c == '@' ? prefix.length() : -1;
    }
}
