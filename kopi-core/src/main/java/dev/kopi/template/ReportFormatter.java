package dev.kopi.template;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code --format} handling of skopeo (containers/common {@code pkg/report}, "OriginUser"): {@code \t} and
 * {@code \n} escapes are turned into characters and a final newline is added; the template is wrapped in
 * {@code {{range .}}...{{end -}}} unless it already ranges over dot; a {@code table } prefix turns spaces into
 * tabs and aligns columns with a tab writer; the functions join, json, lower, pad, split, title, truncate and
 * upper are available. If the normalised text does not parse, the text without normalisation is tried, and its
 * error is the one reported.
 */
public final class ReportFormatter {
    private static final Pattern JSON = Pattern.compile("^[\\t\\n\\f\\r ]*(json|\\{\\{[\\t\\n\\f\\r ]*json\\.?"
            + "[\\t\\n\\f\\r ]*}})[\\t\\n\\f\\r ]*$");
    private static final Pattern RANGE = Pattern.compile("(?s)\\{\\{[\\t\\n\\f\\r ]*range[\\t\\n\\f\\r ]*\\."
            + "[\\t\\n\\f\\r ]*}}.*\\{\\{[\\t\\n\\f\\r ]*end[\\t\\n\\f\\r ]*-?[\\t\\n\\f\\r ]*}}");

    private static final Map<String, GoFunc> DEFAULT_FUNCS;

    static {
        Map<String, GoFunc> m = new LinkedHashMap<>();
        m.put("join", GoFunc.of("string", a -> String.join((String) a.get(1), strings(a.get(0))), "[]string",
                "string"));
        m.put("json", new GoFunc(List.of("interface {}"), false, a -> {
            String s;
            try {
                s = GoJson.marshalNoEscape(a.get(0));
            } catch (TemplateException e) {
                s = "";
            }
            return new Val(s.strip(), "string");
        }));
        m.put("lower", GoFunc.of("string", a -> lower((String) a.get(0)), "string"));
        m.put("pad", GoFunc.of("string", a -> pad((String) a.get(0), toInt(a.get(1)), toInt(a.get(2))), "string",
                "int", "int"));
        m.put("split", GoFunc.of("[]string", a -> split((String) a.get(0), (String) a.get(1)), "string", "string"));
        m.put("title", GoFunc.of("string", a -> title((String) a.get(0)), "string"));
        m.put("truncate", GoFunc.of("string", a -> truncate((String) a.get(0), toInt(a.get(1))), "string", "int"));
        m.put("upper", GoFunc.of("string", a -> upper((String) a.get(0)), "string"));
        DEFAULT_FUNCS = Collections.unmodifiableMap(m);
    }

    private final GoTemplate template;
    private final boolean table;
    private final String text;

    private ReportFormatter(GoTemplate template, boolean table, String text) {
        this.template = template;
        this.table = table;
        this.text = text;
    }

    /** containers/common's report.DefaultFuncs. */
    public static Map<String, GoFunc> defaultFuncs() {
        return DEFAULT_FUNCS;
    }

    /** report.IsJSON: "json", "{{json}}" or "{{json .}}"-less forms that ask for plain JSON output. */
    public static boolean isJson(String format) {
        return JSON.matcher(format).find();
    }

    /** report.HasTable. */
    public static boolean hasTable(String format) {
        return format.startsWith("table ");
    }

    /** report.NormalizeFormat. */
    public static String normalizeFormat(String format) {
        String f;
        if (format.startsWith("table ")) {
            f = replaceAll(format, new String[] {"table ", "", "\\t", "\t", " ", "\t", "\\n", "\n"});
        } else {
            f = replaceAll(format, new String[] {"\\t", "\t", "\\n", "\n"});
        }
        if (!f.endsWith("\n")) {
            f += "\n";
        }
        return f;
    }

    /** report.EnforceRange. */
    public static String enforceRange(String format) {
        if (!RANGE.matcher(format).find()) {
            return "{{range .}}" + format + "{{end -}}";
        }
        return format;
    }

    /** Parses a user-supplied format as {@code report.New(w, name).Parse(report.OriginUser, format)} does. */
    public static ReportFormatter parse(String name, String format) throws TemplateException {
        return parse(name, format, Map.of());
    }

