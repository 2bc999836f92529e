package dev.kopi.manifest;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** An OCI/Docker platform: architecture, os, os.version, os.features, variant (and Docker's features). */
public record Platform(String architecture, String os, String osVersion, List<String> osFeatures, String variant,
        List<String> features) {
    public Platform {
        architecture = architecture == null ? "" : architecture;
        os = os == null ? "" : os;
        osVersion = osVersion == null ? "" : osVersion;
        variant = variant == null ? "" : variant;
        osFeatures = osFeatures == null ? List.of() : List.copyOf(osFeatures);
        features = features == null ? List.of() : List.copyOf(features);
    }

    public Platform(String os, String architecture, String variant) {
        this(architecture, os, null, null, variant, null);
    }

    /** {@code os/arch[/variant]}. */
    @Override
    public String toString() {
        return os + "/" + architecture + (variant.isEmpty() ? "" : "/" + variant);
    }

    /** Go struct encoding (OCI Platform; with {@code features} for Docker's Schema2PlatformSpec). */
    Map<String, Object> toGo(boolean docker) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("architecture", architecture);
        m.put("os", os);
        if (!osVersion.isEmpty()) {
            m.put("os.version", osVersion);
        }
        if (!osFeatures.isEmpty()) {
            m.put("os.features", osFeatures);
        }
        if (!variant.isEmpty()) {
            m.put("variant", variant);
        }
        if (docker && !features.isEmpty()) {
            m.put("features", features);
        }
        return m;
    }
}
