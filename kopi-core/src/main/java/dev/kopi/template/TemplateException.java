package dev.kopi.template;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;

/** A template parse or execution error; the message is Go's text ("template: name:1: ..."). */
public final class TemplateException extends ImageException {
    private static final long serialVersionUID = 1L;

    public TemplateException(String message) {
        super(ErrorCode.INVALID_INPUT, message);
    }

    public TemplateException(String message, Throwable cause) {
        super(ErrorCode.INVALID_INPUT, message, cause);
    }
}
