package dev.kopi.cli;

import dev.kopi.transport.ImageContext;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** skopeo's global (persistent) flags; accepted before or after the subcommand name. */
final class GlobalOptions {
    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "enable debug output")
    boolean debug;
    @Option(names = "--tls-details", scope = ScopeType.INHERIT, paramLabel = "string", description = "path to a containers-tls-details.yaml(5) file")
    String tlsDetails;
    @Option(names = "--policy", scope = ScopeType.INHERIT, paramLabel = "string", description = "Path to a trust policy file")
    String policy;
    @Option(names = "--insecure-policy", scope = ScopeType.INHERIT, description = "run the tool without any policy check")
    boolean insecurePolicy;
    @Option(names = "--require-signed", scope = ScopeType.INHERIT, description = "require any pulled image to be signed")
    boolean requireSigned;
    @Option(names = "--registries.d", scope = ScopeType.INHERIT, paramLabel = "DIR", description = "use registry configuration files in DIR (e.g. for container signature storage)")
    String registriesDir;
    @Option(names = "--override-arch", scope = ScopeType.INHERIT, paramLabel = "ARCH", description = "use ARCH instead of the architecture of the machine for choosing images")
    String overrideArch;
    @Option(names = "--override-os", scope = ScopeType.INHERIT, paramLabel = "OS", description = "use OS instead of the running OS for choosing images")
    String overrideOs;
    @Option(names = "--override-variant", scope = ScopeType.INHERIT, paramLabel = "VARIANT", description = "use VARIANT instead of the running architecture variant for choosing images")
    String overrideVariant;
    @Option(names = "--command-timeout", scope = ScopeType.INHERIT, paramLabel = "duration", converter = GoDuration.class, description = "timeout for the command execution")
    Duration commandTimeout;
    @Option(names = "--registries-conf", scope = ScopeType.INHERIT, hidden = true, paramLabel = "string", description = "path to the registries.conf file")
    String registriesConf;
    @Option(names = "--tmpdir", scope = ScopeType.INHERIT, paramLabel = "string", description = "directory used to store temporary files")
    String tmpDir;
    @Option(names = "--user-agent-prefix", scope = ScopeType.INHERIT, paramLabel = "string", description = "prefix to add to the user agent string")
    String userAgentPrefix;

    /** A context builder with the global settings applied. */
    ImageContext.Builder baseContext() {
        ImageContext.Builder b = ImageContext.builder()
                .overrideArch(overrideArch)
                .overrideOs(overrideOs)
                .overrideVariant(overrideVariant)
                .userAgentPrefix(userAgentPrefix);
        if (tmpDir != null && !tmpDir.isEmpty()) {
            b.tmpDir(Path.of(tmpDir));
        }
        if (registriesConf != null && !registriesConf.isEmpty()) {
            b.registriesConf(Path.of(registriesConf));
        }
        if (registriesDir != null && !registriesDir.isEmpty()) {
            b.registriesDir(Path.of(registriesDir));
        }
        return b;
    }
}
