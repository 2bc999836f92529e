package dev.kopi.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Plain http and unix sockets must not load the TLS stack (it costs about half a second of start-up). */
class LazyTlsTest {
    @Test
    void plainHttpAndUnixSocketsLoadNoTlsClass() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(List.of(java, "-Xshare:auto", "-Xlog:class+load=info", "-cp",
                System.getProperty("java.class.path"), LazyTlsProbe.class.getName()))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("PROBE okok");
        assertThat(out).contains("dev.kopi.internal.http.HttpClient ");
        List<String> tls = out.lines()
                .filter(l -> l.contains("javax.net.ssl.") || l.contains("sun.security.ssl.")
                        || l.contains("dev.kopi.internal.http.TlsConnector") || l.contains("TlsSettings"))
                .toList();
        assertThat(tls).isEmpty();
    }
}
