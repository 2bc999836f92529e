package dev.kopi.it;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How the tests start kopi: {@code java -XX:+UseSerialGC -jar ${kopi.jar}}, with an AppCDS
 * archive trained once per test run ({@code kopi-it/target/kopi-it.jsa}) to keep the many short runs cheap.
 *
 * <p>{@code -Dkopi.cmd="/usr/bin/skopeo"} (any command line, split at spaces) replaces kopi, so the test logic can be
 * validated against skopeo itself.
 */
public final class Kopi {
    private static Path jsa;
    private static boolean trained;

    private Kopi() {
    }

    /** The command prefix that runs kopi in the given sandbox. */
    public static List<String> command(Sandbox sandbox) {
        String override = System.getProperty("kopi.cmd", "").trim();
        if (!override.isEmpty()) {
            return Arrays.asList(override.split("\\s+"));
        }
        Path jar = jar();
        List<String> cmd = new ArrayList<>(List.of(java(), "-XX:+UseSerialGC",
                "-Duser.home=" + sandbox.home(), "-Djava.io.tmpdir=" + sandbox.tmp()));
        Path archive = archive(jar);
        if (archive != null) {
            cmd.addAll(List.of("-Xshare:auto", "-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off",
                    "-Xlog:cds+dynamic=off"));
        }
        cmd.addAll(List.of("-jar", jar.toString()));
        return cmd;
    }

    /** True when {@code -Dkopi.cmd} points at skopeo, i.e. the suite is validating itself against skopeo. */
    public static boolean isSkopeo() {
        return System.getProperty("kopi.cmd", "").trim().split("\\s+")[0].endsWith("skopeo");
    }

    /** The shaded jar under test ({@code -Dkopi.jar}, set by kopi-it/pom.xml). */
    public static Path jar() {
        String prop = System.getProperty("kopi.jar");
        if (prop == null || prop.isBlank()) {
            fail("system property kopi.jar is not set; run the ITs through Maven (scripts/test or mvn verify)");
        }
        Path jar = Path.of(prop).toAbsolutePath().normalize();
        if (!Files.isRegularFile(jar)) {
            fail("kopi.jar not found at " + jar + "; build it with `mvn -pl kopi-cli -am package` (scripts/test does)");
        }
        return jar;
    }

    /** The repository root (two levels above kopi-cli/target/kopi.jar). */
    public static Path repoRoot() {
        String prop = System.getProperty("kopi.jar");
        if (prop != null && !prop.isBlank()) {
            return Path.of(prop).toAbsolutePath().normalize().getParent().getParent().getParent();
        }
        return Path.of("").toAbsolutePath().getParent();
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Trains the archive once (on {@code inspect} of examples/hello); null when training is off or failed. */
    private static synchronized Path archive(Path jar) {
        if (trained || Boolean.getBoolean("kopi.it.noCds")) {
            return jsa;
        }
        trained = true;
        try {
            Path target = Path.of(System.getProperty("kopi.it.target", "target")).toAbsolutePath();
            Files.createDirectories(target);
            Path file = target.resolve("kopi-it.jsa");
            Path idFile = target.resolve("kopi-it.jsa.id");
            // The archive is only valid for the exact jar (path, size, time) and JVM it was trained with.
            String id = jar + " " + Files.size(jar) + " " + Files.getLastModifiedTime(jar).toMillis() + " "
                    + System.getProperty("java.home") + " " + System.getProperty("java.vm.version");
            if (Files.isRegularFile(file) && Files.isRegularFile(idFile) && Files.readString(idFile).equals(id)) {
                jsa = file;
                return jsa;
            }
            Path tmp = target.resolve("kopi-it.jsa.tmp");
            Files.deleteIfExists(tmp);
            Sandbox sb = new Sandbox(Files.createTempDirectory(target, "cds-training"));
            // The launcher's training run (inspect, local copies, a registry copy against a closing listener).
            sb.run(List.of(java(), "-XX:+UseSerialGC", "-Xshare:auto",
                    "-XX:ArchiveClassesAtExit=" + tmp, "-Duser.home=" + sb.home(), "-Djava.io.tmpdir=" + sb.tmp(),
                    "-cp", jar.toString(), "dev.kopi.cli.CdsTraining", repoRoot().resolve("examples/hello").toString(),
                    sb.tmp().resolve("cds-training").toString()), Duration.ofMinutes(2));
            if (Files.isRegularFile(tmp) && Files.size(tmp) > 0) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.writeString(idFile, id);
                jsa = file;
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("kopi-it: AppCDS training failed, running without an archive: " + e);
        }
        return jsa;
    }
}
