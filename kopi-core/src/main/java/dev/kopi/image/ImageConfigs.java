package dev.kopi.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoJson;
import dev.kopi.json.GoTime;
import dev.kopi.manifest.Manifests;
import dev.kopi.template.GoNil;
import dev.kopi.template.GoStruct;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Image config documents: the Docker → OCI mapping, done as containers/image does it (a Go struct round trip). */
public final class ImageConfigs {
    private ImageConfigs() {
    }

    /**
     * The OCI image config (image-spec v1.1.1 {@code v1.Image}) that containers/image derives from a config
     * document: the fields OCI knows, in its field order, Go-encoded. Both Docker and OCI configs map.
     */
    public static Map<String, Object> toOciGo(byte[] config) throws ImageException {
        JsonNode n = Manifests.readTree(config, "image config");
        Map<String, Object> m = new LinkedHashMap<>();
        OffsetDateTime created = GoTime.parse(text(n, "created"));
        if (created != null) {
            m.put("created", GoTime.format(created));
        }
        putIfNotEmpty(m, "author", text(n, "author"));
        m.put("architecture", text(n, "architecture"));
        m.put("os", text(n, "os"));
        putIfNotEmpty(m, "os.version", text(n, "os.version"));
        List<String> osFeatures = strings(Manifests.field(n, "os.features"));
        if (osFeatures != null && !osFeatures.isEmpty()) {
            m.put("os.features", osFeatures);
        }
        putIfNotEmpty(m, "variant", text(n, "variant"));
        JsonNode c = Manifests.field(n, "config");
        Map<String, Object> cfg = new LinkedHashMap<>();
        if (c != null && c.isObject()) {
            putIfNotEmpty(cfg, "User", text(c, "User"));
            putSetIfNotEmpty(cfg, "ExposedPorts", Manifests.field(c, "ExposedPorts"));
            putListIfNotEmpty(cfg, "Env", strings(Manifests.field(c, "Env")));
            putListIfNotEmpty(cfg, "Entrypoint", strings(Manifests.field(c, "Entrypoint")));
            putListIfNotEmpty(cfg, "Cmd", strings(Manifests.field(c, "Cmd")));
            putSetIfNotEmpty(cfg, "Volumes", Manifests.field(c, "Volumes"));
            putIfNotEmpty(cfg, "WorkingDir", text(c, "WorkingDir"));
            Map<String, String> labels = stringMap(Manifests.field(c, "Labels"));
            if (labels != null && !labels.isEmpty()) {
                cfg.put("Labels", GoJson.goMap(labels));
            }
            putIfNotEmpty(cfg, "StopSignal", text(c, "StopSignal"));
            JsonNode ae = Manifests.field(c, "ArgsEscaped");
            if (ae != null && ae.asBoolean(false)) {
                cfg.put("ArgsEscaped", true);
            }
        }
        m.put("config", cfg);
        JsonNode r = Manifests.field(n, "rootfs");
        Map<String, Object> rootfs = new LinkedHashMap<>();
        rootfs.put("type", r == null ? "" : text(r, "type"));
        rootfs.put("diff_ids", r == null ? null : strings(Manifests.field(r, "diff_ids")));
        m.put("rootfs", rootfs);
        JsonNode h = Manifests.field(n, "history");
        if (h != null && h.isArray() && !h.isEmpty()) {
            List<Object> hist = new ArrayList<>();
            for (JsonNode e : h) {
                Map<String, Object> he = new LinkedHashMap<>();
                OffsetDateTime hc = GoTime.parse(text(e, "created"));
                if (hc != null) {
                    he.put("created", GoTime.format(hc));
                }
                putIfNotEmpty(he, "created_by", text(e, "created_by"));
                putIfNotEmpty(he, "author", text(e, "author"));
                putIfNotEmpty(he, "comment", text(e, "comment"));
                JsonNode el = Manifests.field(e, "empty_layer");
                if (el != null && el.asBoolean(false)) {
                    he.put("empty_layer", true);
                }
                hist.add(he);
            }
            m.put("history", hist);
        }
        return m;
    }

