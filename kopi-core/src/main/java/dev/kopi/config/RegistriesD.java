package dev.kopi.config;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.log.Log;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The registries.d configuration (containers-registries.d(5)): where Docker signatures are stored ({@code lookaside},
 * {@code lookaside-staging} and their legacy names {@code sigstore}, {@code sigstore-staging}) and whether sigstore
 * attachments are used, per {@code docker:} namespace or for {@code default-docker}. All {@code *.yaml} files of the
 * directory are merged; a namespace (or {@code default-docker}) defined in two files is an error, as in
 * containers/image's {@code loadAndMergeConfig}.
 */
public final class RegistriesD {
    /** The system directory. */
    public static final Path SYSTEM_DIR = Path.of("/etc/containers/registries.d");
    /** The per-user directory, under $HOME. */
    public static final String USER_DIR = ".config/containers/registries.d";

    /**
     * One namespace's settings; empty strings for what is not set, {@code useSigstoreAttachments} empty when not set.
     */
    public record Namespace(String lookaside, String lookasideStaging, String sigstore, String sigstoreStaging,
            Optional<Boolean> useSigstoreAttachments) {
        static final Namespace EMPTY = new Namespace("", "", "", "", Optional.empty());

        /** The configured top level for reading, or for writing when {@code write}; "" when nothing is set. */
        public String topLevel(boolean write) {
            if (write) {
                if (!lookasideStaging.isEmpty()) {
                    Log.debug(() -> "  Using \"lookaside-staging\" " + lookasideStaging);
                    return lookasideStaging;
                }
                if (!sigstoreStaging.isEmpty()) {
                    Log.debug(() -> "  Using \"sigstore-staging\" " + sigstoreStaging);
                    return sigstoreStaging;
                }
            }
            if (!lookaside.isEmpty()) {
                Log.debug(() -> "  Using \"lookaside\" " + lookaside);
                return lookaside;
            }
            if (!sigstore.isEmpty()) {
                Log.debug(() -> "  Using \"sigstore\" " + sigstore);
                return sigstore;
            }
            return "";
        }
    }

    private final Optional<Namespace> defaultDocker;
    private final Map<String, Namespace> docker;

    private RegistriesD(Optional<Namespace> defaultDocker, Map<String, Namespace> docker) {
        this.defaultDocker = defaultDocker;
        this.docker = Collections.unmodifiableMap(new LinkedHashMap<>(docker));
    }

    /** A configuration with nothing set. */
    public static RegistriesD empty() {
        return new RegistriesD(Optional.empty(), Map.of());
    }

    /**
     * The directory to read, as containers/image's registriesDirPath: {@code override} ({@code --registries.d})
     * when given, else $HOME/.config/containers/registries.d when it exists, else /etc/containers/registries.d.
     */
    public static Path directory(Env env, Path override) {
        if (override != null && !override.toString().isEmpty()) {
            return override;
        }
        Path user = env.home().resolve(USER_DIR);
        if (Files.exists(user)) {
            return user;
        }
        return SYSTEM_DIR;
    }

    /** Loads the configuration for {@code override} ({@code --registries.d}, null for the default search). */
    public static RegistriesD load(Env env, Path override) throws ImageException {
        Path dir = directory(env, override);
        Log.debug(() -> "Using registries.d directory " + dir);
        return loadDirectory(dir);
    }

