package dev.kopi.cli;

import dev.kopi.blob.CompressionAlgorithm;
import dev.kopi.Kopi;
import dev.kopi.copy.CopyListener;
import dev.kopi.copy.CopyOptions;
import dev.kopi.copy.CopyResult;
import dev.kopi.copy.MultiArch;
import dev.kopi.error.ImageException;
import dev.kopi.policy.PolicyContext;
import dev.kopi.reference.DockerReference;
import dev.kopi.transport.ImageContext;
import dev.kopi.transport.ImageReference;
import dev.kopi.transport.Transports;
import dev.kopi.internal.go.GoStrconv;
import dev.kopi.internal.path.LocalPaths;
import dev.kopi.internal.io.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kopi copy SOURCE-IMAGE DESTINATION-IMAGE}. */
@Command(name = "copy", description = "Copy an IMAGE-NAME from one location to another", mixinStandardHelpOptions = false,
        usageHelpAutoWidth = true)
final class CopyCommand implements Callable<Integer> {
    @ParentCommand
    Main main;
    @Mixin
    SrcImageOptions src = new SrcImageOptions();
    @Mixin
    DestImageOptions dest = new DestImageOptions();
    @Mixin
    RetryOptions retry = new RetryOptions();

    @Option(names = "--authfile", paramLabel = "string", description = "path of the authentication file. Default is $${XDG_RUNTIME_DIR}/containers/auth.json")
    String authfile;
    @Option(names = "--additional-tag", split = ",", paramLabel = "strings", description = "additional tags (supports docker-archive)")
    List<String> additionalTags = new ArrayList<>();
    @Option(names = {"-q", "--quiet"}, description = "Suppress output information when copying images")
    boolean quiet;
    @Option(names = {"-a", "--all"}, description = "Copy all images if SOURCE-IMAGE is a list")
    boolean all;
    @Option(names = "--multi-arch", paramLabel = "string", description = "How to handle multi-architecture images (system, all, index-only, or a list of os/arch[/variant] to copy only those)")
    String multiArch;
    @Option(names = "--platform", paramLabel = "os/arch[/variant],...", description = "Copy only these platforms of a multi-architecture image (same as --multi-arch=os/arch[/variant],...)")
    String platform;
    @Option(names = "--remove-signatures", description = "Do not copy signatures from SOURCE-IMAGE")
    boolean removeSignatures;
    @Option(names = "--digestfile", paramLabel = "string", description = "Write the digest of the pushed image to the specified file")
    String digestFile;
    @Option(names = {"-f", "--format"}, paramLabel = "string", description = "MANIFEST TYPE (oci, v2s1, or v2s2) to use in the destination (default is manifest type of source, with fallbacks)")
    String format;
    @Option(names = "--preserve-digests", description = "Preserve digests of images and lists")
    boolean preserveDigests;
    @Option(names = "--image-parallel-copies", paramLabel = "uint", description = "Maximum number of image layers to be copied (pulled/pushed) simultaneously. Not setting this field will fall back to containers/image defaults.")
    int imageParallelCopies;
    @Option(names = "--progress", paramLabel = "string", description = "Progress output: text (skopeo's lines, bars on a terminal) or json (one JSON event per line on stdout) (default \"text\")")
    String progress;
    @Mixin
    SigningOptions signing = new SigningOptions();
    @Option(names = "--sign-identity", paramLabel = "string", description = "Identity of signed image, must be a fully specified docker reference. Defaults to the target docker reference.")
    String signIdentity;

    /** {@code --sign-identity}, parsed as skopeo does (a canonical, fully named reference). */
    private DockerReference signIdentity() throws ImageException {
        if (signIdentity == null || signIdentity.isEmpty()) {
            return null;
        }
        try {
            return DockerReference.parseNamed(signIdentity);
        } catch (ImageException e) {
            throw ImageException.invalid("Could not parse --sign-identity: " + e.getMessage(), e);
        }
    }

