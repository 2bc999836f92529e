package dev.kopi.reference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.error.InvalidReferenceException;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Compares the hand-written matcher with the upstream regular expressions (containers/image docker/reference
 * regexp.go, evaluated by java.util.regex, whose leftmost-first submatch semantics equal Go's for these patterns)
 * on many random short strings.
 */
class DockerReferenceRegexDifferentialTest {
    private static final String ALPHA_NUMERIC = "[a-z0-9]+";
    // Upstream writes [-]* here; an empty separator between two alphanumeric runs only makes a longer run, so [-]+
    // is the same language, and it keeps java.util.regex from backtracking exponentially on long runs.
    private static final String SEPARATOR = "(?:[._]|__|[-]+)";
    private static final String DOMAIN_COMPONENT = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private static final String TAG = "[\\w][\\w.-]{0,127}";
    private static final String DIGEST = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";
    private static final String NAME_COMPONENT = ALPHA_NUMERIC + "(?:(?:" + SEPARATOR + ALPHA_NUMERIC + ")+)?";
    private static final String DOMAIN =
            DOMAIN_COMPONENT + "(?:(?:\\." + DOMAIN_COMPONENT + ")+)?" + "(?::[0-9]+)?";
    private static final String NAME = "(?:" + DOMAIN + "/)?" + NAME_COMPONENT + "(?:(?:/" + NAME_COMPONENT + ")+)?";
    private static final Pattern REFERENCE =
            Pattern.compile("(" + NAME + ")(?::(" + TAG + "))?(?:@(" + DIGEST + "))?");
    private static final Pattern ANCHORED_NAME = Pattern.compile(
            "(?:(" + DOMAIN + ")/)?(" + NAME_COMPONENT + "(?:(?:/" + NAME_COMPONENT + ")+)?)");

    private static final String[] PIECES = {
        "a", "b", "z", "0", "9", "A", "Q", ".", "_", "__", "-", "--", ":", ":5000", "/", "@", "localhost",
        "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "foo+bar:0123456789abcdef0123456789abcdef",
        "x.y:0123456789ABCDEF0123456789ABCDEF", "é", " ",
    };

    /** What the upstream regexps make of s: "domain|path|tag|digest", or "uppercase" / "invalid". */
    private static String viaRegex(String s) {
        Matcher m = REFERENCE.matcher(s);
        if (!m.matches()) {
            if (REFERENCE.matcher(s.toLowerCase(java.util.Locale.ROOT)).matches()) {
                return "uppercase";
            }
            return "invalid";
        }
        Matcher n = ANCHORED_NAME.matcher(m.group(1));
        assertThat(n.matches()).isTrue();
        return (n.group(1) == null ? "" : n.group(1)) + "|" + n.group(2) + "|" + m.group(2) + "|" + m.group(3);
    }

    private static String viaKopi(String s) {
        try {
            DockerReference r = DockerReference.parse(s);
            return r.domain() + "|" + r.path() + "|" + r.tag().orElse(null) + "|"
                    + r.digest().map(Object::toString).orElse(null);
        } catch (InvalidReferenceException e) {
            return switch (e.getMessage()) {
                case "repository name must be lowercase" -> "uppercase";
                case "invalid reference format" -> "invalid";
                default -> "other:" + e.getMessage();
            };
        }
    }

    @Test
    void matcherAgreesWithUpstreamRegexps() {
        Random rnd = new Random(42);
        int agreedValid = 0;
        for (int i = 0; i < 100_000; i++) {
            StringBuilder b = new StringBuilder();
            int n = 1 + rnd.nextInt(8);
            for (int k = 0; k < n; k++) {
                b.append(PIECES[rnd.nextInt(PIECES.length)]);
            }
            String s = b.toString();
            String expected = viaRegex(s);
            String actual = viaKopi(s);
            if (actual.startsWith("other:")) {
                // A digest go-digest refuses (bad length, unknown algorithm): the regexps accepted the syntax.
                assertThat(expected).as(s).contains("|");
                continue;
            }
            assertThat(actual).as(s).isEqualTo(expected);
            if (expected.contains("|")) {
                agreedValid++;
            }
        }
        assertThat(agreedValid).isGreaterThan(2_000);
    }
}
