package dev.kopi.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The one encoding/json string and number encoder, at the points where its three former copies (this class,
 * template.GoJson, tarball.GoCompat) differed: HTML escaping on/off, the Go 1.19 dialect for backspace and form
 * feed, unpaired surrogates, hex case, float formatting.
 */
class GoJsonEncodingTest {
    private static String str(String s, boolean html) {
        StringBuilder b = new StringBuilder();
        GoJson.appendString(b, s, html);
        return b.toString();
    }

    private static String go119(String s) {
        StringBuilder b = new StringBuilder();
        GoJson.appendStringGo119(b, s);
        return b.toString();
    }

    static Stream<Arguments> strings() {
        // input, HTML-escaped (json.Marshal), not HTML-escaped (SetEscapeHTML(false)), Go 1.19 dialect
        return Stream.of(
                arguments("<a&b>", "\"\\u003ca\\u0026b\\u003e\"", "\"<a&b>\"", "\"\\u003ca\\u0026b\\u003e\""),
                arguments("\b\f", "\"\\b\\f\"", "\"\\b\\f\"", "\"\\u0008\\u000c\""),
                arguments("\"\\\n\r\t", "\"\\\"\\\\\\n\\r\\t\"", "\"\\\"\\\\\\n\\r\\t\"", "\"\\\"\\\\\\n\\r\\t\""),
                arguments("\u0000\u001b\u001f", "\"\\u0000\\u001b\\u001f\"", "\"\\u0000\\u001b\\u001f\"",
                        "\"\\u0000\\u001b\\u001f\""),
                arguments("\u2028\u2029", "\"\\u2028\\u2029\"", "\"\\u2028\\u2029\"", "\"\\u2028\\u2029\""),
                arguments("\u007f\u00e9\u00ad", "\"\u007f\u00e9\u00ad\"", "\"\u007f\u00e9\u00ad\"",
                        "\"\u007f\u00e9\u00ad\""),
                arguments("\uD83D\uDE00", "\"\uD83D\uDE00\"", "\"\uD83D\uDE00\"", "\"\uD83D\uDE00\""),
                // unpaired surrogates are Go's invalid UTF-8: the escape text, not the U+FFFD character
                arguments("a\uD800b\uDC00\uDC00\uD800", "\"a\\ufffdb\\ufffd\\ufffd\\ufffd\"",
                        "\"a\\ufffdb\\ufffd\\ufffd\\ufffd\"", "\"a\\ufffdb\\ufffd\\ufffd\\ufffd\""));
    }

    @ParameterizedTest
    @MethodSource
    void strings(String in, String html, String noHtml, String go119) {
        assertThat(str(in, true)).isEqualTo(html);
        assertThat(str(in, false)).isEqualTo(noHtml);
        assertThat(go119(in)).isEqualTo(go119);
        StringBuilder q = new StringBuilder();
        GoJson.quote(q, in);
        assertThat(q.toString()).isEqualTo(html);
        assertThat(new String(GoJson.marshal(in), StandardCharsets.UTF_8)).isEqualTo(html);
    }

    @Test
    void templateEncoderSharesTheStringEncoding() throws Exception {
        String s = "<\b\u2028\uD800>";
        assertThat(dev.kopi.template.GoJson.marshal(s)).isEqualTo(str(s, true));
        assertThat(dev.kopi.template.GoJson.marshalNoEscape(s)).isEqualTo(str(s, false));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0|64|0", "-0.0|64|-0", "1|64|1", "0.1|64|0.1", "1e20|64|100000000000000000000", "1e21|64|1e+21",
        "123456789012345678|64|123456789012345680", "0.000001|64|0.000001", "0.0000001|64|1e-7",
        "1.5e-300|64|1.5e-300", "0.002|64|0.002", "1e23|64|1e+23", "0.1|32|0.1",
        "3.4028234663852886e38|32|3.4028235e+38",
        "0.30000001192092896|32|0.3"})
    void floats(double v, int bits, String want) {
        assertThat(GoJson.formatFloat(v, bits)).isEqualTo(want);
    }

    @Test
    void floatsThatJsonCannotHold() {
        assertThatThrownBy(() -> GoJson.formatFloat(Double.NaN, 64)).hasMessage("json: unsupported value: NaN");
        assertThatThrownBy(() -> GoJson.formatFloat(Double.NEGATIVE_INFINITY, 64))
                .hasMessage("json: unsupported value: -Inf");
    }

    @Test
    void marshalValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1.5f);
        m.put("a", List.of(2.0, 3L, -0.0));
        m.put("m", GoJson.goMap(Map.of("y", "<", "x", "")));
        assertThat(new String(GoJson.marshal(m), StandardCharsets.UTF_8))
                .isEqualTo("{\"z\":1.5,\"a\":[2,3,-0],\"m\":{\"x\":\"\",\"y\":\"\\u003c\"}}");
        assertThat(GoJson.marshalIndent(m, "  ")).isEqualTo(
                "{\n  \"z\": 1.5,\n  \"a\": [\n    2,\n    3,\n    -0\n  ],\n  \"m\": {\n    \"x\": \"\",\n"
                        + "    \"y\": \"\\u003c\"\n  }\n}");
    }
}
