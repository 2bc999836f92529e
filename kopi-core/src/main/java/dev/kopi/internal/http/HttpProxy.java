package dev.kopi.internal.http;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.Optional;

/**
 * An HTTP proxy: https requests go through a {@code CONNECT} tunnel, http requests are sent to it in absolute
 * form. {@code authorization} is the {@code Proxy-Authorization} value to send, if any.
 */
public record HttpProxy(String host, int port, Optional<String> authorization) {
    public HttpProxy {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(authorization, "authorization");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("empty proxy host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("invalid proxy port " + port);
        }
        authorization.ifPresent(a -> {
            if (!Headers.isValidValue(a)) {
                throw new IllegalArgumentException("invalid Proxy-Authorization value");
            }
        });
    }

    public static HttpProxy of(String host, int port) {
        return new HttpProxy(host, port, Optional.empty());
    }

    /** A proxy that wants HTTP basic authentication (a proxy URL's {@code user:password@}). */
    public static HttpProxy withBasicAuth(String host, int port, String user, String password) {
        String token = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return new HttpProxy(host, port, Optional.of("Basic " + token));
    }

    @Override
    public String toString() {
        return "HttpProxy[" + PoolKey.joinHostPort(host, port) + (authorization.isPresent() ? ", with auth]" : "]");
    }
}
