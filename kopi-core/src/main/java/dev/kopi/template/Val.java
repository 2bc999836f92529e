package dev.kopi.template;

import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;

/**
 * A value during execution: the Java object plus its static Go type (null when it is to be derived from the
 * object). {@link #MISSING} is Go's invalid reflect.Value (a missing map key), printed as {@code <no value>}.
 */
record Val(Object value, String type) {
    static final Val MISSING = new Val(null, "<invalid>");
    static final String ANY = "interface {}";

    static Val of(Object v) {
        return v instanceof Val x ? x : new Val(v, null);
    }

    boolean isMissing() {
        return this == MISSING;
    }

    /** The Go type a value of this static type shows at run time (the dynamic type for interfaces). */
    String dynamicType() {
        if (type != null && !type.equals(ANY) && !isMissing()) {
            return type;
        }
        return dynamicTypeOf(value);
    }

    /** The static type as Go's reflect would report it for this value (interface {} for container elements). */
    String staticType() {
        return type != null ? type : dynamicTypeOf(value);
    }

    static String dynamicTypeOf(Object v) {
        if (v == null) {
            return null;
        }
        if (v instanceof Val x) {
            return x.dynamicType();
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return "int";
        }
        if (v instanceof Double) {
            return "float64";
        }
        if (v instanceof Float) {
            return "float32";
        }
        if (v instanceof BigInteger) {
            return "uint64";
        }
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof GoStruct s) {
            return s.typeName();
        }
        if (isTime(v)) {
            return "time.Time";
        }
        if (v instanceof Map) {
            return "map[string]interface {}";
        }
        if (v instanceof List) {
            return "[]interface {}";
        }
        return v.getClass().getSimpleName();
    }

    static boolean isTime(Object v) {
        return v instanceof OffsetDateTime || v instanceof Instant || v instanceof ZonedDateTime;
    }

    /** The element type of a slice or map type, "interface {}" when unknown. */
    static String elemType(String containerType) {
        if (containerType == null) {
            return ANY;
        }
        if (containerType.startsWith("[]")) {
            return containerType.substring(2);
        }
        if (containerType.startsWith("map[")) {
            int depth = 0;
            for (int i = 3; i < containerType.length(); i++) {
                char c = containerType.charAt(i);
                if (c == '[') {
                    depth++;
                } else if (c == ']' && --depth == 0) {
                    return containerType.substring(i + 1);
                }
            }
        }
        return ANY;
    }

    /** The zero value of a Go type, as a Java value (null for nil-able and unknown types). */
    static Object zeroOf(String goType) {
        if (goType == null) {
            return null;
        }
        switch (goType) {
            case "string":
                return "";
            case "bool":
                return Boolean.FALSE;
            case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uintptr":
                return 0L;
            case "uint64":
                return BigInteger.ZERO;
            case "float32", "float64":
                return 0.0d;
            default:
                if (goType.startsWith("map[")) {
                    return GoNil.MAP;
                }
                if (goType.startsWith("[]")) {
                    return GoNil.SLICE;
                }
                if (goType.equals("digest.Digest")) {
                    return "";
                }
                return null;
        }
    }

    /** Go's basic kind of a type name, used by comparisons; null when not basic. */
    static String kindOf(String goType, Object v) {
        if (v instanceof Boolean) {
            return "bool";
        }
        if (v instanceof String) {
            return "string";
        }
        if (v instanceof Double || v instanceof Float) {
            return "float";
        }
        if (v instanceof BigInteger) {
            return "uint";
        }
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            return goType != null && goType.startsWith("uint") ? "uint" : "int";
        }
        return null;
    }
}
