package dev.kopi.cli;

import dev.kopi.Kopi;
import dev.kopi.copy.CopyListener;
import dev.kopi.copy.CopyOptions;
import dev.kopi.copy.MultiArch;
import dev.kopi.error.ImageException;
import dev.kopi.sync.ImageOutcome;
import dev.kopi.sync.Shard;
import dev.kopi.sync.SyncFailedException;
import dev.kopi.sync.SyncListener;
import dev.kopi.sync.SyncOptions;
import dev.kopi.sync.SyncResult;
import dev.kopi.transport.ImageContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kopi sync --src TRANSPORT --dest TRANSPORT SOURCE DESTINATION}: a thin layer over {@link Kopi#sync}. */
@Command(name = "sync", description = "Synchronize one or more images from one location to another",
        mixinStandardHelpOptions = false, usageHelpAutoWidth = true)
final class SyncCommand implements Callable<Integer> {
    @ParentCommand
    Main main;
    @Mixin
    SrcImageOptions src = new SrcImageOptions();
    @Mixin
    DestImageOptions dest = new DestImageOptions();
    @Mixin
    RetryOptions retry = new RetryOptions();
    @Mixin
    SigningOptions signing = new SigningOptions();

    @Option(names = {"-s", "--src"}, paramLabel = "string", description = "SOURCE transport type")
    String source;
    @Option(names = {"-d", "--dest"}, paramLabel = "string", description = "DESTINATION transport type")
    String destination;
    @Option(names = "--authfile", paramLabel = "string", description = "path of the registry credentials file. Default is $${XDG_RUNTIME_DIR}/containers/auth.json")
    String authfile;
    @Option(names = "--scoped", description = "Images at DESTINATION are prefix using the full source image path as scope")
    boolean scoped;
    @Option(names = "--append-suffix", paramLabel = "string", description = "String to append to DESTINATION tags")
    String appendSuffix;
    @Option(names = "--digestfile", paramLabel = "string", description = "Write the digests and Image References of the resulting images to the specified file, separated by newlines")
    String digestFile;
    @Option(names = {"-a", "--all"}, description = "Copy all images if SOURCE-IMAGE is a list")
    boolean all;
    @Option(names = "--dry-run", description = "Run without actually copying data")
    boolean dryRun;
    @Option(names = "--keep-going", description = "Do not abort the sync if any image copy fails")
    boolean keepGoing;
    @Option(names = "--remove-signatures", description = "Do not copy signatures from source")
    boolean removeSignatures;
    @Option(names = {"-f", "--format"}, paramLabel = "string", description = "MANIFEST TYPE (oci, v2s1, or v2s2) to use in the destination (default is manifest type of source, with fallbacks)")
    String format;
    @Option(names = "--preserve-digests", description = "Preserve digests of images and lists")
    boolean preserveDigests;
    @Option(names = "--image-parallel-copies", paramLabel = "uint", description = "Maximum number of image layers to be copied (pulled/pushed) simultaneously. Not setting this field will fall back to containers/image defaults.")
    int imageParallelCopies;
    @Option(names = "--jobs", paramLabel = "int", description = "Images copied at the same time (default: chosen for the machine; 1 copies one after another, as skopeo)")
    int jobs;
    @Option(names = "--shard", paramLabel = "I/N", description = "Handle only shard I of N (0 <= I < N): N workers with the same arguments cover every image exactly once")
    String shard;
    @Option(names = "--include-tags", paramLabel = "REGEX", description = "Only images whose tag contains a match of REGEX")
    String includeTags;
    @Option(names = "--exclude-tags", paramLabel = "REGEX", description = "Leave out images whose tag contains a match of REGEX")
    String excludeTags;
    @Option(names = "--incremental", description = "With --dest dir: update image directories a previous sync wrote (skip those whose manifest is unchanged, replace the others) instead of refusing to overwrite them")
    boolean incremental;
    @Option(names = "--output", paramLabel = "string", description = "Summary format: text (log lines) or json (one JSON document on stdout, no progress lines) (default \"text\")")
    String output;
    @Option(names = "--referrers", description = "Also copy the artifacts that refer to each image (OCI 1.1 referrers), and theirs in turn")
    boolean referrers;
    @Option(names = "--digest-tags", description = "Also copy cosign's digest tags of each image (sha256-<hex>.sig, .att, .sbom)")
    boolean digestTags;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for sync")
    boolean help;
    @Parameters(paramLabel = "ARG", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.size() != 2) {
            throw new CliException("Exactly two arguments expected", true);
        }
        boolean json = false;
        if (output != null && !output.equals("text")) {
            if (!output.equals("json")) {
                throw ImageException.invalid("unknown output format \"" + output
                        + "\". Choose one of the supported formats: 'text' or 'json'");
            }
            json = true;
        }
        GlobalOptions g = main.global;
        var policy = CopyCommand.loadPolicy(g);
        ImageContext srcCtx = src.toContext(g, authfile).build();
        ImageContext destCtx = dest.toContext(g, authfile)
                .dirForceCompress(dest.compress)
                .dirForceDecompress(dest.decompress)
                .ociAcceptUncompressedLayers(dest.ociAcceptUncompressedLayers)
                .dockerPushPrecomputeDigests(dest.precomputeDigests)
                .build();
        String forced = DestImageOptions.manifestType(format);
        dev.kopi.blob.CompressionAlgorithm compression = dest.compression();
        CopyOptions copy = new CopyOptions(srcCtx, destCtx, forced, all ? MultiArch.ALL : MultiArch.SYSTEM,
                removeSignatures, preserveDigests, compression, dest.compressLevel, imageParallelCopies, null, policy)
                .withSigners(signing.signers())
                .withAttached(new dev.kopi.copy.AttachedArtifacts(referrers, digestTags));
        int effectiveJobs = jobs > 0 ? jobs : SyncOptions.defaultJobs();
        Printer printer = new Printer(System.out, System.err, json, effectiveJobs == 1 && System.console() != null,
                effectiveJobs == 1);
        if (dest.compress && !"dir".equals(destination)) {
            Logrus.log(System.err, "warning", "--dest-compress can only be used if the destination transport is 'dir'");
        }
        if (dest.decompress && !"dir".equals(destination)) {
            Logrus.log(System.err, "warning", "--dest-decompress can only be used if the destination transport is 'dir'");
        }
        SyncOptions options = SyncOptions.builder(source, destination)
                .copy(copy)
                .scoped(scoped)
                .dryRun(dryRun)
                .keepGoing(keepGoing)
                .appendSuffix(appendSuffix)
                .digestFile(digestFile == null || digestFile.isEmpty() ? null : Path.of(digestFile))
                .jobs(effectiveJobs)
                .shard(shard == null ? Shard.ALL : Shard.parse(shard))
                .retry(retry.policy())
                .listener(printer)
                .includeTags(regex("--include-tags", includeTags))
                .excludeTags(regex("--exclude-tags", excludeTags))
                .incremental(incremental)
                .build();
        SyncResult result;
        try {
            result = Kopi.sync(args.get(0), args.get(1), options);
        } catch (SyncFailedException e) {
            printer.summary(e.result());
            throw e;
        }
        printer.summary(result);
        return 0;
    }

    private static java.util.regex.Pattern regex(String flag, String value) throws ImageException {
        if (value == null) {
            return null;
        }
        try {
            return java.util.regex.Pattern.compile(value);
        } catch (java.util.regex.PatternSyntaxException e) {
            throw ImageException.invalid("invalid " + flag + " regular expression " + dev.kopi.internal.go.GoStrconv
                    .quote(value) + ": " + e.getDescription());
        }
    }

    /** Renders the sync's events: skopeo's log lines on stderr, each image's copy lines on stdout. */
    static final class Printer implements SyncListener {
        private final PrintStream out;
        private final PrintStream err;
        private final boolean json;
        private final boolean tty;
        private final boolean direct;

        /**
         * @param direct print copy lines as they happen (one image at a time); else each image's lines are printed
         *     together when it is done, so that parallel images do not mix their lines
         */
        Printer(PrintStream out, PrintStream err, boolean json, boolean tty, boolean direct) {
            this.out = out;
            this.err = err;
            this.json = json;
            this.tty = tty;
            this.direct = direct;
        }

        @Override
        public void log(Level level, String message, Map<String, String> fields) {
            if (level == Level.DEBUG && !dev.kopi.log.Log.debugEnabled()) {
                return;
            }
            Logrus.log(err, level.name().toLowerCase(Locale.ROOT), message, fields);
        }

        private final Map<SyncImage, ByteArrayOutputStream> buffers = new java.util.concurrent.ConcurrentHashMap<>();

        @Override
        public CopyListener imageStarted(SyncImage image) {
            if (json) {
                return CopyListener.NONE;
            }
            if (direct) {
                return new CopyPrinter(out, tty);
            }
            ByteArrayOutputStream buf = new ByteArrayOutputStream();
            buffers.put(image, buf);
            return new CopyPrinter(new PrintStream(buf, true, StandardCharsets.UTF_8), false);
        }

        @Override
        public void imageFinished(SyncImage image, ImageOutcome outcome) {
            ByteArrayOutputStream buf = buffers.remove(image);
            if (json) {
                return;
            }
            synchronized (out) {
                if (buf != null) {
                    out.print(buf.toString(StandardCharsets.UTF_8));
                }
                if (outcome.status() == ImageOutcome.Status.SKIPPED) {
                    out.println("Skipping " + image.destination() + ": already up to date");
                }
                out.flush();
            }
        }

        void summary(SyncResult r) {
            if (r == null) {
                return;
            }
            if (json) {
                out.println(r.toJson());
                out.flush();
                return;
            }
            if (r.images().isEmpty() || r.images().stream().allMatch(i -> i.status() == ImageOutcome.Status.DRY_RUN)) {
                return;
            }
            Map<String, String> f = new LinkedHashMap<>();
            f.put("copied", Long.toString(r.copied()));
            f.put("skipped", Long.toString(r.skipped()));
            f.put("failed", Long.toString(r.failed()));
            f.put("bytes", Long.toString(r.bytes()));
            f.put("seconds", String.format(Locale.ROOT, "%.3f", r.elapsed().toMillis() / 1000.0));
            if (r.shard().count() > 1) {
                f.put("shard", r.shard().toString());
            }
            Logrus.log(err, "info", "Sync summary", f);
            for (ImageOutcome o : r.failures()) {
                Map<String, String> ff = new LinkedHashMap<>();
                ff.put("error", o.error() == null ? "" : o.error());
                Logrus.log(err, "error", "Failed to sync " + o.source(), ff);
            }
        }
    }
}
