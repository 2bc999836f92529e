package dev.kopi.cli;

import dev.kopi.Kopi;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * Shell completion scripts generated from the picocli model: bash and zsh from picocli's {@link AutoComplete}
 * (one script serves both), with image arguments completed as {@code transport:} names and, after a path-based
 * transport, file names; fish written here from the same model.
 */
final class Completions {
    private Completions() {
    }

    /** The transport prefixes offered for an image argument: {@code dir:}, {@code oci:}, {@code docker://}, ... */
    static List<String> transportPrefixes() {
        List<String> out = new ArrayList<>();
        for (String t : Kopi.transports()) {
            out.add(t.equals("docker") ? "docker://" : t + ":");
        }
        return out;
    }

    /** Transports whose reference starts with a file path. */
    private static final List<String> PATH_TRANSPORTS = List.of("dir", "oci", "oci-archive", "docker-archive", "sif");

    private static boolean takesImages(CommandSpec spec) {
        for (PositionalParamSpec p : spec.positionalParameters()) {
            if (p.paramLabel().contains("IMAGE")) {
                return true;
            }
        }
        return false;
    }

    private static boolean takesFiles(CommandSpec spec) {
        return !takesImages(spec) && !spec.positionalParameters().isEmpty() && spec.subcommands().isEmpty()
                && spec.positionalParameters().stream().anyMatch(p -> p.paramLabel().contains("MANIFEST"));
    }

    private static boolean pathOption(OptionSpec o) {
        String label = o.paramLabel();
        String name = o.longestName();
        return label.equals("PATH") || label.equals("DIRECTORY") || label.equals("DIR")
                || name.matches("--(.*-)?(authfile|policy|digestfile|tmpdir|tls-details|registries-conf|cert-dir|"
                        + "shared-blob-dir|registries\\.d)");
    }

    // ---- bash and zsh ----

    /** The part of picocli's per-command function that offers subcommands and positional candidates. */
    private static final String PICOCLI_POSITIONALS = "    local positionals=\"\"\n"
            + "    local IFS=$'\\n'\n"
            + "    COMPREPLY=( $(compgen -W \"${commands// /$'\\n'}${IFS}${positionals}\" -- \"${curr_word}\") )\n";

