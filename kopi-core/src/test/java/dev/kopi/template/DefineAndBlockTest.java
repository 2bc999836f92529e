package dev.kopi.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {{define}} and {{block}} bodies share one parser path: the same scope rules and the same end-of-body errors. */
class DefineAndBlockTest {
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{{define \"d\"}}a{{else}}b{{end}}|template: t:1: unexpected {{else}} in define clause",
        "{{block \"b\" .}}a{{else}}b{{end}}|template: t:1: unexpected {{else}} in block clause",
        "{{$x := 1}}{{define \"d\"}}{{$x}}{{end}}|template: t:1: undefined variable \"$x\"",
        "{{$x := 1}}{{block \"b\" .}}{{$x}}{{end}}|template: t:1: undefined variable \"$x\""})
    void bodyErrors(String text, String message) {
        assertThatThrownBy(() -> GoTemplate.parse("t", text)).isInstanceOf(TemplateException.class)
                .hasMessage(message);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{{$x := 1}}{{define \"d\"}}<{{$.v}}>{{end}}{{template \"d\" .}}{{$x}}|<w>1",
        "{{$x := 2}}{{block \"b\" .}}[{{$.v}}]{{end}}{{$x}}|[w]2"})
    void bodiesSeeOnlyDollarAndKeepTheOuterScope(String text, String want) throws Exception {
        assertThat(GoTemplate.parse("t", text).execute(Map.of("v", "w"))).isEqualTo(want);
    }
}
