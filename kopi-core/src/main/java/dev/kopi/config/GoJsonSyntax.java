package dev.kopi.config;

import dev.kopi.internal.go.GoStrconv;

/**
 * Checks a JSON document the way Go's {@code encoding/json} scanner does before it decodes anything, and names
 * the first error with Go's text ({@code invalid character 'x' looking for beginning of value},
 * {@code unexpected end of JSON input}, ...), so that errors for malformed config files read as skopeo's do.
 */
final class GoJsonSyntax {
    private final byte[] in;
    private int pos;

    private GoJsonSyntax(byte[] in) {
        this.in = in;
    }

    /** The Go error text for the first syntax error in {@code data}, or null when it is well-formed. */
    static String check(byte[] data) {
        GoJsonSyntax s = new GoJsonSyntax(data);
        try {
            s.value();
            s.skipSpace();
            if (s.pos < data.length) {
                throw s.error("after top-level value");
            }
            return null;
        } catch (SyntaxError e) {
            return e.getMessage();
        }
    }

    private static final class SyntaxError extends Exception {
        private static final long serialVersionUID = 1L;

        SyntaxError(String m) {
            super(m, null, false, false);
        }
    }

    private SyntaxError error(String context) {
        if (pos >= in.length) {
            return new SyntaxError("unexpected end of JSON input");
        }
        return new SyntaxError("invalid character " + quoteChar(in[pos] & 0xff) + " " + context);
    }

    /** Go's quoteChar: the byte as a rune, single-quoted. */
    static String quoteChar(int c) {
        if (c == '\'') {
            return "'\\''";
        }
        if (c == '"') {
            return "'\"'";
        }
        String q = GoStrconv.quote(new String(Character.toChars(c)));
        return "'" + q.substring(1, q.length() - 1) + "'";
    }

    private void skipSpace() {
        while (pos < in.length && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\r' || in[pos] == '\n')) {
            pos++;
        }
    }

    private int peek() {
        return pos < in.length ? in[pos] & 0xff : -1;
    }

    private void value() throws SyntaxError {
        skipSpace();
        int c = peek();
        switch (c) {
            case '{' -> object();
            case '[' -> array();
            case '"' -> string();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number();
                } else {
                    throw error("looking for beginning of value");
                }
            }
        }
    }

    private void object() throws SyntaxError {
        pos++;
        skipSpace();
        if (peek() == '}') {
            pos++;
            return;
        }
        while (true) {
            skipSpace();
            if (peek() != '"') {
                throw error("looking for beginning of object key string");
            }
            string();
            skipSpace();
            if (peek() != ':') {
                throw error("after object key");
            }
            pos++;
            value();
            skipSpace();
            int c = peek();
            if (c == ',') {
                pos++;
            } else if (c == '}') {
                pos++;
                return;
            } else {
                throw error("after object key:value pair");
            }
        }
    }

    private void array() throws SyntaxError {
        pos++;
        skipSpace();
        if (peek() == ']') {
            pos++;
            return;
        }
        while (true) {
            value();
            skipSpace();
            int c = peek();
            if (c == ',') {
                pos++;
            } else if (c == ']') {
                pos++;
                return;
            } else {
                throw error("after array element");
            }
        }
    }

    private void string() throws SyntaxError {
        pos++;
        while (true) {
            int c = peek();
            if (c == -1) {
                throw error("in string literal");
            }
            if (c == '"') {
                pos++;
                return;
            }
            if (c == '\\') {
                pos++;
                int e = peek();
                switch (e) {
                    case 'b', 'f', 'n', 'r', 't', '\\', '/', '"' -> pos++;
                    case 'u' -> {
                        pos++;
                        for (int i = 0; i < 4; i++) {
                            int h = peek();
                            if (!(h >= '0' && h <= '9' || h >= 'a' && h <= 'f' || h >= 'A' && h <= 'F')) {
                                throw error("in \\u hexadecimal character escape");
                            }
                            pos++;
                        }
                    }
                    default -> throw error("in string escape code");
                }
                continue;
            }
            if (c < 0x20) {
                throw error("in string literal");
            }
            pos++;
        }
    }

    private boolean digit() {
        int c = peek();
        return c >= '0' && c <= '9';
    }

    private void number() throws SyntaxError {
        if (peek() == '-') {
            pos++;
            if (!digit()) {
                throw error("in numeric literal");
            }
        }
        if (peek() == '0') {
            pos++;
        } else {
            while (digit()) {
                pos++;
            }
        }
        if (peek() == '.') {
            pos++;
            if (!digit()) {
                throw error("after decimal point in numeric literal");
            }
            while (digit()) {
                pos++;
            }
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!digit()) {
                throw error("in exponent of numeric literal");
            }
            while (digit()) {
                pos++;
            }
        }
    }

    private void literal(String word) throws SyntaxError {
        pos++;
        for (int i = 1; i < word.length(); i++) {
            if (peek() != word.charAt(i)) {
                throw error("in literal " + word + " (expecting " + quoteChar(word.charAt(i)) + ")");
            }
            pos++;
        }
    }
}