    /**
     * The bash completion script (also loaded by zsh through bashcompinit).
     *
     * @throws IllegalStateException when picocli's script no longer has the shape this class extends
     */
    static String bash(CommandLine root) {
        String script = AutoComplete.bash(root.getCommandName(), root);
        StringBuilder extra = new StringBuilder();
        for (CommandLine sub : root.getSubcommands().values()) {
            CommandSpec spec = sub.getCommandSpec();
            if (spec.usageMessage().hidden() || !spec.subcommands().isEmpty()) {
                continue;
            }
            String replacement;
            if (takesImages(spec)) {
                replacement = "    _kopi_complete_image\n";
            } else if (takesFiles(spec)) {
                replacement = "    type compopt &>/dev/null && compopt -o default\n    COMPREPLY=()\n";
            } else {
                continue;
            }
            String fn = "function _picocli_" + bashify(root.getCommandName()) + "_" + bashify(spec.name()) + "() {\n";
            int start = script.indexOf(fn);
            int end = start < 0 ? -1 : script.indexOf("\n}\n", start);
            int at = end < 0 ? -1 : script.indexOf(PICOCLI_POSITIONALS, start);
            if (at < 0 || at > end) {
                throw new IllegalStateException("picocli's completion script has no positional branch in " + fn.trim());
            }
            script = script.substring(0, at) + replacement + script.substring(at + PICOCLI_POSITIONALS.length());
        }
        // Image arguments: `transport:` first; after a path-based transport, file names. Bash splits words at
        // ':' (COMP_WORDBREAKS), so the whole word is taken from COMP_LINE and, in bash, the candidates are trimmed
        // to the part after its last ':' (readline replaces only that part). zsh (bashcompinit) keeps whole words.
        extra.append("\n# Completes an image name: a transport prefix, then (dir:, oci:, oci-archive:, docker-archive:) a path.\n")
                .append("function _kopi_complete_image() {\n")
                .append("  local line=${COMP_LINE:0:$COMP_POINT}\n")
                .append("  local word=${line##*[[:space:]]}\n")
                .append("  local transports=\"").append(String.join(" ", transportPrefixes())).append("\"\n")
                .append("  local -a reply=()\n")
                .append("  local f\n")
                .append("  if [[ \"$word\" != *:* ]]; then\n")
                .append("    reply=( $(compgen -W \"$transports\" -- \"$word\") )\n")
                .append("  else\n")
                .append("    local transport=${word%%:*} rest=${word#*:}\n")
                .append("    case \"$transport\" in\n")
                .append("      ").append(String.join("|", PATH_TRANSPORTS)).append(")\n")
                .append("        for f in \"$rest\"*; do\n")
                .append("          [[ -e \"$f\" ]] || continue\n")
                .append("          [[ -d \"$f\" ]] && f=\"$f/\"\n")
                .append("          reply+=( \"$transport:$f\" )\n")
                .append("        done\n")
                .append("        ;;\n")
                .append("      docker)\n")
                .append("        [[ \"docker://\" == \"$word\"* ]] && reply=( \"docker://\" )\n")
                .append("        ;;\n")
                .append("    esac\n")
                .append("  fi\n")
                .append("  if [[ -n \"${BASH_VERSION:-}\" && \"$word\" == *:* && \"$COMP_WORDBREAKS\" == *:* ]]; then\n")
                .append("    local prefix=${word%\"${word##*:}\"}\n")
                .append("    reply=( \"${reply[@]#\"$prefix\"}\" )\n")
                .append("  fi\n")
                .append("  COMPREPLY=( \"${reply[@]}\" )\n")
                .append("  # no space after a transport prefix or a directory: the name goes on\n")
                .append("  if [[ -n \"${BASH_VERSION:-}\" ]] && type compopt &>/dev/null; then compopt -o nospace; fi\n")
                .append("}\n");
        int footer = script.lastIndexOf("\n# Define a completion specification");
        if (footer < 0) {
            return script + extra;
        }
        return script.substring(0, footer) + "\n" + extra + script.substring(footer);
    }

    /** The zsh script: the bash script, which sets up bashcompinit itself when run by zsh. */
    static String zsh(CommandLine root) {
        return "# zsh completion for " + root.getCommandName() + ": load with\n"
                + "#   source <(" + root.getCommandName() + " completion zsh)\n"
                + bash(root);
    }

