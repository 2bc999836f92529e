package dev.kopi.config;

import com.electronwill.nightconfig.core.UnmodifiableConfig;
import com.electronwill.nightconfig.core.io.ParsingException;
import com.electronwill.nightconfig.toml.TomlParser;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.error.InvalidReferenceException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.json.GoJson;
import dev.kopi.reference.DockerReference;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.temporal.Temporal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Parses one containers-registries.conf(5) file (TOML, read with night-config) into a {@link Parsed} partial
 * configuration, with containers/image's checks and texts (sysregistriesv2 loadConfigFile and
 * postProcessRegistries): v1 files ({@code [registries.search]}, {@code .insecure}, {@code .block}) are converted
 * to v2, mixing v1 and v2 is an error, drop-ins must be v2, locations and prefixes lose trailing slashes and may not
 * carry a URI scheme, wildcard prefixes must be {@code *.example.com}, {@code pull-from-mirror} is checked, and the
 * {@code [aliases]} are validated. Keys match case-insensitively and unknown keys are ignored, as the Go TOML
 * decoder does. Syntax errors carry night-config's text after {@code toml: }; type errors follow the Go decoder
 * ({@code toml: (last key "registry.insecure"): incompatible types: TOML value has type string; destination has
 * type boolean}) without its line number.
 */
public final class RegistriesConfParser {
    /** reference.DomainRegexp, anchored: a host name or [IPv6] address and an optional port. */
    private static final Pattern DOMAIN = Pattern.compile(
            "^(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*"
                    + "[a-zA-Z0-9]))*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?$");

    private RegistriesConfParser() {
    }

    /**
     * One file's settings. Lists and strings are null when the file does not set them (so that a drop-in replaces
     * only what it sets), except {@code registries}, which is never null.
     *
     * @param registries the {@code [[registry]]} tables, normalised, one per prefix, sorted by prefix
     * @param unqualifiedSearchRegistries null when not set
     * @param credentialHelpers null when not set
     * @param shortNameMode null when not set
     * @param additionalLayerStoreAuthHelper "" when not set
     * @param aliases short name → alias (an empty optional resets an alias set by an earlier file)
     * @param origin the file
     */
    public record Parsed(List<RegistriesConf.Registry> registries, List<String> unqualifiedSearchRegistries,
                         List<String> credentialHelpers, RegistriesConf.ShortNameMode shortNameMode,
                         String additionalLayerStoreAuthHelper, Map<String, RegistriesConf.Alias> aliases,
                         Path origin) {
    }

