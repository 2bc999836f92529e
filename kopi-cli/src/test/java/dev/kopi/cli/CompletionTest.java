package dev.kopi.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/**
 * {@code kopi completion bash|zsh|fish} and {@code kopi generate-man}: the bash script is loaded into a real bash,
 * and its completion function is driven the way readline drives it (COMP_LINE, COMP_POINT, COMP_WORDS split at
 * blanks and at ':', COMP_CWORD).
 */
class CompletionTest {
    @TempDir
    Path tmp;
    Path script;

    @BeforeEach
    void writeScript() throws Exception {
        CliTest.Run r = CliTest.run("completion", "bash");
        assertThat(r.code()).as(r.err()).isZero();
        script = Files.writeString(tmp.resolve("kopi.bash"), r.out());
        Files.createDirectories(tmp.resolve("images/layout"));
        Files.writeString(tmp.resolve("images/archive.tar"), "x");
    }

    private static String bash(String program) throws Exception {
        Process p = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", program).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    /** Completes {@code line} (the text before the cursor) as bash would, and returns COMPREPLY one per line. */
    private String complete(String line) throws Exception {
        // readline splits words at blanks and keeps each ':' (in COMP_WORDBREAKS) as a word of its own
        List<String> words = new ArrayList<>(List.of(line.replace(":", " : ").trim().split("\\s+")));
        if (line.endsWith(" ")) {
            words.add("");
        }
        StringBuilder arr = new StringBuilder();
        for (String w : words) {
            arr.append(" '").append(w.replace("'", "'\\''")).append("'");
        }
        String program = "source '" + script + "'\n"
                + "compopt() { :; }  # only valid inside readline's completion\n"
                + "cd '" + tmp + "'\n"
                + "COMP_LINE='" + line.replace("'", "'\\''") + "'; COMP_POINT=${#COMP_LINE}\n"
                + "COMP_WORDS=(" + arr + " ); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))\n"
                + "COMPREPLY=(); _complete_kopi; printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        return bash(program).strip();
    }

    @Test
    void theScriptLoadsAndRegistersTheCompletionFunction() throws Exception {
        assertThat(bash("source <(cat '" + script + "'); complete -p kopi"))
                .isEqualTo("complete -o default -F _complete_kopi kopi\n");
    }

    @ParameterizedTest(name = "[{0}]")
    @CsvSource(delimiter = '|', value = {
        // command names (hidden ones, completion and generate-man, are not offered)
        "'kopi '|copy delete generate-sigstore-key inspect list-tags list-repos login logout manifest-digest standalone-sign standalone-verify sync help",
        "kopi co|copy",
        "kopi l|list-tags list-repos login logout",
        "kopi --debug i|inspect",
        // options of a command, its own and inherited
        "kopi copy --dest-cr|--dest-creds",
        "kopi inspect --no|--no-creds --no-tags",
        "kopi copy --deb|--debug",
        // transports for image arguments
        "'kopi copy '|dir: oci: oci-archive: docker-archive: docker:// docker-daemon: containers-storage: sif:",
        "kopi copy o|oci: oci-archive:",
        "kopi copy oci:images/layout dock|docker-archive: docker:// docker-daemon:",
        "kopi inspect --raw d|dir: docker-archive: docker:// docker-daemon:",
        "kopi delete docker:|//",
        // after a path transport: paths, with only the part after the last ':' in COMPREPLY (bash replaces that)
        "kopi copy oci:images/|images/archive.tar images/layout/",
        "kopi inspect docker-archive:images/ar|images/archive.tar",
        "kopi inspect sif:images/ar|images/archive.tar",
        "kopi copy dir:images/lay|images/layout/",
    })
    void completes(String line, String expected) throws Exception {
        assertThat(complete(line).replace('\n', ' ')).isEqualTo(expected);
    }

    @Test
    void theCompletionScriptsOfAllShellsComeFromTheSameModel() {
        CliTest.Run zsh = CliTest.run("completion", "zsh");
        CliTest.Run fish = CliTest.run("completion", "fish");
        assertThat(zsh.code()).isZero();
        assertThat(fish.code()).isZero();
        assertThat(zsh.out()).contains("bashcompinit").contains("_kopi_complete_image")
                .contains("complete -F _complete_kopi -o default kopi");
        String f = fish.out();
        for (String cmd : List.of("copy", "delete", "inspect", "list-tags", "list-repos", "login", "logout", "manifest-digest", "sync")) {
            assertThat(f).contains("complete -c kopi -n __fish_use_subcommand -a " + cmd + " -d '");
        }
        assertThat(f).doesNotContain("-a completion").doesNotContain("-a generate-man")
                .contains("complete -c kopi -l debug -d 'enable debug output'")
                .contains("complete -c kopi -n '__fish_seen_subcommand_from copy' -l dest-creds -x -d")
                .contains("complete -c kopi -n '__fish_seen_subcommand_from copy' -l authfile -r -F -d")
                .contains("complete -c kopi -n '__fish_seen_subcommand_from inspect' -a '(__kopi_images)'")
                .contains("complete -c kopi -n '__fish_seen_subcommand_from manifest-digest' -F")
                .contains("printf '%s\\n' dir: oci: oci-archive: docker-archive: docker:// docker-daemon: "
                        + "containers-storage:");
        assertThat(f).as("help texts show ${VAR}, not its value at generation time")
                .contains("Default is $XDG_RUNTIME_DIR/containers/auth.json");
    }

    @Test
    void manPagesCoverEveryVisibleCommandAndOption() throws Exception {
        Path dir = tmp.resolve("man1");
        CliTest.Run r = CliTest.run("generate-man", dir.toString());
        assertThat(r.code()).as(r.err()).isZero();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString()).sorted()).containsExactly("kopi-copy.1",
                    "kopi-delete.1", "kopi-generate-sigstore-key.1", "kopi-inspect.1", "kopi-list-repos.1", "kopi-list-tags.1", "kopi-login.1", "kopi-logout.1",
                    "kopi-manifest-digest.1", "kopi-standalone-sign.1", "kopi-standalone-verify.1", "kopi-sync.1", "kopi.1");
        }
        String copy = Files.readString(dir.resolve("kopi-copy.1"));
        assertThat(copy).startsWith(".\\\" Generated by `kopi generate-man`")
                .contains(".TH \"KOPI\\-COPY\" \"1\"")
                .contains(".SH NAME\nkopi\\-copy \\- Copy an IMAGE\\-NAME from one location to another\n")
                .contains(".B kopi copy\n[\\fIoptions\\fR] \\fISOURCE\\-IMAGE\\fR \\fIDESTINATION\\-IMAGE\\fR\n")
                .contains("Default is ${XDG_RUNTIME_DIR}/containers/auth.json");
        CommandLine.Model.CommandSpec spec = Main.commandLine().getSubcommands().get("copy").getCommandSpec();
        for (CommandLine.Model.OptionSpec o : spec.options()) {
            if (!o.hidden() && !o.inherited()) {
                assertThat(copy).as(o.longestName()).contains("\\fB" + ManPages.esc(o.longestName()) + "\\fR");
            }
        }
        String root = Files.readString(dir.resolve("kopi.1"));
        assertThat(root).contains(".SH COMMANDS").contains(".BR \"kopi\\-list\\-tags\" (1)")
                .contains(".SH EXIT STATUS").contains("\\fB\\-\\-insecure\\-policy\\fR");
    }
}
