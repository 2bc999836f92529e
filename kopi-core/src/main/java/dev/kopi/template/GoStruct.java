package dev.kopi.template;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A Go struct value for templates: named fields in declaration order, each with an optional Go type (used for
 * error texts and zero values) and JSON encoding hints. Unlike a {@link Map}, a struct prints as {@code {v1 v2}},
 * marshals to JSON in field order, and a missing field is an execution error rather than {@code <no value>}.
 *
 * <p>Immutable; build with {@link #builder(String)}.
 */
public final class GoStruct {
    /**
     * One field; {@code goType} may be null (derived from the value), {@code jsonName} null means the field name.
     * An {@code embedded} field (Go's anonymous struct field, named by its type) promotes its fields to the outer
     * struct for templates, and JSON inlines them.
     */
    public record Field(String name, Object value, String goType, String jsonName, boolean omitEmpty,
            boolean embedded) {
        public Field {
            Objects.requireNonNull(name, "name");
        }

        public Field(String name, Object value, String goType, String jsonName, boolean omitEmpty) {
            this(name, value, goType, jsonName, omitEmpty, false);
        }

        String jsonKey() {
            return jsonName == null ? name : jsonName;
        }
    }

    private final String typeName;
    private final List<Field> fields;
    private final Map<String, Field> byName;

    private GoStruct(String typeName, List<Field> fields) {
        this.typeName = typeName;
        this.fields = List.copyOf(fields);
        Map<String, Field> m = new LinkedHashMap<>();
        for (Field f : this.fields) {
            m.put(f.name(), f);
        }
        this.byName = Collections.unmodifiableMap(m);
    }

    public static Builder builder(String typeName) {
        return new Builder(typeName);
    }

    /** The Go type name, e.g. {@code inspect.Output}. */
    public String typeName() {
        return typeName;
    }

    public List<Field> fields() {
        return fields;
    }

    /** The field with this name, or null. */
    public Field field(String name) {
        return byName.get(name);
    }

    /**
     * The field with this name, here or promoted from an embedded struct (the shallowest wins, as Go's
     * {@code FieldByName}), or null.
     */
    public Field promotedField(String name) {
        Field f = byName.get(name);
        if (f != null) {
            return f;
        }
        for (Field e : fields) {
            if (e.embedded() && e.value() instanceof GoStruct inner) {
                Field p = inner.promotedField(name);
                if (p != null) {
                    return p;
                }
            }
        }
        return null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GoStruct s && s.typeName.equals(typeName) && s.fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return Objects.hash(typeName, fields);
    }

    @Override
    public String toString() {
        return GoFmt.sprint(List.of(this));
    }

    /** Builds a {@link GoStruct}. */
    public static final class Builder {
        private final String typeName;
        private final List<Field> fields = new ArrayList<>();

        private Builder(String typeName) {
            this.typeName = Objects.requireNonNull(typeName, "typeName");
        }

        /** Adds a field whose Go type is derived from its value. */
        public Builder field(String name, Object value) {
            fields.add(new Field(name, value, null, null, false));
            return this;
        }

        /** Adds a field with a declared Go type such as {@code string}, {@code []string}, {@code *time.Time}. */
        public Builder field(String name, Object value, String goType) {
            fields.add(new Field(name, value, goType, null, false));
            return this;
        }

        /** Adds a field with full JSON hints ({@code json:"jsonName,omitempty"}). */
        public Builder field(String name, Object value, String goType, String jsonName, boolean omitEmpty) {
            fields.add(new Field(name, value, goType, jsonName, omitEmpty));
            return this;
        }

        /** Adds an embedded struct field, named by its type ({@code Platform} for {@code v1.Platform}). */
        public Builder embed(String name, GoStruct value) {
            fields.add(new Field(name, value, value.typeName(), null, false, true));
            return this;
        }

        public GoStruct build() {
            return new GoStruct(typeName, fields);
        }
    }
}
