package dev.kopi.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A function callable from templates, with a Go signature: parameter types such as {@code string}, {@code int},
 * {@code []string}, {@code interface {}} (any value) and the result type. Arguments are checked as Go's
 * text/template checks them, with Go's error texts ("wrong type for value; expected string; got int64").
 */
public final class GoFunc {
    /** Internal implementation over typed values. */
    interface Impl {
        Val call(List<Val> args) throws Exception;
    }

    private final List<String> params;
    private final boolean variadic;
    private final Impl impl;

    GoFunc(List<String> params, boolean variadic, Impl impl) {
        this.params = List.copyOf(params);
        this.variadic = variadic;
        this.impl = Objects.requireNonNull(impl);
    }

    /** A fixed-arity function: {@code func(params...) resultType}. */
    public static GoFunc of(String resultType, TemplateFunction fn, String... params) {
        return new GoFunc(List.of(params), false, wrap(resultType, fn));
    }

    /** A variadic function: the last entry of {@code params} is the element type of the {@code ...} parameter. */
    public static GoFunc variadic(String resultType, TemplateFunction fn, String... params) {
        if (params.length == 0) {
            throw new IllegalArgumentException("a variadic function needs a parameter");
        }
        return new GoFunc(List.of(params), true, wrap(resultType, fn));
    }

    private static Impl wrap(String resultType, TemplateFunction fn) {
        return args -> {
            List<Object> plain = new ArrayList<>(args.size());
            for (Val v : args) {
                plain.add(v.isMissing() ? null : v.value());
            }
            return new Val(fn.call(plain), resultType);
        };
    }

    List<String> params() {
        return params;
    }

    boolean isVariadic() {
        return variadic;
    }

    Impl impl() {
        return impl;
    }
}
