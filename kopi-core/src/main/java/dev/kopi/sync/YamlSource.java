package dev.kopi.sync;

import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * The YAML file of {@code sync --src yaml}: per registry, {@code images} (repository: list of tags or digests, an
 * empty list for every tag), {@code images-by-tag-regex}, {@code images-by-semver}, {@code credentials}
 * ({@code username}, {@code password}), {@code tls-verify} and {@code cert-dir}. Registries and repositories keep
 * the file's order (skopeo walks Go maps, in no particular order). Unknown keys are ignored, as skopeo does. kopi
 * extensions: {@code images-exclude-regex} and {@code destination-repos} (see {@link Registry}).
 */
public record YamlSource(Map<String, Registry> registries) {
    /** The key of {@link Registry#destinationRepos()} in a registry entry. */
    public static final String DESTINATION_REPOS = "destination-repos";

    /** Keeps the order. */
    public YamlSource {
        registries = Collections.unmodifiableMap(new LinkedHashMap<>(registries));
    }

    /**
     * One registry's entry.
     *
     * @param images repository to tags or digests (empty: every tag)
     * @param imagesByTagRegex repository to a regular expression the tags must contain a match of
     * @param imagesBySemver repository to a semantic version constraint the tags must satisfy
     * @param imagesExcludeRegex repository to a regular expression: tags containing a match are left out of
     *     whatever the other keys select for that repository (a kopi extension)
     * @param destinationRepos {@code destination-repos} (a kopi extension): source repository (a key of
     *     {@code images}, {@code images-by-tag-regex} or {@code images-by-semver}) to the repository path, below
     *     the sync's DESTINATION, its images are written to (instead of the source's last path component)
     * @param username credentials ({@code credentials.username}), "" when not given
     * @param password credentials ({@code credentials.password}), "" when not given
     * @param tlsVerify {@code tls-verify}, empty when not given
     * @param certDir {@code cert-dir}, "" when not given
     */
    public record Registry(Map<String, List<String>> images, Map<String, String> imagesByTagRegex,
            Map<String, String> imagesBySemver, Map<String, String> imagesExcludeRegex,
            Map<String, String> destinationRepos, String username, String password, Optional<Boolean> tlsVerify,
            String certDir) {
        /** Keeps the order. */
        public Registry {
            images = Collections.unmodifiableMap(new LinkedHashMap<>(images));
            imagesByTagRegex = Collections.unmodifiableMap(new LinkedHashMap<>(imagesByTagRegex));
            imagesBySemver = Collections.unmodifiableMap(new LinkedHashMap<>(imagesBySemver));
            imagesExcludeRegex = Collections.unmodifiableMap(new LinkedHashMap<>(imagesExcludeRegex));
            destinationRepos = Collections.unmodifiableMap(new LinkedHashMap<>(destinationRepos));
        }

        /** Whether no images are named at all. */
        public boolean noImages() {
            return images.isEmpty() && imagesByTagRegex.isEmpty() && imagesBySemver.isEmpty();
        }
    }

