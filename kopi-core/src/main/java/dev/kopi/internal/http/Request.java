package dev.kopi.internal.http;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * One HTTP request. {@code method} is any RFC 9110 token ({@code GET}, {@code PATCH}, ...); {@code uri} is an
 * absolute {@code http} or {@code https} URI (for a unix-socket client its host only fills the {@code Host}
 * header). The client computes {@code Host}, {@code Content-Length}, {@code Transfer-Encoding} and
 * {@code Connection} itself, so those may not be given. With {@code followRedirects}, a GET or HEAD follows
 * 301/302/303/307/308 (at most 10 hops).
 */
public record Request(String method, URI uri, Headers headers, Optional<RequestBody> body, boolean followRedirects) {
    /** Header names the client owns. */
    private static final List<String> RESERVED = List.of("Host", "Content-Length", "Transfer-Encoding",
            "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Upgrade");

    public Request {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(headers, "headers");
        Objects.requireNonNull(body, "body");
        if (!Headers.isToken(method)) {
            throw new IllegalArgumentException("invalid HTTP method " + Headers.quote(method));
        }
        checkUri(uri);
        for (String name : RESERVED) {
            if (headers.contains(name)) {
                throw new IllegalArgumentException("the " + name + " header is set by the HTTP client");
            }
        }
    }

    public static Request get(URI uri) {
        return builder("GET", uri).build();
    }

    public static Request head(URI uri) {
        return builder("HEAD", uri).build();
    }

    public static Builder builder(String method, URI uri) {
        return new Builder(method, uri);
    }

    /** A builder starting from this request. */
    public Builder toBuilder() {
        Builder b = new Builder(method, uri);
        b.headers = headers.toBuilder();
        b.body = body.orElse(null);
        b.followRedirects = followRedirects;
        return b;
    }

    /** This request with another URI and headers (used for redirects). */
    Request redirectTo(URI target, Headers newHeaders) {
        return new Request(method, target, newHeaders, body, followRedirects);
    }

    static void checkUri(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new IllegalArgumentException("unsupported protocol scheme \"" + (uri.getScheme() == null ? ""
                    : uri.getScheme()) + "\" in " + uri);
        }
        if (uri.getHost() == null || uri.getRawAuthority() == null) {
            throw new IllegalArgumentException("no host in request URL " + uri);
        }
    }

    /** Builds a {@link Request}; headers are added in order. */
    public static final class Builder {
        private final String method;
        private final URI uri;
        private Headers.Builder headers = Headers.builder();
        private RequestBody body;
        private boolean followRedirects;

        private Builder(String method, URI uri) {
            this.method = method;
            this.uri = uri;
        }

        /** Adds one header line (keeps earlier values of the same name). */
        public Builder header(String name, String value) {
            headers.add(name, value);
            return this;
        }

        /** Replaces every value of {@code name}. */
        public Builder setHeader(String name, String value) {
            headers.set(name, value);
            return this;
        }

        /** Adds every line of {@code h}. */
        public Builder headers(Headers h) {
            headers.addAll(h);
            return this;
        }

        public Builder body(RequestBody b) {
            this.body = Objects.requireNonNull(b, "body");
            return this;
        }

        /** Follow redirects for GET and HEAD (default false: a 3xx is returned as is). */
        public Builder followRedirects(boolean follow) {
            this.followRedirects = follow;
            return this;
        }

        public Request build() {
            return new Request(method, uri, headers.build(), Optional.ofNullable(body), followRedirects);
        }
    }
}
