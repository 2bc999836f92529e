package dev.kopi.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code skopeo inspect --format} over the output of a small OCI image. Expected outputs marked "1.9.3" were
 * produced by the real skopeo 1.9.3 ({@code skopeo inspect --format F oci:img1}) on an image with these values;
 * the newest skopeo (containers/common report.Formatter, OriginUser) differs from 1.9.3 in ways noted per case:
 * its wrapper is {@code {{range .}}} (one byte shorter than 1.9.3's {@code {{range . }}}, so execution error
 * columns are one less), it only uses a tab writer for "table" formats, it has the report functions (json,
 * upper, ...), and when the normalised text fails to parse it reports the error of the un-normalised text.
 */
class SkopeoFormatTest {
    static final String DIGEST = "sha256:24c37f2aac1450f188e0193364c8f7f7523e95cf35f028837a6b5a0da6084981";
    static final String LAYER = "sha256:1e93cf090ac787e2248b4e962d9496cd6ac868a58825a9ee0e318221969db529";

    static GoStruct image() {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("zeta", "z");
        labels.put("alpha", "a<b>");
        labels.put("b.c", "dot");
        return SkopeoInspectOutput.of("", "", DIGEST, List.of(),
                OffsetDateTime.parse("2023-04-05T06:07:08.123456789Z"), "", labels, "amd64", "linux",
                List.of(LAYER),
                List.of(new SkopeoInspectOutput.Layer("application/vnd.oci.image.layer.v1.tar+gzip", LAYER, 107,
                        Map.of("k", "v"))),
                List.of("PATH=/usr/bin", "A=<b>&c"));
    }

    static String run(String format) throws TemplateException {
        return ReportFormatter.parse("skopeo inspect", format).execute(List.of(image()));
    }

