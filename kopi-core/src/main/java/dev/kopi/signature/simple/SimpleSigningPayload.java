package dev.kopi.signature.simple;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import dev.kopi.json.GoJson;
import dev.kopi.json.ParanoidJson;
import dev.kopi.manifest.Manifests;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The JSON a simple-signing (GPG) signature signs, in containers/image's format:
 * {@code {"critical":{"identity":{"docker-reference":R},"image":{"docker-manifest-digest":D},"type":"atomic
 * container signature"},"optional":{"creator":C,"timestamp":T}}} (Go sorts map keys, so this is the byte order
 * containers/image writes). Values read from a signature are untrusted until the signature is verified.
 *
 * @param dockerReference {@code critical.identity.docker-reference}
 * @param manifestDigest {@code critical.image.docker-manifest-digest}
 * @param creator {@code optional.creator}, or null
 * @param timestamp {@code optional.timestamp} (Unix seconds), or null
 */
public record SimpleSigningPayload(String dockerReference, Digest manifestDigest, String creator, Long timestamp) {
    /** {@code critical.type}. */
    public static final String TYPE = "atomic container signature";

    /** A payload for signing now, with kopi as creator. */
    public static SimpleSigningPayload forSigning(Digest manifestDigest, String dockerReference) {
        return new SimpleSigningPayload(dockerReference, manifestDigest, "kopi " + SimpleSigning.version(),
                System.currentTimeMillis() / 1000);
    }

    /** The payload as containers/image marshals it. */
    public byte[] toJson() throws ImageException {
        if (manifestDigest == null || dockerReference == null || dockerReference.isEmpty()) {
            throw ImageException.invalid("Unexpected empty signature content");
        }
        Map<String, Object> critical = new LinkedHashMap<>();
        critical.put("identity", Map.of("docker-reference", dockerReference));
        critical.put("image", Map.of("docker-manifest-digest", manifestDigest.toString()));
        critical.put("type", TYPE);
        Map<String, Object> optional = new LinkedHashMap<>();
        if (creator != null) {
            optional.put("creator", creator);
        }
        if (timestamp != null) {
            optional.put("timestamp", timestamp);
        }
        Map<String, Object> top = new LinkedHashMap<>();
        top.put("critical", critical);
        top.put("optional", optional);
        return GoJson.marshal(top);
    }

    /**
     * Parses signed (but not necessarily verified) content strictly, as containers/image's
     * {@code untrustedSignature.UnmarshalJSON}: unknown or missing keys in {@code critical}, a wrong type, a bad
     * digest or a non-integer timestamp are errors (INVALID_INPUT, the texts of containers/image).
     */
    public static SimpleSigningPayload parseUntrusted(byte[] json) throws ImageException {
        JsonNode n;
        try {
            n = Manifests.JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw ParanoidJson.error("invalid character in signature payload: " + firstLine(e.getMessage()));
        }
        if (n == null || n.isMissingNode()) {
            throw ParanoidJson.error("unexpected end of JSON input");
        }
        JsonNode[] critical = new JsonNode[1];
        JsonNode[] optional = new JsonNode[1];
        Map<String, ParanoidJson.Field> top = new LinkedHashMap<>();
        top.put("critical", v -> critical[0] = v);
        top.put("optional", v -> optional[0] = v);
        ParanoidJson.exactFields(n, top);

        String[] creator = new String[1];
        Double[] ts = new Double[1];
        ParanoidJson.object(optional[0], k -> switch (k) {
            case "creator" -> v -> creator[0] = ParanoidJson.string(v, "");
            case "timestamp" -> v -> ts[0] = ParanoidJson.number(v, "float64");
            default -> v -> { };
        });
        Long timestamp = null;
        if (ts[0] != null) {
            long l = (long) ts[0].doubleValue();
            if ((double) l != ts[0]) {
                throw ParanoidJson.error("Field optional.timestamp is not an integer");
            }
            timestamp = l;
        }

        String[] type = new String[1];
        JsonNode[] image = new JsonNode[1];
        JsonNode[] identity = new JsonNode[1];
        Map<String, ParanoidJson.Field> crit = new LinkedHashMap<>();
        crit.put("type", v -> type[0] = ParanoidJson.string(v, ""));
        crit.put("image", v -> image[0] = v);
        crit.put("identity", v -> identity[0] = v);
        ParanoidJson.exactFields(critical[0], crit);
        if (!TYPE.equals(type[0])) {
            throw ParanoidJson.error("Unrecognized signature type " + type[0]);
        }
        String[] digest = new String[] {""};
        ParanoidJson.exactFields(image[0], Map.of("docker-manifest-digest",
                v -> digest[0] = ParanoidJson.string(v, "")));
        Digest d;
        try {
            d = Digest.parse(digest[0]);
        } catch (ImageException e) {
            throw ParanoidJson.error("invalid docker-manifest-digest value " + ParanoidJson.quote(digest[0]) + ": "
                    + e.getMessage());
        }
        String[] ref = new String[] {""};
        ParanoidJson.exactFields(identity[0], Map.of("docker-reference", v -> ref[0] = ParanoidJson.string(v, "")));
        return new SimpleSigningPayload(ref[0], d, creator[0], timestamp);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl >= 0 ? s.substring(0, nl) : s;
    }
}
