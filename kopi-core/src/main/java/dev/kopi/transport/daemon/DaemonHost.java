package dev.kopi.transport.daemon;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a Docker engine listens, as the Docker client parses {@code --daemon-host} values
 * ({@code proto://addr}): {@code unix:///path/to/socket}; {@code http://host:port} (plain HTTP over TCP); and
 * anything else, {@code tcp://host:port[/base]} included, is HTTPS over TCP, as containers/image sets it up
 * ({@code docker/daemon/client.go}). {@code DOCKER_HOST} is not consulted, as containers/image does not either.
 *
 * @param value the host exactly as given, used in error messages
 * @param proto the part before {@code ://}
 * @param addr for {@code unix}, the socket path; otherwise {@code host[:port]}
 * @param basePath a path prefix for every request ({@code tcp://} only), empty for none
 */
public record DaemonHost(String value, String proto, String addr, String basePath) {
    /** The Docker client's default on Linux. */
    public static final String DEFAULT = "unix:///var/run/docker.sock";
    /** The longest unix socket path (the size of {@code sockaddr_un.sun_path}). */
    private static final int MAX_UNIX_PATH = 108;

    public DaemonHost {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(proto, "proto");
        Objects.requireNonNull(addr, "addr");
        Objects.requireNonNull(basePath, "basePath");
    }

    /** The {@code --*-daemon-host} value, or the default when it is null or empty. */
    public static DaemonHost resolve(String flag) throws ImageException {
        return parse(flag == null || flag.isEmpty() ? DEFAULT : flag);
    }

    /** Parses {@code proto://addr} with the Docker client's rules and error texts. */
    public static DaemonHost parse(String host) throws ImageException {
        int sep = host.indexOf("://");
        if (sep < 0 || sep + 3 == host.length()) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "unable to parse docker host `" + host + "`");
        }
        String proto = host.substring(0, sep);
        String addr = host.substring(sep + 3);
        String basePath = "";
        if (proto.equals("tcp")) {
            URI u;
            try {
                u = new URI("tcp://" + addr);
            } catch (URISyntaxException e) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "parse " + GoStrconv.quote("tcp://" + addr) + ": "
                        + e.getReason(), e);
            }
            if (u.getRawAuthority() == null) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "unable to parse docker host `" + host + "`");
            }
            if (u.getHost() != null) {
                addr = u.getHost() + (u.getPort() >= 0 ? ":" + u.getPort() : "");
            } else {
                String auth = u.getRawAuthority();
                addr = auth.substring(auth.lastIndexOf('@') + 1); // Go's URL.Host has no user info
            }
            basePath = u.getRawPath() == null ? "" : u.getRawPath();
        }
        if (proto.equals("unix") && addr.length() > MAX_UNIX_PATH) {
            throw new ImageException(ErrorCode.INVALID_INPUT, "unix socket path " + GoStrconv.quote(addr)
                    + " is too long");
        }
        if (proto.equals("npipe")) {
            throw new ImageException(ErrorCode.UNSUPPORTED, "protocol not available"); // Windows named pipes
        }
        return new DaemonHost(host, proto, addr, basePath);
    }

    public boolean isUnix() {
        return proto.equals("unix");
    }

    /** The socket of a {@code unix://} host. */
    public Path socketPath() {
        if (!isUnix()) {
            throw new IllegalStateException("not a unix socket host: " + value);
        }
        return Path.of(addr);
    }

    /** {@code http} for unix sockets and {@code http://} hosts, else {@code https}. */
    public String scheme() {
        return isUnix() || proto.equals("http") ? "http" : "https";
    }

    /** Whether requests use TLS. */
    public boolean usesTls() {
        return scheme().equals("https");
    }

    /** The Docker client's default host, the only one for which a destination must match the runtime OS. */
    public boolean isDefault() {
        return value.equals(DEFAULT);
    }

    /** {@code path} (starting with '/') below the base path, as Go's {@code path.Join} would join them. */
    String joinPath(String path) {
        if (basePath.isEmpty() || basePath.equals("/")) {
            return path;
        }
        String base = basePath.endsWith("/") ? basePath.substring(0, basePath.length() - 1) : basePath;
        return (base.startsWith("/") ? base : "/" + base) + path;
    }

    /**
     * The URL as Go's {@code url.URL.String()} writes the request URL in errors: for unix sockets, the socket path is
     * the (escaped) host, {@code http://%2Fvar%2Frun%2Fdocker.sock/v1.41/_ping}.
     */
    String goUrl(String pathAndQuery) {
        return scheme() + "://" + escapeHost(addr) + pathAndQuery;
    }

    /** Go's {@code url.escape(s, encodeHost)}. */
    static String escapeHost(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        for (byte b : s.getBytes(java.nio.charset.StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=:[]<>\"".indexOf(c) >= 0;
            if (keep) {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return value;
    }
}