    /** Reads and parses {@code path}. A missing file fails with {@link NoSuchFileException} as the cause. */
    public static Parsed parseFile(Path path, boolean forceV2) throws ImageException {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ImageException(ErrorCode.NOT_FOUND, "open " + path + ": no such file or directory", e);
        } catch (AccessDeniedException e) {
            throw new ImageException(ErrorCode.IO, "open " + path + ": permission denied", e);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, AuthFile.goFileError(Files.isDirectory(path) ? "read" : "open",
                    path, e), e);
        }
        return parse(new StringReader(text), path, forceV2);
    }

    /** Parses TOML text; {@code origin} names the file in the result. */
    public static Parsed parse(Reader toml, Path origin, boolean forceV2) throws ImageException {
        UnmodifiableConfig doc;
        try {
            doc = new TomlParser().parse(toml);
        } catch (ParsingException e) {
            throw invalid("toml: " + e.getMessage());
        }
        return new Decoder(origin).decode(doc.valueMap(), forceV2);
    }

    static ImageException invalid(String message) {
        return new ImageException(ErrorCode.INVALID_INPUT, message);
    }

    /** The Go type name the TOML decoder reports for a parsed value. */
    private static String tomlType(Object v) {
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Integer || v instanceof Long) {
            return "int64";
        }
        if (v instanceof Double || v instanceof Float) {
            return "float64";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof UnmodifiableConfig || v instanceof Map) {
            return "map[string]interface {}";
        }
        if (v instanceof List) {
            return "[]interface {}";
        }
        if (v instanceof Temporal) {
            return "time.Time";
        }
        return v == null ? "nil" : v.getClass().getSimpleName();
    }

    private static ImageException typeError(String key, Object v, String dest) {
        return invalid("toml: (last key " + GoStrconv.quote(key) + "): incompatible types: TOML value has type "
                + tomlType(v) + "; destination has type " + dest);
    }

    /** containers/image parseLocation: trailing slashes removed, URI schemes rejected. */
    static String parseLocation(String input) throws ImageException {
        String trimmed = input;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (trimmed.startsWith("http://") || trimmed.startsWith("https://")) {
            throw invalid("invalid location '" + input + "': URI schemes are not supported");
        }
        return trimmed;
    }

    /** Decodes one document; holds the origin for alias results. */
    private static final class Decoder {
        private final Path origin;

        Decoder(Path origin) {
            this.origin = origin;
        }

        /** The value under {@code name}, matched exactly first, then case-insensitively (the Go decoder's rule). */
        private static Object field(Map<String, Object> m, String name) {
            if (m.containsKey(name)) {
                return m.get(name);
            }
            for (Map.Entry<String, Object> e : m.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return e.getValue();
                }
            }
            return null;
        }

        private static boolean has(Map<String, Object> m, String name) {
            return field(m, name) != null;
        }

        private static Map<String, Object> table(Object v, String key) throws ImageException {
            if (v instanceof UnmodifiableConfig c) {
                return c.valueMap();
            }
            throw typeError(key, v, "struct");
        }

        private static String string(Map<String, Object> m, String name, String key) throws ImageException {
            Object v = field(m, name);
            if (v == null) {
                return "";
            }
            if (v instanceof String s) {
                return s;
            }
            throw typeError(key, v, "string");
        }

        private static boolean bool(Map<String, Object> m, String name, String key) throws ImageException {
            Object v = field(m, name);
            if (v == null) {
                return false;
            }
            if (v instanceof Boolean b) {
                return b;
            }
            throw typeError(key, v, "boolean");
        }

        private static List<String> strings(Map<String, Object> m, String name, String key) throws ImageException {
            Object v = field(m, name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof List<?> l)) {
                throw typeError(key, v, "slice");
            }
            List<String> res = new ArrayList<>();
            for (Object o : l) {
                if (!(o instanceof String s)) {
                    throw typeError(key, o, "string");
                }
                res.add(s);
            }
            return res;
        }

        private static List<Map<String, Object>> tables(Map<String, Object> m, String name, String key)
                throws ImageException {
            Object v = field(m, name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof List<?> l)) {
                throw typeError(key, v, "slice");
            }
            List<Map<String, Object>> res = new ArrayList<>();
            for (Object o : l) {
                res.add(table(o, key));
            }
            return res;
        }

        Parsed decode(Map<String, Object> doc, boolean forceV2) throws ImageException {
            // v1: [registries.search|insecure|block] registries = [...]
            List<String> v1Search = null;
            List<String> v1Insecure = null;
            List<String> v1Block = null;
            Object v1 = field(doc, "registries");
            if (v1 != null) {
                Map<String, Object> r = table(v1, "registries");
                for (String section : List.of("search", "insecure", "block")) {
                    Object s = field(r, section);
                    if (s == null) {
                        continue;
                    }
                    List<String> regs = strings(table(s, "registries." + section), "registries",
                            "registries." + section + ".registries");
                    switch (section) {
                        case "search" -> v1Search = regs;
                        case "insecure" -> v1Insecure = regs;
                        default -> v1Block = regs;
                    }
                }
            }
            List<Map<String, Object>> regTables = tables(doc, "registry", "registry");
            List<String> search = strings(doc, "unqualified-search-registries", "unqualified-search-registries");
            List<String> helpers = strings(doc, "credential-helpers", "credential-helpers");
            String mode = string(doc, "short-name-mode", "short-name-mode");
            String alsHelper = string(doc, "additional-layer-store-auth-helper", "additional-layer-store-auth-helper");
            Object aliasesValue = field(doc, "aliases");
            Map<String, Object> aliasTable = aliasesValue == null ? null : table(aliasesValue, "aliases");
            Map<String, String> aliasStrings = new TreeMap<>(GoJson.KEY_ORDER);
            if (aliasTable != null) {
                for (Map.Entry<String, Object> e : aliasTable.entrySet()) {
                    if (!(e.getValue() instanceof String s)) {
                        throw typeError("aliases." + e.getKey(), e.getValue(), "string");
                    }
                    aliasStrings.put(e.getKey(), s);
                }
            }

            List<RegistriesConf.Registry> registries = new ArrayList<>();
            boolean v1Set = v1Search != null || v1Insecure != null || v1Block != null;
            if (v1Set) {
                if (forceV2) {
                    throw invalid("registry must be in v2 format but is in v1");
                }
                boolean v2Set = regTables != null || search != null || helpers != null || !mode.isEmpty()
                        || !alsHelper.isEmpty() || aliasTable != null;
                if (v2Set) {
                    throw invalid("mixing sysregistry v1/v2 is not supported");
                }
                LinkedHashMap<String, boolean[]> v1Regs = new LinkedHashMap<>(); // location → {blocked, insecure}
                for (String b : v1Block == null ? List.<String>of() : v1Block) {
                    v1Regs.computeIfAbsent(parseLocation(b), k -> new boolean[2])[0] = true;
                }
                for (String i : v1Insecure == null ? List.<String>of() : v1Insecure) {
                    v1Regs.computeIfAbsent(parseLocation(i), k -> new boolean[2])[1] = true;
                }
                for (Map.Entry<String, boolean[]> e : v1Regs.entrySet()) {
                    registries.add(new RegistriesConf.Registry(e.getKey(),
                            new RegistriesConf.Endpoint(e.getKey(), e.getValue()[1], ""), List.of(),
                            e.getValue()[0], false));
                }
                search = v1Search;
            } else if (regTables != null) {
                for (int i = 0; i < regTables.size(); i++) {
                    registries.add(registry(regTables.get(i)));
                }
            }
            registries = postProcess(registries);

            if (search != null) {
                List<String> checked = new ArrayList<>();
                for (String s : search) {
                    String r = parseLocation(s);
                    if (!DOMAIN.matcher(r).matches()) {
                        throw invalid("Invalid unqualified-search-registries entry " + GoStrconv.quote(r));
                    }
                    checked.add(r);
                }
                search = List.copyOf(checked);
            }

            RegistriesConf.ShortNameMode shortNameMode = null;
            if (!mode.isEmpty()) {
                shortNameMode = RegistriesConf.ShortNameMode.parse(mode);
            }

            for (RegistriesConf.Registry r : registries) {
                String prefix = r.prefix();
                if (prefix.startsWith("*.") && (prefix.contains("/") || prefix.contains("@")
                        || prefix.contains(":"))) {
                    throw invalid("Wildcarded prefix should be in the format: *.example.com. Current prefix "
                            + GoStrconv.quote(prefix) + " is incorrectly formatted");
                }
            }

            Map<String, RegistriesConf.Alias> aliases = aliases(aliasStrings);
            return new Parsed(List.copyOf(registries), search, helpers == null ? null : List.copyOf(helpers),
                    shortNameMode, alsHelper, aliases, origin);
        }

        private static RegistriesConf.Registry registry(Map<String, Object> t) throws ImageException {
            String prefix = string(t, "prefix", "registry.prefix");
            String location = string(t, "location", "registry.location");
            boolean insecure = bool(t, "insecure", "registry.insecure");
            String pullFromMirror = string(t, "pull-from-mirror", "registry.pull-from-mirror");
            boolean blocked = bool(t, "blocked", "registry.blocked");
            boolean byDigest = bool(t, "mirror-by-digest-only", "registry.mirror-by-digest-only");
            List<RegistriesConf.Endpoint> mirrors = new ArrayList<>();
            List<Map<String, Object>> mirrorTables = tables(t, "mirror", "registry.mirror");
            if (mirrorTables != null) {
                for (Map<String, Object> m : mirrorTables) {
                    mirrors.add(new RegistriesConf.Endpoint(string(m, "location", "registry.mirror.location"),
                            bool(m, "insecure", "registry.mirror.insecure"),
                            string(m, "pull-from-mirror", "registry.mirror.pull-from-mirror")));
                }
            }
            return new RegistriesConf.Registry(prefix, new RegistriesConf.Endpoint(location, insecure,
                    pullFromMirror), mirrors, blocked, byDigest);
        }

        /** containers/image postProcessRegistries. */
        private static List<RegistriesConf.Registry> postProcess(List<RegistriesConf.Registry> in)
                throws ImageException {
            List<RegistriesConf.Registry> regs = new ArrayList<>();
            for (RegistriesConf.Registry reg : in) {
                String location = parseLocation(reg.endpoint().location());
                String prefix = reg.prefix();
                if (prefix.isEmpty()) {
                    if (location.isEmpty()) {
                        throw invalid("invalid condition: both location and prefix are unset");
                    }
                    prefix = location;
                } else {
                    prefix = parseLocation(prefix);
                    if (!prefix.startsWith("*.") && location.isEmpty()) {
                        throw invalid("invalid condition: location is unset and prefix is not in the format: "
                                + "*.example.com");
                    }
                }
                if (!reg.endpoint().pullFromMirror().isEmpty()) {
                    throw invalid("pull-from-mirror must not be set for a non-mirror registry "
                            + GoStrconv.quote(prefix));
                }
                List<RegistriesConf.Endpoint> mirrors = new ArrayList<>();
                for (RegistriesConf.Endpoint m : reg.mirrors()) {
                    String ml = parseLocation(m.location());
                    if (ml.isEmpty()) {
                        throw invalid("invalid condition: mirror location is unset");
                    }
                    if (reg.mirrorByDigestOnly() && !m.pullFromMirror().isEmpty()) {
                        throw invalid("cannot set mirror usage mirror-by-digest-only for the registry ("
                                + GoStrconv.quote(prefix) + ") and pull-from-mirror for per-mirror ("
                                + GoStrconv.quote(ml) + ") at the same time");
                    }
                    String p = m.pullFromMirror();
                    if (!p.isEmpty() && !p.equals(RegistriesConf.MIRROR_ALL) && !p.equals(
                            RegistriesConf.MIRROR_BY_DIGEST_ONLY) && !p.equals(RegistriesConf.MIRROR_BY_TAG_ONLY)) {
                        throw invalid("unsupported pull-from-mirror value " + GoStrconv.quote(p) + " for mirror "
                                + GoStrconv.quote(ml));
                    }
                    mirrors.add(new RegistriesConf.Endpoint(ml, m.insecure(), p));
                }
                regs.add(new RegistriesConf.Registry(prefix, new RegistriesConf.Endpoint(location,
                        reg.endpoint().insecure(), ""), mirrors, reg.blocked(), reg.mirrorByDigestOnly()));
            }
            // conflicting insecure/blocked settings for one location (or wildcard prefix)
            for (RegistriesConf.Registry reg : regs) {
                String key = reg.endpoint().location().isEmpty() ? reg.prefix() : reg.endpoint().location();
                for (RegistriesConf.Registry other : regs) {
                    String otherKey = other.endpoint().location().isEmpty() ? other.prefix()
                            : other.endpoint().location();
                    if (!key.equals(otherKey)) {
                        continue;
                    }
                    if (reg.endpoint().insecure() != other.endpoint().insecure()) {
                        throw invalid("registry '" + reg.endpoint().location() + "' is defined multiple times with "
                                + "conflicting 'insecure' setting");
                    }
                    if (reg.blocked() != other.blocked()) {
                        throw invalid("registry '" + reg.endpoint().location() + "' is defined multiple times with "
                                + "conflicting 'blocked' setting");
                    }
                }
            }
            // the first table of a prefix wins; sorted by prefix
            TreeMap<String, RegistriesConf.Registry> unique = new TreeMap<>(GoJson.KEY_ORDER);
            for (RegistriesConf.Registry reg : regs) {
                unique.putIfAbsent(reg.prefix(), reg);
            }
            return new ArrayList<>(unique.values());
        }

        /** containers/image newShortNameAliasCache: every malformed entry is reported, one per line. */
        private Map<String, RegistriesConf.Alias> aliases(Map<String, String> raw) throws ImageException {
            Map<String, RegistriesConf.Alias> res = new LinkedHashMap<>();
            List<String> errors = new ArrayList<>();
            for (Map.Entry<String, String> e : raw.entrySet()) {
                String name = e.getKey();
                String err = validateShortName(name);
                if (err != null) {
                    errors.add(err);
                }
                if (e.getValue().isEmpty()) {
                    res.put(name, new RegistriesConf.Alias(name, Optional.empty(), origin));
                    continue;
                }
                try {
                    res.put(name, new RegistriesConf.Alias(name, Optional.of(parseShortNameValue(e.getValue())),
                            origin));
                } catch (ImageException ex) {
                    errors.add(ex.getMessage());
                }
            }
            if (!errors.isEmpty()) {
                throw invalid("validating short-name aliases: " + String.join("\n", errors));
            }
            return res;
        }
    }

    /** containers/image validateShortName: null when {@code name} is a valid short name. */
    static String validateShortName(String name) {
        DockerReference ref;
        try {
            ref = DockerReference.parse(name);
        } catch (InvalidReferenceException e) {
            return "cannot parse short name: " + GoStrconv.quote(name) + ": " + e.getMessage();
        }
        if (ref.digest().isPresent()) {
            return "invalid short name " + GoStrconv.quote(name) + ": must not contain digest";
        }
        if (ref.tag().isPresent()) {
            return "invalid short name " + GoStrconv.quote(name) + ": must not contain tag";
        }
        String registry = ref.domain();
        if (registry.contains(".") || registry.contains(":") || registry.equals("localhost")) {
            return "invalid short name " + GoStrconv.quote(name) + ": must not contain registry";
        }
        return null;
    }

    /** containers/image parseShortNameValue: a fully-qualified, name-only reference, normalised. */
    static DockerReference parseShortNameValue(String alias) throws ImageException {
        DockerReference ref;
        try {
            ref = DockerReference.parse(alias);
        } catch (InvalidReferenceException e) {
            throw invalid("parsing alias " + GoStrconv.quote(alias) + ": " + e.getMessage());
        }
        if (ref.digest().isPresent()) {
            throw invalid("invalid alias " + GoStrconv.quote(alias) + ": must not contain digest");
        }
        if (ref.tag().isPresent()) {
            throw invalid("invalid alias " + GoStrconv.quote(alias) + ": must not contain tag");
        }
        String registry = ref.domain();
        if (!registry.contains(".") && !registry.contains(":") && !registry.equals("localhost")) {
            throw invalid("invalid alias " + GoStrconv.quote(alias) + ": must contain registry and repository");
        }
        try {
            return DockerReference.parseNormalized(alias);
        } catch (InvalidReferenceException e) {
            throw invalid(e.getMessage());
        }
    }
}
