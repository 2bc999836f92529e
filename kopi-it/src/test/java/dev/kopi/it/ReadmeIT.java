package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command (the copy a newcomer runs first) works as written, without a trust policy on the
 * machine: a fresh Debian machine has no /etc/containers/policy.json until skopeo's package installs one.
 */
class ReadmeIT {
    @TempDir
    Path tmp;

    @Test
    void theFirstCommandCopiesTheExampleWithoutASystemPolicy() throws IOException {
        String readme = Files.readString(Kopi.repoRoot().resolve("README.md"));
        assertThat(readme).startsWith("```sh\n./kopi ");
        String first = readme.lines().skip(1).findFirst().orElseThrow();
        List<String> args = new ArrayList<>(Arrays.asList(first.substring("./kopi ".length()).split(" ")));
        assertThat(args).as("the README's first command").contains("dir:/tmp/hello");
        Path out = tmp.resolve("hello");
        // the sandbox runs commands in a directory of its own: the example's path relative to the repository
        args.replaceAll(a -> a.equals("dir:/tmp/hello") ? "dir:" + out
                : a.startsWith("oci:examples/") ? "oci:" + Kopi.repoRoot().resolve(a.substring(4)) : a);
        // Loading a policy file would fail on a fresh machine: none may be needed, not even the system one.
        assertThat(args).as("does not depend on /etc/containers/policy.json").contains("--insecure-policy");

        Sandbox sb = new Sandbox(tmp.resolve("sb"));
        List<String> cmd = new ArrayList<>(Kopi.command(sb));
        cmd.addAll(args);
        sb.run(cmd, java.time.Duration.ofMinutes(1)).assertSuccess();
        assertThat(out.resolve("manifest.json")).isRegularFile();
        assertThat(out.resolve("version")).hasContent("Directory Transport Version: 1.1\n");
    }
}
