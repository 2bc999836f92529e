package dev.kopi.it.registry;

import static dev.kopi.it.registry.RegistryCli.args;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.it.Kopi;
import dev.kopi.it.Sandbox;
import dev.kopi.it.TestImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AppCDS archive trained by {@code dev.kopi.cli.CdsTraining} (the launcher's and this suite's training run)
 * holds what a registry copy loads, not only what {@code inspect} loads: the copy engine, the registry client and
 * the TLS client of the https attempt come from the archive instead of being read and verified from the jar at
 * every start.
 */
class CdsTrainingIT {
    @RegisterExtension
    static final RegistryServer REGISTRY = RegistryServer.plain();

    @TempDir
    Path tmp;

    @Test
    void aRegistryCopyLoadsItsClassesFromTheArchive() throws Exception {
        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        sb.skopeo(args("copy", REGISTRY.destArgs(), TestImage.SINGLE.ociRef(), REGISTRY.ref("cds/app:v1")))
                .assertSuccess();
        List<String> cmd = new ArrayList<>(Kopi.command(sb));
        assertThat(cmd).as("the suite runs kopi with the trained archive")
                .anyMatch(a -> a.startsWith("-XX:SharedArchiveFile="));
        Path log = tmp.resolve("classes.log");
        cmd.add(cmd.indexOf("-jar"), "-Xlog:class+load=info:file=" + log);
        // tls-verify=false: an https attempt (TLS client hello) comes first, then the http fallback
        cmd.addAll(Arrays.asList(args("copy", REGISTRY.srcArgs(), REGISTRY.destArgs(), REGISTRY.ref("cds/app:v1"),
                REGISTRY.ref("cds/app:v2"))));
        sb.run(cmd, Duration.ofMinutes(2)).assertSuccess();

        List<String> lines = Files.readAllLines(log);
        for (String cls : List.of("dev.kopi.copy.Copier", "dev.kopi.transport.docker.DockerImageDestination",
                "dev.kopi.transport.docker.RegistryClient", "dev.kopi.internal.http.HttpClient",
                "sun.security.ssl.ClientHello", "sun.security.ssl.SSLSocketImpl")) {
            assertThat(lines).as(cls).anyMatch(l -> l.contains(" " + cls + " source: shared objects file"));
        }
        long kopiClasses = lines.stream().filter(l -> l.contains(" dev.kopi.") && !l.contains("$$Lambda")).count();
        // (without the training run's copies about nine in ten came from the jar; a few source-side classes still do)
        long fromJar = lines.stream().filter(l -> l.contains(" dev.kopi.") && l.contains("source: file:")).count();
        assertThat(fromJar).as("kopi classes read from the jar instead of the archive, of %d", kopiClasses)
                .isLessThan(kopiClasses / 4);
    }
}
