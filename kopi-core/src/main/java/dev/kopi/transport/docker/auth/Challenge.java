package dev.kopi.transport.docker.auth;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code WWW-Authenticate} challenge: a lower-cased scheme ({@code basic}, {@code bearer}) and lower-cased
 * parameter names with their values. Parsing follows the lenient grammar registries are known to need (as in
 * containers/image): a malformed parameter list ends the challenge at that point, keeping what came before.
 */
public record Challenge(String scheme, Map<String, String> parameters) {
    public Challenge {
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** One challenge per {@code WWW-Authenticate} header value (each value carries one challenge). */
    public static List<Challenge> parseAll(List<String> headerValues) {
        List<Challenge> out = new ArrayList<>();
        for (String h : headerValues) {
            Challenge c = parse(h);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** Parses one header value; null when it does not start with a scheme token. */
    public static Challenge parse(String header) {
        Cursor c = new Cursor(header);
        String scheme = c.token();
        if (scheme.isEmpty()) {
            return null;
        }
        Map<String, String> params = new LinkedHashMap<>();
        c.skipSpace();
        boolean first = true;
        while (first || c.peek() == ',') {
            if (!first) {
                c.pos++;
            }
            first = false;
            c.skipSpace();
            String key = c.token();
            if (key.isEmpty() || c.peek() != '=') {
                break;
            }
            c.pos++;
            String value = c.tokenOrQuoted();
            if (value == null || value.isEmpty()) {
                break;
            }
            params.put(key.toLowerCase(Locale.ROOT), value);
            c.skipSpace();
        }
        return new Challenge(scheme.toLowerCase(Locale.ROOT), params);
    }

    public String parameter(String name) {
        return parameters.get(name);
    }

    private static final class Cursor {
        private static final String SEPARATORS = " \t\"(),/:;<=>?@[]\\{}";
        final String s;
        int pos;

        Cursor(String s) {
            this.s = s;
        }

        int peek() {
            return pos < s.length() ? s.charAt(pos) : -1;
        }

        static boolean isToken(char ch) {
            return ch > 31 && ch < 127 && SEPARATORS.indexOf(ch) < 0;
        }

        void skipSpace() {
            while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
        }

        String token() {
            int start = pos;
            while (pos < s.length() && isToken(s.charAt(pos))) {
                pos++;
            }
            return s.substring(start, pos);
        }

        /** A token, or a quoted string with backslash escapes; null when a quoted string is unterminated. */
        String tokenOrQuoted() {
            if (peek() != '"') {
                return token();
            }
            pos++;
            StringBuilder sb = new StringBuilder();
            boolean escape = false;
            while (pos < s.length()) {
                char ch = s.charAt(pos++);
                if (escape) {
                    sb.append(ch);
                    escape = false;
                } else if (ch == '\\') {
                    escape = true;
                } else if (ch == '"') {
                    return sb.toString();
                } else {
                    sb.append(ch);
                }
            }
            return null;
        }
    }
}
