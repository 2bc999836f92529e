package dev.kopi.template;

import dev.kopi.internal.go.GoStrconv;
import dev.kopi.template.Lexer.T;
import dev.kopi.template.Lexer.Token;
import dev.kopi.template.Node.*;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A recursive-descent parser producing the same tree shapes (and error texts) as Go's text/template/parse. */
final class Parser {
    private final String name;
    private final List<Token> tokens;
    private final Set<String> functions;
    private int index;
    private Token last;
    private final List<String> vars = new ArrayList<>(List.of("$"));
    private int rangeDepth;
    private final Map<String, ListNode> defined;

    private Parser(String name, String text, Set<String> functions, Map<String, ListNode> defined) {
        this.name = name;
        this.tokens = Lexer.lex(text);
        this.functions = functions;
        this.defined = defined;
    }

    /** Parses {@code text}; named {@code {{define}}} blocks are added to {@code defined}. */
    static ListNode parse(String name, String text, Set<String> functions, Map<String, ListNode> defined)
            throws TemplateException {
        return new Parser(name, text, functions, defined).parseRoot();
    }

    private static final class Abort extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Abort(String message) {
            super(message, null, false, false);
        }
    }

    private RuntimeException error(String msg) {
        int line = last == null ? 1 : last.line();
        throw new Abort("template: " + name + ":" + line + ": " + msg);
    }

    private Token next() {
        Token t = tokens.get(Math.min(index, tokens.size() - 1));
        index++;
        last = t;
        return t;
    }

    private void backup() {
        index--;
    }

    private Token peek() {
        return tokens.get(Math.min(index, tokens.size() - 1));
    }

    private Token nextNonSpace() {
        Token t;
        do {
            t = next();
        } while (t.type() == T.SPACE);
        return t;
    }

    private Token peekNonSpace() {
        Token t = nextNonSpace();
        backup();
        return t;
    }

    private Token expect(T type, String context) {
        Token t = nextNonSpace();
        if (t.type() != type) {
            unexpected(t, context);
        }
        return t;
    }

    private RuntimeException unexpected(Token t, String context) {
        if (t.type() == T.ERROR) {
            throw error(t.val());
        }
        throw error("unexpected " + t.describe() + " in " + context);
    }

    private ListNode parseRoot() throws TemplateException {
        try {
            List<Node> nodes = new ArrayList<>();
            while (peek().type() != T.EOF) {
                if (peek().type() == T.LEFT_DELIM) {
                    int save = index;
                    next();
                    if (nextNonSpace().type() == T.DEFINE) {
                        parseDefinition();
                        continue;
                    }
                    index = save;
                }
                Node n = textOrAction();
                if (n instanceof EndNode || n instanceof ElseNode) {
                    throw error("unexpected " + n);
                }
                nodes.add(n);
            }
            return new ListNode(0, List.copyOf(nodes));
        } catch (Abort a) {
            throw new TemplateException(a.getMessage());
        }
    }

    private void parseDefinition() {
        Token nameTok = nextNonSpace();
        String defName = switch (nameTok.type()) {
            case STRING, RAW_STRING -> unquote(nameTok);
            default -> throw unexpected(nameTok, "define clause");
        };
        expect(T.RIGHT_DELIM, "define clause");
        define(defName, "define clause");
    }

    /** Parses the body of a define or block up to its {{end}}, with only {@code $} in scope, and records it. */
    private void define(String name, String context) {
        List<String> saved = new ArrayList<>(vars);
        vars.clear();
        vars.add("$");
        Object[] r = itemList();
        vars.clear();
        vars.addAll(saved);
        if (!(r[1] instanceof EndNode)) {
            throw error("unexpected " + r[1] + " in " + context);
        }
        defined.put(name, (ListNode) r[0]);
    }

    /** Returns {list, terminating node}. */
    private Object[] itemList() {
        int pos = peekNonSpace().pos();
        List<Node> nodes = new ArrayList<>();
        while (peekNonSpace().type() != T.EOF) {
            Node n = textOrAction();
            if (n instanceof EndNode || n instanceof ElseNode) {
                return new Object[] {new ListNode(pos, List.copyOf(nodes)), n};
            }
            nodes.add(n);
        }
        throw error("unexpected EOF");
    }

    private Node textOrAction() {
        Token t = nextNonSpace();
        switch (t.type()) {
            case TEXT:
                return new TextNode(t.pos(), t.val());
            case LEFT_DELIM:
                return action();
            case COMMENT:
                return new CommentNode(t.pos(), t.val());
            default:
                throw unexpected(t, "input");
        }
    }

    private Node action() {
        Token t = nextNonSpace();
        switch (t.type()) {
            case BLOCK:
                return blockControl();
            case BREAK:
                return breakControl(t, true);
            case CONTINUE:
                return breakControl(t, false);
            case ELSE:
                return elseControl();
            case END:
                return new EndNode(expect(T.RIGHT_DELIM, "end").pos());
            case IF:
                return control("if");
            case RANGE:
                return control("range");
            case TEMPLATE:
                return templateControl();
            case WITH:
                return control("with");
            default:
                break;
        }
        backup();
        Token tok = peek();
        return new ActionNode(tok.pos(), tok.line(), pipeline("command", T.RIGHT_DELIM));
    }

    private Node breakControl(Token t, boolean isBreak) {
        String word = isBreak ? "{{break}}" : "{{continue}}";
        Token n = nextNonSpace();
        if (n.type() != T.RIGHT_DELIM) {
            unexpected(n, word);
        }
        if (rangeDepth == 0) {
            throw error(word + " outside {{range}}");
        }
        return isBreak ? new BreakNode(t.pos(), t.line()) : new ContinueNode(t.pos(), t.line());
    }

    private Node elseControl() {
        Token p = peekNonSpace();
        if (p.type() == T.IF || p.type() == T.WITH) {
            return new ElseNode(p.pos(), p.line());
        }
        Token t = expect(T.RIGHT_DELIM, "else");
        return new ElseNode(t.pos(), t.line());
    }

    private BranchNode control(String context) {
        int mark = vars.size();
        try {
            PipeNode pipe = pipeline(context, T.RIGHT_DELIM);
            if (context.equals("range")) {
                rangeDepth++;
            }
            Object[] r = itemList();
            if (context.equals("range")) {
                rangeDepth--;
            }
            ListNode list = (ListNode) r[0];
            ListNode elseList = null;
            if (r[1] instanceof ElseNode e) {
                if (context.equals("if") && peek().type() == T.IF) {
                    next();
                    elseList = new ListNode(e.pos(), List.of(control("if")));
                } else if (context.equals("with") && peek().type() == T.WITH) {
                    next();
                    elseList = new ListNode(e.pos(), List.of(control("with")));
                } else {
                    Object[] r2 = itemList();
                    if (!(r2[1] instanceof EndNode)) {
                        throw error("expected end; found " + r2[1]);
                    }
                    elseList = (ListNode) r2[0];
                }
            }
            return new BranchNode(context, pipe.pos(), pipe.line(), pipe, list, elseList);
        } finally {
            while (vars.size() > mark) {
                vars.remove(vars.size() - 1);
            }
        }
    }

    private Node templateControl() {
        return templateOrBlock("template clause", false);
    }

    private Node blockControl() {
        return templateOrBlock("block clause", true);
    }

    private Node templateOrBlock(String context, boolean block) {
        Token t = nextNonSpace();
        String tname = switch (t.type()) {
            case STRING, RAW_STRING -> unquote(t);
            default -> throw unexpected(t, context);
        };
        PipeNode pipe = null;
        if (nextNonSpace().type() != T.RIGHT_DELIM) {
            backup();
            pipe = pipeline(context, T.RIGHT_DELIM);
        }
        if (block) {
            define(tname, context);
        }
        return new TemplateNode(t.pos(), t.line(), tname, pipe);
    }

    private PipeNode pipeline(String context, T end) {
        Token first = peekNonSpace();
        List<VariableNode> decl = new ArrayList<>();
        boolean isAssign = false;
        decls:
        while (true) {
            Token v = peekNonSpace();
            if (v.type() != T.VARIABLE) {
                break;
            }
            int save = index;
            nextNonSpace();
            Token afterVar = peek();
            Token nx = peekNonSpace();
            if (nx.type() == T.ASSIGN || nx.type() == T.DECLARE) {
                isAssign = nx.type() == T.ASSIGN;
                nextNonSpace();
                decl.add(new VariableNode(v.pos(), List.of(v.val())));
                vars.add(v.val());
            } else if (nx.type() == T.CHAR && nx.val().equals(",")) {
                nextNonSpace();
                decl.add(new VariableNode(v.pos(), List.of(v.val())));
                vars.add(v.val());
                if (context.equals("range") && decl.size() < 2) {
                    T pt = peekNonSpace().type();
                    if (pt == T.VARIABLE || pt == T.RIGHT_DELIM || pt == T.RIGHT_PAREN) {
                        continue decls;
                    }
                    throw error("range can only initialize variables");
                }
                throw error("too many declarations in " + context);
            } else {
                index = save;
                if (afterVar.type() != T.SPACE) {
                    // nothing special: the variable is an operand
                }
            }
            break;
        }
        List<CommandNode> cmds = new ArrayList<>();
        while (true) {
            Token t = nextNonSpace();
            if (t.type() == end) {
                PipeNode pipe = new PipeNode(first.pos(), first.line(), isAssign, List.copyOf(decl), List.copyOf(cmds));
                checkPipeline(pipe, context);
                return pipe;
            }
            switch (t.type()) {
                case BOOL, CHAR_CONSTANT, DOT, FIELD, IDENTIFIER, NUMBER, NIL, RAW_STRING, STRING, VARIABLE,
                        LEFT_PAREN -> {
                    backup();
                    cmds.add(command());
                }
                default -> throw unexpected(t, context);
            }
        }
    }

    private void checkPipeline(PipeNode pipe, String context) {
        if (pipe.cmds().isEmpty()) {
            throw error("missing value for " + context);
        }
        for (int i = 1; i < pipe.cmds().size(); i++) {
            Node a = pipe.cmds().get(i).args().get(0);
            if (a instanceof BoolNode || a instanceof DotNode || a instanceof NilNode || a instanceof NumberNode
                    || a instanceof StringNode) {
                throw error("non executable command in pipeline stage " + (i + 1));
            }
        }
    }

    private CommandNode command() {
        int pos = peekNonSpace().pos();
        List<Node> args = new ArrayList<>();
        while (true) {
            peekNonSpace();
            Node operand = operand();
            if (operand != null) {
                args.add(operand);
            }
            Token t = next();
            if (t.type() == T.SPACE) {
                continue;
            }
            if (t.type() == T.RIGHT_DELIM || t.type() == T.RIGHT_PAREN) {
                backup();
            } else if (t.type() != T.PIPE) {
                throw unexpected(t, "operand");
            }
            break;
        }
        if (args.isEmpty()) {
            throw error("empty command");
        }
        return new CommandNode(pos, List.copyOf(args));
    }

    private Node operand() {
        Node node = term();
        if (node == null) {
            return null;
        }
        if (peek().type() == T.FIELD) {
            int chainPos = peek().pos();
            List<String> fields = new ArrayList<>();
            while (peek().type() == T.FIELD) {
                fields.add(next().val().substring(1));
            }
            if (node instanceof FieldNode f) {
                List<String> all = new ArrayList<>(f.ident());
                all.addAll(fields);
                node = new FieldNode(chainPos, List.copyOf(all));
            } else if (node instanceof VariableNode v) {
                List<String> all = new ArrayList<>(v.ident());
                all.addAll(fields);
                node = new VariableNode(chainPos, List.copyOf(all));
            } else if (node instanceof BoolNode || node instanceof StringNode || node instanceof NumberNode
                    || node instanceof NilNode || node instanceof DotNode) {
                throw error("unexpected . after term " + GoStrconv.quote(node.toString()));
            } else {
                node = new ChainNode(chainPos, node, List.copyOf(fields));
            }
        }
        return node;
    }

    private Node term() {
        Token t = nextNonSpace();
        switch (t.type()) {
            case IDENTIFIER:
                if (!functions.contains(t.val())) {
                    throw error("function " + GoStrconv.quote(t.val()) + " not defined");
                }
                return new IdentifierNode(t.pos(), t.val());
            case DOT:
                return new DotNode(t.pos());
            case NIL:
                return new NilNode(t.pos());
            case VARIABLE:
                return useVar(t);
            case FIELD:
                return new FieldNode(t.pos(), List.of(t.val().substring(1)));
            case BOOL:
                return new BoolNode(t.pos(), t.val().equals("true"));
            case CHAR_CONSTANT:
            case NUMBER:
                return number(t);
            case LEFT_PAREN:
                return pipeline("parenthesized pipeline", T.RIGHT_PAREN);
            case STRING:
            case RAW_STRING:
                return new StringNode(t.pos(), t.val(), unquote(t));
            default:
                backup();
                return null;
        }
    }

    private Node useVar(Token t) {
        String[] parts = t.val().split("\\.", -1);
        if (!vars.contains(parts[0])) {
            throw error("undefined variable " + GoStrconv.quote(parts[0]));
        }
        return new VariableNode(t.pos(), List.of(parts));
    }

    private String unquote(Token t) {
        try {
            return GoStrings.unquote(t.val());
        } catch (IllegalArgumentException e) {
            throw error("invalid syntax");
        }
    }

    private NumberNode number(Token t) {
        String text = t.val();
        if (t.type() == T.CHAR_CONSTANT) {
            String s;
            try {
                s = GoStrings.unquote(text);
            } catch (IllegalArgumentException e) {
                throw error("malformed character constant: " + text);
            }
            if (s.codePointCount(0, s.length()) != 1) {
                throw error("malformed character constant: " + text);
            }
            long cp = s.codePointAt(0);
            return new NumberNode(t.pos(), text, cp, (double) cp, false, true);
        }
        if (text.endsWith("i")) {
            throw error("complex numbers are not supported: " + GoStrconv.quote(text));
        }
        Long iv = null;
        Double fv = null;
        BigInteger big = GoStrings.parseInteger(text);
        if (big != null) {
            if (big.bitLength() < 64) {
                iv = big.longValue();
                fv = big.doubleValue();
            } else if (big.signum() > 0 && big.bitLength() == 64) {
                fv = big.doubleValue(); // a uint64 that is no int64; using it as an int fails at execution
            }
        } else {
            Double f = GoStrings.parseFloat(text);
            if (f != null) {
                if (!text.matches(".*[.eEpP].*")) {
                    throw error("integer overflow: " + GoStrconv.quote(text));
                }
                fv = f;
                if (!f.isInfinite() && f == Math.rint(f) && Math.abs(f) < 9.2e18) {
                    iv = f.longValue();
                }
            }
        }
        if (iv == null && fv == null) {
            throw error("illegal number syntax: " + GoStrconv.quote(text));
        }
        boolean floatSyntax = !isHexInt(text) && text.matches(".*[.eEpP].*");
        return new NumberNode(t.pos(), text, iv, fv, floatSyntax, false);
    }

    private static boolean isHexInt(String s) {
        String u = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
        return (u.startsWith("0x") || u.startsWith("0X")) && !u.contains("p") && !u.contains("P");
    }

    static Map<String, ListNode> newDefinitions() {
        return new LinkedHashMap<>();
    }
}
