package dev.kopi.template;

import dev.kopi.internal.go.GoStrconv;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Splits template text into tokens, following the lexical rules of Go's text/template (default delimiters). */
final class Lexer {
    enum T {
        ERROR, BOOL, CHAR, CHAR_CONSTANT, COMMENT, ASSIGN, DECLARE, EOF, FIELD, IDENTIFIER, LEFT_DELIM, LEFT_PAREN,
        NUMBER, PIPE, RAW_STRING, RIGHT_DELIM, RIGHT_PAREN, SPACE, STRING, TEXT, VARIABLE, DOT,
        // keywords (all after KEYWORD print as <word>)
        KEYWORD, BLOCK, BREAK, CONTINUE, DEFINE, ELSE, END, IF, NIL, RANGE, TEMPLATE, WITH
    }

    record Token(T type, int pos, String val, int line) {
        boolean isKeyword() {
            return type.compareTo(T.KEYWORD) > 0;
        }

        /** The token as Go's parser quotes it in messages. */
        String describe() {
            if (type == T.EOF) {
                return "EOF";
            }
            if (type == T.ERROR) {
                return val;
            }
            if (isKeyword()) {
                return "<" + val + ">";
            }
            if (val.codePointCount(0, val.length()) > 10) {
                int end = val.offsetByCodePoints(0, 10);
                return GoStrconv.quote(val.substring(0, end)) + "...";
            }
            return GoStrconv.quote(val);
        }
    }

    private static final Map<String, T> KEYWORDS = Map.ofEntries(
            Map.entry("block", T.BLOCK), Map.entry("break", T.BREAK), Map.entry("continue", T.CONTINUE),
            Map.entry("define", T.DEFINE), Map.entry("else", T.ELSE), Map.entry("end", T.END),
            Map.entry("if", T.IF), Map.entry("nil", T.NIL), Map.entry("range", T.RANGE),
            Map.entry("template", T.TEMPLATE), Map.entry("with", T.WITH));

    private static final String LEFT = "{{";
    private static final String RIGHT = "}}";

    private final String in;
    private final List<Token> out = new ArrayList<>();
    private int pos;
    private int start;
    private int line = 1;
    private int startLine = 1;
    private int parenDepth;

    private Lexer(String in) {
        this.in = in;
    }

    /** All tokens; the list ends with an EOF or ERROR token. */
    static List<Token> lex(String text) {
        Lexer l = new Lexer(text);
        l.run();
        return l.out;
    }

    private static final int DONE = -1;
    private static final int TEXT = 0;
    private static final int ACTION = 1;

    private void run() {
        int state = TEXT;
        while (state != DONE) {
            state = state == TEXT ? lexText() : lexInsideAction();
        }
    }

    private static boolean isSpace(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\n';
    }

    private static boolean isAlnum(int c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }

    private void emit(T type) {
        out.add(new Token(type, start, in.substring(start, pos), startLine));
        start = pos;
        startLine = line;
    }

    private void ignore() {
        line += count(in, start, pos);
        start = pos;
        startLine = line;
    }