    @Option(names = "--append", description = "Add the image to an existing docker-archive: or oci-archive: file instead of refusing (docker-archive) or replacing (oci-archive) it")
    boolean append;
    @Option(names = "--progress-interval", paramLabel = "duration", converter = GoDuration.class, description = "When not on a terminal, also print the progress of each blob being copied this often (e.g. 10s)")
    java.time.Duration progressInterval;
    @Option(names = "--referrers", description = "Also copy the artifacts that refer to the image (OCI 1.1 referrers, found through the Referrers API or the sha256-<hex> tag schema), and theirs in turn")
    boolean referrers;
    @Option(names = "--digest-tags", description = "Also copy cosign's digest tags of the image (sha256-<hex>.sig, .att, .sbom)")
    boolean digestTags;
    // --- layer encryption (ocicrypt; dev.kopi.encryption) ---
    @Option(names = "--encryption-key", split = ",", paramLabel = "strings", description = "*Experimental* key with the encryption protocol to use needed to encrypt the image (e.g. jwe:/path/to/key.pem)")
    List<String> encryptionKeys = new ArrayList<>();
    @Option(names = "--encrypt-layer", split = ",", paramLabel = "ints", description = "*Experimental* the 0-indexed layer indices, with support for negative indexing (e.g. 0 is the first layer, -1 is the last layer)")
    List<Integer> encryptLayer = new ArrayList<>();
    @Option(names = "--decryption-key", split = ",", paramLabel = "strings", description = "*Experimental* key needed to decrypt the image")
    List<String> decryptionKeys = new ArrayList<>();

