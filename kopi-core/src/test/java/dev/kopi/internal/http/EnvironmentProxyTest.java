package dev.kopi.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.UncheckedIOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Go's ProxyFromEnvironment (golang.org/x/net/http/httpproxy), case by case as Go's own tests state it. */
class EnvironmentProxyTest {
    private static final String NO_PROXY = "foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, "
            + "192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, "
            + "2002:db8:a::45/64";

    /** Request URL, HTTP_PROXY, HTTPS_PROXY, NO_PROXY → the proxy used ("-" for a direct connection). */
    @ParameterizedTest(name = "{0} http={1} https={2} no={3} -> {4}")
    @CsvSource(delimiter = '|', nullValues = "", value = {
        "http://example.com|127.0.0.1:8080|||127.0.0.1:8080",
        "http://example.com|cache.corp.example.com:1234|||cache.corp.example.com:1234",
        "http://example.com|cache.corp.example.com|||cache.corp.example.com:80",
        "http://example.com|localhost|||localhost:80",
        "http://example.com|http://127.0.0.1:8080|||127.0.0.1:8080",
        "http://example.com|http://u:p@127.0.0.1:8080|||127.0.0.1:8080 with auth",
        "http://insecure.tld/|http.proxy.tld|secure.proxy.tld||http.proxy.tld:80",
        "https://secure.tld/|http.proxy.tld|secure.proxy.tld||secure.proxy.tld:80",
        "https://secure.tld/|http.proxy.tld|||-",
        "ftp://insecure.tld/|http.proxy.tld|||-",
        "http://example.com||||-",
        "http://example.com/|proxy||example.com|-",
        "http://example.com/|proxy||.example.com|proxy:80",
        "http://example.com/|proxy||ample.com|proxy:80",
        "http://foo.example.com/|proxy||example.com|-",
        "http://example.com/|proxy||.foo.com|proxy:80",
        "http://EXAMPLE.com/|proxy||Example.COM|-",
        "http://example.com:5000/|proxy||example.com:5000|-",
        "http://example.com:5001/|proxy||example.com:5000|proxy:80",
        "https://example.com/|proxy|proxy||proxy:80",
        "https://example.com/|proxy|proxy|example.com:443|-",
        "http://localhost:5000/|proxy|||-",
        "http://127.0.0.1:5000/|proxy|||-",
        "http://127.1.2.3:5000/|proxy|||-",
        "https://[::1]:5000/|proxy|proxy||-",
        "https://[::2]:5000/|proxy|proxy||proxy:80",
        "http://vm:5000/|proxy|||proxy:80",
        "http://example.com|proxy||*|-",
        "http://example.com|proxy||' , ,:1'|proxy:80",
    })
    void choosesAsGoDoes(String url, String http, String https, String no, String want) {
        Map<String, String> env = new HashMap<>();
        put(env, "HTTP_PROXY", http);
        put(env, "HTTPS_PROXY", https);
        put(env, "NO_PROXY", no);
        Optional<HttpProxy> p = EnvironmentProxy.of(env).apply(URI.create(url));
        assertThat(p.map(EnvironmentProxyTest::describe).orElse("-")).isEqualTo(want);
    }

    /** Go's UseProxyTests, with its NO_PROXY list; every host is asked for on port 80. */
    @ParameterizedTest(name = "{0} -> proxied {1}")
    @CsvSource({
        "localhost,false", "127.0.0.1,false", "127.0.0.2,false", "::1,false", "::2,true",
        "192.168.1.1,false", "192.168.1.2,true", "192.168.1.3,false", "192.168.1.4,true", "10.0.0.2,false",
        "10.0.0.4,true", "2001:db8::52:0:1,false", "2001:db8::52:0:2,true", "2001:db8::52:0:3,false",
        "2002:db8:a::123,false", "fe80::424b:c8be:1643:a1b6,true",
        "barbaz.net,true", "www.barbaz.net,false", "foobar.com,false", "www.foobar.com,false", "foofoobar.com,true",
        "baz.com,true", "localhost.net,true", "local.localhost,true", "barbarbaz.net,true", "wildcard.io,true",
        "nested.wildcard.io,false", "awildcard.io,true",
    })
    void noProxyMatchesAsGoDoes(String host, boolean proxied) {
        EnvironmentProxy p = EnvironmentProxy.of(Map.of("NO_PROXY", NO_PROXY));
        assertThat(p.useProxy(host, "80")).isEqualTo(proxied);
        // "*" exempts everything
        assertThat(EnvironmentProxy.of(Map.of("NO_PROXY", "*")).useProxy(host, "80")).isFalse();
    }

    @Test
    void upperCaseWinsAndLowerCaseIsRead() {
        URI u = URI.create("http://registry.example:5000/v2/");
        assertThat(EnvironmentProxy.of(Map.of("http_proxy", "lower:1")).apply(u)).contains(HttpProxy.of("lower", 1));
        assertThat(EnvironmentProxy.of(Map.of("http_proxy", "lower:1", "HTTP_PROXY", "upper:2")).apply(u))
                .contains(HttpProxy.of("upper", 2));
        assertThat(EnvironmentProxy.of(Map.of("http_proxy", "lower:1", "HTTP_PROXY", "")).apply(u))
                .contains(HttpProxy.of("lower", 1));
        assertThat(EnvironmentProxy.of(Map.of("HTTP_PROXY", "p:1", "no_proxy", "registry.example")).apply(u))
                .isEmpty();
    }

    @Test
    void cgiRefusesHttpProxyButNotHttpsProxy() {
        EnvironmentProxy p = EnvironmentProxy.of(Map.of("HTTP_PROXY", "http://10.1.2.3:8080",
                "HTTPS_PROXY", "secure.proxy.tld:3128", "REQUEST_METHOD", "GET"));
        assertThatThrownBy(() -> p.apply(URI.create("http://example.com/")))
                .isInstanceOf(UncheckedIOException.class).cause()
                .hasMessage("refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy");
        assertThat(p.apply(URI.create("https://example.com/"))).contains(HttpProxy.of("secure.proxy.tld", 3128));
    }

    @Test
    void proxySchemesKopiCannotSpeakFailClearly() {
        for (String proxy : new String[] {"https://secure.proxy:8443", "socks5://127.0.0.1"}) {
            EnvironmentProxy p = EnvironmentProxy.of(Map.of("HTTPS_PROXY", proxy));
            assertThatThrownBy(() -> p.apply(URI.create("https://example.com/")))
                    .isInstanceOf(UncheckedIOException.class).cause()
                    .hasMessageContaining("proxies are not supported by kopi");
        }
    }

    @Test
    void aRefusedChoiceFailsTheRequestWithGosWords() throws Exception {
        try (HttpClient c = HttpClient.builder()
                .proxy(EnvironmentProxy.of(Map.of("HTTP_PROXY", "p:1", "REQUEST_METHOD", "POST"))).build()) {
            assertThatThrownBy(() -> c.send(Request.get(URI.create("http://example.com/v2/"))))
                    .hasMessage("Get \"http://example.com/v2/\": refusing to use HTTP_PROXY value in CGI environment; "
                            + "see golang.org/s/cgihttpproxy");
        }
    }

    private static void put(Map<String, String> env, String k, String v) {
        if (v != null) {
            env.put(k, v);
        }
    }

    private static String describe(HttpProxy p) {
        return PoolKey.joinHostPort(p.host(), p.port()) + (p.authorization().isPresent() ? " with auth" : "");
    }
}