    private static int count(String s, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            if (s.charAt(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private boolean error(String msg) {
        out.add(new Token(T.ERROR, start, msg, startLine));
        return false;
    }

    private int peek() {
        return pos < in.length() ? in.codePointAt(pos) : -1;
    }

    private int next() {
        if (pos >= in.length()) {
            pos = in.length() + 1; // mark EOF consumed
            return -1;
        }
        int c = in.codePointAt(pos);
        pos += Character.charCount(c);
        if (c == '\n') {
            line++;
        }
        return c;
    }

    private void backup(int c) {
        if (c == -1) {
            pos = in.length();
            return;
        }
        pos -= Character.charCount(c);
        if (c == '\n') {
            line--;
        }
    }

    private static boolean hasLeftTrim(String s, int at) {
        return s.length() >= at + 2 && s.charAt(at) == '-' && isSpace(s.charAt(at + 1));
    }

    private static boolean hasRightTrim(String s, int at) {
        return at >= 0 && s.length() >= at + 2 && isSpace(s.charAt(at)) && s.charAt(at + 1) == '-';
    }

    /** Returns 0 = not at right delim, 1 = at "}}", 2 = at " -}}". */
    private int atRightDelim() {
        if (hasRightTrim(in, pos) && in.startsWith(RIGHT, pos + 2)) {
            return 2;
        }
        return in.startsWith(RIGHT, pos) ? 1 : 0;
    }

    /** Scans text up to the next left delimiter, then the delimiter itself. */
    private int lexText() {
        int x = in.indexOf(LEFT, pos);
        if (x < 0) {
            pos = in.length();
            line += count(in, start, pos);
            if (pos > start) {
                out.add(new Token(T.TEXT, start, in.substring(start, pos), startLine));
            }
            start = pos;
            startLine = line;
            out.add(new Token(T.EOF, pos, "", line));
            return DONE;
        }
        int end = x;
        boolean trim = hasLeftTrim(in, x + LEFT.length());
        if (trim) {
            while (end > start && isSpace(in.charAt(end - 1))) {
                end--;
            }
        }
        if (end > start) {
            out.add(new Token(T.TEXT, start, in.substring(start, end), startLine));
        }
        pos = x;
        ignore();
        return lexLeftDelim(trim);
    }

    private int lexLeftDelim(boolean trim) {
        pos += LEFT.length();
        int afterMarker = trim ? 2 : 0;
        if (in.startsWith("/*", pos + afterMarker)) {
            pos += afterMarker;
            ignore();
            return lexComment();
        }
        emit(T.LEFT_DELIM);
        pos += afterMarker;
        ignore();
        parenDepth = 0;
        return ACTION;
    }

    private int lexComment() {
        pos += 2;
        int x = in.indexOf("*/", pos);
        if (x < 0) {
            return fail("unclosed comment");
        }
        pos = x + 2;
        int delim = atRightDelim();
        if (delim == 0) {
            return fail("comment ends before closing delimiter");
        }
        emit(T.COMMENT);
        if (delim == 2) {
            pos += 2;
        }
        pos += RIGHT.length();
        if (delim == 2) {
            while (pos < in.length() && isSpace(in.charAt(pos))) {
                pos++;
            }
        }
        ignore();
        return TEXT;
    }

    private int fail(String msg) {
        error(msg);
        return DONE;
    }

    private int lexRightDelim(boolean trim) {
        if (trim) {
            pos += 2;
            ignore();
        }
        pos += RIGHT.length();
        emit(T.RIGHT_DELIM);
        if (trim) {
            while (pos < in.length() && isSpace(in.charAt(pos))) {
                pos++;
            }
            ignore();
        }
        return TEXT;
    }

    /** Lexes one whole action up to and including its right delimiter. */
    private int lexInsideAction() {
        while (true) {
            int delim = atRightDelim();
            if (delim != 0) {
                if (parenDepth == 0) {
                    return lexRightDelim(delim == 2);
                }
                return fail("unclosed left paren");
            }
            int c = next();
            if (c == -1) {
                return fail("unclosed action");
            }
            if (isSpace(c)) {
                backup(c);
                lexSpace();
            } else if (c == '=') {
                emit(T.ASSIGN);
            } else if (c == ':') {
                if (next() != '=') {
                    return fail("expected :=");
                }
                emit(T.DECLARE);
            } else if (c == '|') {
                emit(T.PIPE);
            } else if (c == '"') {
                if (!lexQuote()) {
                    return DONE;
                }
            } else if (c == '`') {
                if (!lexRawQuote()) {
                    return DONE;
                }
            } else if (c == '$') {
                if (!lexFieldOrVariable(T.VARIABLE)) {
                    return DONE;
                }
            } else if (c == '\'') {
                if (!lexChar()) {
                    return DONE;
                }
            } else if (c == '.') {
                int p = peek();
                if (p >= '0' && p <= '9') {
                    backup(c);
                    if (!lexNumber()) {
                        return DONE;
                    }
                } else if (!lexFieldOrVariable(T.FIELD)) {
                    return DONE;
                }
            } else if (c == '+' || c == '-' || (c >= '0' && c <= '9')) {
                backup(c);
                if (!lexNumber()) {
                    return DONE;
                }
            } else if (isAlnum(c)) {
                backup(c);
                if (!lexIdentifier()) {
                    return DONE;
                }
            } else if (c == '(') {
                emit(T.LEFT_PAREN);
                parenDepth++;
            } else if (c == ')') {
                emit(T.RIGHT_PAREN);
                parenDepth--;
                if (parenDepth < 0) {
                    return fail("unexpected right paren");
                }
            } else if (c <= 0x7f && c >= 0x20 && c != 0x7f) {
                emit(T.CHAR);
            } else {
                return fail("unrecognized character in action: " + GoFmt.unicodeRune(c));
            }
        }
    }

    private void lexSpace() {
        int n = 0;
        while (isSpace(peek())) {
            next();
            n++;
        }
        if (hasRightTrim(in, pos - 1) && in.startsWith(RIGHT, pos - 1 + 2)) {
            backup(in.charAt(pos - 1));
            if (n == 1) {
                return; // the space belongs to the trim marker
            }
        }
        emit(T.SPACE);
    }

    private boolean atTerminator() {
        int r = peek();
        if (isSpace(r)) {
            return true;
        }
        switch (r) {
            case -1, '.', ',', '|', ':', ')', '(':
                return true;
            default:
                return in.startsWith(RIGHT, pos);
        }
    }

    private boolean lexFieldOrVariable(T type) {
        if (atTerminator()) {
            emit(type == T.VARIABLE ? T.VARIABLE : T.DOT);
            return true;
        }
        if (!scanWord()) {
            return false;
        }
        emit(type);
        return true;
    }

    /** Scans alphanumerics up to a terminator; false (with the lexer's error) when another character follows. */
    private boolean scanWord() {
        int r;
        while (true) {
            r = next();
            if (!isAlnum(r)) {
                backup(r);
                break;
            }
        }
        if (!atTerminator()) {
            return error("bad character " + GoFmt.unicodeRune(r));
        }
        return true;
    }

    private boolean lexIdentifier() {
        if (!scanWord()) {
            return false;
        }
        String word = in.substring(start, pos);
        T kw = KEYWORDS.get(word);
        if (kw != null) {
            emit(kw);
        } else if (word.equals("true") || word.equals("false")) {
            emit(T.BOOL);
        } else {
            emit(T.IDENTIFIER);
        }
        return true;
    }

    private boolean lexChar() {
        return lexQuoted('\'', "unterminated character constant", T.CHAR_CONSTANT);
    }

    private boolean lexQuote() {
        return lexQuoted('"', "unterminated quoted string", T.STRING);
    }

    /** Scans to the closing {@code quote}; a backslash escapes any character but a newline. */
    private boolean lexQuoted(int quote, String unterminated, T type) {
        while (true) {
            int r = next();
            if (r == '\\') {
                r = next();
                if (r != -1 && r != '\n') {
                    continue;
                }
            }
            if (r == -1 || r == '\n') {
                return error(unterminated);
            }
            if (r == quote) {
                break;
            }
        }
        emit(type);
        return true;
    }

    private boolean lexRawQuote() {
        while (true) {
            int r = next();
            if (r == -1) {
                return error("unterminated raw quoted string");
            }
            if (r == '`') {
                break;
            }
        }
        emit(T.RAW_STRING);
        return true;
    }

    private boolean accept(String valid) {
        int r = next();
        if (r != -1 && valid.indexOf(r) >= 0) {
            return true;
        }
        backup(r);
        return false;
    }

    private void acceptRun(String valid) {
        while (true) {
            int r = next();
            if (r == -1 || valid.indexOf(r) < 0) {
                backup(r);
                return;
            }
        }
    }

    private boolean lexNumber() {
        accept("+-");
        String digits = "0123456789_";
        if (accept("0")) {
            if (accept("xX")) {
                digits = "0123456789abcdefABCDEF_";
            } else if (accept("oO")) {
                digits = "01234567_";
            } else if (accept("bB")) {
                digits = "01_";
            }
        }
        acceptRun(digits);
        if (accept(".")) {
            acceptRun(digits);
        }
        if (digits.length() == 11 && accept("eE")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        if (digits.length() == 23 && accept("pP")) {
            accept("+-");
            acceptRun("0123456789_");
        }
        accept("i");
        if (isAlnum(peek())) {
            next();
            return error("bad number syntax: " + GoStrconv.quote(in.substring(start, pos)));
        }
        emit(T.NUMBER);
        return true;
    }
}