    /**
     * {@link #toOciGo}'s result as the Go value {@code skopeo inspect --config --format} templates run over:
     * image-spec's {@code v1.Image} struct (Go field names such as {@code .Architecture}, {@code .Config.Env},
     * {@code .RootFS.DiffIDs}; {@code Platform} embedded), not the JSON keys.
     */
    @SuppressWarnings("unchecked")
    public static GoStruct toOciStruct(Map<String, Object> oci) {
        Map<String, Object> cfg = (Map<String, Object>) oci.getOrDefault("config", Map.of());
        Map<String, Object> rootfs = (Map<String, Object>) oci.getOrDefault("rootfs", Map.of());
        GoStruct platform = GoStruct.builder("v1.Platform")
                .field("Architecture", str(oci, "architecture"), "string", "architecture", false)
                .field("OS", str(oci, "os"), "string", "os", false)
                .field("OSVersion", str(oci, "os.version"), "string", "os.version", true)
                .field("OSFeatures", list(oci, "os.features"), "[]string", "os.features", true)
                .field("Variant", str(oci, "variant"), "string", "variant", true)
                .build();
        GoStruct config = GoStruct.builder("v1.ImageConfig")
                .field("User", str(cfg, "User"), "string", "User", true)
                .field("ExposedPorts", set(cfg, "ExposedPorts"), "map[string]struct {}", "ExposedPorts", true)
                .field("Env", list(cfg, "Env"), "[]string", "Env", true)
                .field("Entrypoint", list(cfg, "Entrypoint"), "[]string", "Entrypoint", true)
                .field("Cmd", list(cfg, "Cmd"), "[]string", "Cmd", true)
                .field("Volumes", set(cfg, "Volumes"), "map[string]struct {}", "Volumes", true)
                .field("WorkingDir", str(cfg, "WorkingDir"), "string", "WorkingDir", true)
                .field("Labels", cfg.get("Labels") == null ? GoNil.MAP : cfg.get("Labels"), "map[string]string",
                        "Labels", true)
                .field("StopSignal", str(cfg, "StopSignal"), "string", "StopSignal", true)
                .field("ArgsEscaped", Boolean.TRUE.equals(cfg.get("ArgsEscaped")), "bool", "ArgsEscaped", true)
                .build();
        GoStruct rootFs = GoStruct.builder("v1.RootFS")
                .field("Type", str(rootfs, "type"), "string", "type", false)
                .field("DiffIDs", list(rootfs, "diff_ids"), "[]digest.Digest", "diff_ids", false)
                .build();
        List<Object> history = GoNil.SLICE;
        if (oci.get("history") instanceof List<?> hs) {
            history = new ArrayList<>();
            for (Object o : hs) {
                Map<String, Object> h = (Map<String, Object>) o;
                history.add(GoStruct.builder("v1.History")
                        .field("Created", GoTime.parse(str(h, "created")), "*time.Time", "created", true)
                        .field("CreatedBy", str(h, "created_by"), "string", "created_by", true)
                        .field("Author", str(h, "author"), "string", "author", true)
                        .field("Comment", str(h, "comment"), "string", "comment", true)
                        .field("EmptyLayer", Boolean.TRUE.equals(h.get("empty_layer")), "bool", "empty_layer", true)
                        .build());
            }
        }
        return GoStruct.builder("v1.Image")
                .field("Created", GoTime.parse(str(oci, "created")), "*time.Time", "created", true)
                .field("Author", str(oci, "author"), "string", "author", true)
                .embed("Platform", platform)
                .field("Config", config, "v1.ImageConfig", "config", true)
                .field("RootFS", rootFs, "v1.RootFS", "rootfs", false)
                .field("History", history, "[]v1.History", "history", true)
                .build();
    }

    private static String str(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v == null ? "" : v.toString();
    }

    private static Object list(Map<String, Object> m, String k) {
        Object v = m.get(k);
        return v instanceof List<?> ? v : GoNil.SLICE;
    }

    /** A JSON object used as a set (Go's {@code map[string]struct{}}): values are empty structs. */
    private static Object set(Map<String, Object> m, String k) {
        if (!(m.get(k) instanceof Map<?, ?> keys)) {
            return GoNil.MAP;
        }
        Map<String, Object> out = new TreeMap<>(GoJson.KEY_ORDER);
        GoStruct empty = GoStruct.builder("struct {}").build();
        for (Object key : keys.keySet()) {
            out.put(key.toString(), empty);
        }
        return out;
    }

    /** {@link #toOciGo} encoded compactly: the bytes of the converted OCI config blob. */
    public static byte[] toOciConfigBytes(byte[] config) throws ImageException {
        return GoJson.marshal(toOciGo(config));
    }

    private static void putIfNotEmpty(Map<String, Object> m, String k, String v) {
        if (v != null && !v.isEmpty()) {
            m.put(k, v);
        }
    }

    private static void putListIfNotEmpty(Map<String, Object> m, String k, List<String> v) {
        if (v != null && !v.isEmpty()) {
            m.put(k, v);
        }
    }

    private static void putSetIfNotEmpty(Map<String, Object> m, String k, JsonNode v) {
        if (v != null && v.isObject() && !v.isEmpty()) {
            Map<String, Object> set = new TreeMap<>(GoJson.KEY_ORDER);
            v.fieldNames().forEachRemaining(f -> set.put(f, Map.of()));
            m.put(k, set);
        }
    }

    static String text(JsonNode n, String f) {
        JsonNode v = Manifests.field(n, f);
        return v == null || v.isNull() ? "" : v.asText();
    }

    /** null for an absent/null field (Go nil slice), else the strings. */
    static List<String> strings(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        List<String> out = new ArrayList<>();
        if (n.isArray()) {
            for (JsonNode e : n) {
                out.add(e.asText());
            }
        } else if (n.isTextual()) {
            out.add(n.asText());
        }
        return out;
    }

    static Map<String, String> stringMap(JsonNode n) {
        if (n == null || n.isNull() || !n.isObject()) {
            return null;
        }
        Map<String, String> out = new TreeMap<>(GoJson.KEY_ORDER);
        n.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().isNull() ? "" : e.getValue().asText()));
        return out;
    }
}
