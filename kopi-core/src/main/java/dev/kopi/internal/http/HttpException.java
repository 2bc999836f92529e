package dev.kopi.internal.http;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.net.URI;
import java.util.Locale;

/**
 * A failed HTTP exchange, worded like Go's {@code *url.Error}: {@code Get "https://host/v2/": dial tcp
 * 127.0.0.1:5000: connect: connection refused}. {@link #detail()} is the part after the URL (Go's inner error),
 * {@link #kind()} says what failed so callers can decide about retries. Its {@link ErrorCode} is {@code IO}.
 */
public final class HttpException extends ImageException {
    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** Resolving the host or connecting to it (or to the proxy) failed. */
        DIAL,
        /** The TLS handshake or certificate verification failed. */
        TLS,
        /** A connect, handshake or read timeout expired. */
        TIMEOUT,
        /** The connection broke: reset, broken pipe, closed before the response or in the middle of a body. */
        CONNECTION,
        /** The peer did not speak HTTP/1.1 as expected, or a request body did not match its declared length. */
        PROTOCOL,
        /** Too many redirects, or an unusable {@code Location}. */
        REDIRECT,
        /** The proxy refused to open a CONNECT tunnel. */
        PROXY,
        /** The client's settings forbid this request (plain http). */
        POLICY
    }

    private final Kind kind;
    private final String method;
    private final URI uri;
    private final String detail;

    HttpException(Kind kind, String method, URI uri, String detail, Throwable cause) {
        super(ErrorCode.IO, urlErrorOp(method) + " " + goQuote(uri.toString()) + ": " + detail, cause);
        this.kind = kind;
        this.method = method;
        this.uri = uri;
        this.detail = detail;
    }

    public Kind kind() {
        return kind;
    }

    /** The request method, as sent. */
    public String method() {
        return method;
    }

    /** The URL of the request that failed (after redirects, the last one). */
    public URI uri() {
        return uri;
    }

    /** The reason without the method and URL, e.g. {@code dial tcp 127.0.0.1:5000: connect: connection refused}. */
    public String detail() {
        return detail;
    }

    public boolean isTimeout() {
        return kind == Kind.TIMEOUT;
    }

    /** Go's spelling of a method in a URL error: {@code Get}, {@code Patch}. */
    static String urlErrorOp(String method) {
        if (method.isEmpty()) {
            return "Get";
        }
        return method.charAt(0) + method.substring(1).toLowerCase(Locale.ROOT);
    }

    /** Go's {@code %q} for the printable ASCII strings URLs are. */
    static String goQuote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        sb.append(String.format(Locale.ROOT, "\\x%02x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
