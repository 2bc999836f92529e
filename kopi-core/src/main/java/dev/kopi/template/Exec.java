package dev.kopi.template;

import dev.kopi.internal.go.GoStrconv;
import dev.kopi.template.Node.*;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Executes a parsed template over model values with Go's text/template semantics. */
final class Exec {
    private static final int MAX_DEPTH = 10000;

    /** A Go execution error, before location decoration. */
    static final class Failure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Failure(String message) {
            super(message, null, false, false);
        }
    }

    private static final class Break extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Break INSTANCE = new Break();

        private Break() {
            super(null, null, false, false);
        }
    }

    private static final class Continue extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final Continue INSTANCE = new Continue();

        private Continue() {
            super(null, null, false, false);
        }
    }

    private record Var(String name, Val value) {
    }

    private final GoTemplate root;
    private final String tmplName;
    private final Appendable out;
    private final List<Var> vars = new ArrayList<>();
    private final int depth;
    private Node node;

    private Exec(GoTemplate root, String tmplName, Appendable out, int depth) {
        this.root = root;
        this.tmplName = tmplName;
        this.out = out;
        this.depth = depth;
    }

    static void run(GoTemplate t, ListNode tree, Object data, Appendable out) throws TemplateException, IOException {
        Val dot = data instanceof Val v ? v : data == null ? Val.MISSING : new Val(data, null);
        Exec s = new Exec(t, t.name(), out, 0);
        s.vars.add(new Var("$", dot));
        try {
            s.walk(dot, tree);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static final class UncheckedIOException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedIOException(IOException cause) {
            super(cause);
        }

        @Override
        public synchronized IOException getCause() {
            return (IOException) super.getCause();
        }
    }

    // ---- errors

    private RuntimeException fail(String msg) {
        throw new TemplateFailure(decorate(msg));
    }

    /** Carries an already-decorated message through the walk. */
    static final class TemplateFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TemplateFailure(String message) {
            super(message, null, false, false);
        }
    }

    private String decorate(String msg) {
        if (node == null) {
            return "template: " + tmplName + ": " + msg;
        }
        String text = root.text();
        int pos = Math.min(node.pos(), text.length());
        String before = text.substring(0, pos);
        int lastNl = before.lastIndexOf('\n');
        int line = 1;
        for (int i = 0; i < pos; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        int col = before.substring(lastNl + 1).getBytes(StandardCharsets.UTF_8).length;
        String context = node.toString();
        if (context.codePointCount(0, context.length()) > 20) {
            context = context.substring(0, context.offsetByCodePoints(0, 20)) + "...";
        }
        return "template: " + root.name() + ":" + line + ":" + col + ": executing " + GoStrconv.quote(tmplName)
                + " at <" + context + ">: " + msg;
    }

    private void at(Node n) {
        node = n;
    }

    private void write(String s) {
        try {
            out.append(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---- walking

    private void walk(Val dot, Node n) {
        at(n);
        if (n instanceof ActionNode a) {
            Val val = evalPipeline(dot, a.pipe());
            if (a.pipe().decl().isEmpty()) {
                printValue(a, val);
            }
        } else if (n instanceof BreakNode) {
            throw Break.INSTANCE;
        } else if (n instanceof ContinueNode) {
            throw Continue.INSTANCE;
        } else if (n instanceof CommentNode) {
            // nothing
        } else if (n instanceof ListNode l) {
            for (Node c : l.nodes()) {
                walk(dot, c);
            }
        } else if (n instanceof BranchNode b) {
            if (b.kind().equals("range")) {
                walkRange(dot, b);
            } else {
                walkIfOrWith(dot, b);
            }
        } else if (n instanceof TemplateNode t) {
            walkTemplate(dot, t);
        } else if (n instanceof TextNode t) {
            write(t.text());
        } else {
            fail("unknown node: " + n);
        }
    }

    private int mark() {
        return vars.size();
    }

    private void pop(int mark) {
        while (vars.size() > mark) {
            vars.remove(vars.size() - 1);
        }
    }

    private void setVar(String name, Val v) {
        for (int i = vars.size() - 1; i >= 0; i--) {
            if (vars.get(i).name().equals(name)) {
                vars.set(i, new Var(name, v));
                return;
            }
        }
        fail("undefined variable: " + name);
    }

    private void setTopVar(int n, Val v) {
        int i = vars.size() - n;
        vars.set(i, new Var(vars.get(i).name(), v));
    }

    private Val varValue(String name) {
        for (int i = vars.size() - 1; i >= 0; i--) {
            if (vars.get(i).name().equals(name)) {
                return vars.get(i).value();
            }
        }
        throw fail("undefined variable: " + name);
    }

    private void walkIfOrWith(Val dot, BranchNode b) {
        int mark = mark();
        try {
            Val val = evalPipeline(dot, b.pipe());
            boolean truth = isTrue(val);
            if (truth) {
                walk(b.kind().equals("with") ? val : dot, b.list());
            } else if (b.elseList() != null) {
                walk(dot, b.elseList());
            }
        } finally {
            pop(mark);
        }
    }

    static boolean isTrue(Val val) {
        if (val.isMissing()) {
            return false;
        }
        Object v = val.value();
        if (v == null) {
            return false;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        if (v instanceof String s) {
            return !s.isEmpty();
        }
        if (v instanceof List<?> l) {
            return !l.isEmpty();
        }
        if (v instanceof Map<?, ?> m) {
            return !m.isEmpty();
        }
        if (v instanceof BigInteger bi) {
            return bi.signum() != 0;
        }
        if (v instanceof Double || v instanceof Float) {
            return ((Number) v).doubleValue() != 0;
        }
        if (v instanceof Number n) {
            return n.longValue() != 0;
        }
        return true; // structs, times
    }

    private void walkRange(Val dot, BranchNode r) {
        at(r);
        int outerMark = mark();
        try {
            Val val = evalPipeline(dot, r.pipe());
            int mark = mark();
            Object v = val.value();
            if (val.isMissing()) {
                // not an error: like ranging over nothing
            } else if (v instanceof List<?> l) {
                if (!l.isEmpty()) {
                    String et = Val.elemType(val.staticType());
                    for (int i = 0; i < l.size(); i++) {
                        if (!oneIteration(r, new Val((long) i, "int"), new Val(l.get(i), et), mark)) {
                            break;
                        }
                    }
                    return;
                }
            } else if (v instanceof Map<?, ?> m) {
                if (!m.isEmpty()) {
                    String et = Val.elemType(val.staticType());
                    for (Map.Entry<?, ?> e : GoFmt.sortedEntries(m)) {
                        if (!oneIteration(r, new Val(e.getKey(), "string"), new Val(e.getValue(), et), mark)) {
                            break;
                        }
                    }
                    return;
                }
            } else if (v instanceof Long || v instanceof Integer) {
                if (r.pipe().decl().size() > 1) {
                    fail("can't use " + GoFmt.sprint(List.of(val)) + " to iterate over more than one variable");
                }
                long n = ((Number) v).longValue();
                if (n > 0) {
                    String t = val.dynamicType();
                    for (long i = 0; i < n; i++) {
                        if (!oneIteration(r, new Val(i, t), new Val(i, t), mark)) {
                            break;
                        }
                    }
                    return;
                }
            } else {
                fail("range can't iterate over " + printString(val));
            }
            if (r.elseList() != null) {
                walk(dot, r.elseList());
            }
        } finally {
            pop(outerMark);
        }
    }

    /** Runs one iteration; false when {{break}} ended the loop. */
    private boolean oneIteration(BranchNode r, Val index, Val elem, int mark) {
        List<VariableNode> decl = r.pipe().decl();
        if (!decl.isEmpty()) {
            if (r.pipe().isAssign()) {
                setVar(decl.get(0).ident().get(0), decl.size() > 1 ? index : elem);
            } else {
                setTopVar(1, elem);
            }
        }
        if (decl.size() > 1) {
            if (r.pipe().isAssign()) {
                setVar(decl.get(1).ident().get(0), elem);
            } else {
                setTopVar(2, index);
            }
        }
        try {
            walk(elem, r.list());
        } catch (Continue c) {
            // next iteration
        } catch (Break b) {
            return false;
        } finally {
            pop(mark);
        }
        return true;
    }

    private void walkTemplate(Val dot, TemplateNode t) {
        at(t);
        ListNode tree = root.defined(t.name());
        if (tree == null) {
            fail("template " + GoStrconv.quote(t.name()) + " not defined");
        }
        if (depth >= MAX_DEPTH) {
            fail("exceeded maximum template depth (" + MAX_DEPTH + ")");
        }
        Val newDot = t.pipe() == null ? Val.MISSING : evalPipeline(dot, t.pipe());
        Exec s = new Exec(root, t.name(), out, depth + 1);
        s.vars.add(new Var("$", newDot));
        s.walk(newDot, tree);
    }

    // ---- evaluation

    private Val evalPipeline(Val dot, PipeNode pipe) {
        at(pipe);
        Val value = null;
        for (CommandNode cmd : pipe.cmds()) {
            value = evalCommand(dot, cmd, value);
            value = unwrapInterface(value);
        }
        for (VariableNode v : pipe.decl()) {
            if (pipe.isAssign()) {
                setVar(v.ident().get(0), value);
            } else {
                vars.add(new Var(v.ident().get(0), value));
            }
        }
        return value;
    }

    /** Go digs an empty-interface value down to its dynamic value; a nil interface becomes invalid. */
    private static Val unwrapInterface(Val v) {
        if (v.isMissing()) {
            return v;
        }
        if (v.type() == null || v.type().equals(Val.ANY)) {
            if (v.value() == null) {
                return Val.MISSING;
            }
            return v.type() == null ? v : new Val(v.value(), null);
        }
        return v;
    }

    private void notAFunction(List<Node> args, Val fin) {
        if (args.size() > 1 || fin != null) {
            fail("can't give argument to non-function " + args.get(0));
        }
    }

    private Val evalCommand(Val dot, CommandNode cmd, Val fin) {
        Node first = cmd.args().get(0);
        if (first instanceof FieldNode f) {
            return evalFieldNode(dot, f, cmd.args(), fin);
        }
        if (first instanceof ChainNode c) {
            return evalChainNode(dot, c, cmd.args(), fin);
        }
        if (first instanceof IdentifierNode id) {
            return evalFunction(dot, id, cmd, cmd.args(), fin);
        }
        if (first instanceof PipeNode p) {
            notAFunction(cmd.args(), fin);
            return evalPipeline(dot, p);
        }
        if (first instanceof VariableNode v) {
            return evalVariableNode(dot, v, cmd.args(), fin);
        }
        at(first);
        notAFunction(cmd.args(), fin);
        if (first instanceof BoolNode b) {
            return new Val(b.value(), "bool");
        }
        if (first instanceof DotNode) {
            return dot;
        }
        if (first instanceof NilNode) {
            fail("nil is not a command");
        }
        if (first instanceof NumberNode n) {
            return idealConstant(n);
        }
        if (first instanceof StringNode s) {
            return new Val(s.text(), "string");
        }
        throw fail("can't evaluate command " + GoStrconv.quote(first.toString()));
    }

    private Val idealConstant(NumberNode n) {
        at(n);
        if (n.isChar()) {
            return new Val(n.intValue(), "int32");
        }
        if (n.floatValue() != null && n.isFloatSyntax()) {
            return new Val(n.floatValue(), "float64");
        }
        if (n.intValue() != null) {
            return new Val(n.intValue(), "int");
        }
        throw fail(n.text() + " overflows int");
    }

    private Val evalFieldNode(Val dot, FieldNode f, List<Node> args, Val fin) {
        at(f);
        return evalFieldChain(dot, dot, f, f.ident(), args, fin);
    }

    private Val evalChainNode(Val dot, ChainNode chain, List<Node> args, Val fin) {
        if (chain.node() instanceof NilNode) {
            fail("indirection through explicit nil in " + chain);
        }
        Val pipe = evalArg(dot, "interface {}", chain.node());
        return evalFieldChain(dot, pipe, chain, chain.field(), args, fin);
    }

    private Val evalVariableNode(Val dot, VariableNode v, List<Node> args, Val fin) {
        at(v);
        Val value = varValue(v.ident().get(0));
        if (v.ident().size() == 1) {
            notAFunction(args, fin);
            return value;
        }
        return evalFieldChain(dot, value, v, v.ident().subList(1, v.ident().size()), args, fin);
    }

    private Val evalFieldChain(Val dot, Val receiver, Node n, List<String> ident, List<Node> args, Val fin) {
        int last = ident.size() - 1;
        for (int i = 0; i < last; i++) {
            receiver = evalField(dot, ident.get(i), n, null, null, receiver);
        }
        return evalField(dot, ident.get(last), n, args, fin, receiver);
    }

    private Val evalField(Val dot, String field, Node n, List<Node> args, Val fin, Val receiver) {
        if (receiver.isMissing()) {
            return Val.MISSING;
        }
        String typ = receiver.staticType();
        Object v = receiver.value();
        boolean isPointer = typ != null && typ.startsWith("*");
        if (v == null && !isPointer) {
            throw fail("nil pointer evaluating " + (typ == null ? Val.ANY : typ) + "." + field);
        }
        boolean hasArgs = (args != null && args.size() > 1) || fin != null;
        if (Val.isTime(v) || v == null && "*time.Time".equals(typ)) {
            GoFunc method = TimeMethods.method(field);
            if (method != null) {
                if (v == null) {
                    throw fail("nil pointer evaluating " + typ + "." + field);
                }
                Object timeValue = v;
                return evalCall(dot, method, false, n, field, args, fin, timeValue);
            }
        }
        if (v instanceof GoStruct s) {
            GoStruct.Field f = s.promotedField(field);
            if (f != null) {
                if (hasArgs) {
                    fail(field + " has arguments but cannot be invoked as function");
                }
                return new Val(f.value(), f.goType());
            }
        } else if (v instanceof Map<?, ?> m) {
            if (hasArgs) {
                fail(field + " is not a method but has arguments");
            }
            if (m.containsKey(field)) {
                return new Val(m.get(field), Val.elemType(typ));
            }
            return Val.MISSING;
        } else if (v == null) {
            throw fail("nil pointer evaluating " + typ + "." + field);
        }
        throw fail("can't evaluate field " + field + " in type " + (typ == null ? Val.ANY : typ));
    }

    private Val evalFunction(Val dot, IdentifierNode id, Node cmd, List<Node> args, Val fin) {
        at(id);
        GoFunc f = root.function(id.name());
        if (f == null) {
            fail(GoStrconv.quote(id.name()) + " is not a defined function");
        }
        return evalCall(dot, f, root.isBuiltin(id.name()), cmd, id.name(), args, fin, null);
    }

    /** Calls f; for methods, {@code receiver} is prepended to the arguments. */
    private Val evalCall(Val dot, GoFunc f, boolean builtin, Node n, String name, List<Node> args, Val fin,
            Object receiver) {
        List<Node> actual = args == null ? List.of() : args.subList(1, args.size());
        List<String> params = f.params();
        int numIn = actual.size() + (fin != null ? 1 : 0);
        int numFixed = actual.size();
        if (f.isVariadic()) {
            numFixed = params.size() - 1;
            if (numIn < numFixed) {
                fail("wrong number of args for " + name + ": want at least " + numFixed + " got " + actual.size());
            }
        } else if (numIn != params.size()) {
            fail("wrong number of args for " + name + ": want " + params.size() + " got " + numIn);
        }
        if (builtin && (name.equals("and") || name.equals("or"))) {
            Val v = null;
            for (Node a : actual) {
                v = evalArg(dot, "reflect.Value", a);
                if (isTrue(v) == name.equals("or")) {
                    return v;
                }
            }
            if (fin != null) {
                v = fin;
            }
            return v;
        }
        List<Val> argv = new ArrayList<>();
        if (receiver != null) {
            argv.add(new Val(receiver, "time.Time"));
        }
        int i = 0;
        for (; i < numFixed && i < actual.size(); i++) {
            argv.add(evalArg(dot, params.get(i), actual.get(i)));
        }
        if (f.isVariadic()) {
            String et = params.get(params.size() - 1);
            for (; i < actual.size(); i++) {
                argv.add(evalArg(dot, et, actual.get(i)));
            }
        }
        if (fin != null) {
            String t = params.get(params.size() - 1);
            if (f.isVariadic() && numIn - 1 < numFixed) {
                t = params.get(numIn - 1);
            }
            argv.add(validateType(fin, t));
        }
        try {
            Val result = f.impl().call(argv);
            return result == null ? Val.MISSING : result;
        } catch (Failure e) {
            at(n);
            throw fail("error calling " + name + ": " + e.getMessage());
        } catch (TemplateFailure | Break | Continue | UncheckedIOException e) {
            throw e;
        } catch (Exception e) {
            at(n);
            throw fail("error calling " + name + ": " + e.getMessage());
        }
    }

    private Val evalArg(Val dot, String typ, Node n) {
        at(n);
        if (n instanceof DotNode) {
            return validateType(dot, typ);
        }
        if (n instanceof NilNode) {
            if (canBeNil(typ)) {
                return typ.equals("reflect.Value") ? Val.MISSING : new Val(null, typ);
            }
            fail("cannot assign nil to " + typ);
        }
        if (n instanceof FieldNode f) {
            return validateType(evalFieldNode(dot, f, List.of(n), null), typ);
        }
        if (n instanceof VariableNode v) {
            return validateType(evalVariableNode(dot, v, List.of(n), null), typ);
        }
        if (n instanceof PipeNode p) {
            return validateType(evalPipeline(dot, p), typ);
        }
        if (n instanceof IdentifierNode id) {
            return validateType(evalFunction(dot, id, id, null, null), typ);
        }
        if (n instanceof ChainNode c) {
            return validateType(evalChainNode(dot, c, List.of(n), null), typ);
        }
        switch (typ) {
            case "bool":
                if (n instanceof BoolNode b) {
                    return new Val(b.value(), "bool");
                }
                throw fail("expected bool; found " + n);
            case "float64", "float32":
                if (n instanceof NumberNode num && num.floatValue() != null && !num.isChar()) {
                    return new Val(num.floatValue(), typ);
                }
                throw fail("expected float; found " + n);
            case "int", "int64", "int32", "int16", "int8":
                if (n instanceof NumberNode num && num.intValue() != null) {
                    return new Val(num.intValue(), typ);
                }
                throw fail("expected integer; found " + n);
            case "uint", "uint64", "uint32", "uint16", "uint8":
                if (n instanceof NumberNode num && num.intValue() != null && num.intValue() >= 0) {
                    return new Val(num.intValue(), typ);
                }
                throw fail("expected unsigned integer; found " + n);
            case "string":
                if (n instanceof StringNode s) {
                    return new Val(s.text(), "string");
                }
                throw fail("expected string; found " + n);
            case "interface {}", "reflect.Value":
                if (n instanceof BoolNode b) {
                    return new Val(b.value(), "bool");
                }
                if (n instanceof NumberNode num) {
                    return idealConstant(num);
                }
                if (n instanceof StringNode s) {
                    return new Val(s.text(), "string");
                }
                break;
            default:
                break;
        }
        throw fail("can't handle " + n + " for arg of type " + typ);
    }

    private static boolean canBeNil(String typ) {
        return typ.equals("interface {}") || typ.equals("reflect.Value") || typ.startsWith("[]")
                || typ.startsWith("map[") || typ.startsWith("*");
    }

    private Val validateType(Val value, String typ) {
        if (value.isMissing()) {
            if (typ.equals("reflect.Value")) {
                return Val.MISSING;
            }
            if (canBeNil(typ)) {
                return new Val(typ.startsWith("[]") ? GoNil.SLICE : typ.startsWith("map[") ? GoNil.MAP : null, typ);
            }
            throw fail("invalid value; expected " + typ);
        }
        if (typ.equals("reflect.Value") || typ.equals("interface {}")) {
            return value;
        }
        String got = value.dynamicType();
        if (typ.equals(got)) {
            return value;
        }
        if (typ.startsWith("*") && value.value() != null && typ.substring(1).equals(got)) {
            return value;
        }
        if (got != null && got.startsWith("*") && got.substring(1).equals(typ)) {
            if (value.value() == null) {
                throw fail("dereference of nil pointer of type " + typ);
            }
            return new Val(value.value(), typ);
        }
        throw fail("wrong type for value; expected " + typ + "; got " + (got == null ? Val.ANY : got));
    }

    // ---- printing

    private void printValue(Node n, Val v) {
        at(n);
        write(printString(v));
    }

    static String printString(Val v) {
        if (v.isMissing()) {
            return "<no value>";
        }
        return GoFmt.sprint(List.of(v));
    }
}
