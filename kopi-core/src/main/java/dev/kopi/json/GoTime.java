package dev.kopi.json;

import dev.kopi.internal.go.GoTimeFormat;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Go's {@code time.Time} JSON encoding (RFC 3339 with nanoseconds, trailing zeros trimmed). */
public final class GoTime {
    private GoTime() {
    }

    /** Parses an RFC 3339 time as Go's {@code time.Time.UnmarshalJSON} does; null when it does not parse. */
    public static OffsetDateTime parse(String s) {
        if (s == null || s.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** RFC3339Nano as Go writes it: {@code 2006-01-02T15:04:05.999999999Z07:00}. */
    public static String format(OffsetDateTime t) {
        return GoTimeFormat.rfc3339Nano(t);
    }
}
