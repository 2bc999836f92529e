package dev.kopi.template;

import dev.kopi.internal.go.GoTimeFormat;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;

/** Go's encoding/json output for model values (json.Marshal, json.MarshalIndent, Encoder.SetEscapeHTML). */
public final class GoJson {
    private GoJson() {
    }

    /** json.Marshal: compact, with &lt; &gt; &amp; escaped as \u003c \u003e \u0026. */
    public static String marshal(Object value) throws TemplateException {
        return encode(value, true, null);
    }

    /** An Encoder with SetEscapeHTML(false), trailing newline removed (containers/common's {@code json}). */
    public static String marshalNoEscape(Object value) throws TemplateException {
        return encode(value, false, null);
    }

    /** json.MarshalIndent(value, "", indent). */
    public static String marshalIndent(Object value, String indent) throws TemplateException {
        return encode(value, true, indent);
    }

    private static String encode(Object value, boolean escapeHtml, String indent) throws TemplateException {
        StringBuilder b = new StringBuilder();
        try {
            write(b, Val.of(value), escapeHtml, indent, 0);
        } catch (IllegalArgumentException e) {
            throw new TemplateException(e.getMessage());
        }
        return b.toString();
    }

    private static void newline(StringBuilder b, String indent, int depth) {
        if (indent != null) {
            b.append('\n');
            for (int i = 0; i < depth; i++) {
                b.append(indent);
            }
        }
    }

    private static void write(StringBuilder b, Val val, boolean esc, String indent, int depth) {
        Object v = val.isMissing() ? null : val.value();
        if (v == null || GoNil.isTypedNil(v)) {
            b.append("null");
            return;
        }
        if (v instanceof String s) {
            string(b, s, esc);
        } else if (v instanceof Boolean bo) {
            b.append(bo);
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte
                || v instanceof BigInteger) {
            b.append(v);
        } else if (v instanceof Double || v instanceof Float) {
            b.append(dev.kopi.json.GoJson.formatFloat(((Number) v).doubleValue(), v instanceof Float ? 32 : 64));
        } else if (Val.isTime(v)) {
            b.append('"').append(GoTimeFormat.rfc3339Nano(v)).append('"');
        } else if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) {
                b.append("{}");
                return;
            }
            String et = Val.elemType(val.staticType());
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : GoFmt.sortedEntries(m)) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                newline(b, indent, depth + 1);
                string(b, String.valueOf(e.getKey()), esc);
                b.append(indent != null ? ": " : ":");
                write(b, new Val(e.getValue(), et), esc, indent, depth + 1);
            }
            newline(b, indent, depth);
            b.append('}');
        } else if (v instanceof List<?> l) {
            if (l.isEmpty()) {
                b.append("[]");
                return;
            }
            String et = Val.elemType(val.staticType());
            b.append('[');
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    b.append(',');
                }
                newline(b, indent, depth + 1);
                write(b, new Val(l.get(i), et), esc, indent, depth + 1);
            }
            newline(b, indent, depth);
            b.append(']');
        } else if (v instanceof GoStruct s) {
            b.append('{');
            boolean first = true;
            for (GoStruct.Field f : inlined(s)) {
                if (f.omitEmpty() && isEmpty(f.value())) {
                    continue;
                }
                if (!first) {
                    b.append(',');
                }
                first = false;
                newline(b, indent, depth + 1);
                string(b, f.jsonKey(), esc);
                b.append(indent != null ? ": " : ":");
                write(b, new Val(f.value(), f.goType()), esc, indent, depth + 1);
            }
            if (!first) {
                newline(b, indent, depth);
            }
            b.append('}');
        } else {
            string(b, String.valueOf(v), esc);
        }
    }

    /** The fields JSON encodes: an embedded struct's fields take its place (encoding/json inlines them). */
    private static List<GoStruct.Field> inlined(GoStruct s) {
        List<GoStruct.Field> out = new java.util.ArrayList<>();
        for (GoStruct.Field f : s.fields()) {
            if (f.embedded() && f.jsonName() == null && f.value() instanceof GoStruct inner) {
                out.addAll(inlined(inner));
            } else {
                out.add(f);
            }
        }
        return out;
    }

    private static boolean isEmpty(Object v) {
        if (v == null) {
            return true;
        }
        if (v instanceof String s) {
            return s.isEmpty();
        }
        if (v instanceof Boolean b) {
            return !b;
        }
        if (v instanceof Number n) {
            return n.doubleValue() == 0;
        }
        if (v instanceof List<?> l) {
            return l.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return m.isEmpty();
        }
        return false;
    }

    private static void string(StringBuilder b, String s, boolean esc) {
        dev.kopi.json.GoJson.appendString(b, s, esc);
    }
}
