package dev.kopi.internal.http;

import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The proxy choice of Go's {@code net/http.ProxyFromEnvironment} (golang.org/x/net/http/httpproxy), which skopeo
 * uses for every registry connection:
 * <ul>
 *   <li>{@code HTTP_PROXY} for http URLs, {@code HTTPS_PROXY} for https URLs, {@code NO_PROXY} for exceptions; each
 *       upper-case name wins over its lower-case form when both are non-empty.
 *   <li>A value is a URL ({@code http://user:pass@proxy:3128}) or a bare {@code host[:port]} (http assumed); a
 *       value that does not parse is ignored. The port defaults to 80 (http), 443 (https), 1080 (socks5).
 *   <li>Requests to {@code localhost} and to loopback IP literals are never proxied, whatever the variables say.
 *   <li>{@code NO_PROXY}: comma-separated; {@code *} disables proxying; an IP, an IP with a port, or a CIDR
 *       matches IP-literal hosts; {@code foo.com} matches {@code foo.com} and its subdomains, {@code .foo.com} and
 *       {@code *.foo.com} only subdomains; a {@code :port} suffix restricts the entry to that port.
 *   <li>When {@code REQUEST_METHOD} is set (a CGI environment) an http request that would use {@code HTTP_PROXY}
 *       fails instead (golang.org/s/cgihttpproxy).
 * </ul>
 * Only {@code http://} proxies are supported; an {@code https://} or {@code socks5://} proxy makes the request
 * fail with a clear error instead of silently going direct.
 */
public final class EnvironmentProxy implements Function<URI, Optional<HttpProxy>> {
    private static final Pattern IPV4 = Pattern.compile("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    private static final Pattern IPV6_CHARS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static volatile EnvironmentProxy system;

    private final URI httpProxy;
    private final URI httpsProxy;
    private final boolean cgi;
    private final boolean noProxyAll;
    private final List<IpMatch> ipMatchers = new ArrayList<>();
    private final List<Cidr> cidrMatchers = new ArrayList<>();
    private final List<DomainMatch> domainMatchers = new ArrayList<>();

    private record IpMatch(InetAddress ip, String port) {
    }

    private record Cidr(byte[] network, int bits) {
    }

    private record DomainMatch(String host, String port, boolean matchHost) {
    }

    private EnvironmentProxy(Function<String, String> env) {
        this.httpProxy = parseProxy(any(env, "HTTP_PROXY", "http_proxy"));
        this.httpsProxy = parseProxy(any(env, "HTTPS_PROXY", "https_proxy"));
        String rm = env.apply("REQUEST_METHOD");
        this.cgi = rm != null && !rm.isEmpty();
        this.noProxyAll = parseNoProxy(any(env, "NO_PROXY", "no_proxy"));
    }

    /** The choice for the given environment (tests; a map without an entry means the variable is unset). */
    public static EnvironmentProxy of(Map<String, String> env) {
        return new EnvironmentProxy(env::get);
    }

    /** The choice for this process's environment, read once (as Go reads it once per process). */
    public static EnvironmentProxy fromSystem() {
        EnvironmentProxy p = system;
        if (p == null) {
            p = new EnvironmentProxy(System::getenv);
            system = p;
        }
        return p;
    }

    /**
     * The proxy for {@code uri}, or empty for a direct connection.
     *
     * @throws UncheckedIOException wrapping a {@link WireException} when the request must fail (a CGI
     *     environment with {@code HTTP_PROXY}, or a proxy scheme kopi cannot speak)
     */
    @Override
    public Optional<HttpProxy> apply(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        URI proxy = null;
        if (scheme.equals("https")) {
            proxy = httpsProxy;
        } else if (scheme.equals("http")) {
            proxy = httpProxy;
            if (proxy != null && cgi) {
                throw new UncheckedIOException(new WireException(HttpException.Kind.PROXY,
                        "refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy"));
            }
        }
        if (proxy == null) {
            return Optional.empty();
        }
        String host = uri.getHost();
        if (host != null && host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort(scheme);
        if (!useProxy(host == null ? "" : host, Integer.toString(port))) {
            return Optional.empty();
        }
        return Optional.of(toHttpProxy(proxy));
    }

    /** Whether a request to {@code host} (no brackets) and {@code port} goes through the proxy (Go's useProxy). */
    boolean useProxy(String host, String port) {
        if (host.equals("localhost")) {
            return false;
        }
        InetAddress ip = parseIp(host);
        if (ip != null && ip.isLoopbackAddress()) {
            return false;
        }
        if (noProxyAll) {
            return false;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (ip != null) {
            for (IpMatch m : ipMatchers) {
                if (m.ip().equals(ip) && (m.port().isEmpty() || m.port().equals(port))) {
                    return false;
                }
            }
            for (Cidr c : cidrMatchers) {
                if (contains(c, ip)) {
                    return false;
                }
            }
        }
        for (DomainMatch m : domainMatchers) {
            if (h.endsWith(m.host()) || (m.matchHost() && h.equals(m.host().substring(1)))) {
                if (m.port().isEmpty() || m.port().equals(port)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static HttpProxy toHttpProxy(URI proxy) {
        String scheme = proxy.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http")) {
            throw new UncheckedIOException(new WireException(HttpException.Kind.PROXY,
                    "proxyconnect tcp: " + scheme + "://" + proxy.getRawAuthority()
                            + " proxies are not supported by kopi (only http:// proxies are)"));
        }
        String host = proxy.getHost();
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port = proxy.getPort() >= 0 ? proxy.getPort() : defaultPort(scheme);
        String userInfo = proxy.getUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            return HttpProxy.withBasicAuth(host, port, colon < 0 ? userInfo : userInfo.substring(0, colon),
                    colon < 0 ? "" : userInfo.substring(colon + 1));
        }
        return HttpProxy.of(host, port);
    }

    private static int defaultPort(String scheme) {
        switch (scheme) {
            case "https":
                return 443;
            case "socks5":
                return 1080;
            default:
                return 80;
        }
    }

    private static String any(Function<String, String> env, String... names) {
        for (String n : names) {
            String v = env.apply(n);
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return "";
    }

    /** Go's parseProxy: a URL with scheme http, https or socks5, else the value with http:// in front; else none. */
    static URI parseProxy(String value) {
        if (value.isEmpty()) {
            return null;
        }
        URI u = tryParse(value);
        if (u != null && u.getScheme() != null) {
            String s = u.getScheme().toLowerCase(Locale.ROOT);
            if ((s.equals("http") || s.equals("https") || s.equals("socks5")) && u.getHost() != null) {
                return u;
            }
        }
        URI withHttp = tryParse("http://" + value);
        return withHttp != null && withHttp.getHost() != null ? withHttp : null;
    }

    private static URI tryParse(String s) {
        try {
            return new URI(s);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Fills the matchers; true when the list holds {@code *}. */
    private boolean parseNoProxy(String noProxy) {
        for (String raw : noProxy.split(",", -1)) {
            String p = raw.strip().toLowerCase(Locale.ROOT);
            if (p.isEmpty()) {
                continue;
            }
            if (p.equals("*")) {
                return true;
            }
            Cidr cidr = parseCidr(p);
            if (cidr != null) {
                cidrMatchers.add(cidr);
                continue;
            }
            String phost = p;
            String pport = "";
            String[] hp = splitHostPort(p);
            if (hp != null) {
                if (hp[0].isEmpty()) {
                    continue;
                }
                phost = hp[0];
                pport = hp[1];
            }
            InetAddress ip = parseIp(phost);
            if (ip != null) {
                ipMatchers.add(new IpMatch(ip, pport));
                continue;
            }
            if (phost.isEmpty()) {
                continue;
            }
            if (phost.startsWith("*.")) {
                phost = phost.substring(1);
            }
            boolean matchHost = false;
            if (phost.charAt(0) != '.') {
                matchHost = true;
                phost = "." + phost;
            }
            domainMatchers.add(new DomainMatch(phost, pport, matchHost));
        }
        return false;
    }

    /** Go's net.SplitHostPort for NO_PROXY entries: {@code host:port} or {@code [v6]:port}; null when not. */
    private static String[] splitHostPort(String s) {
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            if (end < 0 || end + 1 >= s.length() || s.charAt(end + 1) != ':') {
                return null;
            }
            String port = s.substring(end + 2);
            return port.indexOf(':') >= 0 ? null : new String[] {s.substring(1, end), port};
        }
        int colon = s.lastIndexOf(':');
        if (colon < 0 || s.indexOf(':') != colon) {
            return null; // no port, or too many colons (a bare IPv6 address)
        }
        return new String[] {s.substring(0, colon), s.substring(colon + 1)};
    }

    /** An IP literal as Go's net.ParseIP reads it (no name lookup ever); null when {@code s} is not one. */
    static InetAddress parseIp(String s) {
        try {
            if (IPV4.matcher(s).matches()) {
                return InetAddress.getByName(s);
            }
            if (s.indexOf(':') >= 0 && IPV6_CHARS.matcher(s).matches()) {
                return InetAddress.getByName("[" + s + "]");
            }
        } catch (UnknownHostException e) {
            return null;
        }
        return null;
    }

    private static Cidr parseCidr(String s) {
        int slash = s.indexOf('/');
        if (slash < 0) {
            return null;
        }
        InetAddress ip = parseIp(s.substring(0, slash));
        String bits = s.substring(slash + 1);
        if (ip == null || bits.isEmpty() || bits.length() > 3 || !bits.chars().allMatch(Character::isDigit)
                || (bits.length() > 1 && bits.charAt(0) == '0')) {
            return null;
        }
        int n = Integer.parseInt(bits);
        boolean v4 = ip instanceof Inet4Address && s.substring(0, slash).indexOf(':') < 0;
        byte[] addr = ip.getAddress();
        if (!v4 && addr.length == 4) {
            // an IPv4-mapped IPv6 literal: Go keeps it as a 16-byte network
            byte[] mapped = new byte[16];
            mapped[10] = (byte) 0xff;
            mapped[11] = (byte) 0xff;
            System.arraycopy(addr, 0, mapped, 12, 4);
            addr = mapped;
        }
        if (n > addr.length * 8) {
            return null;
        }
        return new Cidr(addr, n);
    }

    private static boolean contains(Cidr c, InetAddress ip) {
        byte[] a = ip.getAddress();
        byte[] net = c.network();
        int bits = c.bits();
        if (net.length == 16 && a.length == 4 && isV4Mapped(net) && bits >= 96) {
            // Go's IPNet.Contains compares a 4-byte IP with a v4-mapped network in its IPv4 form
            byte[] v4 = new byte[4];
            System.arraycopy(net, 12, v4, 0, 4);
            net = v4;
            bits -= 96;
        }
        if (net.length != a.length) {
            return false;
        }
        for (int i = 0; i < bits; i++) {
            int mask = 0x80 >>> (i % 8);
            if ((net[i / 8] & mask) != (a[i / 8] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static boolean isV4Mapped(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
    }
}
