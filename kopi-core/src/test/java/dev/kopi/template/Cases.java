package dev.kopi.template;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.provider.Arguments;

/**
 * Reads test tables written as text blocks: one case per line, {@code input ⇒ expected}; lines starting with
 * {@code #} are comments. In both columns {@code \n} and {@code \t} (backslash + letter) stand for newline and tab,
 * and {@code \\} for one backslash, so cases stay on one line.
 */
final class Cases {
    private Cases() {
    }

    static List<Arguments> parse(String block) {
        List<Arguments> out = new ArrayList<>();
        String comment = "";
        for (String line : block.split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            if (line.strip().startsWith("#")) {
                comment = line.strip().substring(1).strip();
                continue;
            }
            int i = line.indexOf(" ⇒ ");
            if (i < 0) {
                throw new IllegalArgumentException("no ⇒ in " + line);
            }
            String in = unescape(line.substring(0, i).strip());
            String expected = unescape(line.substring(i + 3));
            out.add(Arguments.of(in, expected, comment));
            comment = "";
        }
        return out;
    }

    static String unescape(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(i + 1);
                if (n == 'n') {
                    b.append('\n');
                    i++;
                    continue;
                }
                if (n == 't') {
                    b.append('\t');
                    i++;
                    continue;
                }
                if (n == '\\') {
                    b.append('\\');
                    i++;
                    continue;
                }
            }
            b.append(c);
        }
        return b.toString();
    }
}
