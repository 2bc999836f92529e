package dev.kopi.template;

import dev.kopi.internal.go.GoStrconv;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Go text/template's predefined functions. */
final class Builtins {
    private Builtins() {
    }

    static final Map<String, GoFunc> FUNCS;

    static {
        Map<String, GoFunc> m = new LinkedHashMap<>();
        m.put("and", new GoFunc(List.of("reflect.Value", "reflect.Value"), true, a -> a.get(0)));
        m.put("or", new GoFunc(List.of("reflect.Value", "reflect.Value"), true, a -> a.get(0)));
        m.put("not", new GoFunc(List.of("reflect.Value"), false, a -> new Val(!Exec.isTrue(a.get(0)), "bool")));
        m.put("len", new GoFunc(List.of("reflect.Value"), false, Builtins::length));
        m.put("index", new GoFunc(List.of("reflect.Value", "reflect.Value"), true, Builtins::index));
        m.put("slice", new GoFunc(List.of("reflect.Value", "reflect.Value"), true, Builtins::slice));
        m.put("print", new GoFunc(List.of("interface {}"), true, a -> str(GoFmt.sprint(a))));
        m.put("println", new GoFunc(List.of("interface {}"), true, a -> str(GoFmt.sprintln(a))));
        m.put("printf", new GoFunc(List.of("string", "interface {}"), true,
                a -> str(GoFmt.sprintf((String) a.get(0).value(), a.subList(1, a.size())))));
        m.put("html", new GoFunc(List.of("interface {}"), true, a -> str(htmlEscape(evalArgs(a)))));
        m.put("js", new GoFunc(List.of("interface {}"), true, a -> str(jsEscape(evalArgs(a)))));
        m.put("urlquery", new GoFunc(List.of("interface {}"), true, a -> str(queryEscape(evalArgs(a)))));
        m.put("eq", new GoFunc(List.of("reflect.Value", "reflect.Value"), true, Builtins::eq));
        m.put("ne", new GoFunc(List.of("reflect.Value", "reflect.Value"), false,
                a -> new Val(!(Boolean) eq(a).value(), "bool")));
        m.put("lt", new GoFunc(List.of("reflect.Value", "reflect.Value"), false,
                a -> new Val(lt(a.get(0), a.get(1)), "bool")));
        m.put("le", new GoFunc(List.of("reflect.Value", "reflect.Value"), false,
                a -> new Val(le(a.get(0), a.get(1)), "bool")));
        m.put("gt", new GoFunc(List.of("reflect.Value", "reflect.Value"), false,
                a -> new Val(!le(a.get(0), a.get(1)), "bool")));
        m.put("ge", new GoFunc(List.of("reflect.Value", "reflect.Value"), false,
                a -> new Val(!lt(a.get(0), a.get(1)), "bool")));
        FUNCS = Collections.unmodifiableMap(m);
    }

    private static Val str(String s) {
        return new Val(s, "string");
    }

    private static Exec.Failure failure(String msg) {
        return new Exec.Failure(msg);
    }

    // ---- len, index, slice

    private static Val length(List<Val> a) {
        Val item = a.get(0);
        if (item.isMissing()) {
            throw failure("reflect: call of reflect.Value.Type on zero Value");
        }
        Object v = item.value();
        if (v == null) {
            String t = item.staticType();
            if (t != null && t.startsWith("*")) {
                throw failure("len of nil pointer");
            }
            if (t != null && (t.startsWith("[]") || t.startsWith("map["))) {
                return new Val(0L, "int");
            }
            throw failure("reflect: call of reflect.Value.Type on zero Value");
        }
        if (v instanceof String s) {
            return new Val((long) s.getBytes(StandardCharsets.UTF_8).length, "int");
        }
        if (v instanceof List<?> l) {
            return new Val((long) l.size(), "int");
        }
        if (v instanceof Map<?, ?> m) {
            return new Val((long) m.size(), "int");
        }
        throw failure("len of type " + item.dynamicType());
    }

