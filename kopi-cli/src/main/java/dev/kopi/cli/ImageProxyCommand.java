package dev.kopi.cli;

import dev.kopi.proxy.ImageProxy;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code kopi experimental-image-proxy --sockfd N} (hidden, as in skopeo): serves the image proxy protocol on an
 * inherited SOCK_SEQPACKET socket. Needs Linux on a 64-bit machine (file descriptors are passed through JNA).
 */
@Command(name = "experimental-image-proxy", hidden = true,
        description = "Interactive proxy for fetching container images (EXPERIMENTAL)", usageHelpAutoWidth = true)
final class ImageProxyCommand implements Callable<Integer> {
    @ParentCommand
    Main main;
    @Mixin
    ImageOptions image = new ImageOptions();
    @Option(names = "--sockfd", paramLabel = "int", description = "Serve on opened socket pair (default 0/stdin)")
    int sockFd;
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "help for experimental-image-proxy")
    boolean help;
    @Parameters(paramLabel = "IMAGE", arity = "0..*", hidden = true)
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() throws IOException {
        if (!args.isEmpty()) {
            throw new CliException("accepts 0 arg(s), received " + args.size(), false);
        }
        var ctx = image.toContext(main.global, null).build();
        try (ImageProxy proxy = new ImageProxy(ctx, () -> CopyCommand.loadPolicy(main.global))) {
            proxy.serve(sockFd);
        }
        return 0;
    }
}
