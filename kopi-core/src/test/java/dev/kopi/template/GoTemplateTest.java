package dev.kopi.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The engine on its own (Go's text/template semantics), over data decoded from JSON. */
class GoTemplateTest {
    static final Object DATA;

    static {
        try {
            DATA = JsonModel.fromJson(new ObjectMapper().readTree("""
                    {"name": "img", "n": 3, "big": 18446744073709551615, "f": 2.5, "e": 1234567.0,
                     "t": true, "z": null, "empty": "", "list": ["b", "a", "c"], "nums": [3, 1, 2],
                     "m": {"k2": "v2", "k1": "v1", "nested": {"x": 1}}, "objs": [{"a": 1}, {"a": 2}],
                     "html": "<a href='x'>&</a>", "none": [], "nomap": {}}
                    """));
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    static String run(String template) throws TemplateException {
        return GoTemplate.parse("t", template).execute(DATA);
    }

    static List<Arguments> outputs() {
        return Cases.parse("""
                plain text ⇒ plain text
                {{.name}}-{{.n}}-{{.f}}-{{.t}}-{{.e}} ⇒ img-3-2.5-true-1.234567e+06
                {{.big}} ⇒ 18446744073709551615
                # a JSON null is a nil interface: the pipeline yields no value
                {{.z}}|{{.missing}}|{{.m.nope}}|{{.m.nested.x}} ⇒ <no value>|<no value>|<no value>|1
                {{.m}} ⇒ map[k1:v1 k2:v2 nested:map[x:1]]
                {{.list}} {{.nums}} {{.objs}} {{.none}} {{.nomap}} ⇒ [b a c] [3 1 2] [map[a:1] map[a:2]] [] map[]
                {{index .m "k1"}}{{index .m "nope"}}|{{index .objs 1 "a"}}|{{index "abc" 1}} ⇒ v1<no value>|2|98
                {{slice .list 1}}{{slice .list 1 2}}{{slice .list}}{{slice "héllo" 1 3}} ⇒ [a c][a][b a c]é
                {{len .list}}{{len .m}}{{len "héllo"}}{{len .none}} ⇒ 3360
                {{range .list}}<{{.}}>{{end}} ⇒ <b><a><c>
                {{range $i, $v := .nums}}{{$i}}={{$v}} {{end}} ⇒ 0=3 1=1 2=2\s
                {{range $k, $v := .m}}{{$k}};{{end}} ⇒ k1;k2;nested;
                {{range $v := .m}}{{$v}};{{end}} ⇒ v1;v2;map[x:1];
                {{range .none}}x{{else}}none{{end}}{{range .missing}}x{{else}}missing{{end}} ⇒ nonemissing
                {{range 3}}{{.}}{{end}} ⇒ 012
                {{range $i, $e := .list}}{{if eq $i 1}}{{continue}}{{end}}{{if eq $i 2}}{{break}}{{end}}{{$e}}{{end}}! ⇒ b!
                {{$x := 0}}{{range .nums}}{{$x = .}}{{end}}{{$x}} ⇒ 2
                {{with $y := .name}}{{$y}}{{.}}{{end}} ⇒ imgimg
                {{with .missing}}a{{else with .name}}b{{.}}{{end}} ⇒ bimg
                {{if and .t .n}}y{{end}}{{if or .empty .z}}y{{else}}n{{end}}{{if not .none}}e{{end}} ⇒ yne
                {{and 1 0 "x"}} {{or 0 "" "x"}} {{and 1 2}} {{or 0 ""}} ⇒ 0 x 2\s
                {{eq .n 3}} {{eq .name "a" "img"}} {{ne .n 4}} {{lt .n 4}} {{le 3 3}} {{gt "b" "a"}} {{ge 2.5 .f}} ⇒ true true true true true true true
                {{eq .missing "x"}} {{eq .big 1}} ⇒ false false
                {{"x" | printf "%s-%s" "y"}} ⇒ y-x
                {{.name | len | printf "%03d"}} ⇒ 003
                {{(.m).k1}} {{(index .objs 0).a}} ⇒ v1 1
                {{printf "%v %+v %#v" .list .n .name}} ⇒ [b a c] 3 "img"
                {{printf "%6.2f|%-6d|%06d|%x|%X|%q|%c|%U" 3.14159 42 -42 "hi" 3054 'x' 0x1F600 0x1F600}} ⇒   3.14|42    |-00042|6869|BEE|'x'|😀|U+1F600
                {{printf "%e %E %.3g %g %g %g" 123456.789 0.000123 1234.5678 100000.0 1e-7 1e21}} ⇒ 1.234568e+05 1.230000E-04 1.23e+03 100000 1e-07 1e+21
                {{printf "%v %v %v %.1f" 0.1 -0.0 1e100 0.05}} ⇒ 0.1 -0 1e+100 0.1
                {{printf "%5t|%-7v|%q" true .t .list}} ⇒  true|true   |["b" "a" "c"]
                # checked with skopeo 1.9.3: %!!(MISSING) and %!(NOVERB)
                {{printf "%d%%"}} {{printf "%!"}} {{printf "%"}} {{printf "%z" 1}} {{printf "%d" 1 2}} ⇒ %!d(MISSING)% %!!(MISSING) %!(NOVERB) %!z(int=1) 1%!(EXTRA int=2)
                {{printf "%s" .nums}} {{printf "%d" .list}} ⇒ [%!s(int=3) %!s(int=1) %!s(int=2)] [%!d(string=b) %!d(string=a) %!d(string=c)]
                {{printf "%[2]s %[1]s" "a" "b"}} {{printf "%*d|%.*f" 4 7 2 3.14159}} ⇒ b a    7|3.14
                {{printf "%x % x %#x" "hi" "hi" "hi"}} ⇒ 6869 68 69 0x6869
                {{print "a" "b" 1 2 "c"}}|{{print .list .n}}|{{println}} ⇒ ab1 2c|[b a c] 3|\\n
                # newer Go escapes = in js too (checked with skopeo 1.9.3)
                {{html .html}}|{{js .html}}|{{urlquery "a b&c/é"}} ⇒ &lt;a href=&#39;x&#39;&gt;&amp;&lt;/a&gt;|\\u003Ca href\\u003D\\'x\\'\\u003E\\u0026\\u003C/a\\u003E|a+b%26c%2F%C3%A9
                {{/* comment */}}a {{- /* trimmed */ -}} b ⇒ ab
                a  {{- 1 -}}  b  {{- 2}}  c ⇒ a1b2  c
                {{- "x" }} {{ "y" -}} ⇒ x y
                {{'a'}} {{1_000}} {{0b101}} {{0o17}} {{017}} {{0x1p4}} {{-5}} {{+3}} {{1.}} ⇒ 97 1000 5 15 15 16 -5 3 1
                {{define "item"}}[{{.}}]{{end}}{{range .list}}{{template "item" .}}{{end}} ⇒ [b][a][c]
                {{block "b" .name}}<{{.}}>{{end}} ⇒ <img>
                {{$}}{{with .m}}{{$.name}}{{end}} ⇒ map[big:18446744073709551615 e:1.234567e+06 empty: f:2.5 html:<a href='x'>&</a> list:[b a c] m:map[k1:v1 k2:v2 nested:map[x:1]] n:3 name:img nomap:map[] none:[] nums:[3 1 2] objs:[map[a:1] map[a:2]] t:true z:<nil>]img
                {{print nil}} {{printf "%v" nil}} ⇒ <nil> <nil>
                """);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("outputs")
    void executes(String template, String expected, String note) throws Exception {
        assertThat(run(template)).isEqualTo(expected);
    }

    static List<Arguments> errors() {
        return Cases.parse("""
                {{ ⇒ template: t:1: unclosed action
                {{.name ⇒ template: t:1: unclosed action
                {{.name}} {{ ⇒ template: t:1: unclosed action
                {{"abc}} ⇒ template: t:1: unterminated quoted string
                {{`abc}} ⇒ template: t:1: unterminated raw quoted string
                {{'a}} ⇒ template: t:1: unterminated character constant
                {{/* x ⇒ template: t:1: unclosed comment
                {{/* x */ .name}} ⇒ template: t:1: comment ends before closing delimiter
                # checked with skopeo 1.9.3
                {{)}} ⇒ template: t:1: unexpected ")" in command
                {{(.name}} ⇒ template: t:1: unclosed left paren
                {{3x}} ⇒ template: t:1: bad number syntax: "3x"
                {{}} ⇒ template: t:1: missing value for command
                {{if .t}}x ⇒ template: t:1: unexpected EOF
                a\\n{{else}} ⇒ template: t:2: unexpected {{else}}
                {{if .t}}{{else}}{{else}}{{end}} ⇒ template: t:1: expected end; found {{else}}
                {{range .list}}{{end}}{{break}} ⇒ template: t:1: {{break}} outside {{range}}
                {{continue}} ⇒ template: t:1: {{continue}} outside {{range}}
                {{range $a, $b, $c := .list}}{{end}} ⇒ template: t:1: too many declarations in range
                {{$a, $b := 1}} ⇒ template: t:1: too many declarations in command
                {{nofunc 1}} ⇒ template: t:1: function "nofunc" not defined
                {{.name | 3}} ⇒ template: t:1: non executable command in pipeline stage 2
                {{"x".y}} ⇒ template: t:1: unexpected . after term "\\"x\\""
                {{.name ,}} ⇒ template: t:1: unexpected "," in operand
                {{if $x := 1}}{{end}}{{$x}} ⇒ template: t:1: undefined variable "$x"
                {{template "nope"}} ⇒ template: t:1:11: executing "t" at <{{template "nope"}}>: template "nope" not defined
                # values from a map[string]interface {} have the static type interface {}
                {{.name.x}} ⇒ template: t:1:7: executing "t" at <.name.x>: can't evaluate field x in type interface {}
                {{.z.x}} ⇒ template: t:1:4: executing "t" at <.z.x>: nil pointer evaluating interface {}.x
                # the position of a field chain is that of its second field (checked with skopeo 1.9.3)
                {{.m.k1 1}} ⇒ template: t:1:4: executing "t" at <.m.k1>: k1 is not a method but has arguments
                {{.name 1}} ⇒ template: t:1:2: executing "t" at <.name>: name is not a method but has arguments
                {{1 2}} ⇒ template: t:1:2: executing "t" at <1>: can't give argument to non-function 1
                # the context is the last node evaluated (checked with skopeo 1.9.3)
                {{range .name}}{{end}} ⇒ template: t:1:8: executing "t" at <.name>: range can't iterate over img
                {{index .list 3}} ⇒ template: t:1:2: executing "t" at <index .list 3>: error calling index: reflect: slice index out of range
                {{index .list "a"}} ⇒ template: t:1:2: executing "t" at <index .list "a">: error calling index: cannot index slice/array with type string
                {{index .m 1}} ⇒ template: t:1:2: executing "t" at <index .m 1>: error calling index: value has type int; should be string
                {{index .n 1}} ⇒ template: t:1:2: executing "t" at <index .n 1>: error calling index: can't index item of type int
                {{index .z 1}} ⇒ template: t:1:2: executing "t" at <index .z 1>: error calling index: index of untyped nil
                {{slice .list 2 1}} ⇒ template: t:1:2: executing "t" at <slice .list 2 1>: error calling slice: invalid slice index: 2 > 1
                {{slice .n 1}} ⇒ template: t:1:2: executing "t" at <slice .n 1>: error calling slice: can't slice item of type int
                {{len .n}} ⇒ template: t:1:2: executing "t" at <len .n>: error calling len: len of type int
                {{eq .m .m}} ⇒ template: t:1:2: executing "t" at <eq .m .m>: error calling eq: non-comparable type map[k1:v1 k2:v2 nested:map[x:1]]: map[string]interface {}
                {{lt .list 1}} ⇒ template: t:1:2: executing "t" at <lt .list 1>: error calling lt: invalid type for comparison
                {{eq "a" 1}} ⇒ template: t:1:2: executing "t" at <eq "a" 1>: error calling eq: incompatible types for comparison
                {{printf 1}} ⇒ template: t:1:9: executing "t" at <1>: expected string; found 1
                {{printf .n}} ⇒ template: t:1:9: executing "t" at <.n>: wrong type for value; expected string; got int
                {{not}} ⇒ template: t:1:2: executing "t" at <not>: wrong number of args for not: want 1 got 0
                {{and}} ⇒ template: t:1:2: executing "t" at <and>: wrong number of args for and: want at least 1 got 0
                {{printf}} ⇒ template: t:1:2: executing "t" at <printf>: wrong number of args for printf: want at least 1 got 0
                {{.list | len 1}} ⇒ template: t:1:10: executing "t" at <len>: wrong number of args for len: want 1 got 2
                {{range 3.5}}{{end}} ⇒ template: t:1:8: executing "t" at <3.5>: range can't iterate over 3.5
                {{range $i, $e := 3}}{{end}} ⇒ template: t:1:18: executing "t" at <3>: can't use 3 to iterate over more than one variable
                """);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errors")
    void fails(String template, String message, String note) {
        assertThatThrownBy(() -> run(template)).isInstanceOf(TemplateException.class).hasMessage(message);
    }

    @Test
    void keepsOutputWrittenBeforeAnError() {
        StringBuilder out = new StringBuilder();
        assertThatThrownBy(() -> GoTemplate.parse("t", "ok {{.name}} {{.name.x}} never").execute(DATA, out))
                .isInstanceOf(TemplateException.class);
        assertThat(out).hasToString("ok img ");
    }

    @Test
    void errorPositionsCountLinesAndUtf8Bytes() {
        assertThatThrownBy(() -> run("é\n  ü {{.name.x}}"))
                .hasMessage("template: t:2:12: executing \"t\" at <.name.x>: can't evaluate field x in type interface {}");
        assertThatThrownBy(() -> run("{{printf \"%s\" (index .list 0 1 2 3 4 5)}}"))
                .hasMessage("template: t:1:15: executing \"t\" at <index .list 0 1 2 3 ...>: error calling index: reflect: string index out of range");
    }

    @Test
    void printsTimesAsGo() throws Exception {
        GoTemplate t = GoTemplate.parse("t", "{{.}}|{{.Format \"Jan _2 03:04:05.000PM -07:00 2006\"}}|{{.UTC}}");
        assertThat(t.execute(OffsetDateTime.parse("2021-01-02T03:04:05+02:00")))
                .isEqualTo("2021-01-02 03:04:05 +0200 +0200|Jan  2 03:04:05.000AM +02:00 2021|2021-01-02 01:04:05 +0000 UTC");
        assertThat(t.execute(Instant.parse("2020-12-31T23:59:59.5Z")))
                .isEqualTo("2020-12-31 23:59:59.5 +0000 UTC|Dec 31 11:59:59.500PM +00:00 2020|2020-12-31 23:59:59.5 +0000 UTC");
        assertThat(GoJson.marshal(OffsetDateTime.parse("2021-01-02T03:04:05.120+02:00")))
                .isEqualTo("\"2021-01-02T03:04:05.12+02:00\"");
    }

    @Test
    void printsStructsAndTypedNils() throws Exception {
        GoStruct s = GoStruct.builder("x.T")
                .field("A", "a", "string")
                .field("M", GoNil.MAP, "map[string]string")
                .field("L", GoNil.SLICE, "[]string")
                .field("P", null, "*time.Time")
                .field("N", 5L, "int64")
                .build();
        GoTemplate t = GoTemplate.parse("t", "{{.}}|{{printf \"%+v\" .}}|{{.M.k}}|{{len .L}}|{{.P}}|{{printf \"%s\" .N}}");
        assertThat(t.execute(s)).isEqualTo("{a map[] [] <nil> 5}|{A:a M:map[] L:[] P:<nil> N:5}|<no value>|0|<nil>|%!s(int64=5)");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{.Nope}}").execute(s))
                .hasMessage("template: t:1:2: executing \"t\" at <.Nope>: can't evaluate field Nope in type x.T");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{.P.Year}}").execute(s))
                .hasMessage("template: t:1:4: executing \"t\" at <.P.Year>: nil pointer evaluating *time.Time.Year");
        assertThat(GoJson.marshal(s)).isEqualTo("{\"A\":\"a\",\"M\":null,\"L\":null,\"P\":null,\"N\":5}");
    }

    @Test
    void unquotesGoStringLiterals() throws Exception {
        assertThat(run("{{\"\\x41\\u00e9\\t|\\\\\\\"\"}}{{`a\\tb`}}{{'\\n'}}")).isEqualTo("A\u00e9\t|\\\"a\\tb10");
    }

    @Test
    void nilDataPrintsNoValue() throws Exception {
        assertThat(GoTemplate.parse("t", "{{.}}|{{.X}}").execute(null)).isEqualTo("<no value>|<no value>");
    }

    @Test
    void marshalsJsonLikeGo() throws Exception {
        Object v = JsonModel.fromJson(new ObjectMapper().readTree(
                "{\"b\":[1,2.5,1e21,1e-7,0.000001],\"a\":\"<&>\\u2028\\u0001\",\"c\":{},\"d\":[],\"e\":null,\"f\":true}"));
        assertThat(GoJson.marshal(v)).isEqualTo(
                "{\"a\":\"\\u003c\\u0026\\u003e\\u2028\\u0001\",\"b\":[1,2.5,1e+21,1e-7,0.000001],\"c\":{},\"d\":[],"
                        + "\"e\":null,\"f\":true}");
        assertThat(GoJson.marshalNoEscape("<&>")).isEqualTo("\"<&>\"");
        assertThat(GoJson.marshalIndent(Map.of("a", List.of(1L, 2L), "b", Map.of()), "    ")).isEqualTo(
                "{\n    \"a\": [\n        1,\n        2\n    ],\n    \"b\": {}\n}");
        assertThat(GoJson.marshal(new BigInteger("18446744073709551615"))).isEqualTo("18446744073709551615");
    }

    @Test
    void extraFunctionsAreTypeCheckedAndMayReplaceBuiltins() throws Exception {
        Map<String, GoFunc> funcs = Map.of(
                "repeat", GoFunc.of("string", a -> ((String) a.get(0)).repeat(((Number) a.get(1)).intValue()),
                        "string", "int"),
                "count", GoFunc.variadic("int", a -> (long) a.size(), "interface {}"),
                "fails", GoFunc.of("string", a -> {
                    throw new IllegalStateException("boom");
                }),
                "len", GoFunc.of("string", a -> "mine", "interface {}"));
        GoTemplate t = GoTemplate.parse("t", "{{repeat \"ab\" 2}} {{count 1 2 3}} {{count}} {{2 | repeat \"y\"}}"
                + " {{len 5}}", funcs);
        assertThat(t.execute(DATA)).isEqualTo("abab 3 0 yy mine");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{fails}}", funcs).execute(DATA))
                .hasMessage("template: t:1:2: executing \"t\" at <fails>: error calling fails: boom");
        assertThatThrownBy(() -> GoTemplate.parse("t", "{{repeat .n 1}}", funcs).execute(DATA))
                .hasMessage("template: t:1:9: executing \"t\" at <.n>: wrong type for value; expected string; got int");
    }

    @Test
    void isSafeToShareBetweenThreads() throws Exception {
        GoTemplate t = GoTemplate.parse("t", "{{range $i, $e := .}}{{$i}}{{$e}}{{end}}");
        List<String> results = IntStream.range(0, 200).parallel()
                .mapToObj(i -> {
                    try {
                        return t.execute(List.of("x" + i, "y" + i));
                    } catch (TemplateException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
        for (int i = 0; i < 200; i++) {
            assertThat(results.get(i)).isEqualTo("0x" + i + "1y" + i);
        }
    }

    @Test
    void tabWriterMatchesGoColumns() {
        TabWriter w = new TabWriter(12, 2, ' ');
        assertThat(w.format("a\tbb\tc\nlonger-than-twelve\tx\ty\nno tabs\nz\tq\n"))
                .isEqualTo("a                   bb          c\nlonger-than-twelve  x           y\nno tabs\n"
                        + "z           q\n");
        assertThat(w.format("a\tb")).isEqualTo("a           b");
        List<String> unused = new ArrayList<>(ConcurrentHashMap.newKeySet());
        assertThat(unused).isEmpty();
    }
}
