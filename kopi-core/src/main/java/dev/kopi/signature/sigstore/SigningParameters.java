package dev.kopi.signature.sigstore;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * A sigstore signing parameter file ({@code copy --sign-by-sigstore}, containers-sigstore-signing-params.yaml(5)),
 * read as containers/image reads it (yaml.v3 with known fields only).
 *
 * @param privateKeyFile {@code privateKeyFile}, "" when not set
 * @param privateKeyPassphraseFile {@code privateKeyPassphraseFile}, "" when not set
 * @param fulcio whether a {@code fulcio} section is present
 * @param rekorUrl {@code rekorURL}, "" when not set
 */
public record SigningParameters(String privateKeyFile, String privateKeyPassphraseFile, boolean fulcio,
        String rekorUrl) {
    private static final Set<String> FIELDS = Set.of("privateKeyFile", "privateKeyPassphraseFile", "fulcio",
            "rekorURL");
    private static final Set<String> FULCIO_FIELDS = Set.of("fulcioURL", "oidcMode", "oidcIDToken", "oidcIssuerURL",
            "oidcClientID", "oidcClientSecret");

    /** Reads {@code path}; errors read {@code reading "PATH": ...} or {@code parsing "PATH": ...}. */
    public static SigningParameters parseFile(Path path) throws ImageException {
        String q = GoStrconv.quote(path.toString());
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            throw new ImageException(ErrorCode.NOT_FOUND, "reading " + q + ": open " + path
                    + ": no such file or directory", e);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "reading " + q + ": " + e.getMessage(), e);
        }
        try {
            return parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (ImageException e) {
            throw ImageException.invalid("parsing " + q + ": " + e.getMessage(), e);
        }
    }

    static SigningParameters parse(String yaml) throws ImageException {
        Optional<Node> root;
        try {
            var it = new Compose(LoadSettings.builder().build()).composeAllFromString(yaml).iterator();
            root = it.hasNext() ? Optional.of(it.next()) : Optional.empty();
        } catch (YamlEngineException e) {
            throw ImageException.invalid("yaml: " + String.valueOf(e.getMessage()).replace('\n', ' ').trim(), e);
        }
        if (root.isEmpty()) {
            throw ImageException.invalid("EOF"); // yaml.v3's Decoder.Decode on an empty document
        }
        String key = "";
        String pass = "";
        boolean fulcio = false;
        String rekor = "";
        List<String> errors = new ArrayList<>();
        Node n = root.get();
        if (n instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                String k = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
                Node v = t.getValueNode();
                if (!FIELDS.contains(k)) {
                    errors.add("line " + line(t.getKeyNode()) + ": field " + k
                            + " not found in type params.SigningParameterFile");
                    continue;
                }
                switch (k) {
                    case "privateKeyFile" -> key = string(v, errors);
                    case "privateKeyPassphraseFile" -> pass = string(v, errors);
                    case "rekorURL" -> rekor = string(v, errors);
                    default -> {
                        if (v instanceof MappingNode fm) {
                            fulcio = true;
                            for (NodeTuple ft : fm.getValue()) {
                                String fk = ft.getKeyNode() instanceof ScalarNode s ? s.getValue() : "";
                                if (!FULCIO_FIELDS.contains(fk)) {
                                    errors.add("line " + line(ft.getKeyNode()) + ": field " + fk
                                            + " not found in type params.SigningParameterFileFulcio");
                                }
                            }
                        } else if (!isNull(v)) {
                            errors.add("line " + line(v) + ": cannot unmarshal " + describe(v)
                                    + " into params.SigningParameterFileFulcio");
                        }
                    }
                }
            }
        } else if (!isNull(n)) {
            errors.add("line " + line(n) + ": cannot unmarshal " + describe(n) + " into params.SigningParameterFile");
        }
        if (!errors.isEmpty()) {
            throw ImageException.invalid("yaml: unmarshal errors:\n  " + String.join("\n  ", errors));
        }
        return new SigningParameters(key, pass, fulcio, rekor);
    }

    private static String string(Node v, List<String> errors) {
        if (isNull(v)) {
            return "";
        }
        if (v instanceof ScalarNode s) {
            return s.getValue();
        }
        errors.add("line " + line(v) + ": cannot unmarshal " + describe(v) + " into string");
        return "";
    }

    private static boolean isNull(Node n) {
        return n instanceof ScalarNode s && s.getTag().equals(Tag.NULL);
    }

    private static int line(Node n) {
        return n.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    }

    private static String describe(Node n) {
        String t = n.getTag().getValue();
        String tag = t.startsWith(Tag.PREFIX) ? "!!" + t.substring(Tag.PREFIX.length()) : t;
        return n instanceof ScalarNode s ? tag + " `" + s.getValue() + "`" : tag;
    }
}
