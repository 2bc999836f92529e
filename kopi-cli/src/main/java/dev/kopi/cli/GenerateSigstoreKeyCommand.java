package dev.kopi.cli;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.signature.sigstore.Sigstore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kopi generate-sigstore-key --output-prefix PREFIX}: a cosign-format key pair, PREFIX.private and PREFIX.pub. */
@Command(name = "generate-sigstore-key", description = "Generate a sigstore public/private key pair",
        usageHelpAutoWidth = true)
final class GenerateSigstoreKeyCommand implements Callable<Integer> {
    @Option(names = "--output-prefix", paramLabel = "PREFIX", description = "Write the keys to PREFIX.pub and PREFIX.private")
    String outputPrefix = "";
    @Option(names = "--passphrase-file", paramLabel = "PATH", description = "Read a passphrase for the private key from PATH")
    String passphraseFile = "";
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for generate-sigstore-key")
    boolean help;
    @Parameters(paramLabel = "ARG", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (!args.isEmpty() || outputPrefix.isEmpty()) {
            throw ImageException.invalid("Usage: generate-sigstore-key --output-prefix PREFIX");
        }
        String pubKeyPath = outputPrefix + ".pub";
        String privateKeyPath = outputPrefix + ".private";
        ensureDoesNotExist(pubKeyPath);
        ensureDoesNotExist(privateKeyPath);
        String passphrase = passphraseFile.isEmpty() ? PassphrasePrompt.prompt(privateKeyPath)
                : dev.kopi.signature.Passphrases.readFile(passphraseFile);
        Sigstore.KeyPairFiles keys;
        try {
            keys = Sigstore.generateKeyPair(passphrase.getBytes(StandardCharsets.UTF_8));
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Error generating key pair: " + e.getMessage(), e);
        }
        write(privateKeyPath, keys.privateKeyPem(), "rw-------", "Error writing private key to ");
        // skopeo's message for the public key says "private key" too
        write(pubKeyPath, keys.publicKeyPem(), "rw-r--r--", "Error writing private key to ");
        System.out.println("Key written to " + GoStrconv.quote(privateKeyPath) + " and " + GoStrconv.quote(pubKeyPath));
        return 0;
    }

    private static void ensureDoesNotExist(String path) throws ImageException {
        Path p = Path.of(path);
        try {
            Files.readAttributes(p, "basic:isRegularFile");
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, "Error checking existence of " + GoStrconv.quote(path) + ": "
                    + LocalPaths.goError("stat", p, e), e);
        }
        throw ImageException.invalid("Refusing to overwrite existing " + GoStrconv.quote(path));
    }

    /** Go's {@code os.WriteFile(path, data, mode)}: created with the mode (less the umask), else truncated. */
    private static void write(String path, byte[] data, String mode, String prefix) throws ImageException {
        Path p = Path.of(path);
        try (var ch = Files.newByteChannel(p, Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString(mode)))) {
            ch.write(java.nio.ByteBuffer.wrap(data));
        } catch (IOException e) {
            throw new ImageException(ErrorCode.IO, prefix + GoStrconv.quote(path) + ": "
                    + LocalPaths.goError("open", p, e), e);
        }
    }
}
