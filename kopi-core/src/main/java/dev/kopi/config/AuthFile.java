package dev.kopi.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.json.GoJson;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One credentials file: containers-auth.json(5) ({@code auth.json}), Docker's {@code config.json} (same shape:
 * {@code "auths"} keyed by registry, namespace or repository with a base64 {@code "auth"} of {@code user:pass}
 * and an {@code "identitytoken"}; {@code "credHelpers"} per registry; {@code "credsStore"}), or the legacy
 * {@code ~/.dockercfg} (the {@code "auths"} map alone at the top level).
 *
 * <p>Parsing follows Go's {@code encoding/json} as containers/image uses it: syntax errors and type mismatches are
 * reported with Go's texts, object keys match field names case-insensitively, and unknown fields are ignored.
 * Unlike containers/image, {@link #toJson()} keeps the unknown fields and the unknown parts of entries it did not
 * replace, so that rewriting a Docker config.json does not lose its other settings. The output is otherwise
 * what containers/image writes: tab-indented, {@code "auths"} sorted by key, no trailing newline.
 *
 * <p>Mutable: {@link AuthFiles} reads a file, edits it and writes it back under a lock.
 */
public final class AuthFile {
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS)
            .nodeFactory(com.fasterxml.jackson.databind.node.JsonNodeFactory.withExactBigDecimals(true))
            .build();

    /** An {@code "auths"} entry as decoded: the base64 {@code "auth"} and the {@code "identitytoken"} ("" if absent). */
    public record Entry(String auth, String identityToken) {
    }

    private final boolean legacy;
    /** Top-level fields in file order (non-legacy only); "auths"/"credHelpers" are kept in the fields below. */
    private final LinkedHashMap<String, Object> top;
    /** Raw entries (maps of their fields), in file order. */
    private final LinkedHashMap<String, Map<String, Object>> auths;
    private final LinkedHashMap<String, String> credHelpers;
    private String credsStore;
    private boolean credHelpersPresent;

    private AuthFile(boolean legacy) {
        this.legacy = legacy;
        this.top = new LinkedHashMap<>();
        this.auths = new LinkedHashMap<>();
        this.credHelpers = new LinkedHashMap<>();
        this.credsStore = "";
    }

    /** An empty file (what a missing file reads as). */
    public static AuthFile empty(boolean legacy) {
        return new AuthFile(legacy);
    }

    /**
     * Reads {@code path}; a missing file is an empty one. Errors read like containers/image's
     * ({@code unmarshaling JSON at "PATH": invalid character ...}, {@code open PATH: permission denied}); callers
     * add {@code reading JSON file "PATH": }.
     */
    public static AuthFile read(Path path, boolean legacy) throws ImageException {
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (NoSuchFileException e) {
            return empty(legacy);
        } catch (IOException e) {
            if (e instanceof NotDirectoryException || e.getCause() instanceof NotDirectoryException) {
                return empty(legacy);
            }
            throw new ImageException(ErrorCode.IO, goFileError(Files.isDirectory(path) ? "read" : "open", path, e), e);
        }
        return parse(data, path, legacy);
    }

    /** Go's {@code *PathError} text for a failed file operation. */
    static String goFileError(String op, Path path, IOException e) {
        String reason;
        if (e instanceof AccessDeniedException) {
            reason = "permission denied";
        } else if (e instanceof NoSuchFileException) {
            reason = "no such file or directory";
        } else if ("read".equals(op)) {
            reason = "is a directory";
        } else {
            reason = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
        return op + " " + path + ": " + reason;
    }

    /** Parses file content; {@code path} is only for messages. */
    public static AuthFile parse(byte[] data, Path path, boolean legacy) throws ImageException {
        String syntax = GoJsonSyntax.check(data);
        if (syntax != null) {
            throw invalid(path, syntax);
        }
        JsonNode root;
        try {
            root = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw invalid(path, e.getOriginalMessage());
        } catch (NumberFormatException | ArithmeticException e) {
            // a number whose exponent no decimal can hold (found by fuzzing); Go cannot hold it either
            throw invalid(path, "cannot unmarshal number into Go value of type float64");
        } catch (IOException e) {
            throw invalid(path, String.valueOf(e.getMessage()));
        }
        AuthFile f = new AuthFile(legacy);
        String typeError = legacy ? f.decodeLegacy(root) : f.decode(root);
        if (typeError != null) {
            throw invalid(path, typeError);
        }
        return f;
    }

    private static ImageException invalid(Path path, String message) {
        return new ImageException(ErrorCode.INVALID_INPUT,
                "unmarshaling JSON at " + GoStrconv.quote(path.toString()) + ": " + message);
    }


    private static String typeError(JsonNode n, String into) {
        return "json: cannot unmarshal " + dev.kopi.json.ParanoidJson.kind(n) + " into " + into;
    }

    /** Decodes a config.json/auth.json document; returns Go's first type error, or null. */
    private String decode(JsonNode root) {
        if (root == null || root.isNull()) {
            return null;
        }
        if (!root.isObject()) {
            return typeError(root, "Go value of type config.dockerConfigFile");
        }
        String first = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String key = e.getKey();
            JsonNode v = e.getValue();
            if (key.equalsIgnoreCase("auths")) {
                top.put("auths", null); // position marker
                if (v.isNull()) {
                    continue;
                }
                if (!v.isObject()) {
                    first = firstOf(first, typeError(v, "Go struct field dockerConfigFile.auths of type "
                            + "map[string]config.dockerAuthConfig"));
                    continue;
                }
                first = firstOf(first, decodeAuths(v, "Go struct field dockerConfigFile.auths of type "
                        + "config.dockerAuthConfig", "dockerAuthConfig.auths."));
            } else if (key.equalsIgnoreCase("credHelpers")) {
                top.put("credHelpers", null);
                credHelpersPresent = true;
                if (v.isNull()) {
                    continue;
                }
                if (!v.isObject()) {
                    first = firstOf(first, typeError(v, "Go struct field dockerConfigFile.credHelpers of type "
                            + "map[string]string"));
                    continue;
                }
                for (Iterator<Map.Entry<String, JsonNode>> h = v.fields(); h.hasNext(); ) {
                    Map.Entry<String, JsonNode> he = h.next();
                    JsonNode hv = he.getValue();
                    if (hv.isTextual()) {
                        credHelpers.put(he.getKey(), hv.textValue());
                    } else if (hv.isNull()) {
                        credHelpers.put(he.getKey(), "");
                    } else {
                        first = firstOf(first, typeError(hv, "Go struct field dockerConfigFile.credHelpers of type "
                                + "string"));
                    }
                }
            } else {
                if (key.equals("credsStore") && v.isTextual()) {
                    credsStore = v.textValue(); // not read by containers/image; see AuthFiles
                }
                top.put(key, plain(v));
            }
        }
        return first;
    }

    /** Decodes a legacy ~/.dockercfg document (a bare map of entries). */
    private String decodeLegacy(JsonNode root) {
        if (root == null || root.isNull()) {
            return null;
        }
        if (!root.isObject()) {
            return typeError(root, "Go value of type map[string]config.dockerAuthConfig");
        }
        return decodeAuths(root, "Go value of type config.dockerAuthConfig", "dockerAuthConfig.");
    }

    private String decodeAuths(JsonNode map, String entryType, String fieldPrefix) {
        String first = null;
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            LinkedHashMap<String, Object> raw = new LinkedHashMap<>();
            if (v.isObject()) {
                for (Iterator<Map.Entry<String, JsonNode>> f = v.fields(); f.hasNext(); ) {
                    Map.Entry<String, JsonNode> fe = f.next();
                    String name = fe.getKey();
                    JsonNode fv = fe.getValue();
                    String canonical = name.equalsIgnoreCase("auth") ? "auth"
                            : name.equalsIgnoreCase("identitytoken") ? "identitytoken" : null;
                    if (canonical != null && !fv.isTextual() && !fv.isNull()) {
                        first = firstOf(first, typeError(fv, "Go struct field " + fieldPrefix + canonical
                                + " of type string"));
                        continue;
                    }
                    if (canonical != null) {
                        raw.remove(canonical);
                        if (fv.isTextual()) {
                            raw.put(canonical, fv.textValue());
                        }
                    } else {
                        raw.put(name, plain(fv));
                    }
                }
            } else if (!v.isNull()) {
                first = firstOf(first, typeError(v, entryType));
                continue;
            }
            auths.put(e.getKey(), raw);
        }
        return first;
    }

    private static String firstOf(String a, String b) {
        return a != null ? a : b;
    }

    /** A Jackson node as plain values for {@link GoJson}; numbers keep their text. */
    private static Object plain(JsonNode n) {
        if (n.isObject()) {
            LinkedHashMap<String, Object> m = new LinkedHashMap<>();
            n.fields().forEachRemaining(e -> m.put(e.getKey(), plain(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(plain(x)));
            return l;
        }
        if (n.isTextual()) {
            return n.textValue();
        }
        if (n.isBoolean()) {
            return n.booleanValue();
        }
        if (n.isNull()) {
            return null;
        }
        return new GoJson.Raw(n.isBigDecimal() ? n.decimalValue().toString() : n.asText()); // number text kept
    }

    // ---- reading ----

    /** True for the legacy ~/.dockercfg format. */
    public boolean legacy() {
        return legacy;
    }

    /** The keys of {@code "auths"}, in file order. */
    public List<String> authKeys() {
        return List.copyOf(auths.keySet());
    }

    /** The {@code "auths"} entry stored under exactly {@code key}. */
    public Optional<Entry> entry(String key) {
        Map<String, Object> raw = auths.get(key);
        if (raw == null) {
            return Optional.empty();
        }
        return Optional.of(new Entry(str(raw.get("auth")), str(raw.get("identitytoken"))));
    }

    private static String str(Object o) {
        return o instanceof String s ? s : "";
    }

    /** {@code "credHelpers"}: registry → helper name (the part after {@code docker-credential-}). */
    public Map<String, String> credHelpers() {
        return Collections.unmodifiableMap(credHelpers);
    }

    /** {@code "credsStore"}, or "". */
    public String credsStore() {
        return credsStore;
    }

    // ---- editing ----

    /** Stores {@code base64(user:pass)} under {@code key}, replacing the whole entry (as containers/image does). */
    public void putAuth(String key, String username, String password) {
        LinkedHashMap<String, Object> raw = new LinkedHashMap<>();
        raw.put("auth", java.util.Base64.getEncoder().encodeToString(
                (username + ":" + password).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        auths.put(key, raw);
    }

    /** Removes the entry stored under exactly {@code key}; true when there was one. */
    public boolean removeAuth(String key) {
        return auths.remove(key) != null;
    }

    /** Removes every {@code "auths"} entry and every {@code "credHelpers"} entry. */
    public void clear() {
        auths.clear();
        credHelpers.clear();
    }

    /**
     * The file content as containers/image writes it ({@code json.MarshalIndent(v, "", "\t")}): {@code "auths"}
     * (sorted by key), then {@code "credHelpers"} when not empty, with the other top-level fields of the file
     * kept where they were.
     */
    public String toJson() {
        TreeMap<String, Object> sortedAuths = new TreeMap<>(GoJson.KEY_ORDER);
        auths.forEach((k, v) -> sortedAuths.put(k, v));
        if (legacy) {
            return GoJson.marshalIndent(sortedAuths, "\t");
        }
        LinkedHashMap<String, Object> out = new LinkedHashMap<>();
        if (!top.containsKey("auths")) {
            out.put("auths", sortedAuths);
        }
        for (Map.Entry<String, Object> e : top.entrySet()) {
            switch (e.getKey()) {
                case "auths" -> out.put("auths", sortedAuths);
                case "credHelpers" -> {
                    if (!credHelpers.isEmpty()) {
                        out.put("credHelpers", GoJson.goMap(credHelpers));
                    }
                }
                default -> out.put(e.getKey(), e.getValue());
            }
        }
        if (!credHelpersPresent && !credHelpers.isEmpty()) {
            out.put("credHelpers", GoJson.goMap(credHelpers));
        }
        return GoJson.marshalIndent(out, "\t");
    }
}
