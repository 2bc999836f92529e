package dev.kopi.template;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Fields, variables and identifiers share one word scanner: each ends at a terminator or is a "bad character"
 * error (the texts skopeo 1.9.3 prints for {@code --format '{{.Foo}'} and the like).
 */
class LexerWordTest {
    @ParameterizedTest
    @ValueSource(strings = {"{{.Foo}", "{{$x}", "{{len}", "{{$}", "{{.}"})
    void wordFollowedByABadCharacter(String text) {
        assertThatThrownBy(() -> GoTemplate.parse("t", text)).isInstanceOf(TemplateException.class)
                .hasMessage("template: t:1: bad character U+007D '}'");
    }
}