    static List<Arguments> outputs() {
        return Cases.parse("""
            # 1.9.3
            {{.Os}}/{{.Architecture}} ⇒ linux/amd64\\n
            # 1.9.3
            {{.Created}} ⇒ 2023-04-05 06:07:08.123456789 +0000 UTC\\n
            # 1.9.3
            {{.Labels}}|{{.Env}}|{{.RepoTags}} ⇒ map[alpha:a<b> b.c:dot zeta:z]|[PATH=/usr/bin A=<b>&c]|[]\\n
            # 1.9.3
            {{.Labels.zeta}}{{.Labels.missing}} ⇒ z<no value>\\n
            # 1.9.3
            {{len .Layers}} {{len .Os}} {{len .Labels}} ⇒ 1 5 3\\n
            # 1.9.3
            {{index .Layers 0 | len}} ⇒ 71\\n
            # 1.9.3
            {{(index .Env 1)}}|{{.Labels | len}} ⇒ A=<b>&c|3\\n
            # 1.9.3
            {{index .Labels "missing"}}|{{index .Labels "zeta"}} ⇒ |z\\n
            # 1.9.3
            {{if eq .Labels.missing "x"}}y{{else}}n{{end}} ⇒ n\\n
            # 1.9.3
            {{slice .Os 1 3}} ⇒ in\\n
            # 1.9.3
            {{$x := 1}}{{$x = 2}}{{$x}} ⇒ 2\\n
            # 1.9.3
            {{.Labels.alpha | printf "%q"}} ⇒ "a<b>"\\n
            # 1.9.3
            {{range $k, $v := .Labels}}{{$k}}={{$v}},{{end}} ⇒ alpha=a<b>,b.c=dot,zeta=z,\\n
            # 1.9.3
            {{range $i, $e := .Env}}{{$i}}:{{$e}};{{else}}none{{end}} ⇒ 0:PATH=/usr/bin;1:A=<b>&c;\\n
            # 1.9.3
            {{range .RepoTags}}x{{else}}empty{{end}} ⇒ empty\\n
            # 1.9.3
            {{with .Labels.zeta}}[{{.}}]{{end}}{{with .Labels.nope}}y{{else}}n{{end}} ⇒ [z]n\\n
            # 1.9.3
            {{if .DockerVersion}}a{{else if .Os}}b{{else}}c{{end}} ⇒ b\\n
            # 1.9.3
            {{range .Env}}{{if eq . "PATH=/usr/bin"}}{{continue}}{{end}}{{.}}{{break}}{{end}} ⇒ A=<b>&c\\n
            # 1.9.3
            {{- /* c */ -}}  x  {{- " y " -}}  z ⇒ x y z\\n
            # 1.9.3 (which then aligned the output with a tab writer; the newest prints the tab as is)
            a\\\\tb\\\\nc ⇒ a\\tb\\nc\\n
            # 1.9.3
            {{.Created.Year}} {{.Created.Unix}} {{.Created.Format "2006-01-02T15:04:05Z07:00 Mon Jan"}} ⇒ 2023 1680674828 2023-04-05T06:07:08Z Wed Apr\\n
            # 1.9.3
            {{ 1.5 }} {{ 1e6 }} {{ 0x10 }} {{ 1e21 }} {{ 100000.0 }} {{ .000001 }} ⇒ 1.5 1e+06 16 1e+21 100000 1e-06\\n
            # 1.9.3
            {{print 1 2 "a" "b" 3 .Env}}|{{println 1 "x"}}| ⇒ 1 2ab3 [PATH=/usr/bin A=<b>&c]|1 x\\n|\\n
            # 1.9.3
            {{printf "%s|%d|%v|%q|%5s|%-5s|%x" .Os 12 .Env .Os "ab" "cd" "hi"}} ⇒ linux|12|[PATH=/usr/bin A=<b>&c]|"linux"|   ab|cd   |6869\\n
            # 1.9.3
            {{printf "%d %s" .Os}} ⇒ %!d(string=linux) %!s(MISSING)\\n
            # 1.9.3
            {{printf "%s" 3 4}} ⇒ %!s(int=3)%!(EXTRA int=4)\\n
            # 1.9.3
            {{printf "%5.2f|%e|%g|%v|%08.3f|%x|%X|%o|%b|%c|%U|%+d|% d" 3.14159 1234.5678 0.000012 2.5 -3.5 255 255 8 5 65 65 5 5}} ⇒  3.14|1.234568e+03|1.2e-05|2.5|-003.500|ff|FF|10|101|A|U+0041|+5| 5\\n
            # 1.9.3
            {{printf "%t %v %s" true false .Labels}} ⇒ true false map[alpha:a<b> b.c:dot zeta:z]\\n
            # 1.9.3
            {{printf "%10v|%-10v|%q" .Env .Os .Env}} ⇒ [PATH=/usr/bin    A=<b>&c]|linux     |["PATH=/usr/bin" "A=<b>&c"]\\n
            # 1.9.3
            {{printf "%T %T %T %T %T" .Os .Labels .Env .Created 1.5}} ⇒ string map[string]string []string *time.Time float64\\n
            # 1.9.3
            {{printf "%s" nil}} {{printf "%v" .Labels.nope}} ⇒ %!s(<nil>) <nil>\\n
            # 1.9.3
            {{print nil}} {{print .Labels.nope}} ⇒ <nil> <nil>\\n
            # newest only: report functions
            {{json .Labels}} ⇒ {"alpha":"a<b>","b.c":"dot","zeta":"z"}\\n
            {{json .Env}} {{json .RepoTags}} {{json .Created}} ⇒ ["PATH=/usr/bin","A=<b>&c"] [] "2023-04-05T06:07:08.123456789Z"\\n
            {{json .LayersData}} ⇒ [{"MIMEType":"application/vnd.oci.image.layer.v1.tar+gzip","Digest":"sha256:1e93cf090ac787e2248b4e962d9496cd6ac868a58825a9ee0e318221969db529","Size":107,"Annotations":{"k":"v"}}]\\n
            {{upper .Os}} {{lower "ABC"}} {{title "hello wide-world"}} ⇒ LINUX abc Hello Wide-World\\n
            {{join .Env ","}}|{{join (split "a:b:c" ":") "-"}} ⇒ PATH=/usr/bin,A=<b>&c|a-b-c\\n
            [{{pad .Os 2 1}}][{{pad "" 2 2}}]{{truncate .Os 3}}{{truncate .Os 9}} ⇒ [  linux ][]linlinux\\n
            {{range .LayersData}}{{.Size}} {{.MIMEType}}{{end}} ⇒ 107 application/vnd.oci.image.layer.v1.tar+gzip\\n
            # the format ranges over dot itself, so it is not wrapped (the newline is still added)
            {{range .}}{{.Os}}{{end}} ⇒ linux\\n
                """);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("outputs")
    void formatsLikeSkopeo(String format, String expected, String note) throws Exception {
        assertThat(run(format)).isEqualTo(expected);
    }

    static List<Arguments> errors() {
        return Cases.parse("""
            # 1.9.3 said 1:60 (its wrapper is one byte longer)
            {{.Created}}|{{.Labels}}|{{.Env}}|{{.Layers}}|{{.Nope}} ⇒ template: skopeo inspect:1:59: executing "skopeo inspect" at <.Nope>: can't evaluate field Nope in type interface {}
            # 1.9.3 said 1:14
            {{len .Labels.missing}} ⇒ template: skopeo inspect:1:13: executing "skopeo inspect" at <len .Labels.missing>: error calling len: reflect: call of reflect.Value.Type on zero Value
            # 1.9.3 said 1:21
            {{.Labels.zeta.foo}} ⇒ template: skopeo inspect:1:20: executing "skopeo inspect" at <.Labels.zeta.foo>: can't evaluate field foo in type string
            # 1.9.3 said 1:21
            {{.Layers.foo}} ⇒ template: skopeo inspect:1:20: executing "skopeo inspect" at <.Layers.foo>: can't evaluate field foo in type []string
            # 1.9.3 said 1:14
            {{len 3}} ⇒ template: skopeo inspect:1:13: executing "skopeo inspect" at <len 3>: error calling len: len of type int
            # 1.9.3 said 1:14
            {{index .Env 5}} ⇒ template: skopeo inspect:1:13: executing "skopeo inspect" at <index .Env 5>: error calling index: index out of range: 5
            # 1.9.3 said 1:14
            {{eq 1 1.0}} ⇒ template: skopeo inspect:1:13: executing "skopeo inspect" at <eq 1 1.0>: error calling eq: incompatible types for comparison
            # 1.9.3 said 1:40
            {{lt "a" "b"}} {{lt 1 2}} {{lt true false}} ⇒ template: skopeo inspect:1:39: executing "skopeo inspect" at <lt true false>: error calling lt: invalid type for comparison
            # 1.9.3 said 1:14
            {{nil}} ⇒ template: skopeo inspect:1:13: executing "skopeo inspect" at <nil>: nil is not a command
            # 1.9.3 (same in the newest)
            {{$y}} ⇒ template: skopeo inspect:1: undefined variable "$y"
            {{.Foo} ⇒ template: skopeo inspect:1: bad character U+007D '}'
            {{if}} ⇒ template: skopeo inspect:1: missing value for if
            # 1.9.3 said line 2 and, for the first, unexpected "{" in operand: it reported the normalised text, whose
            # appended newline ends the field; the newest re-parses the raw text and reports that error
            {{.Nope ⇒ template: skopeo inspect:1: bad character U+007B '{'
            {{end}} ⇒ template: skopeo inspect:1: unexpected {{end}}
            {{range .Env}} ⇒ template: skopeo inspect:1: unexpected EOF
            # 1.9.3 lacked the function; in the newest, join wants a []string
            {{json .Labels}}{{nope}} ⇒ template: skopeo inspect:1: function "nope" not defined
            {{upper .Digest}} ⇒ template: skopeo inspect:1:19: executing "skopeo inspect" at <.Digest>: wrong type for value; expected string; got digest.Digest
            {{truncate .Os "x"}} ⇒ template: skopeo inspect:1:26: executing "skopeo inspect" at <"x">: expected integer; found "x"
            {{join .Os ","}} ⇒ template: skopeo inspect:1:18: executing "skopeo inspect" at <.Os>: wrong type for value; expected []string; got string
            {{upper}} ⇒ template: skopeo inspect:1:13: executing "skopeo inspect" at <upper>: wrong number of args for upper: want 1 got 0
                """);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("errors")
    void errorsLikeSkopeo(String format, String message, String note) {
        assertThatThrownBy(() -> run(format))
                .isInstanceOf(TemplateException.class)
                .isInstanceOf(ImageException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            json                   | true
            '  json  '             | true
            {{json}}               | true
            {{ json. }}            | true
            {{json .}}             | false
            {{.Name}}              | false
            """)
    void detectsJsonRequests(String format, boolean json) {
        assertThat(ReportFormatter.isJson(format.replace("'", ""))).isEqualTo(json);
    }

    @org.junit.jupiter.api.Test
    void normalisesAndWrapsLikeContainersCommon() throws Exception {
        assertThat(ReportFormatter.normalizeFormat("a\\tb\\nc")).isEqualTo("a\tb\nc\n");
        assertThat(ReportFormatter.normalizeFormat("table {{.A}} {{.B}}\\t{{.C}}")).isEqualTo("{{.A}}\t{{.B}}\t{{.C}}\n");
        assertThat(ReportFormatter.enforceRange("{{.A}}")).isEqualTo("{{range .}}{{.A}}{{end -}}");
        assertThat(ReportFormatter.enforceRange("{{ range . }}{{.A}}{{ end -}}")).isEqualTo("{{ range . }}{{.A}}{{ end -}}");
        assertThat(ReportFormatter.parse("x", "{{.A}}").text()).isEqualTo("{{range .}}{{.A}}\n{{end -}}");
        // printf "\n" escapes survive through the fallback: the normalised text has a raw newline in a string
        assertThat(run("{{printf \"a\\nb\"}}")).isEqualTo("a\nb");
    }

    @org.junit.jupiter.api.Test
    void printsTheWholeStructLikeGo() throws Exception {
        // skopeo 1.9.3 printed exactly this for its Output struct, which had no LayersData field yet
        GoStruct old = GoStruct.builder("inspect.Output").field("Name", "", "string").field("Tag", "", "string")
                .field("Digest", DIGEST, "digest.Digest").field("RepoTags", List.of(), "[]string")
                .field("Created", OffsetDateTime.parse("2023-04-05T06:07:08.123456789Z"), "*time.Time")
                .field("DockerVersion", "", "string").field("Labels", image().field("Labels").value(), "map[string]string")
                .field("Architecture", "amd64", "string").field("Os", "linux", "string")
                .field("Layers", List.of(LAYER), "[]string").field("Env", image().field("Env").value(), "[]string")
                .build();
        assertThat(ReportFormatter.parse("skopeo inspect", "{{.}}").execute(List.of(old))).isEqualTo(
                "{  " + DIGEST + " [] 2023-04-05 06:07:08.123456789 +0000 UTC  map[alpha:a<b> b.c:dot zeta:z] amd64 linux ["
                        + LAYER + "] [PATH=/usr/bin A=<b>&c]}\n");
        assertThat(run("{{.LayersData}}")).isEqualTo(
                "[{application/vnd.oci.image.layer.v1.tar+gzip " + LAYER + " 107 map[k:v]}]\n");
        assertThat(run("{{json .}}")).isEqualTo("{\"Digest\":\"" + DIGEST + "\",\"RepoTags\":[],"
                + "\"Created\":\"2023-04-05T06:07:08.123456789Z\",\"DockerVersion\":\"\","
                + "\"Labels\":{\"alpha\":\"a<b>\",\"b.c\":\"dot\",\"zeta\":\"z\"},\"Architecture\":\"amd64\","
                + "\"Os\":\"linux\",\"Layers\":[\"" + LAYER + "\"],\"LayersData\":[{\"MIMEType\":"
                + "\"application/vnd.oci.image.layer.v1.tar+gzip\",\"Digest\":\"" + LAYER + "\",\"Size\":107,"
                + "\"Annotations\":{\"k\":\"v\"}}],\"Env\":[\"PATH=/usr/bin\",\"A=<b>&c\"]}\n");
    }

    @org.junit.jupiter.api.Test
    void tableFormatsAlignColumns() throws Exception {
        ReportFormatter f = ReportFormatter.parse("skopeo inspect", "table {{.Os}} {{.Architecture}} {{len .Env}}");
        assertThat(f.isTable()).isTrue();
        assertThat(f.execute(List.of(image(), image()))).isEqualTo(
                "linux       amd64       2\nlinux       amd64       2\n");
        ReportFormatter g = ReportFormatter.parse("x", "table {{.A}}\\t{{.B}}");
        assertThat(g.execute(List.of(Map.of("A", "a-very-long-value-here", "B", "b"), Map.of("A", "s", "B", "c"))))
                .isEqualTo("a-very-long-value-here  b\ns                       c\n");
    }
}
