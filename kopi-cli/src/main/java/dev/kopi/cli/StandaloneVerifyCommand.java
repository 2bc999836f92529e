package dev.kopi.cli;

import dev.kopi.error.ImageException;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.signature.simple.Gpg;
import dev.kopi.signature.simple.OpenPgp;
import dev.kopi.signature.simple.SimpleSigning;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code kopi standalone-verify MANIFEST DOCKER-REFERENCE KEY-FINGERPRINTS SIGNATURE}. */
@Command(name = "standalone-verify", description = "Verify a signature using local files",
        footer = "%nKEY-FINGERPRINTS can be a comma separated list of fingerprints, or \"any\" if you trust all the keys in the public key file.")
final class StandaloneVerifyCommand implements Callable<Integer> {
    @Option(names = "--public-key-file", paramLabel = "string", description = "File containing public keys. If not specified, will use local GPG keys.")
    String publicKeyFile;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for standalone-verify")
    boolean help;
    @Parameters(paramLabel = "ARG", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    private static byte[] read(String path, String what) throws ImageException {
        try {
            return Files.readAllBytes(Path.of(path));
        } catch (IOException e) {
            throw ImageException.invalid("Error reading " + what + " from " + path + ": "
                    + LocalPaths.goError("open", Path.of(path), e), e);
        }
    }

    @Override
    public Integer call() throws IOException {
        if (args.size() != 4) {
            throw new CliException("Usage: skopeo standalone-verify manifest docker-reference key-fingerprint signature",
                    false);
        }
        List<String> fingerprints = Arrays.asList(args.get(2).split(",", -1));
        boolean any = fingerprints.size() == 1 && fingerprints.get(0).equals("any");
        boolean hasKeyFile = publicKeyFile != null && !publicKeyFile.isEmpty();
        if (!hasKeyFile && any) {
            throw ImageException.invalid("Cannot use any fingerprint without a public key file");
        }
        byte[] manifest = read(args.get(0), "manifest");
        byte[] signature = read(args.get(3), "signature");
        OpenPgp.Keyring keys;
        if (hasKeyFile) {
            keys = OpenPgp.importKeys(read(publicKeyFile, "public keys"));
        } else {
            try {
                keys = Gpg.localKeyring();
            } catch (ImageException e) {
                throw new ImageException(e.code(), "Error " + e.getMessage(), e);
            }
        }
        if (any) {
            fingerprints = keys.fingerprints();
        }
        SimpleSigning.Verified v;
        try {
            v = SimpleSigning.verifyDockerManifestSignature(signature, manifest, args.get(1), keys, fingerprints);
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Error verifying signature: " + e.getMessage(), e);
        }
        System.out.println("Signature verified using fingerprint " + v.keyFingerprint() + ", digest "
                + v.manifestDigest());
        return 0;
    }
}
