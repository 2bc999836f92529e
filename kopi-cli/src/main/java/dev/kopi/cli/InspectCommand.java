package dev.kopi.cli;

import dev.kopi.Kopi;
import dev.kopi.SourceImage;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import dev.kopi.image.ImageConfigs;
import dev.kopi.image.RawManifest;
import dev.kopi.template.GoJson;
import dev.kopi.template.ReportFormatter;
import dev.kopi.transport.ImageContext;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code kopi inspect IMAGE-NAME}. */
@Command(name = "inspect", description = "Inspect image IMAGE-NAME", usageHelpAutoWidth = true)
final class InspectCommand implements Callable<Integer> {
    @ParentCommand
    Main main;
    @Mixin
    ImageOptions image = new ImageOptions();
    @Mixin
    RetryOptions retry = new RetryOptions();
    @Option(names = "--raw", description = "output raw manifest or configuration")
    boolean raw;
    @Option(names = "--config", description = "output configuration")
    boolean config;
    @Option(names = {"-f", "--format"}, paramLabel = "string", description = "Format the output to a Go template")
    String format;
    @Option(names = {"-n", "--no-tags"}, description = "Do not list the available tags from the repository in the output")
    boolean noTags;
    @Option(names = "--manifest-digest", paramLabel = "algorithm", description = "Algorithm to use for computing manifest digest (sha256, sha512); defaults to algorithm used in config digest")
    String manifestDigest;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for inspect")
    boolean help;
    @Parameters(paramLabel = "IMAGE-NAME", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (args.size() != 1) {
            throw new CliException("Exactly one argument expected", false);
        }
        if (raw && format != null) {
            throw ImageException.invalid("raw output does not support format option");
        }
        String name = args.get(0);
        ImageContext ctx = image.toContext(main.global, null).build();
        PrintStream out = System.out;
        SourceImage img = retry.run(() -> {
            try {
                return Kopi.open(name, ctx);
            } catch (IOException e) {
                throw ImageException.wrap("Error parsing image name \"" + name + "\"", e);
            }
        });
        try (img) {
            RawManifest m = retry.run(() -> {
                try {
                    return img.manifest();
                } catch (IOException e) {
                    throw ImageException.wrap("Error retrieving manifest for image", e);
                }
            });
            if (raw && !config) {
                out.write(m.bytes());
                out.flush();
                return 0;
            }
            try {
                img.instanceManifest();
            } catch (IOException e) {
                throw ImageException.wrap("Error parsing manifest for image", e);
            }
            if (config && raw) {
                byte[] c = retry.run(() -> {
                    try {
                        return img.config();
                    } catch (IOException e) {
                        throw ImageException.wrap("Error reading configuration blob", e);
                    }
                });
                out.write(c);
                out.flush();
                return 0;
            }
            if (config) {
                Map<String, Object> oci = retry.run(() -> {
                    try {
                        return img.ociConfig();
                    } catch (IOException e) {
                        throw ImageException.wrap("Error reading OCI-formatted configuration data", e);
                    }
                });
                if (format == null || format.isEmpty() || ReportFormatter.isJson(format)) {
                    out.println(dev.kopi.json.GoJson.marshalIndent(oci, "    "));
                    out.flush();
                } else {
                    try {
                        writeOutput(out, ImageConfigs.toOciStruct(oci));
                    } catch (ImageException e) {
                        throw new ImageException(e.code(),
                                "Error writing OCI-formatted configuration data to standard output: " + e.getMessage(),
                                e);
                    }
                }
                return 0;
            }
            // As skopeo: the algorithm matters (and is checked) only for the Digest of this output.
            DigestAlgorithm alg = null;
            if (manifestDigest != null) {
                alg = DigestAlgorithm.byPrefix(manifestDigest.isEmpty() ? "sha256" : manifestDigest).orElseThrow(
                        () -> ImageException.invalid("Error computing manifest digest: digest algorithm "
                                + dev.kopi.internal.go.GoStrconv.quote(manifestDigest) + " is not available"));
            }
            List<String> repoTags = List.of();
            if (!noTags) {
                try {
                    repoTags = img.repositoryTags();
                } catch (ImageException e) {
                    throw ImageException.wrap("Error determining repository tags", e);
                }
            }
            writeOutput(out, img.inspect(repoTags, alg));
            return 0;
        }
    }

    private void writeOutput(PrintStream out, Object data) throws ImageException {
        if (format == null || format.isEmpty() || ReportFormatter.isJson(format)) {
            out.println(GoJson.marshalIndent(data, "    "));
            out.flush();
            return;
        }
        ReportFormatter f = ReportFormatter.parse("skopeo inspect", format);
        StringBuilder sb = new StringBuilder();
        try {
            f.execute(List.of(data), sb);
        } catch (IOException e) {
            out.print(sb);
            out.flush();
            throw e instanceof ImageException ie ? ie : ImageException.wrap("formatting output", e);
        }
        out.print(sb);
        out.flush();
    }

    static ImageException unsupported(String what) {
        return new ImageException(ErrorCode.UNSUPPORTED, what);
    }
}
