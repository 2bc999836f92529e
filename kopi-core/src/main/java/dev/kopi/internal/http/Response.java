package dev.kopi.internal.http;

import java.io.Closeable;
import java.io.InputStream;
import java.net.URI;

/**
 * A response whose body streams from the connection. Read the body to its end (the connection then goes back
 * to the pool) or close the response (an unread remainder drops the connection); always close it. Not
 * thread-safe: one reader at a time.
 */
public final class Response implements Closeable {
    private final String method;
    private final URI uri;
    private final int status;
    private final String reason;
    private final Headers headers;
    private final long contentLength;
    private final BodyStream body;

    Response(String method, URI uri, int status, String reason, Headers headers, long contentLength,
            BodyStream body) {
        this.method = method;
        this.uri = uri;
        this.status = status;
        this.reason = reason;
        this.headers = headers;
        this.contentLength = contentLength;
        this.body = body;
    }

    /** The status code, e.g. 404. */
    public int status() {
        return status;
    }

    /** The reason phrase as the server sent it (may be empty). */
    public String reason() {
        return reason;
    }

    /** {@code "404 Not Found"}, like Go's {@code Response.Status}. */
    public String statusLine() {
        return reason.isEmpty() ? Integer.toString(status) : status + " " + reason;
    }

    public Headers headers() {
        return headers;
    }

    /** The URI that produced this response: the request's, or the last redirect target. */
    public URI uri() {
        return uri;
    }

    /** The method of the request that produced this response. */
    public String method() {
        return method;
    }

    /**
     * The body length from {@code Content-Length} (also for HEAD, where no body follows); 0 for 204/304;
     * -1 when unknown (chunked, or delimited by the connection closing).
     */
    public long contentLength() {
        return contentLength;
    }

    /** The body, decoded from its transfer framing. Empty for HEAD, 1xx, 204 and 304. */
    public InputStream body() {
        return body;
    }

    /** Reads and drops at most {@code limit} bytes of what is left of the body, then closes the response. */
    public void discard(long limit) {
        body.drainAndClose(limit);
    }

    @Override
    public void close() {
        body.close();
    }

    @Override
    public String toString() {
        return method + " " + uri + " -> " + statusLine();
    }
}
