package dev.kopi.it.parity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kopi.it.CommandResult;
import dev.kopi.it.Kopi;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import dev.kopi.it.Tools;
import dev.kopi.it.registry.Exchange;
import dev.kopi.it.registry.FaultProxy;
import dev.kopi.it.registry.RegistryServer;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code HTTP_PROXY}, {@code HTTPS_PROXY} and {@code NO_PROXY} for registry traffic, as Go's ProxyFromEnvironment
 * (which skopeo uses) reads them. Each case runs with kopi and with skopeo 1.9.3, so the harness itself is checked
 * against Go's behaviour.
 *
 * <p>Go never proxies {@code localhost} or a loopback IP literal, so the registry is named by a host name that
 * resolves to 127.0.0.1 through {@code /etc/hosts}: this machine's own name. The recording {@link ForwardProxy}
 * connects to 127.0.0.1 whatever name it is given, and a direct connection (NO_PROXY) also lands on loopback, so
 * nothing beyond loopback is ever contacted and no DNS server is asked. Without such a name the tests are skipped.
 * A {@link FaultProxy} in front of the registry records what reached it, to compare with what the forward proxy saw.
 */
class ProxyIT {
    @RegisterExtension
    static final RegistryServer PLAIN = RegistryServer.plain();
    @RegisterExtension
    static final RegistryServer TLS = RegistryServer.tls();

    private static String host;

    @TempDir
    Path tmp;

    @BeforeAll
    static void loopbackName() {
        try {
            String name = InetAddress.getLocalHost().getHostName();
            boolean usable = !name.equals("localhost") && !name.matches("[0-9.:]+")
                    && Arrays.stream(InetAddress.getAllByName(name)).allMatch(InetAddress::isLoopbackAddress);
            host = usable ? name : null;
        } catch (UnknownHostException e) {
            host = null;
        }
    }

    @ParameterizedTest(name = "{0}, {1} variables")
    @CsvSource({"kopi,upper", "kopi,lower", "skopeo,upper", "skopeo,lower"})
    void httpProxySeesEveryRequest(String tool, String casing) {
        assumeTrue(host != null, "no host name of this machine resolves to loopback only");
        try (FaultProxy registry = FaultProxy.start(PLAIN); ForwardProxy proxy = new ForwardProxy()) {
            String name = host + ":" + registry.port();
            Map<String, String> env = new LinkedHashMap<>();
            env.put(casing.equals("upper") ? "HTTP_PROXY" : "http_proxy", proxy.url());
            env.put(casing.equals("upper") ? "HTTPS_PROXY" : "https_proxy", proxy.url());
            Sandbox sb = new Sandbox(tmp);
            String ref = "docker://" + name + "/proxy/" + tool + ":" + casing;
            run(sb, tool, env, "copy", "--dest-tls-verify=false", TestImage.MULTI.ociRef(), ref).assertSuccess();
            run(sb, tool, env, "copy", "--src-tls-verify=false", ref, "dir:" + sb.path("pulled")).assertSuccess();
            run(sb, tool, env, "inspect", "--tls-verify=false", ref).assertSuccess();

            List<Exchange> reached = registry.exchanges();
            List<ForwardProxy.Seen> seen = proxy.seen();
            List<String> forwarded = new ArrayList<>();
            for (ForwardProxy.Seen s : seen) {
                assertThat(s.hostPort()).as("every request names the registry").isEqualTo(name);
                if (!s.method().equals("CONNECT")) {
                    forwarded.add(s.method() + " " + s.path());
                }
            }
            assertThat(reached).as("requests that reached the registry").isNotEmpty();
            assertThat(forwarded).as("requests forwarded by the proxy vs requests the registry got")
                    .containsExactlyInAnyOrderElementsOf(reached.stream().map(e -> e.method() + " " + e.target())
                            .toList());
            assertThat(forwarded).anyMatch(r -> r.startsWith("PUT ")).anyMatch(r -> r.contains("/blobs/sha256:"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kopi", "skopeo"})
    void httpsGoesThroughConnectTunnels(String tool) {
        assumeTrue(host != null, "no host name of this machine resolves to loopback only");
        try (FaultProxy registry = FaultProxy.start(TLS); ForwardProxy proxy = new ForwardProxy()) {
            String name = host + ":" + registry.port();
            Map<String, String> env = Map.of("HTTPS_PROXY", proxy.url());
            Sandbox sb = new Sandbox(tmp);
            String ref = "docker://" + name + "/proxy/tls-" + tool + ":1";
            run(sb, tool, env, "copy", "--dest-tls-verify=false", TestImage.SINGLE.ociRef(), ref).assertSuccess();
            run(sb, tool, env, "copy", "--src-tls-verify=false", ref, "dir:" + sb.path("pulled")).assertSuccess();

            List<ForwardProxy.Seen> seen = proxy.seen();
            assertThat(seen).isNotEmpty().allSatisfy(s -> {
                assertThat(s.method()).isEqualTo("CONNECT");
                assertThat(s.hostPort()).isEqualTo(name);
            });
            List<Exchange> reached = registry.exchanges();
            assertThat(reached).isNotEmpty();
            long connections = reached.stream().mapToInt(Exchange::connection).distinct().count();
            assertThat(connections).as("registry connections, each must be one of the proxy's tunnels")
                    .isLessThanOrEqualTo(seen.size());
        }
    }

    @ParameterizedTest(name = "{0}: NO_PROXY={1}")
    @CsvSource(delimiter = '|', value = {"kopi|HOST", "kopi|HOST:PORT", "kopi|*", "kopi|other.example, .nope,HOST",
        "kopi|lower:HOST", "skopeo|HOST", "skopeo|HOST:PORT", "skopeo|*", "skopeo|other.example, .nope,HOST",
        "skopeo|lower:HOST"})
    void noProxyHostsGoDirect(String tool, String noProxy) {
        assumeTrue(host != null, "no host name of this machine resolves to loopback only");
        try (FaultProxy registry = FaultProxy.start(PLAIN); ForwardProxy proxy = new ForwardProxy()) {
            String name = host + ":" + registry.port();
            boolean lower = noProxy.startsWith("lower:");
            String value = (lower ? noProxy.substring(6) : noProxy).replace("HOST", host)
                    .replace("PORT", Integer.toString(registry.port()));
            Map<String, String> env = Map.of("HTTP_PROXY", proxy.url(), "HTTPS_PROXY", proxy.url(),
                    lower ? "no_proxy" : "NO_PROXY", value);
            Sandbox sb = new Sandbox(tmp);
            String ref = "docker://" + name + "/proxy/direct-" + tool + ":1";
            run(sb, tool, env, "copy", "--dest-tls-verify=false", TestImage.SINGLE.ociRef(), ref).assertSuccess();
            run(sb, tool, env, "inspect", "--tls-verify=false", ref).assertSuccess();
            assertThat(registry.exchanges()).isNotEmpty();
            assertThat(proxy.seen()).as("requests the proxy saw").isEmpty();
        }
    }

    private static CommandResult run(Sandbox sb, String tool, Map<String, String> env, String... args) {
        List<String> cmd = new ArrayList<>(List.of("env"));
        env.forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(tool.equals("kopi") ? Kopi.command(sb) : List.of(Tools.skopeo().toString()));
        cmd.addAll(List.of(args));
        return sb.run(cmd, Sandbox.TIMEOUT);
    }
}
