package dev.kopi.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** GoJson writes what Go's encoding/json (Marshal, MarshalIndent) writes. */
class GoJsonTest {
    private static String marshal(Object v) {
        return new String(GoJson.marshal(v), StandardCharsets.UTF_8);
    }

    private static String quoted(String s) {
        StringBuilder sb = new StringBuilder();
        GoJson.quote(sb, s);
        return sb.toString();
    }

    @Test
    void htmlCharactersAreEscapedAsGoDoes() {
        assertThat(quoted("<a href=\"x\">&amp;</a>"))
                .isEqualTo("\"\\u003ca href=\\\"x\\\"\\u003e\\u0026amp;\\u003c/a\\u003e\"");
        // in keys too
        assertThat(marshal(Map.of("a<b", "c>d"))).isEqualTo("{\"a\\u003cb\":\"c\\u003ed\"}");
    }

    @Test
    void lineAndParagraphSeparatorsAreEscaped() {
        assertThat(quoted("a\u2028b\u2029c")).isEqualTo("\"a\\u2028b\\u2029c\"");
    }

    @Test
    void controlCharacters() {
        // \n \r \t (and, since Go 1.22, \b \f) get short escapes; other C0 controls as four-digit hex escapes; DEL passes through.
        assertThat(quoted("\n\r\t\b\f")).isEqualTo("\"\\n\\r\\t\\b\\f\"");
        assertThat(quoted("\u0000\u0001\u001f")).isEqualTo("\"\\u0000\\u0001\\u001f\"");
        assertThat(quoted("\u0007\u000b\u001b")).isEqualTo("\"\\u0007\\u000b\\u001b\"");
        assertThat(quoted("\u007f")).isEqualTo("\"\u007f\"");
        assertThat(quoted("\\\"/")).isEqualTo("\"\\\\\\\"/\"");
    }

    @Test
    void nonAsciiIsWrittenAsUtf8() {
        assertThat(GoJson.marshal("é€😀")).isEqualTo("\"é€😀\"".getBytes(StandardCharsets.UTF_8));
        assertThat(GoJson.marshal("\u00a0\u0085")).isEqualTo("\"\u00a0\u0085\"".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void invalidUtf16BecomesTheReplacementCharacter() {
        // Go replaces invalid UTF-8 with \ufffd; a lone surrogate is Java's equivalent.
        assertThat(quoted("a\ud800b")).isEqualTo("\"a\\ufffdb\"");
        assertThat(quoted("a\udc00")).isEqualTo("\"a\\ufffd\"");
        assertThat(quoted("\ud800")).isEqualTo("\"\\ufffd\"");
    }

    @Test
    void goMapsAreSortedByKey() {
        Map<String, Object> m = new HashMap<>();
        for (String k : List.of("b", "a", "B", "aa", "a.b", "a_b", "10", "9")) {
            m.put(k, 1);
        }
        assertThat(marshal(GoJson.goMap(m)))
                .isEqualTo("{\"10\":1,\"9\":1,\"B\":1,\"a\":1,\"a.b\":1,\"a_b\":1,\"aa\":1,\"b\":1}");
        assertThat(GoJson.goMap(null)).isNull();
    }

    @Test
    void goMapKeysSortAsUtf8Bytes() {
        // Go sorts map keys by their UTF-8 bytes, i.e. by code point: U+FFFD (EF BF BD) before U+1F600 (F0 9F 98 80),
        // although Java's String order (UTF-16 units) puts the surrogate pair first.
        Map<String, Object> m = Map.of("\ufffd", 1, "\ud83d\ude00", 2, "\uff21", 3);
        assertThat(marshal(GoJson.goMap(m))).isEqualTo("{\"\uff21\":3,\"\ufffd\":1,\"\ud83d\ude00\":2}");
    }

    @Test
    void structOrderIsInsertionOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("z", 1);
        m.put("a", 2);
        assertThat(marshal(m)).isEqualTo("{\"z\":1,\"a\":2}");
    }

    @Test
    void nullAndEmptyValues() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("nilSlice", null);
        m.put("emptySlice", List.of());
        m.put("emptyMap", Map.of());
        m.put("emptyString", "");
        m.put("list", Arrays.asList("a", null));
        assertThat(marshal(m)).isEqualTo(
                "{\"nilSlice\":null,\"emptySlice\":[],\"emptyMap\":{},\"emptyString\":\"\",\"list\":[\"a\",null]}");
        assertThat(marshal(null)).isEqualTo("null");
    }

    @Test
    void numbersAndBooleans() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("int", 2);
        m.put("long", 1L << 40);
        m.put("neg", -5L);
        m.put("t", true);
        m.put("f", false);
        assertThat(marshal(m)).isEqualTo("{\"int\":2,\"long\":1099511627776,\"neg\":-5,\"t\":true,\"f\":false}");
    }

    @ParameterizedTest
    @CsvSource({
        "0.0, 0",
        "1.0, 1",
        "-2.0, -2",
        "0.5, 0.5",
        "123.456, 123.456",
        "0.000001, 0.000001",
        "1.0E20, 100000000000000000000",
        // Go switches to exponent form below 1e-6 and from 1e21 on, and trims "e-07" to "e-7"
        "1.0E-7, 1e-7",
        "1.5E-7, 1.5e-7",
        "1.0E21, 1e+21",
        "1.2345E22, 1.2345e+22",
        "-1.0E-10, -1e-10",
        "1.0E-100, 1e-100",
    })
    void floatsAsGo(double d, String expected) {
        assertThat(marshal(d)).isEqualTo(expected);
    }

    @Test
    void rawJsonIsInsertedVerbatim() {
        assertThat(marshal(List.of(new GoJson.Raw("{\"a\":1}")))).isEqualTo("[{\"a\":1}]");
    }

    @Test
    void marshalIndentAsGo() {
        Map<String, Object> inner = new LinkedHashMap<>();
        inner.put("x", List.of(1, 2));
        inner.put("empty", List.of());
        inner.put("emptyObj", Map.of());
        inner.put("nil", null);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("Name", "a<b");
        m.put("Inner", inner);
        m.put("List", List.of(Map.of("k", "v")));
        String expected = String.join("\n",
                "{",
                "    \"Name\": \"a\\u003cb\",",
                "    \"Inner\": {",
                "        \"x\": [",
                "            1,",
                "            2",
                "        ],",
                "        \"empty\": [],",
                "        \"emptyObj\": {},",
                "        \"nil\": null",
                "    },",
                "    \"List\": [",
                "        {",
                "            \"k\": \"v\"",
                "        }",
                "    ]",
                "}");
        assertThat(GoJson.marshalIndent(m, "    ")).isEqualTo(expected);
        assertThat(GoJson.marshalIndent(List.of(), "  ")).isEqualTo("[]");
        assertThat(GoJson.marshalIndent("s", "  ")).isEqualTo("\"s\"");
        assertThat(GoJson.marshalIndent(List.of("a"), "\t")).isEqualTo("[\n\t\"a\"\n]");
    }

    @Test
    void otherObjectsAreWrittenAsTheirString() {
        assertThat(marshal(new ArrayList<>(List.of(java.nio.file.Path.of("/a/b"))))).isEqualTo("[\"/a/b\"]");
    }
}