    /** Reads and parses the file, with skopeo's errors ({@code Failed to unmarshal "FILE": yaml: ...}). */
    public static YamlSource read(Path file) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw ImageException.wrap("open " + file, e instanceof java.nio.file.NoSuchFileException
                    ? new IOException("no such file or directory", e) : e);
        }
        try {
            return parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (ImageException e) {
            throw ImageException.invalid("Failed to unmarshal " + GoStrconv.quote(file.toString()) + ": "
                    + e.getMessage(), e);
        }
    }

    /** Parses the YAML text; errors read {@code yaml: ...} as the Go YAML library's do. */
    public static YamlSource parse(String text) throws ImageException {
        Optional<Node> root;
        try {
            root = new Compose(LoadSettings.builder().setAllowDuplicateKeys(true).build()).composeString(text);
        } catch (MarkedYamlEngineException e) {
            int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
            throw ImageException.invalid("yaml: line " + line + ": " + e.getProblem(), e);
        } catch (YamlEngineException e) {
            throw ImageException.invalid("yaml: " + e.getMessage(), e);
        }
        Map<String, Registry> out = new LinkedHashMap<>();
        if (root.isEmpty() || isNull(root.get())) {
            return new YamlSource(out);
        }
        Errors errors = new Errors();
        MappingNode top = mapping(root.get(), "map[string]main.registrySyncConfig", errors);
        if (top != null) {
            for (NodeTuple t : top.getValue()) {
                String name = scalar(t.getKeyNode(), "string", errors);
                if (name != null) {
                    out.put(name, registry(t.getValueNode(), errors));
                }
            }
        }
        errors.throwIfAny();
        return new YamlSource(out);
    }

    /** yaml.v3's "unmarshal errors" list: every type error of the document, each with its line. */
    private static final class Errors {
        private final List<String> lines = new ArrayList<>();

        void add(Node n, String msg) {
            lines.add("  line " + line(n) + ": " + msg);
        }

        void throwIfAny() throws ImageException {
            if (!lines.isEmpty()) {
                throw ImageException.invalid("yaml: unmarshal errors:\n" + String.join("\n", lines));
            }
        }
    }

    private static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode && Tag.NULL.equals(n.getTag());
    }

    private static String shortTag(Node n) {
        String t = n.getTag().getValue();
        return t.startsWith(Tag.PREFIX) ? "!!" + t.substring(Tag.PREFIX.length()) : t;
    }

    private static void typeError(Node n, String goType, Errors errors) {
        String shown = n instanceof ScalarNode s ? " `" + s.getValue() + "`" : "";
        errors.add(n, "cannot unmarshal " + shortTag(n) + shown + " into " + goType);
    }

    private static MappingNode mapping(Node n, String goType, Errors errors) {
        if (n instanceof MappingNode m) {
            return m;
        }
        if (!isNull(n)) {
            typeError(n, goType, errors);
        }
        return null;
    }

    private static String scalar(Node n, String goType, Errors errors) {
        if (n instanceof ScalarNode s) {
            return isNull(n) ? "" : s.getValue();
        }
        typeError(n, goType, errors);
        return null;
    }

    private static Registry registry(Node n, Errors errors) {
        Map<String, List<String>> images = new LinkedHashMap<>();
        Map<String, String> byRegex = new LinkedHashMap<>();
        Map<String, String> bySemver = new LinkedHashMap<>();
        Map<String, String> exclude = new LinkedHashMap<>();
        Map<String, String> destinations = new LinkedHashMap<>();
        String user = "";
        String pass = "";
        Optional<Boolean> tls = Optional.empty();
        String certDir = "";
        MappingNode m = mapping(n, "main.registrySyncConfig", errors);
        if (m != null) {
            for (NodeTuple t : m.getValue()) {
                String key = scalar(t.getKeyNode(), "string", errors);
                Node v = t.getValueNode();
                if (key == null) {
                    continue;
                }
                switch (key) {
                    case "images" -> {
                        MappingNode im = mapping(v, "map[string][]string", errors);
                        if (im != null) {
                            for (NodeTuple e : im.getValue()) {
                                String repo = scalar(e.getKeyNode(), "string", errors);
                                List<String> refs = stringList(e.getValueNode(), errors);
                                if (repo != null) {
                                    images.put(repo, refs);
                                }
                            }
                        }
                    }
                    case "images-by-tag-regex" -> stringMap(v, byRegex, errors);
                    case "images-by-semver" -> stringMap(v, bySemver, errors);
                    case "images-exclude-regex" -> stringMap(v, exclude, errors);
                    case DESTINATION_REPOS -> stringMap(v, destinations, errors);
                    case "credentials" -> {
                        MappingNode cm = mapping(v, "types.DockerAuthConfig", errors);
                        if (cm != null) {
                            for (NodeTuple e : cm.getValue()) {
                                String k = scalar(e.getKeyNode(), "string", errors);
                                if ("username".equals(k)) {
                                    user = nonNull(scalar(e.getValueNode(), "string", errors));
                                } else if ("password".equals(k)) {
                                    pass = nonNull(scalar(e.getValueNode(), "string", errors));
                                }
                            }
                        }
                    }
                    case "tls-verify" -> {
                        if (!isNull(v)) {
                            Boolean b = bool(v);
                            if (b == null) {
                                typeError(v, "bool", errors);
                            } else {
                                tls = Optional.of(b);
                            }
                        }
                    }
                    case "cert-dir" -> certDir = nonNull(scalar(v, "string", errors));
                    default -> {
                        // ignored, as the Go YAML library ignores unknown fields
                    }
                }
            }
        }
        return new Registry(images, byRegex, bySemver, exclude, destinations, user, pass, tls, certDir);
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private static List<String> stringList(Node n, Errors errors) {
        List<String> out = new ArrayList<>();
        if (isNull(n)) {
            return out;
        }
        if (!(n instanceof SequenceNode s)) {
            typeError(n, "[]string", errors);
            return out;
        }
        for (Node e : s.getValue()) {
            String v = scalar(e, "string", errors);
            if (v != null) {
                out.add(v);
            }
        }
        return out;
    }

    private static void stringMap(Node n, Map<String, String> into, Errors errors) {
        MappingNode m = mapping(n, "map[string]string", errors);
        if (m == null) {
            return;
        }
        for (NodeTuple e : m.getValue()) {
            String k = scalar(e.getKeyNode(), "string", errors);
            String v = scalar(e.getValueNode(), "string", errors);
            if (k != null && v != null) {
                into.put(k, v);
            }
        }
    }

    /** A YAML boolean as the Go library decodes one into a bool (YAML 1.1 words included). */
    private static Boolean bool(Node n) {
        if (!(n instanceof ScalarNode s)) {
            return null;
        }
        return switch (s.getValue()) {
            case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y" -> Boolean.TRUE;
            case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N" -> Boolean.FALSE;
            default -> null;
        };
    }
}
