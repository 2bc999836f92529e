package dev.kopi.json;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
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
        StringBuilder sb = new StringBuilder(35);
        int year = t.getYear();
        pad(sb, year, 4);
        sb.append('-');
        pad(sb, t.getMonthValue(), 2);
        sb.append('-');
        pad(sb, t.getDayOfMonth(), 2);
        sb.append('T');
        pad(sb, t.getHour(), 2);
        sb.append(':');
        pad(sb, t.getMinute(), 2);
        sb.append(':');
        pad(sb, t.getSecond(), 2);
        int nanos = t.getNano();
        if (nanos != 0) {
            String f = String.format("%09d", nanos);
            int end = f.length();
            while (end > 0 && f.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(f, 0, end);
        }
        ZoneOffset off = t.getOffset();
        if (off.getTotalSeconds() == 0) {
            sb.append('Z');
        } else {
            int secs = off.getTotalSeconds();
            sb.append(secs < 0 ? '-' : '+');
            secs = Math.abs(secs);
            pad(sb, secs / 3600, 2);
            sb.append(':');
            pad(sb, (secs / 60) % 60, 2);
        }
        return sb.toString();
    }

    /** Go's {@code time.Time.String()}: {@code 2006-01-02 15:04:05.999999999 -0700 MST}. */
    public static String goString(OffsetDateTime t) {
        StringBuilder sb = new StringBuilder();
        pad(sb, t.getYear(), 4);
        sb.append('-');
        pad(sb, t.getMonthValue(), 2);
        sb.append('-');
        pad(sb, t.getDayOfMonth(), 2);
        sb.append(' ');
        pad(sb, t.getHour(), 2);
        sb.append(':');
        pad(sb, t.getMinute(), 2);
        sb.append(':');
        pad(sb, t.getSecond(), 2);
        int nanos = t.getNano();
        if (nanos != 0) {
            String f = String.format("%09d", nanos);
            int end = f.length();
            while (end > 0 && f.charAt(end - 1) == '0') {
                end--;
            }
            sb.append('.').append(f, 0, end);
        }
        int secs = t.getOffset().getTotalSeconds();
        int a = Math.abs(secs);
        StringBuilder zone = new StringBuilder().append(secs < 0 ? '-' : '+');
        pad(zone, a / 3600, 2);
        pad(zone, (a / 60) % 60, 2);
        // the zone name: UTC, else (a parsed offset has no name) Go writes the offset again
        sb.append(' ').append(zone).append(' ').append(secs == 0 ? "UTC" : zone);
        return sb.toString();
    }

    private static void pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(s);
    }
}