    /** The copy's layer encryption or decryption, checked as skopeo checks these flags; null for none. */
    private dev.kopi.encryption.LayerCrypto layerCrypto() throws ImageException {
        if (!encryptionKeys.isEmpty() && !decryptionKeys.isEmpty()) {
            throw ImageException.invalid("--encryption-key and --decryption-key cannot be specified together");
        }
        if (!encryptLayer.isEmpty() && encryptionKeys.isEmpty()) {
            throw ImageException.invalid("--encrypt-layer can only be used with --encryption-key");
        }
        if (!encryptionKeys.isEmpty()) {
            return dev.kopi.encryption.OciCrypt.forEncryption(encryptionKeys, encryptLayer, System.getenv());
        }
        return decryptionKeys.isEmpty() ? null : dev.kopi.encryption.OciCrypt.forDecryption(decryptionKeys);
    }
    // --- end of layer encryption ---

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for copy")
    boolean help;
    @Parameters(paramLabel = "IMAGE", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.size() != 2) {
            throw new CliException("Exactly two arguments expected", true);
        }
        JsonProgress json = null;
        // Progress goes to stderr when the image itself is written to stdout (docker-archive:/dev/stdout).
        java.io.PrintStream progressOut = StdoutDestination.writesToStdout(args.get(1)) ? System.err : System.out;
        if (progress != null && !progress.equals("text")) {
            if (!progress.equals("json")) {
                throw ImageException.invalid("unknown progress format \"" + progress
                        + "\". Choose one of the supported formats: 'text' or 'json'");
            }
            json = new JsonProgress(progressOut);
        }
        if (json == null) {
            boolean tty = progressOut == System.out ? System.console() != null : StdoutDestination.stderrIsTerminal();
            return copy(quiet ? CopyListener.NONE : new CopyPrinter(progressOut, tty, progressInterval));
        }
        try {
            return copy(json);
        } catch (IOException | RuntimeException e) {
            if (!json.reported(e)) {
                json.error(e);
            }
            throw e;
        }
    }

    private int copy(CopyListener listener) throws IOException {
        GlobalOptions g = main.global;
        PolicyContext policy = loadPolicy(g);
        ImageReference srcRef;
        ImageReference destRef;
        try {
            srcRef = Kopi.parseImageName(args.get(0));
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Invalid source name " + args.get(0) + ": " + e.getMessage(), e);
        }
        try {
            destRef = Kopi.parseImageName(args.get(1));
        } catch (ImageException e) {
            throw new ImageException(e.code(), "Invalid destination name " + args.get(1) + ": " + e.getMessage(), e);
        }
        ImageContext srcCtx = src.toContext(g, authfile).build();
        ImageContext.Builder destB = dest.toContext(g, authfile);
        for (String tag : additionalTags) {
            DockerReference r;
            try {
                r = DockerReference.parseNormalized(tag);
            } catch (ImageException e) {
                throw ImageException.invalid("error parsing additional-tag '" + tag + "': " + e.getMessage(), e);
            }
            if (r.tag().isEmpty() || r.digest().isPresent()) {
                throw ImageException.invalid("additional-tag '" + tag + "' must be a tagged reference");
            }
        }
        destB.additionalTags(additionalTags)
                .dirForceCompress(dest.compress)
                .dirForceDecompress(dest.decompress)
                .ociAcceptUncompressedLayers(dest.ociAcceptUncompressedLayers)
                .dockerPushPrecomputeDigests(dest.precomputeDigests)
                .archiveAppend(append);
        ImageContext destCtx = destB.build();
        if (multiArch != null && all) {
            throw ImageException.invalid("Cannot use --all and --multi-arch flags together");
        }
        if (platform != null && all) {
            throw ImageException.invalid("Cannot use --all and --platform flags together");
        }
        if (platform != null && multiArch != null) {
            throw ImageException.invalid("Cannot use --multi-arch and --platform flags together");
        }
        MultiArch selection = MultiArch.SYSTEM;
        if (multiArch != null) {
            selection = MultiArch.parse(multiArch);
        }
        if (platform != null) {
            selection = MultiArch.platforms(MultiArch.parsePlatforms(platform));
        }
        if (all) {
            selection = MultiArch.ALL;
        }
        String forced = DestImageOptions.manifestType(format);
        dev.kopi.encryption.LayerCrypto crypto = layerCrypto();
        CompressionAlgorithm compression = dest.compression();
        DockerReference identity = signIdentity();
        List<dev.kopi.signature.Signer> signers = signing.signers();
        CopyOptions options = new CopyOptions(srcCtx, destCtx, forced, selection, removeSignatures, preserveDigests,
                compression, dest.compressLevel, imageParallelCopies, listener, policy, signers, identity)
                .withCrypto(crypto)
                .withAttached(new dev.kopi.copy.AttachedArtifacts(referrers, digestTags));
        return retry.run(() -> {
            CopyResult r = Kopi.copy(srcRef, destRef, options);
            if (digestFile != null && !digestFile.isEmpty()) {
                writeDigestFile(Path.of(digestFile), r.manifestDigest().toString().getBytes(StandardCharsets.UTF_8));
            }
            return 0;
        });
    }

    /** As Go's {@code os.WriteFile(name, data, 0o644)}: no parent directories are created. */
    private void writeDigestFile(Path file, byte[] data) throws ImageException {
        try (var ch = Files.newByteChannel(file, java.util.Set.of(StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING), PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-r--r--")))) {
            ch.write(java.nio.ByteBuffer.wrap(data));
        } catch (IOException e) {
            throw ImageException.wrap("Failed to write digest to file " + GoStrconv.quote(digestFile),
                    new IOException(LocalPaths.goError("open", file, e), e));
        }
    }

    static PolicyContext loadPolicy(GlobalOptions g) throws ImageException {
        if (g.insecurePolicy && g.requireSigned) {
            throw ImageException.invalid("--insecure-policy and --require-signed are mutually exclusive");
        }
        PolicyContext p;
        if (g.insecurePolicy) {
            p = PolicyContext.insecureAcceptAnything();
        } else {
            try {
                p = PolicyContext.load(g.policy != null && !g.policy.isEmpty() ? Path.of(g.policy)
                        : PolicyContext.defaultPath());
            } catch (ImageException e) {
                throw new ImageException(e.code(), "Error loading trust policy: " + e.getMessage(), e);
            }
        }
        return g.requireSigned ? p.requiringSignatures() : p;
    }
}
