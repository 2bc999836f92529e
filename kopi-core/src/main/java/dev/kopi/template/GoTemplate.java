package dev.kopi.template;

import dev.kopi.template.Node.ListNode;
import java.io.IOException;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A parsed Go {@code text/template}. Executes over plain Java values: {@link Map} (a Go map; {@code .key} looks a
 * key up, a missing key prints {@code <no value>}), {@link java.util.List} (a slice), {@link GoStruct} (a struct),
 * {@link String}, {@link Long}/{@link Integer} (int), {@link Double} (float64), {@link java.math.BigInteger}
 * (uint64), {@link Boolean}, {@code null}, and {@link java.time.OffsetDateTime}/{@link java.time.Instant}
 * (time.Time). Values print as Go's fmt {@code %v} prints them.
 *
 * <p>Immutable and thread-safe once parsed.
 */
public final class GoTemplate {
    private final String name;
    private final String text;
    private final ListNode tree;
    private final Map<String, ListNode> defined;
    private final Map<String, GoFunc> functions;

    private GoTemplate(String name, String text, ListNode tree, Map<String, ListNode> defined,
            Map<String, GoFunc> functions) {
        this.name = name;
        this.text = text;
        this.tree = tree;
        this.defined = defined;
        this.functions = functions;
    }

    /** Parses with Go's builtin functions only. */
    public static GoTemplate parse(String name, String text) throws TemplateException {
        return parse(name, text, Map.of());
    }

    /** Parses; {@code extraFunctions} are added to (and may replace) the builtins, like template.Funcs. */
    public static GoTemplate parse(String name, String text, Map<String, GoFunc> extraFunctions)
            throws TemplateException {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(text, "text");
        Map<String, GoFunc> funcs = new LinkedHashMap<>(Builtins.FUNCS);
        funcs.putAll(extraFunctions);
        Set<String> names = new HashSet<>(funcs.keySet());
        Map<String, ListNode> defined = new LinkedHashMap<>();
        ListNode tree = Parser.parse(name, text, names, defined);
        if (!defined.containsKey(name)) {
            defined.put(name, tree);
        } else if (!isEmptyTree(tree)) {
            defined.put(name, tree);
        }
        return new GoTemplate(name, text, defined.get(name), Collections.unmodifiableMap(defined),
                Collections.unmodifiableMap(funcs));
    }

    private static boolean isEmptyTree(ListNode t) {
        for (Node n : t.nodes()) {
            if (n instanceof Node.TextNode tn) {
                if (!tn.text().isBlank()) {
                    return false;
                }
            } else if (!(n instanceof Node.CommentNode)) {
                return false;
            }
        }
        return true;
    }

    public String name() {
        return name;
    }

    String text() {
        return text;
    }

    ListNode defined(String templateName) {
        return defined.get(templateName);
    }

    GoFunc function(String fname) {
        return functions.get(fname);
    }

    boolean isBuiltin(String fname) {
        return Builtins.FUNCS.get(fname) == functions.get(fname);
    }

    /** Executes and returns the output. */
    public String execute(Object data) throws TemplateException {
        StringBuilder sb = new StringBuilder();
        try {
            execute(data, sb);
        } catch (TemplateException e) {
            throw e;
        } catch (IOException e) {
            throw new TemplateException("template: " + name + ": " + e.getMessage(), e);
        }
        return sb.toString();
    }

    /**
     * Executes, writing output as it is produced. On an error, the output written so far stays written (as in
     * Go) and a {@link TemplateException} is thrown; failures of {@code out} itself propagate as IOException.
     */
    public void execute(Object data, Appendable out) throws IOException {
        try {
            Exec.run(this, tree, data, out);
        } catch (Exec.TemplateFailure e) {
            throw new TemplateException(e.getMessage());
        } catch (StackOverflowError e) {
            throw new TemplateException("template: " + name + ": exceeded maximum template depth");
        }
    }
}