    private static String bashify(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (Character.isLetterOrDigit(c) || c == '_') {
                sb.append(c);
            } else if (Character.isSpaceChar(c)) {
                sb.append('_');
            }
        }
        return sb.toString();
    }

    // ---- fish ----

    /** The fish completion script, written from the command model. */
    static String fish(CommandLine root) {
        String cmd = root.getCommandName();
        CommandSpec rootSpec = root.getCommandSpec();
        StringBuilder sb = new StringBuilder();
        sb.append("# fish completion for ").append(cmd).append(", generated from its command line model.\n")
                .append("# Load with `").append(cmd).append(" completion fish | source`, or install as\n")
                .append("# ~/.config/fish/completions/").append(cmd).append(".fish\n")
                .append("complete -c ").append(cmd).append(" -e\n")
                .append("complete -c ").append(cmd).append(" -f\n\n");
        sb.append("function __").append(cmd).append("_images --description 'image names: transport:reference'\n")
                .append("    set -l tok (commandline -ct)\n")
                .append("    if string match -q -- '*:*' $tok\n")
                .append("        set -l parts (string split -m 1 : -- $tok)\n")
                .append("        switch $parts[1]\n")
                .append("            case ").append(String.join(" ", PATH_TRANSPORTS)).append('\n')
                .append("                for f in (__fish_complete_path $parts[2])\n")
                .append("                    printf '%s:%s\\n' $parts[1] $f\n")
                .append("                end\n")
                .append("            case docker\n")
                .append("                echo docker://\n")
                .append("        end\n")
                .append("    else\n")
                .append("        printf '%s\\n' ").append(String.join(" ", transportPrefixes())).append('\n')
                .append("    end\n")
                .append("end\n\n");

        List<String> visible = new ArrayList<>();
        for (CommandLine sub : root.getSubcommands().values()) {
            if (!sub.getCommandSpec().usageMessage().hidden() && !visible.contains(sub.getCommandName())) {
                visible.add(sub.getCommandName());
            }
        }
        String noCommand = "__fish_use_subcommand";
        for (String name : visible) {
            CommandSpec spec = root.getSubcommands().get(name).getCommandSpec();
            sb.append("complete -c ").append(cmd).append(" -n ").append(noCommand).append(" -a ").append(name)
                    .append(" -d ").append(quote(firstLine(spec.usageMessage().description()))).append('\n');
        }
        sb.append('\n');
        for (OptionSpec o : rootSpec.options()) {
            if (o.hidden()) {
                continue;
            }
            // options every command inherits go everywhere; the root's own ones before a command only
            boolean inherited = o.scopeType() == CommandLine.ScopeType.INHERIT;
            sb.append(option(cmd, inherited ? null : noCommand, o));
        }
        for (String name : visible) {
            CommandSpec spec = root.getSubcommands().get(name).getCommandSpec();
            String cond = "'__fish_seen_subcommand_from " + name + "'";
            sb.append('\n');
            for (OptionSpec o : spec.options()) {
                if (!o.hidden() && !o.inherited()) {
                    sb.append(option(cmd, cond, o));
                }
            }
            if (takesImages(spec)) {
                sb.append("complete -c ").append(cmd).append(" -n ").append(cond).append(" -a '(__").append(cmd)
                        .append("_images)'\n");
            } else if (takesFiles(spec)) {
                sb.append("complete -c ").append(cmd).append(" -n ").append(cond).append(" -F\n");
            } else if (name.equals("help")) {
                sb.append("complete -c ").append(cmd).append(" -n ").append(cond).append(" -a ")
                        .append(quote(String.join(" ", visible.stream().filter(v -> !v.equals("help")).toList())))
                        .append('\n');
            }
        }
        return sb.toString();
    }

    private static String option(String cmd, String condition, OptionSpec o) {
        StringBuilder sb = new StringBuilder("complete -c ").append(cmd);
        if (condition != null) {
            sb.append(" -n ").append(condition);
        }
        for (String n : o.names()) {
            if (n.startsWith("--")) {
                sb.append(" -l ").append(n.substring(2));
            } else if (n.length() == 2) {
                sb.append(" -s ").append(n.substring(1));
            } else {
                sb.append(" -o ").append(n.substring(1));
            }
        }
        boolean flag = o.arity().max() == 0 || (o.arity().min() == 0 && isBoolean(o));
        if (!flag) {
            sb.append(pathOption(o) ? " -r -F" : " -x");
        }
        String d = firstLine(o.description());
        if (!d.isEmpty()) {
            sb.append(" -d ").append(quote(d));
        }
        return sb.append('\n').toString();
    }

    private static boolean isBoolean(OptionSpec o) {
        return o.type() == Boolean.class || o.type() == Boolean.TYPE;
    }

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_.-]*)}");

    private static String firstLine(String[] description) {
        if (description == null || description.length == 0) {
            return "";
        }
        String d = description[0];
        // picocli variables in help texts (e.g. ${XDG_RUNTIME_DIR}) are shown as the shell would write them
        Matcher m = VARIABLE.matcher(d);
        return m.replaceAll(r -> Matcher.quoteReplacement("$" + r.group(1).toUpperCase(Locale.ROOT)));
    }

    /** A fish single-quoted string. */
    static String quote(String s) {
        return "'" + s.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
