package dev.kopi.cli;

import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoTimeFormat;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.json.GoJson;
import dev.kopi.signature.simple.SimpleSigning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kopi untrusted-signature-dump-without-verification SIGNATURE} (hidden, as in skopeo). */
@Command(name = "untrusted-signature-dump-without-verification", hidden = true,
        description = "Dump contents of a signature WITHOUT VERIFYING IT")
final class UntrustedSignatureDumpCommand implements Callable<Integer> {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for untrusted-signature-dump-without-verification")
    boolean help;
    @Parameters(paramLabel = "SIGNATURE", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.size() != 1) {
            throw new CliException("Usage: skopeo untrusted-signature-dump-without-verification signature", false);
        }
        Path p = Path.of(args.get(0));
        byte[] sig;
        try {
            sig = Files.readAllBytes(p);
        } catch (IOException e) {
            throw ImageException.invalid("Error reading untrusted signature from " + args.get(0) + ": "
                    + LocalPaths.goError("open", p, e), e);
        }
        SimpleSigning.UntrustedInfo info;
        try {
            info = SimpleSigning.untrustedInformation(sig);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Error decoding untrusted signature: " + e.getMessage(), e);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("UntrustedDockerManifestDigest", info.untrustedDockerManifestDigest().toString());
        out.put("UntrustedDockerReference", info.untrustedDockerReference());
        out.put("UntrustedCreatorID", info.untrustedCreatorId());
        out.put("UntrustedTimestamp", info.untrustedTimestamp() == null ? null
                : GoTimeFormat.rfc3339Nano(info.untrustedTimestamp().atZone(ZoneId.systemDefault()).toOffsetDateTime()));
        out.put("UntrustedShortKeyIdentifier", info.untrustedShortKeyIdentifier());
        System.out.println(GoJson.marshalIndent(out, "    "));
        return 0;
    }
}
