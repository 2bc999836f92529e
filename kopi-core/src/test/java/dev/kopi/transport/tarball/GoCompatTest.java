package dev.kopi.transport.tarball;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.internal.go.GoStrconv;
import dev.kopi.json.GoJson;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GoCompatTest {
    @ParameterizedTest
    @CsvSource({"'',.", "a/b,a/b", "./a//b/,a/b", "a/../..,..", "/../a,/a", "a/./b/../c,a/c", "/,/", "..,..",
        "../../x/..,../..", "abc/def/../../..,.."})
    void cleanPath(String in, String out) {
        assertThat(GoCompat.cleanPath(in)).isEqualTo(out);
    }

    @ParameterizedTest
    @CsvSource({"a/b/c,a/b", "c,.", "/c,/", "a/b/,a/b"})
    void dirOf(String in, String out) {
        assertThat(GoCompat.dirOf(in)).isEqualTo(out);
    }

    @Test
    void joinAndAtoi() {
        assertThat(GoCompat.joinPath("a/b", "../c.tar")).isEqualTo("a/c.tar");
        assertThat(GoCompat.joinPath(".", "../c.tar")).isEqualTo("../c.tar");
        assertThat(GoCompat.atoi("+12")).isEqualTo(12);
        assertThat(GoCompat.atoi("-3")).isEqualTo(-3);
        assertThatThrownBy(() -> GoCompat.atoi("1_0")).hasMessage("strconv.Atoi: parsing \"1_0\": invalid syntax");
        assertThatThrownBy(() -> GoCompat.atoi("-")).hasMessage("strconv.Atoi: parsing \"-\": invalid syntax");
    }

    @Test
    void quote() {
        assertThat(GoStrconv.quote("a\"b\\c\n\u0001é")).isEqualTo("\"a\\\"b\\\\c\\n\\x01é\"");
    }

    @Test
    void jsonStringsAsGo119() {
        assertThat(GoCompat.jsonString("<a&b>\"\\\n\t\b\u2028é")).isEqualTo(
                "\"\\u003ca\\u0026b\\u003e\\\"\\\\\\n\\t\\u0008\\u2028é\"");
    }

    @Test
    void compactEscapesHtml() {
        byte[] raw = "{ \"a\" : [1, 2,\n\"<x> & \\\" y\u2029\"] }".getBytes(StandardCharsets.UTF_8);
        assertThat(new String(GoJson.compactHtml(raw, 0, raw.length), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":[1,2,\"\\u003cx\\u003e \\u0026 \\\" y\\u2029\"]}");
    }

    @Test
    void jsonFieldMatchesLikeTheTarballReadersDid() throws Exception {
        com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                "{\"MediaType\":1,\"mediatype\":2,\"rootfs\":3,\"ROOTFS\":4,\"x\":5}");
        assertThat(GoCompat.jsonField(n, "mediaType").asInt()).isEqualTo(2); // last case-insensitive match
        assertThat(GoCompat.jsonField(n, "rootfs").asInt()).isEqualTo(3); // exact match first
        assertThat(GoCompat.jsonField(n, "RootFS").asInt()).isEqualTo(4);
        assertThat(GoCompat.jsonField(n, "y")).isNull();
        assertThat(GoCompat.jsonField(n.get("x"), "x")).isNull();
    }
}
