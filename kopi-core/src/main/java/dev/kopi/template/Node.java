package dev.kopi.template;

import dev.kopi.internal.go.GoStrconv;
import java.util.List;
import java.util.stream.Collectors;

/** The parse tree of a template; {@code toString} renders nodes as Go does in error messages. */
sealed interface Node {
    int pos();

    record ListNode(int pos, List<Node> nodes) implements Node {
        @Override
        public String toString() {
            return nodes.stream().map(Object::toString).collect(Collectors.joining());
        }
    }

    record TextNode(int pos, String text) implements Node {
        @Override
        public String toString() {
            return GoStrconv.quote(text);
        }
    }

    record CommentNode(int pos, String text) implements Node {
        @Override
        public String toString() {
            return "{{" + text + "}}";
        }
    }

    record ActionNode(int pos, int line, PipeNode pipe) implements Node {
        @Override
        public String toString() {
            return "{{" + pipe + "}}";
        }
    }

    record PipeNode(int pos, int line, boolean isAssign, List<VariableNode> decl, List<CommandNode> cmds)
            implements Node {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            if (!decl.isEmpty()) {
                sb.append(decl.stream().map(Object::toString).collect(Collectors.joining(", ")));
                sb.append(isAssign ? " = " : " := ");
            }
            sb.append(cmds.stream().map(Object::toString).collect(Collectors.joining(" | ")));
            return sb.toString();
        }
    }

    record CommandNode(int pos, List<Node> args) implements Node {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < args.size(); i++) {
                if (i > 0) {
                    sb.append(' ');
                }
                Node a = args.get(i);
                if (a instanceof PipeNode) {
                    sb.append('(').append(a).append(')');
                } else {
                    sb.append(a);
                }
            }
            return sb.toString();
        }
    }

    record FieldNode(int pos, List<String> ident) implements Node {
        @Override
        public String toString() {
            return ident.stream().map(s -> "." + s).collect(Collectors.joining());
        }
    }

    record VariableNode(int pos, List<String> ident) implements Node {
        @Override
        public String toString() {
            return String.join(".", ident);
        }
    }

    record ChainNode(int pos, Node node, List<String> field) implements Node {
        @Override
        public String toString() {
            String s = node instanceof PipeNode ? "(" + node + ")" : node.toString();
            return s + field.stream().map(f -> "." + f).collect(Collectors.joining());
        }
    }

    record IdentifierNode(int pos, String name) implements Node {
        @Override
        public String toString() {
            return name;
        }
    }

    record DotNode(int pos) implements Node {
        @Override
        public String toString() {
            return ".";
        }
    }

    record NilNode(int pos) implements Node {
        @Override
        public String toString() {
            return "nil";
        }
    }

    record BoolNode(int pos, boolean value) implements Node {
        @Override
        public String toString() {
            return Boolean.toString(value);
        }
    }

    /** A numeric constant; {@code intValue} is set when the text denotes an integer that fits int64. */
    record NumberNode(int pos, String text, Long intValue, Double floatValue, boolean isFloatSyntax, boolean isChar)
            implements Node {
        @Override
        public String toString() {
            return text;
        }
    }

    record StringNode(int pos, String quoted, String text) implements Node {
        @Override
        public String toString() {
            return quoted;
        }
    }

    record EndNode(int pos) implements Node {
        @Override
        public String toString() {
            return "{{end}}";
        }
    }

    record ElseNode(int pos, int line) implements Node {
        @Override
        public String toString() {
            return "{{else}}";
        }
    }

    record BreakNode(int pos, int line) implements Node {
        @Override
        public String toString() {
            return "{{break}}";
        }
    }

    record ContinueNode(int pos, int line) implements Node {
        @Override
        public String toString() {
            return "{{continue}}";
        }
    }

    /** {@code kind} is "if", "range" or "with". */
    record BranchNode(String kind, int pos, int line, PipeNode pipe, ListNode list, ListNode elseList)
            implements Node {
        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("{{").append(kind).append(' ').append(pipe).append("}}").append(list);
            if (elseList != null) {
                sb.append("{{else}}").append(elseList);
            }
            return sb.append("{{end}}").toString();
        }
    }

    record TemplateNode(int pos, int line, String name, PipeNode pipe) implements Node {
        @Override
        public String toString() {
            return pipe == null ? "{{template " + GoStrconv.quote(name) + "}}"
                    : "{{template " + GoStrconv.quote(name) + " " + pipe + "}}";
        }
    }
}
