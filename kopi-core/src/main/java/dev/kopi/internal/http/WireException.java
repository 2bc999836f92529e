package dev.kopi.internal.http;

import java.io.IOException;

/** An internal failure already worded the Go way; {@link HttpClient} adds the method and URL. */
final class WireException extends IOException {
    private static final long serialVersionUID = 1L;
    final HttpException.Kind kind;

    WireException(HttpException.Kind kind, String detail) {
        super(detail);
        this.kind = kind;
    }

    WireException(HttpException.Kind kind, String detail, Throwable cause) {
        super(detail, cause);
        this.kind = kind;
    }
}
