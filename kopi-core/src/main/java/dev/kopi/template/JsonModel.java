package dev.kopi.template;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts a Jackson tree into template values, the way Go decodes JSON into {@code interface{}}: objects become
 * maps (so {@code .key} lookups work and missing keys print {@code <no value>}), arrays lists, JSON null
 * {@code null}. Unlike Go (which makes every number a float64), integral numbers become {@link Long} (or
 * {@link BigInteger} when they do not fit), so sizes print as {@code 1234} rather than {@code 1234}'s float form.
 */
public final class JsonModel {
    private JsonModel() {
    }

    public static Object fromJson(JsonNode node) {
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        if (node.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = node.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), fromJson(e.getValue()));
            }
            return m;
        }
        if (node.isArray()) {
            List<Object> l = new ArrayList<>(node.size());
            for (JsonNode c : node) {
                l.add(fromJson(c));
            }
            return l;
        }
        if (node.isTextual()) {
            return node.textValue();
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isIntegralNumber()) {
            BigInteger b = node.bigIntegerValue();
            return b.bitLength() < 64 ? (Object) b.longValue() : b;
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        return node.asText();
    }
}
