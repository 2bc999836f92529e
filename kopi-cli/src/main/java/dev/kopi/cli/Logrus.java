package dev.kopi.cli;

import dev.kopi.internal.go.GoStrconv;
import java.io.PrintStream;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Log lines in logrus's text format, as skopeo prints them: {@code time="..." level=fatal msg="..."}. */
final class Logrus {
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");

    private Logrus() {
    }

    static void log(PrintStream err, String level, String msg) {
        String time = OffsetDateTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS).format(RFC3339);
        err.println("time=\"" + time + "\" level=" + level + " msg=" + quoteIfNeeded(msg));
        err.flush();
    }

    /** A line with fields, printed after the message in key order (logrus's text formatter sorts them). */
    static void log(PrintStream err, String level, String msg, java.util.Map<String, String> fields) {
        String time = OffsetDateTime.now(ZoneId.systemDefault()).truncatedTo(ChronoUnit.SECONDS).format(RFC3339);
        StringBuilder b = new StringBuilder("time=\"" + time + "\" level=" + level + " msg=" + quoteIfNeeded(msg));
        for (String k : new java.util.TreeSet<>(fields.keySet())) {
            b.append(' ').append(k).append('=').append(quoteIfNeeded(fields.get(k)));
        }
        synchronized (err) {
            err.println(b);
            err.flush();
        }
    }

    static String quoteIfNeeded(String s) {
        if (s.isEmpty()) {
            return "\"\"";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '/' || c == '@' || c == '^' || c == '+')) {
                return GoStrconv.quote(s); // logrus quotes with %q
            }
        }
        return s;
    }
}