    /** Loads and merges the {@code *.yaml} files in {@code dir}; a missing directory is an empty configuration. */
    public static RegistriesD loadDirectory(Path dir) throws ImageException {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (p.getFileName().toString().endsWith(".yaml")) {
                    files.add(p);
                }
            }
        } catch (NoSuchFileException e) {
            return empty();
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "open " + dir + ": " + e.getMessage(), e);
        }
        Collections.sort(files);
        Namespace mergedDefault = null;
        String defaultFrom = "";
        Map<String, Namespace> merged = new LinkedHashMap<>();
        Map<String, String> mergedFrom = new HashMap<>();
        for (Path p : files) {
            byte[] bytes;
            try {
                bytes = Files.readAllBytes(p);
            } catch (NoSuchFileException e) {
                continue; // removed since the listing, as containers/image tolerates
            } catch (IOException e) {
                throw new ImageException(ErrorCode.IO, "open " + p + ": " + e.getMessage(), e);
            }
            Parsed one;
            try {
                one = parse(new String(bytes, StandardCharsets.UTF_8));
            } catch (ImageException e) {
                throw ImageException.invalid("parsing " + p + ": " + e.getMessage(), e);
            }
            String path = p.toString();
            if (one.defaultDocker != null) {
                if (mergedDefault != null) {
                    throw ImageException.invalid("Error parsing signature storage configuration: \"default-docker\""
                            + " defined both in " + GoStrconv.quote(defaultFrom) + " and " + GoStrconv.quote(path));
                }
                mergedDefault = one.defaultDocker;
                defaultFrom = path;
            }
            for (Map.Entry<String, Namespace> e : one.docker.entrySet()) {
                if (merged.containsKey(e.getKey())) {
                    throw ImageException.invalid("Error parsing signature storage configuration: \"docker\" namespace "
                            + GoStrconv.quote(e.getKey()) + " defined both in "
                            + GoStrconv.quote(mergedFrom.get(e.getKey())) + " and " + GoStrconv.quote(path));
                }
                merged.put(e.getKey(), e.getValue());
                mergedFrom.put(e.getKey(), path);
            }
        }
        return new RegistriesD(Optional.ofNullable(mergedDefault), merged);
    }

    /** Parses one file's text (tests and {@link #loadDirectory}). */
    public static RegistriesD parseFile(String yaml) throws ImageException {
        Parsed p = parse(yaml);
        return new RegistriesD(Optional.ofNullable(p.defaultDocker), p.docker);
    }

    /** {@code default-docker}, when set. */
    public Optional<Namespace> defaultDocker() {
        return defaultDocker;
    }

    /** The {@code docker:} namespaces. */
    public Map<String, Namespace> docker() {
        return docker;
    }

    /**
     * The configured lookaside top level for an image with policy identity {@code identity} and namespaces
     * {@code namespaces} (most specific first), for writing when {@code write}: the first of the identity's entry,
     * the namespaces' entries and {@code default-docker} that sets one; empty when none does.
     */
    public Optional<String> lookasideTopLevel(String identity, List<String> namespaces, boolean write) {
        Namespace ns = docker.get(identity);
        if (ns != null) {
            Log.debug(() -> " Lookaside configuration: using \"docker\" namespace " + identity);
            String r = ns.topLevel(write);
            if (!r.isEmpty()) {
                return Optional.of(r);
            }
        }
        for (String name : namespaces) {
            Namespace n = docker.get(name);
            if (n != null) {
                Log.debug(() -> " Lookaside configuration: using \"docker\" namespace " + name);
                String r = n.topLevel(write);
                if (!r.isEmpty()) {
                    return Optional.of(r);
                }
            }
        }
        if (defaultDocker.isPresent()) {
            Log.debug(() -> " Lookaside configuration: using \"default-docker\" configuration");
            String r = defaultDocker.get().topLevel(write);
            if (!r.isEmpty()) {
                return Optional.of(r);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether sigstore attachments are read and written for the image: the first of the identity's entry, the
     * namespaces' entries and {@code default-docker} that sets {@code use-sigstore-attachments}; false otherwise.
     */
    public boolean useSigstoreAttachments(String identity, List<String> namespaces) {
        Namespace ns = docker.get(identity);
        if (ns != null && ns.useSigstoreAttachments().isPresent()) {
            return ns.useSigstoreAttachments().get();
        }
        for (String name : namespaces) {
            Namespace n = docker.get(name);
            if (n != null && n.useSigstoreAttachments().isPresent()) {
                return n.useSigstoreAttachments().get();
            }
        }
        return defaultDocker.flatMap(Namespace::useSigstoreAttachments).orElse(false);
    }

    // ---- parsing, with gopkg.in/yaml.v3's rules for the fields containers/image declares ----

    private record Parsed(Namespace defaultDocker, Map<String, Namespace> docker) {
    }

    private static final Set<String> TRUE = Set.of("true", "True", "TRUE", "y", "Y", "yes", "Yes", "YES", "on", "On",
            "ON");
    private static final Set<String> FALSE = Set.of("false", "False", "FALSE", "n", "N", "no", "No", "NO", "off",
            "Off", "OFF");

    private static Parsed parse(String yaml) throws ImageException {
        Optional<Node> root;
        try {
            LoadSettings settings = LoadSettings.builder().setAllowDuplicateKeys(true).build();
            var it = new Compose(settings).composeAllFromString(yaml).iterator();
            root = it.hasNext() ? Optional.of(it.next()) : Optional.empty();
        } catch (YamlEngineException e) {
            throw ImageException.invalid("yaml: " + oneLine(e.getMessage()), e);
        }
        List<String> errors = new ArrayList<>();
        Namespace def = null;
        Map<String, Namespace> docker = new LinkedHashMap<>();
        if (root.isPresent() && !isNull(root.get())) {
            Node n = root.get();
            if (!(n instanceof MappingNode m)) {
                errors.add(typeError(n, "docker.registryConfiguration"));
            } else {
                for (NodeTuple t : entries(m, errors)) {
                    String key = keyText(t.getKeyNode());
                    Node v = t.getValueNode();
                    if ("default-docker".equals(key)) {
                        def = isNull(v) ? null : namespace(v, errors);
                    } else if ("docker".equals(key)) {
                        if (isNull(v)) {
                            docker.clear();
                        } else if (!(v instanceof MappingNode dm)) {
                            errors.add(typeError(v, "map[string]docker.registryNamespace"));
                        } else {
                            for (NodeTuple nt : entries(dm, errors)) {
                                if (!(nt.getKeyNode() instanceof ScalarNode)) {
                                    errors.add(typeError(nt.getKeyNode(), "string"));
                                    continue;
                                }
                                Namespace ns = isNull(nt.getValueNode()) ? Namespace.EMPTY
                                        : namespace(nt.getValueNode(), errors);
                                if (ns != null) {
                                    docker.put(keyText(nt.getKeyNode()), ns);
                                }
                            }
                        }
                    }
                    // other keys are ignored, as yaml.Unmarshal does
                }
            }
        }
        if (!errors.isEmpty()) {
            throw ImageException.invalid("yaml: unmarshal errors:\n  " + String.join("\n  ", errors));
        }
        return new Parsed(def, docker);
    }

    private static Namespace namespace(Node n, List<String> errors) {
        if (!(n instanceof MappingNode m)) {
            errors.add(typeError(n, "docker.registryNamespace"));
            return null;
        }
        String lookaside = "";
        String staging = "";
        String sigstore = "";
        String sigstoreStaging = "";
        Optional<Boolean> attachments = Optional.empty();
        for (NodeTuple t : entries(m, errors)) {
            String key = keyText(t.getKeyNode());
            Node v = t.getValueNode();
            switch (key == null ? "" : key) {
                case "lookaside" -> lookaside = string(v, lookaside, errors);
                case "lookaside-staging" -> staging = string(v, staging, errors);
                case "sigstore" -> sigstore = string(v, sigstore, errors);
                case "sigstore-staging" -> sigstoreStaging = string(v, sigstoreStaging, errors);
                case "use-sigstore-attachments" -> {
                    if (isNull(v)) {
                        attachments = Optional.empty();
                    } else if (v instanceof ScalarNode s && (TRUE.contains(s.getValue())
                            || FALSE.contains(s.getValue())) && (s.getTag().equals(Tag.BOOL)
                                || s.getTag().equals(Tag.STR) && s.isPlain())) {
                        attachments = Optional.of(TRUE.contains(s.getValue()));
                    } else {
                        errors.add(typeError(v, "bool"));
                    }
                }
                default -> {
                    // ignored
                }
            }
        }
        return new Namespace(lookaside, staging, sigstore, sigstoreStaging, attachments);
    }

    private static String string(Node v, String old, List<String> errors) {
        if (isNull(v)) {
            return "";
        }
        if (v instanceof ScalarNode s) {
            return s.getValue();
        }
        errors.add(typeError(v, "string"));
        return old;
    }

    /** The mapping's entries; a key seen before is an error (yaml.v3's "already defined"), and is skipped. */
    private static List<NodeTuple> entries(MappingNode m, List<String> errors) {
        List<NodeTuple> out = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (NodeTuple t : m.getValue()) {
            String k = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : null;
            if (k != null) {
                Integer at = seen.putIfAbsent(k, line(t.getKeyNode()));
                if (at != null) {
                    errors.add("line " + line(t.getKeyNode()) + ": mapping key " + GoStrconv.quote(k)
                            + " already defined at line " + at);
                    continue;
                }
            }
            out.add(t);
        }
        return out;
    }

    private static String keyText(Node n) {
        return n instanceof ScalarNode s ? s.getValue() : null;
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    private static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private static String typeError(Node n, String into) {
        String tag = shortTag(n.getTag());
        String what = n instanceof ScalarNode s ? tag + " `" + s.getValue() + "`" : tag;
        return "line " + line(n) + ": cannot unmarshal " + what + " into " + into;
    }

    private static String shortTag(Tag t) {
        String v = t.getValue();
        return v.startsWith(Tag.PREFIX) ? "!!" + v.substring(Tag.PREFIX.length()) : v;
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.replace('\n', ' ').replaceAll(" +", " ").trim();
    }
}
