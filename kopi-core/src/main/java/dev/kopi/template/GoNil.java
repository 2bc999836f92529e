package dev.kopi.template;

import java.util.AbstractList;
import java.util.AbstractMap;
import java.util.Map;
import java.util.Set;

/**
 * Typed Go nil values. A nil Go map or slice behaves like an empty one when printed ({@code map[]}, {@code []}),
 * ranged over or measured, but marshals to JSON as {@code null}; plain Java {@code null} stands for a nil pointer
 * or interface (printed {@code <nil>}).
 */
public final class GoNil {
    /** A nil map: empty, but JSON {@code null}. */
    public static final Map<String, Object> MAP = new NilMap();
    /** A nil slice: empty, but JSON {@code null}. */
    public static final java.util.List<Object> SLICE = new NilList();

    private GoNil() {
    }

    /** True for {@link #MAP} and {@link #SLICE}. */
    public static boolean isTypedNil(Object o) {
        return o == MAP || o == SLICE;
    }

    private static final class NilMap extends AbstractMap<String, Object> {
        @Override
        public Set<Entry<String, Object>> entrySet() {
            return Set.of();
        }
    }

    private static final class NilList extends AbstractList<Object> {
        @Override
        public Object get(int index) {
            throw new IndexOutOfBoundsException(index);
        }

        @Override
        public int size() {
            return 0;
        }
    }
}
