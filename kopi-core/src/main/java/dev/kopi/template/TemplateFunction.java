package dev.kopi.template;

import java.util.List;

/**
 * The body of a template function. Arguments arrive as plain model values (already checked against the
 * declared Go parameter types); a thrown exception becomes Go's {@code error calling NAME: MESSAGE}.
 */
@FunctionalInterface
public interface TemplateFunction {
    Object call(List<Object> args) throws Exception;
}
