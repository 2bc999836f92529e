package dev.kopi.internal.http;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * An immutable, ordered list of HTTP header fields. Names compare case-insensitively; a name may occur several
 * times (each occurrence is one value, in the order received or added). Names and values are validated, so a
 * value can never smuggle a line break onto the wire.
 */
public final class Headers {
    private static final Headers EMPTY = new Headers(List.of());

    /** One header line; the name keeps the spelling it was given. */
    private record Field(String name, String value) {
    }

    private final List<Field> fields;

    private Headers(List<Field> fields) {
        this.fields = fields;
    }

    public static Headers empty() {
        return EMPTY;
    }

    /** {@code of("Accept", "a", "Accept", "b")}: name/value pairs, in order. */
    public static Headers of(String... namesAndValues) {
        if (namesAndValues.length % 2 != 0) {
            throw new IllegalArgumentException("Headers.of needs name/value pairs");
        }
        Builder b = builder();
        for (int i = 0; i < namesAndValues.length; i += 2) {
            b.add(namesAndValues[i], namesAndValues[i + 1]);
        }
        return b.build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting with these fields. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.fields.addAll(fields);
        return b;
    }

    /** The first value of {@code name}, if present. */
    public Optional<String> firstValue(String name) {
        for (Field f : fields) {
            if (f.name.equalsIgnoreCase(name)) {
                return Optional.of(f.value);
            }
        }
        return Optional.empty();
    }

    /** Every value of {@code name}, in order; empty when absent. */
    public List<String> allValues(String name) {
        List<String> out = new ArrayList<>(2);
        for (Field f : fields) {
            if (f.name.equalsIgnoreCase(name)) {
                out.add(f.value);
            }
        }
        return Collections.unmodifiableList(out);
    }

    public boolean contains(String name) {
        return firstValue(name).isPresent();
    }

    /** The distinct names, case-insensitively sorted, each spelled as first seen. */
    public Set<String> names() {
        Set<String> out = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        for (Field f : fields) {
            out.add(f.name);
        }
        return Collections.unmodifiableSet(out);
    }

    /** name → values; the map's keys compare case-insensitively. */
    public Map<String, List<String>> map() {
        Map<String, List<String>> out = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (Field f : fields) {
            out.computeIfAbsent(f.name, k -> new ArrayList<>(1)).add(f.value);
        }
        Map<String, List<String>> frozen = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        out.forEach((k, v) -> frozen.put(k, List.copyOf(v)));
        return Collections.unmodifiableMap(frozen);
    }

    /** The number of header lines. */
    public int size() {
        return fields.size();
    }

    public boolean isEmpty() {
        return fields.isEmpty();
    }

    /** These headers without any of {@code names} (compared case-insensitively). */
    public Headers without(Collection<String> names) {
        List<Field> kept = new ArrayList<>(fields.size());
        for (Field f : fields) {
            if (names.stream().noneMatch(n -> n.equalsIgnoreCase(f.name))) {
                kept.add(f);
            }
        }
        return kept.size() == fields.size() ? this : new Headers(List.copyOf(kept));
    }

    /** Calls {@code action} for each line, in order. */
    void forEach(java.util.function.BiConsumer<String, String> action) {
        for (Field f : fields) {
            action.accept(f.name, f.value);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Headers h && h.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        Map<String, List<String>> m = new LinkedHashMap<>();
        for (Field f : fields) {
            m.computeIfAbsent(f.name, k -> new ArrayList<>(1)).add(f.value);
        }
        return m.toString();
    }

    /** True for an RFC 9110 token (method names, header names). */
    static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** True for a field value that is safe on the wire: no control characters except tab. */
    static boolean isValidValue(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
                return false;
            }
        }
        return true;
    }

    /** Accumulates header lines; {@link #add} keeps existing values, {@link #set} replaces them. */
    public static final class Builder {
        private final List<Field> fields = new ArrayList<>();

        private Builder() {
        }

        /** Appends one {@code name: value} line. */
        public Builder add(String name, String value) {
            if (!isToken(name)) {
                throw new IllegalArgumentException("invalid HTTP header name " + quote(name));
            }
            if (value == null || !isValidValue(value)) {
                throw new IllegalArgumentException("invalid value for HTTP header " + name + ": " + quote(value));
            }
            fields.add(new Field(name, value.strip()));
            return this;
        }

        /** Appends a line received from a peer: the name was checked by the parser, the value is kept as is. */
        Builder addReceived(String name, String value) {
            fields.add(new Field(name, value));
            return this;
        }

        /** Replaces every value of {@code name} with this one. */
        public Builder set(String name, String value) {
            remove(name);
            return add(name, value);
        }

        /** Removes every value of {@code name}. */
        public Builder remove(String name) {
            fields.removeIf(f -> f.name.equalsIgnoreCase(name));
            return this;
        }

        /** Appends every line of {@code other}. */
        public Builder addAll(Headers other) {
            fields.addAll(other.fields);
            return this;
        }

        public Headers build() {
            return fields.isEmpty() ? EMPTY : new Headers(List.copyOf(fields));
        }
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c == 0x7f) {
                sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}
