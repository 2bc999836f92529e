package dev.kopi.internal.go;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The merged strconv helpers. The quote cases are where the four former copies disagreed: logrus's copy kept
 * U+00A0, U+200D, U+2028 and private-use characters literal; skopeo 1.9.3 escapes all of them (checked with
 * {@code skopeo inspect "dir:/nonexistent/a<U+200D>b<U+00A0>c..."}, which prints each as backslash-u and four
 * lower-case hex digits).
 */
class GoStrconvTest {
    static Stream<Arguments> quote() {
        return Stream.of(
                arguments("\b\f\u0007\u000b", "\"\\b\\f\\a\\v\""),
                arguments("\u0000\u001b\u007f", "\"\\x00\\x1b\\x7f\""),
                arguments("a\u200db", "\"a\\u200db\""),
                arguments("\u00a0\u00ad\u2028\u2029\ue000", "\"\\u00a0\\u00ad\\u2028\\u2029\\ue000\""),
                arguments("\u0085\u009f", "\"\\u0085\\u009f\""),
                arguments("\udb80\udc00", "\"\\U000f0000\""), // plane-15 private use: 8 hex digits
                arguments("\uD83D\uDE00", "\"\uD83D\uDE00\""), // printable outside the BMP: kept
                arguments("x\uD800y\uDC00", "\"x\\ufffdy\\ufffd\""), // lone surrogates: Go's invalid rune
                arguments("\u00e9\u2603 'q'", "\"\u00e9\u2603 'q'\""),
                arguments("\u00c9\u00ff", "\"\u00c9\u00ff\""));
    }

    @ParameterizedTest
    @MethodSource
    void quote(String in, String want) {
        assertThat(GoStrconv.quote(in)).isEqualTo(want);
    }

    @Test
    void quoteWithOtherQuoteAndAsciiOnly() {
        assertThat(GoStrconv.quoteRune('\'')).isEqualTo("'\\''");
        assertThat(GoStrconv.quoteRune('"')).isEqualTo("'\"'");
        assertThat(GoStrconv.quoteRune(0x1F600)).isEqualTo("'\uD83D\uDE00'");
        assertThat(GoStrconv.quoteWith("\u00e9\uD83D\uDE00\u0001", '"', true)).isEqualTo("\"\\u00e9\\U0001f600\\x01\"");
    }

    @ParameterizedTest
    @CsvSource({"32,true", "126,true", "127,false", "31,false", "160,false", "173,false", "8205,false",
        "233,true", "12288,false", "57344,false", "888,false", "128512,true"})
    void isPrint(int cp, boolean printable) {
        assertThat(GoStrconv.isPrint(cp)).isEqualTo(printable);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.1|64|g|-1|0.1", "0.1|32|g|-1|0.1", "1e21|64|g|-1|1e+21", "100000|64|g|-1|100000",
        "1234567|64|g|-1|1.234567e+06", "0.00001|64|g|-1|1e-05", "-0.0|64|f|-1|-0", "2.5|64|f|0|2",
        "3.5|64|f|0|4", "1.5|64|e|3|1.500e+00", "123456789|64|E|-1|1.23456789E+08", "0.002|64|f|-1|0.002",
        "1e23|64|g|-1|1e+23", "NaN|64|g|-1|NaN", "-Infinity|32|e|3|-Inf", "5e-324|64|g|-1|5e-324",
        "1.7976931348623157e308|64|g|-1|1.7976931348623157e+308"})
    void formatFloat(double v, int bits, char fmt, int prec, String want) {
        assertThat(GoStrconv.formatFloat(v, bits, fmt, prec)).isEqualTo(want);
    }
}
