package dev.kopi.cli;

import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.error.ImageException;
import dev.kopi.manifest.Manifests;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kopi manifest-digest MANIFEST}: the digest of a manifest file (schema1 signatures stripped). */
@Command(name = "manifest-digest", description = "Compute a manifest digest of a file")
final class ManifestDigestCommand implements Callable<Integer> {
    @Parameters(paramLabel = "MANIFEST", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for manifest-digest")
    boolean help;

    @Override
    public Integer call() throws IOException {
        if (args.size() != 1) {
            throw new CliException("Usage: skopeo manifest-digest manifest", false);
        }
        byte[] m;
        try {
            m = Files.readAllBytes(Path.of(args.get(0)));
        } catch (IOException e) {
            throw ImageException.invalid("Error reading manifest from " + args.get(0) + ": "
                    + dev.kopi.internal.path.LocalPaths.goError("open", Path.of(args.get(0)), e), e);
        }
        try {
            System.out.println(Manifests.digest(m, DigestAlgorithm.SHA256));
        } catch (ImageException e) {
            throw ImageException.invalid("Error computing digest: " + e.getMessage(), e);
        }
        return 0;
    }
}
