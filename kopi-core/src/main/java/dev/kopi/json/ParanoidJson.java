package dev.kopi.json;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Strict reading of security-relevant JSON (policy.json, signature payloads) as containers/image's
 * {@code ParanoidUnmarshalJSONObject} does: keys are handled in document order, an unknown key is an error, and
 * values are converted with the error texts of Go's {@code encoding/json}. Documents are read with
 * {@link dev.kopi.manifest.Manifests#readTree}, which already rejects duplicate keys and trailing data.
 */
public final class ParanoidJson {
    private ParanoidJson() {
    }

    /** Handles one value; may throw. */
    public interface Field {
        void accept(JsonNode value) throws ImageException;
    }

    /** An INVALID_INPUT error with {@code message}. */
    public static ImageException error(String message) {
        return new ImageException(ErrorCode.INVALID_INPUT, message);
    }

    /**
     * Walks the object's keys in order; {@code resolver} returns the handler of a key, or null for an unknown key
     * ({@code Unknown key "k"}).
     */
    public static void object(JsonNode n, Function<String, Field> resolver) throws ImageException {
        if (n == null || !n.isObject()) {
            throw error("JSON object expected, got \"" + token(n) + "\"");
        }
        for (var it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            Field f = resolver.apply(e.getKey());
            if (f == null) {
                throw error("Unknown key " + quote(e.getKey()));
            }
            f.accept(e.getValue());
        }
    }

    /** As {@link #object}, but the keys must be exactly those of {@code fields} (in that order when missing). */
    public static void exactFields(JsonNode n, Map<String, Field> fields) throws ImageException {
        Set<String> seen = new HashSet<>();
        object(n, k -> {
            Field f = fields.get(k);
            if (f != null) {
                seen.add(k);
            }
            return f;
        });
        for (String k : fields.keySet()) {
            if (!seen.contains(k)) {
                throw error("Key " + quote(k) + " missing in a JSON object");
            }
        }
    }

    /** The first token of a value as containers/image 1.9-era texts show it ({@code "["}, a string's text...). */
    public static String token(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return "%!s(<nil>)";
        }
        if (n.isArray()) {
            return "[";
        }
        if (n.isTextual()) {
            return n.asText();
        }
        if (n.isNumber()) {
            return "%!s(float64=" + goFloatV(n.asDouble()) + ")";
        }
        if (n.isBoolean()) {
            return "%!s(bool=" + n.asBoolean() + ")";
        }
        return "{";
    }

    /** Go's name of a JSON value's kind in unmarshal errors. */
    public static String kind(JsonNode n) {
        if (n.isTextual()) {
            return "string";
        }
        if (n.isNumber()) {
            return "number";
        }
        if (n.isBoolean()) {
            return "bool";
        }
        if (n.isArray()) {
            return "array";
        }
        return "object";
    }

    private static ImageException typeError(JsonNode n, String goType) {
        return error("json: cannot unmarshal " + kind(n) + " into Go value of type " + goType);
    }

    /** A Go string: null leaves {@code dflt}. */
    public static String string(JsonNode n, String dflt) throws ImageException {
        if (n.isNull()) {
            return dflt;
        }
        if (!n.isTextual()) {
            throw typeError(n, "string");
        }
        return n.asText();
    }

    /** A Go {@code []string}: null is null. */
    public static List<String> stringList(JsonNode n) throws ImageException {
        if (n.isNull()) {
            return null;
        }
        if (!n.isArray()) {
            throw typeError(n, "[]string");
        }
        List<String> out = new ArrayList<>();
        for (JsonNode e : n) {
            out.add(string(e, ""));
        }
        return out;
    }

    /** A Go {@code []byte}: a base64 string (standard encoding, padded); null is null. */
    public static byte[] bytes(JsonNode n) throws ImageException {
        if (n.isNull()) {
            return null;
        }
        if (!n.isTextual()) {
            throw typeError(n, "[]uint8");
        }
        String s = n.asText().replace("\r", "").replace("\n", "");
        try {
            return Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            throw error("illegal base64 data at input byte " + firstBadBase64(s));
        }
    }

    private static int firstBadBase64(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+'
                    || c == '/';
            if (!ok) {
                return i;
            }
        }
        return s.length() - s.length() % 4;
    }

    /** A Go float64. */
    public static double number(JsonNode n, String goType) throws ImageException {
        if (n.isNull()) {
            return 0;
        }
        if (!n.isNumber()) {
            throw typeError(n, goType);
        }
        return n.asDouble();
    }

    /** Go's {@code %q} of a string. */
    public static String quote(String s) {
        return dev.kopi.internal.go.GoStrconv.quote(s);
    }

    /** Go's {@code %v} of a float64: shortest digits, exponent form (e+06) from 1e6 on or below 1e-4. */
    public static String goFloatV(double d) {
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
}