    /** As {@link #parse(String, String)}, with functions added to (or replacing) the default ones. */
    public static ReportFormatter parse(String name, String format, Map<String, GoFunc> extraFunctions)
            throws TemplateException {
        Map<String, GoFunc> funcs = new LinkedHashMap<>(DEFAULT_FUNCS);
        funcs.putAll(extraFunctions);
        String normText;
        String plainText;
        boolean table = hasTable(format);
        if (table) {
            normText = "{{range .}}" + normalizeFormat(format) + "{{end -}}";
            plainText = "{{range .}}" + format.substring("table ".length()) + "{{end -}}";
        } else {
            normText = enforceRange(normalizeFormat(format));
            plainText = enforceRange(format);
        }
        try {
            return new ReportFormatter(GoTemplate.parse(name, normText, funcs), table, normText);
        } catch (TemplateException first) {
            return new ReportFormatter(GoTemplate.parse(name, plainText, funcs), table, plainText);
        }
    }

    /** True when the format had the {@code table } prefix (output is column-aligned). */
    public boolean isTable() {
        return table;
    }

    /** The template text actually parsed. */
    public String text() {
        return text;
    }

    /**
     * Executes over {@code rows} (skopeo passes a one-element list holding its output struct) and writes the
     * result. Table output is aligned and flushed at the end, also when execution fails part-way.
     */
    public void execute(List<?> rows, Appendable out) throws IOException {
        List<Object> data = new ArrayList<>(rows);
        if (!table) {
            template.execute(data, out);
            return;
        }
        StringBuilder sb = new StringBuilder();
        try {
            template.execute(data, sb);
        } finally {
            out.append(new TabWriter(12, 2, ' ').format(sb.toString()));
        }
    }

    /** Executes and returns the output. */
    public String execute(List<?> rows) throws TemplateException {
        StringBuilder sb = new StringBuilder();
        try {
            execute(rows, sb);
        } catch (TemplateException e) {
            throw e;
        } catch (IOException e) {
            throw new TemplateException(e.getMessage(), e);
        }
        return sb.toString();
    }

    // ---- the functions

    private static String replaceAll(String s, String[] pairs) {
        // strings.NewReplacer: at each position, the first matching old string (in argument order) wins
        StringBuilder b = new StringBuilder();
        int i = 0;
        outer:
        while (i < s.length()) {
            for (int k = 0; k < pairs.length; k += 2) {
                if (s.startsWith(pairs[k], i)) {
                    b.append(pairs[k + 1]);
                    i += pairs[k].length();
                    continue outer;
                }
            }
            b.append(s.charAt(i));
            i++;
        }
        return b.toString();
    }

    @SuppressWarnings("unchecked")
    private static List<String> strings(Object o) {
        return o == null ? List.of() : (List<String>) o;
    }

    private static int toInt(Object o) {
        return ((Number) o).intValue();
    }

    static String lower(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> b.appendCodePoint(Character.toLowerCase(c)));
        return b.toString();
    }

    static String upper(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().forEach(c -> b.appendCodePoint(Character.toUpperCase(c)));
        return b.toString();
    }

    static String pad(String s, int prefix, int suffix) {
        if (s.isEmpty()) {
            return s;
        }
        if (prefix < 0 || suffix < 0) {
            throw new IllegalArgumentException("strings: negative Repeat count");
        }
        return " ".repeat(prefix) + s + " ".repeat(suffix);
    }

    static String truncate(String s, int length) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length < length) {
            return s;
        }
        if (length < 0) {
            throw new IllegalArgumentException("runtime error: slice bounds out of range [:" + length + "]");
        }
        return new String(Arrays.copyOf(b, length), StandardCharsets.UTF_8);
    }

    static List<String> split(String s, String sep) {
        List<String> out = new ArrayList<>();
        if (sep.isEmpty()) {
            s.codePoints().forEach(c -> out.add(new String(Character.toChars(c))));
            return out;
        }
        int i = 0;
        while (true) {
            int j = s.indexOf(sep, i);
            if (j < 0) {
                out.add(s.substring(i));
                return out;
            }
            out.add(s.substring(i, j));
            i = j + sep.length();
        }
    }

    /** strings.Title: the first letter of each word in title case; words are separated by non-letters. */
    static String title(String s) {
        StringBuilder b = new StringBuilder();
        int prev = ' ';
        for (int i = 0; i < s.length();) {
            int c = s.codePointAt(i);
            i += Character.charCount(c);
            b.appendCodePoint(isSeparator(prev) ? Character.toTitleCase(c) : c);
            prev = c;
        }
        return b.toString();
    }

    private static boolean isSeparator(int r) {
        if (r <= 0x7F) {
            return !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '_');
        }
        if (Character.isLetter(r) || Character.isDigit(r)) {
            return false;
        }
        return Character.isWhitespace(r) || Character.isSpaceChar(r);
    }
}
