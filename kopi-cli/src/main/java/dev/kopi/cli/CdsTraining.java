package dev.kopi.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The training run the launcher (and the integration tests) record an AppCDS archive from: {@code java
 * -XX:ArchiveClassesAtExit=ARCHIVE -cp kopi.jar dev.kopi.cli.CdsTraining EXAMPLE-OCI-LAYOUT WORK-DIR}.
 *
 * <p>A dynamic archive holds only the classes its training run loaded, so the run goes through what most commands
 * need rather than one cheap command: {@code inspect}, copies between the local transports, and a registry copy
 * whose https attempt and http fallback both meet a loopback listener that closes every connection (which loads
 * the TLS client, the HTTP client and the registry code without any registry). Nothing leaves the machine and
 * nothing is written outside WORK-DIR, provided the caller points HOME and the XDG folders there too (kopi keeps
 * blob locations and upload sessions under {@code $XDG_DATA_HOME/kopi}); all output is discarded, and failures are
 * expected and ignored.
 */
public final class CdsTraining {
    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: CdsTraining EXAMPLE-OCI-LAYOUT WORK-DIR");
            System.exit(2);
        }
        String image = "oci:" + Path.of(args[0]).toAbsolutePath() + ":latest";
        Path work = Files.createDirectories(Path.of(args[1]));
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream(), true);
        System.setOut(sink);
        System.setErr(sink);
        Main.run(sink, sink, "inspect", image);
        Main.run(sink, sink, "--insecure-policy", "copy", image, "dir:" + work.resolve("dir"));
        Main.run(sink, sink, "--insecure-policy", "copy", "dir:" + work.resolve("dir"),
                "oci-archive:" + work.resolve("image.tar") + ":latest");
        try (ServerSocket closer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread t = new Thread(() -> {
                while (true) {
                    try (Socket s = closer.accept()) {
                        s.getInputStream().read(new byte[4096]);
                    } catch (IOException e) {
                        return; // closed: training is over
                    }
                }
            }, "cds-training-closer");
            t.setDaemon(true);
            t.start();
            String registryImage = "docker://127.0.0.1:" + closer.getLocalPort() + "/training/hello:latest";
            Main.run(sink, sink, "--insecure-policy", "copy", "--dest-tls-verify=false", image, registryImage);
            Main.run(sink, sink, "--insecure-policy", "copy", "--src-tls-verify=false", registryImage,
                    "dir:" + work.resolve("pulled"));
        }
        System.exit(0);
    }
}
