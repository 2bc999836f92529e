package dev.kopi.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.manifest.Manifests;
import dev.kopi.transport.ImageReference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A loaded policy.json, evaluated on a source image before anything is copied. Requirements are looked up as
 * containers/image does: the transport's scopes (identity, then namespaces, then ""), else the default.
 * This version evaluates {@code insecureAcceptAnything} and {@code reject}; signature requirements are
 * refused with a clear error until signature verification lands.
 */
public final class PolicyContext {
    private final List<JsonNode> defaultReqs;
    private final Map<String, Map<String, List<JsonNode>>> transports;
    private final boolean acceptAll;
    private final boolean requireSignatures;

    private PolicyContext(List<JsonNode> defaultReqs, Map<String, Map<String, List<JsonNode>>> transports,
            boolean acceptAll, boolean requireSignatures) {
        this.defaultReqs = defaultReqs;
        this.transports = transports;
        this.acceptAll = acceptAll;
        this.requireSignatures = requireSignatures;
    }

    /**
     * {@code --require-signed}: this policy, but an image is allowed only if a signature requirement verified it;
     * an image that only {@code insecureAcceptAnything} would let through is rejected.
     */
    public PolicyContext requiringSignatures() {
        return new PolicyContext(acceptAll ? List.of(JSON_ACCEPT) : defaultReqs, transports, false, true);
    }

    private static final JsonNode JSON_ACCEPT = Manifests.JSON.createObjectNode().put("type", "insecureAcceptAnything");

    /** {@code --insecure-policy}: everything is allowed. */
    public static PolicyContext insecureAcceptAnything() {
        return new PolicyContext(List.of(), Map.of(), true, false);
    }

    /** The default policy path skopeo uses: {@code $HOME/.config/containers/policy.json}, else /etc/containers/policy.json. */
    public static Path defaultPath() {
        String home = System.getenv("HOME");
        if (home != null && !home.isEmpty()) {
            Path user = Path.of(home, ".config", "containers", "policy.json");
            if (Files.exists(user)) {
                return user;
            }
        }
        return Path.of("/etc/containers/policy.json");
    }

