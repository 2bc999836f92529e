package dev.kopi.cli;

import dev.kopi.error.ImageException;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.signature.Passphrases;
import dev.kopi.signature.simple.SimpleSigning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kopi standalone-sign MANIFEST DOCKER-REFERENCE KEY-FINGERPRINT --output SIGNATURE}. */
@Command(name = "standalone-sign", description = "Create a signature using local files")
final class StandaloneSignCommand implements Callable<Integer> {
    @Option(names = {"-o", "--output"}, paramLabel = "SIGNATURE", description = "output the signature to SIGNATURE")
    String output;
    @Option(names = "--passphrase-file", paramLabel = "string", description = "file that contains a passphrase for the --sign-by key")
    String passphraseFile;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for standalone-sign")
    boolean help;
    @Parameters(paramLabel = "ARG", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.size() != 3 || output == null || output.isEmpty()) {
            throw new CliException("Usage: skopeo standalone-sign manifest docker-reference key-fingerprint -o signature",
                    false);
        }
        Path manifestPath = Path.of(args.get(0));
        byte[] manifest;
        try {
            manifest = Files.readAllBytes(manifestPath);
        } catch (IOException e) {
            throw ImageException.invalid("Error reading " + args.get(0) + ": "
                    + LocalPaths.goError("open", manifestPath, e), e);
        }
        String passphrase = Passphrases.readFile(passphraseFile);
        byte[] sig;
        try {
            sig = SimpleSigning.signDockerManifest(manifest, args.get(1), args.get(2), passphrase);
        } catch (ImageException e) {
            if (e.getMessage().startsWith("initializing GPG")) {
                throw new ImageException(e.code(), "Error " + e.getMessage(), e);
            }
            throw new ImageException(e.code(), "Error creating signature: " + e.getMessage(), e);
        }
        Path out = Path.of(output);
        try {
            Files.write(out, sig);
        } catch (IOException e) {
            throw ImageException.invalid("Error writing signature to " + output + ": "
                    + LocalPaths.goError("open", out, e), e);
        }
        return 0;
    }
}