    private static long indexArg(Val index, int cap) {
        Object v = index.isMissing() ? null : index.value();
        long x;
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            x = ((Number) v).longValue();
        } else if (v instanceof BigInteger bi) {
            x = bi.longValue();
        } else if (v == null) {
            throw failure("cannot index slice/array with nil");
        } else {
            throw failure("cannot index slice/array with type " + index.dynamicType());
        }
        if (x < 0 || x > cap) {
            throw failure("index out of range: " + x);
        }
        return x;
    }

    private static Val index(List<Val> a) {
        Val item = a.get(0);
        if (item.isMissing() || item.value() == null && (item.type() == null || item.type().equals(Val.ANY))) {
            throw failure("index of untyped nil");
        }
        for (Val index : a.subList(1, a.size())) {
            Object v = item.value();
            if (v == null && item.staticType() != null && item.staticType().startsWith("*")) {
                throw failure("index of nil pointer");
            }
            if (v instanceof List<?> l) {
                int x = (int) indexArg(index, l.size());
                if (x >= l.size()) {
                    throw failure("reflect: slice index out of range");
                }
                item = new Val(l.get(x), Val.elemType(item.staticType()));
            } else if (v instanceof String s) {
                byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                int x = (int) indexArg(index, bytes.length);
                if (x >= bytes.length) {
                    throw failure("reflect: string index out of range");
                }
                item = new Val((long) (bytes[x] & 0xff), "uint8");
            } else if (v instanceof Map<?, ?> m) {
                String keyType = "string";
                if (index.isMissing() || index.value() == null) {
                    throw failure("value is nil; should be of type " + keyType);
                }
                if (!(index.value() instanceof String)) {
                    throw failure("value has type " + index.dynamicType() + "; should be " + keyType);
                }
                String et = Val.elemType(item.staticType());
                item = m.containsKey(index.value()) ? new Val(m.get(index.value()), et) : new Val(Val.zeroOf(et), et);
            } else {
                throw failure("can't index item of type " + item.dynamicType());
            }
        }
        return item;
    }

    private static Val slice(List<Val> a) {
        Val item = a.get(0);
        if (item.isMissing() || item.value() == null && (item.type() == null || item.type().equals(Val.ANY))) {
            throw failure("slice of untyped nil");
        }
        List<Val> indexes = a.subList(1, a.size());
        if (indexes.size() > 3) {
            throw failure("too many slice indexes: " + indexes.size());
        }
        Object v = item.value();
        int len;
        byte[] bytes = null;
        if (v instanceof String s) {
            if (indexes.size() == 3) {
                throw failure("cannot 3-index slice a string");
            }
            bytes = s.getBytes(StandardCharsets.UTF_8);
            len = bytes.length;
        } else if (v instanceof List<?> l) {
            len = l.size();
        } else {
            throw failure("can't slice item of type " + item.dynamicType());
        }
        int[] idx = {0, len, len};
        for (int i = 0; i < indexes.size(); i++) {
            idx[i] = (int) indexArg(indexes.get(i), len);
        }
        if (idx[0] > idx[1]) {
            throw failure("invalid slice index: " + idx[0] + " > " + idx[1]);
        }
        if (indexes.size() == 3 && idx[1] > idx[2]) {
            throw failure("invalid slice index: " + idx[1] + " > " + idx[2]);
        }
        if (bytes != null) {
            return new Val(new String(bytes, idx[0], idx[1] - idx[0], StandardCharsets.UTF_8), item.dynamicType());
        }
        List<?> l = (List<?>) v;
        return new Val(new ArrayList<>(l.subList(idx[0], idx[1])), item.staticType());
    }

    // ---- comparisons

    private static final String BAD_COMPARISON = "incompatible types for comparison";
    private static final String BAD_COMPARISON_TYPE = "invalid type for comparison";

    private static String kind(Val v) {
        if (v.isMissing()) {
            return null;
        }
        return Val.kindOf(v.dynamicType(), v.value());
    }

    private static boolean isNilValue(Val v) {
        return v.isMissing() || v.value() == null;
    }

    static Val eq(List<Val> a) {
        Val a1 = a.get(0);
        if (a.size() < 2) {
            throw failure("missing argument for comparison");
        }
        String k1 = kind(a1);
        for (Val arg : a.subList(1, a.size())) {
            String k2 = kind(arg);
            boolean truth;
            if (k1 == null || k2 == null || !k1.equals(k2)) {
                if ("int".equals(k1) && "uint".equals(k2) || "uint".equals(k1) && "int".equals(k2)) {
                    truth = bigOf(a1).equals(bigOf(arg));
                } else if (k1 == null && k2 == null) {
                    if (isNilValue(a1) || isNilValue(arg)) {
                        truth = isNilValue(a1) == isNilValue(arg);
                    } else {
                        Object x = a1.value();
                        if (x instanceof Map || x instanceof List) {
                            throw failure("non-comparable type " + GoFmt.sprint(List.of(a1)) + ": "
                                    + a1.dynamicType());
                        }
                        truth = x.equals(arg.value());
                    }
                } else if (!isNilValue(a1) && !isNilValue(arg)) {
                    throw failure(BAD_COMPARISON);
                } else {
                    truth = false;
                }
            } else {
                truth = switch (k1) {
                    case "bool", "string" -> a1.value().equals(arg.value());
                    case "float" -> ((Number) a1.value()).doubleValue() == ((Number) arg.value()).doubleValue();
                    default -> bigOf(a1).equals(bigOf(arg));
                };
            }
            if (truth) {
                return new Val(true, "bool");
            }
        }
        return new Val(false, "bool");
    }

    private static BigInteger bigOf(Val v) {
        Object o = v.value();
        return o instanceof BigInteger b ? b : BigInteger.valueOf(((Number) o).longValue());
    }

    static boolean lt(Val a1, Val a2) {
        String k1 = kind(a1);
        if (k1 == null) {
            throw failure(BAD_COMPARISON_TYPE);
        }
        String k2 = kind(a2);
        if (k2 == null) {
            throw failure(BAD_COMPARISON_TYPE);
        }
        if (!k1.equals(k2)) {
            if ("int".equals(k1) && "uint".equals(k2) || "uint".equals(k1) && "int".equals(k2)) {
                return bigOf(a1).compareTo(bigOf(a2)) < 0;
            }
            throw failure(BAD_COMPARISON);
        }
        return switch (k1) {
            case "bool" -> throw failure(BAD_COMPARISON_TYPE);
            case "float" -> ((Number) a1.value()).doubleValue() < ((Number) a2.value()).doubleValue();
            case "string" -> GoFmt.compareKeys(a1.value(), a2.value()) < 0;
            default -> bigOf(a1).compareTo(bigOf(a2)) < 0;
        };
    }

    static boolean le(Val a1, Val a2) {
        if (lt(a1, a2)) {
            return true;
        }
        return (Boolean) eq(List.of(a1, a2)).value();
    }

    // ---- escapers

    private static String evalArgs(List<Val> a) {
        if (a.size() == 1 && a.get(0).value() instanceof String s && "string".equals(a.get(0).dynamicType())) {
            return s;
        }
        return GoFmt.sprint(a);
    }

    static String htmlEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case 0 -> b.append('\uFFFD');
                case '"' -> b.append("&#34;");
                case '\'' -> b.append("&#39;");
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static String jsEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length();) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\'' -> b.append("\\'");
                case '"' -> b.append("\\\"");
                case '<' -> b.append("\\u003C");
                case '>' -> b.append("\\u003E");
                case '&' -> b.append("\\u0026");
                case '=' -> b.append("\\u003D");
                default -> {
                    if (c < ' ' || (c >= 0x80 && !GoStrconv.isPrint(c))) {
                        b.append(String.format("\\u%04X", c));
                    } else {
                        b.appendCodePoint(c);
                    }
                }
            }
        }
        return b.toString();
    }

    static String queryEscape(String s) {
        StringBuilder b = new StringBuilder();
        for (byte by : s.getBytes(StandardCharsets.UTF_8)) {
            int c = by & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
                    || c == '.' || c == '~') {
                b.append((char) c);
            } else if (c == ' ') {
                b.append('+');
            } else {
                b.append('%').append(String.format("%02X", c));
            }
        }
        return b.toString();
    }
}