    /** Loads and validates a policy file. */
    public static PolicyContext load(Path path) throws ImageException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(path);
        } catch (IOException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, LocalPaths.goError("open", path, e), e);
        }
        try {
            return parse(bytes);
        } catch (ImageException e) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "invalid policy in \"" + path + "\": " + e.getMessage(), e);
        }
    }

    static PolicyContext parse(byte[] bytes) throws ImageException {
        JsonNode n = Manifests.readTree(bytes, "policy");
        if (!n.isObject()) {
            // containers/image's paranoid decoder names the first token it found
            String token = n.isArray() ? "[" : n.isTextual() ? n.asText()
                    : n.isNumber() ? "%!s(float64=" + goFloatV(n.asDouble()) + ")"
                    : n.isBoolean() ? "%!s(bool=" + n.asBoolean() + ")" : "%!s(<nil>)";
            throw ImageException.invalid("JSON object expected, got \"" + token + "\"");
        }
        for (var it = n.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("default") && !f.equals("transports")) {
                throw ImageException.invalid("Unknown key \"" + f + "\"");
            }
        }
        JsonNode def = n.get("default");
        if (def == null || def.isNull()) {
            throw ImageException.invalid("Default policy is missing");
        }
        List<JsonNode> defaultReqs = requirements(def);
        Map<String, Map<String, List<JsonNode>>> transports = new LinkedHashMap<>();
        JsonNode t = n.get("transports");
        if (t != null && !t.isNull()) {
            if (!t.isObject()) {
                throw ImageException.invalid("transports is not an object");
            }
            for (var it = t.fields(); it.hasNext(); ) {
                var e = it.next();
                Map<String, List<JsonNode>> scopes = new LinkedHashMap<>();
                if (!e.getValue().isObject()) {
                    throw ImageException.invalid("transport " + e.getKey() + " scopes are not an object");
                }
                for (var si = e.getValue().fields(); si.hasNext(); ) {
                    var s = si.next();
                    scopes.put(s.getKey(), requirements(s.getValue()));
                }
                transports.put(e.getKey(), scopes);
            }
        }
        return new PolicyContext(defaultReqs, transports, false, false);
    }

    /** Go's {@code %v} of a float64: shortest digits, exponent form (e+06) from 1e6 on or below 1e-4. */
    static String goFloatV(double d) {
        if (d == 0) {
            return "0";
        }
        java.math.BigDecimal b = java.math.BigDecimal.valueOf(Math.abs(d)).stripTrailingZeros();
        String digits = b.unscaledValue().toString();
        int nd = digits.length();
        int dp = nd - b.scale();
        int eprec = 6;
        if (eprec > nd && nd >= dp) {
            eprec = nd;
        }
        int x = dp - 1;
        String sign = d < 0 ? "-" : "";
        if (x < -4 || x >= eprec) {
            String mant = digits.charAt(0) + (nd > 1 ? "." + digits.substring(1) : "");
            String exp = String.format("%02d", Math.abs(x));
            return sign + mant + "e" + (x < 0 ? "-" : "+") + exp;
        }
        return sign + b.toPlainString();
    }

    private static List<JsonNode> requirements(JsonNode arr) throws ImageException {
        if (!arr.isArray()) {
            throw ImageException.invalid("a policy requirement list is not an array");
        }
        if (arr.isEmpty()) {
            throw ImageException.invalid("List of verification policy requirements must not be empty");
        }
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : arr) {
            String type = r.path("type").asText("");
            switch (type) {
                case "insecureAcceptAnything", "reject" -> {
                    // these take no parameters; containers/image rejects any other key
                    for (var it = r.fieldNames(); it.hasNext(); ) {
                        String k = it.next();
                        if (!k.equals("type")) {
                            throw ImageException.invalid("Unknown key \"" + k + "\"");
                        }
                    }
                    out.add(r);
                }
                case "signedBy", "sigstoreSigned" -> out.add(r);
                default -> throw ImageException.invalid("Unknown policy requirement type \"" + type + "\"");
            }
        }
        return out;
    }

    /** Fails with POLICY_REJECTED unless the policy allows running (copying) the image. */
    public void requireAllowed(ImageReference ref) throws ImageException {
        if (acceptAll) {
            return;
        }
        List<JsonNode> reqs = requirementsFor(ref);
        if (requireSignatures && reqs.stream().allMatch(r -> r.path("type").asText().equals("insecureAcceptAnything"))) {
            throw new ImageException(ErrorCode.POLICY_REJECTED, "Running image " + ref.imageName()
                    + " is rejected: signature verification is required (--require-signed), but the policy requires no signature for it");
        }
        for (JsonNode r : reqs) {
            String type = r.path("type").asText();
            switch (type) {
                case "insecureAcceptAnything" -> {
                }
                case "reject" -> throw new ImageException(ErrorCode.POLICY_REJECTED,
                        "Running image " + ref.imageName() + " is rejected by policy.");
                default -> throw new ImageException(ErrorCode.POLICY_REJECTED, "Running image " + ref.imageName()
                        + " requires a verified signature (" + type + "), and kopi cannot verify signatures yet");
            }
        }
    }

    private List<JsonNode> requirementsFor(ImageReference ref) {
        Map<String, List<JsonNode>> scopes = transports.get(ref.transport().name());
        if (scopes != null) {
            List<JsonNode> r = scopes.get(ref.policyConfigurationIdentity());
            if (r != null) {
                return r;
            }
            for (String ns : ref.policyConfigurationNamespaces()) {
                r = scopes.get(ns);
                if (r != null) {
                    return r;
                }
            }
            r = scopes.get("");
            if (r != null) {
                return r;
            }
        }
        return defaultReqs;
    }
}
