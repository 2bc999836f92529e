package dev.kopi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A command line that names one command gets a model of that command only; anything else gets all of them. */
class LazyModelTest {
    private static final String ALL = "copy delete generate-sigstore-key inspect list-tags list-repos login logout manifest-digest "
            + "standalone-sign standalone-verify sync untrusted-signature-dump-without-verification layers experimental-image-proxy help completion "
            + "generate-man";

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
        "inspect oci:/x|inspect",
        "--debug copy a b|copy",
        "--policy copy inspect x|inspect",
        "--tmpdir=/t list-tags docker://x|list-tags",
        "--command-timeout 5s --override-arch arm64 delete x|delete",
        "--version|''",
        "--debug -v|''",
        "--version --help|" + ALL,
        "--debug|" + ALL,
        "''|" + ALL,
        "help copy|" + ALL,
        "completion bash|" + ALL,
        "nosuch|" + ALL,
        "-- copy|" + ALL,
    })
    void buildsOnlyTheNamedCommand(String args, String commands) {
        String[] a = args.isEmpty() ? new String[0] : args.split(" ");
        assertThat(List.copyOf(Main.commandLine(a).getSubcommands().keySet()))
                .isEqualTo(commands.isEmpty() ? List.of() : List.of(commands.split(" ")));
    }
}
