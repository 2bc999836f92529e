package dev.kopi.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shell completion, man pages and {@code scripts/install}, with the real shells and tools: {@code kopi} is on the
 * PATH of each shell (a wrapper around the jar under test), so the scripts are loaded exactly as a user loads them.
 */
class CompletionIT {
    @TempDir
    Path dir;
    Sandbox sb;
    String path;

    @BeforeEach
    void kopiOnPath() throws Exception {
        sb = new Sandbox(dir.resolve("sb"));
        Path bin = Files.createDirectories(dir.resolve("bin"));
        StringBuilder wrapper = new StringBuilder("#!/bin/sh\nexec");
        for (String part : Kopi.command(sb)) {
            wrapper.append(" '").append(part.replace("'", "'\\''")).append('\'');
        }
        wrapper.append(" \"$@\"\n");
        Path kopi = bin.resolve("kopi");
        Files.writeString(kopi, wrapper);
        Files.setPosixFilePermissions(kopi, PosixFilePermissions.fromString("rwxr-xr-x"));
        path = bin + ":" + sb.env().get("PATH");
        Files.createDirectories(sb.root().resolve("images/layout"));
    }

    private CommandResult shell(String shell, String... args) {
        List<String> cmd = new java.util.ArrayList<>(List.of("env", "PATH=" + path, shell));
        cmd.addAll(List.of(args));
        return sb.run(cmd, Duration.ofMinutes(1));
    }

    /** Drives bash's completion function as readline would for the line {@code line} (cursor at the end). */
    private static String bashDrive(String line) {
        String words = line.replace(":", " : ");
        return "compopt() { :; }; COMP_LINE='" + line + "'; COMP_POINT=${#COMP_LINE}; COMP_WORDS=(" + words
                + (line.endsWith(" ") ? " ''" : "") + "); COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=(); "
                + "_complete_kopi; echo \"" + line + "=> ${COMPREPLY[*]}\"";
    }

    @Test
    void bashLoadsTheScriptAndCompletesCommandsAndTransports() {
        Tools.require("bash", "bash");
        String program = String.join("\n", "source <(kopi completion bash)", "complete -p kopi",
                bashDrive("kopi co"), bashDrive("kopi li"), bashDrive("kopi copy o"),
                bashDrive("kopi inspect docker"), bashDrive("kopi copy oci:images/la"));
        CommandResult r = shell("bash", "--norc", "--noprofile", "-c", program).assertSuccess();
        assertThat(r.stdout()).isEqualTo("complete -o default -F _complete_kopi kopi\n"
                + "kopi co=> copy\n"
                + "kopi li=> list-tags list-repos\n"
                + "kopi copy o=> oci: oci-archive:\n"
                + "kopi inspect docker=> docker-archive: docker:// docker-daemon:\n"
                + "kopi copy oci:images/la=> images/layout/\n");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void fishCompletesCommandsOptionsAndTransports() {
        Tools.require("fish", "fish");
        CommandResult r = shell("fish", "--no-config", "-c", "kopi completion fish | source; "
                + "complete -C 'kopi co'; complete -C 'kopi copy o'; complete -C 'kopi copy --dest-cre'; "
                + "complete -C 'kopi copy oci:images/la'").assertSuccess();
        assertThat(r.stdout().lines().map(l -> l.split("\t")[0]).collect(Collectors.toList()))
                .containsExactly("copy", "oci:", "oci-archive:", "--dest-creds", "oci:images/layout/");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void zshLoadsTheScriptThroughBashcompinit() {
        Tools.require("zsh", "zsh");
        CommandResult r = shell("zsh", "-f", "-c", "autoload -U compinit && compinit -u -d '" + sb.tmp()
                + "/zcompdump'; source <(kopi completion zsh); print -r -- $_comps[kopi]").assertSuccess();
        assertThat(r.stdout()).isEqualTo("_bash_complete -F _complete_kopi -o default\n");
        assertThat(r.stderr()).isEmpty();
    }

    @Test
    void manPagesRenderWithoutWarnings() throws Exception {
        Path groff = Tools.require("groff", "groff-base");
        Path man = sb.root().resolve("man1");
        sb.kopi("generate-man", man.toString()).assertSuccess();
        List<Path> pages;
        try (var files = Files.list(man)) {
            pages = files.sorted().toList();
        }
        assertThat(pages).hasSize(13); // kopi.1 and one page per visible command
        for (Path page : pages) {
            CommandResult r = sb.run(List.of(groff.toString(), "-man", "-Tutf8", "-ww", "-z", page.toString()),
                    Duration.ofMinutes(1)).assertSuccess();
            assertThat(r.stderr()).as(page.toString()).isEmpty();
        }
        CommandResult text = sb.run(List.of(groff.toString(), "-man", "-Tascii", "-P-cbou",
                man.resolve("kopi-copy.1").toString()), Duration.ofMinutes(1)).assertSuccess();
        assertThat(text.stdout()).contains("kopi-copy - Copy an IMAGE-NAME from one location to another")
                .contains("kopi copy [options] SOURCE-IMAGE DESTINATION-IMAGE")
                .contains("--dest-compress-format FORMAT");
    }

    @Test
    void installPutsLauncherJarCompletionsAndManPagesUnderThePrefix() throws Exception {
        Path prefix = dir.resolve("prefix");
        CommandResult r = sb.run(List.of(Kopi.repoRoot().resolve("scripts/install").toString(), prefix.toString()),
                Duration.ofMinutes(5)).assertSuccess();
        assertThat(r.stdout()).contains("Installed kopi version ");
        for (String f : List.of("bin/kopi", "lib/kopi/kopi.jar", "share/man/man1/kopi.1",
                "share/man/man1/kopi-copy.1", "share/bash-completion/completions/kopi",
                "share/fish/vendor_completions.d/kopi.fish", "share/kopi/kopi.zsh")) {
            assertThat(prefix.resolve(f)).as(f).isRegularFile();
        }
        assertThat(Files.isExecutable(prefix.resolve("bin/kopi"))).isTrue();
        CommandResult v = sb.run(List.of(prefix.resolve("bin/kopi").toString(), "--version"), Duration.ofMinutes(1))
                .assertSuccess();
        assertThat(v.stdout()).startsWith("kopi version ");
        CommandResult inspect = sb.run(List.of(prefix.resolve("bin/kopi").toString(), "inspect",
                "oci:" + Kopi.repoRoot().resolve("examples/hello") + ":latest"), Duration.ofMinutes(1)).assertSuccess();
        assertThat(inspect.stdout()).contains("\"Architecture\": \"amd64\"");
        CommandResult bash = shell("bash", "--norc", "--noprofile", "-c", "source '" + prefix
                + "/share/bash-completion/completions/kopi' && complete -p kopi").assertSuccess();
        assertThat(bash.stdout()).isEqualTo("complete -o default -F _complete_kopi kopi\n");
    }
}
