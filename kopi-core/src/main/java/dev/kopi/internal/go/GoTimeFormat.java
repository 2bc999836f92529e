package dev.kopi.internal.go;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.TextStyle;
import java.util.Locale;
import java.util.TimeZone;

/**
 * Go's {@code time.Time} formatting ({@code Time.Format} layouts such as
 * {@code "2006-01-02 15:04:05.999999999 -0700 MST"}, {@code Time.String}, RFC 3339) over java.time values. The one
 * implementation for templates and JSON documents.
 */
public final class GoTimeFormat {
    /** The layout of {@code time.Time.String()}. */
    public static final String STRING_LAYOUT = "2006-01-02 15:04:05.999999999 -0700 MST";
    /** {@code time.RFC3339Nano}, also what {@code time.Time} marshals to in JSON. */
    public static final String RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00";

    private GoTimeFormat() {
    }

    /** A time value with the zone name Go would show (empty when Go would only know the offset). */
    public record Moment(ZonedDateTime t, String zoneName) {
    }

    /**
     * The moment Go would hold for an {@link Instant} (UTC), an {@link OffsetDateTime} (named like Go's
     * {@code time.Parse} names it) or a {@link ZonedDateTime}.
     */
    public static Moment moment(Object v) {
        if (v instanceof Instant i) {
            return new Moment(i.atZone(ZoneOffset.UTC), "UTC");
        }
        if (v instanceof OffsetDateTime o) {
            return new Moment(o.toZonedDateTime(), zoneNameForOffset(o.toInstant(), o.getOffset()));
        }
        if (v instanceof ZonedDateTime z) {
            if (z.getZone() instanceof ZoneOffset off) {
                return new Moment(z, zoneNameForOffset(z.toInstant(), off));
            }
            return new Moment(z, abbreviation(z.getZone(), z.toInstant()));
        }
        throw new IllegalArgumentException("not a time: " + v);
    }

    /** Go's time.Parse result: UTC for 'Z', the local zone when its offset matches, else an unnamed zone. */
    private static String zoneNameForOffset(Instant at, ZoneOffset off) {
        ZoneId local = TimeZone.getDefault().toZoneId();
        if (local.getRules().getOffset(at).equals(off)) {
            return abbreviation(local, at);
        }
        if (off.getTotalSeconds() == 0) {
            return "UTC";
        }
        return "";
    }

    private static String abbreviation(ZoneId zone, Instant at) {
        if (zone instanceof ZoneOffset off) {
            return off.getTotalSeconds() == 0 ? "UTC" : "";
        }
        String id = zone.getId();
        if (id.equals("UTC") || id.equals("Etc/UTC") || id.equals("Z")) {
            return "UTC";
        }
        boolean dst = zone.getRules().isDaylightSavings(at);
        String name = TimeZone.getTimeZone(zone).getDisplayName(dst, TimeZone.SHORT, Locale.ROOT);
        if (name.startsWith("GMT") && name.length() > 3) {
            return "";
        }
        if (name.equals("GMT") && zone.getRules().getOffset(at).getTotalSeconds() == 0 && id.contains("UTC")) {
            return "UTC";
        }
        return name;
    }

    /** {@code time.Time.String()}. */
    public static String string(Object v) {
        return format(moment(v), STRING_LAYOUT);
    }

    /** {@code t.Format(time.RFC3339Nano)}. */
    public static String rfc3339Nano(Object v) {
        return format(moment(v), RFC3339_NANO);
    }

    /** {@code t.Format(time.RFC3339Nano)} for a time with a fixed offset. */
    public static String rfc3339Nano(OffsetDateTime t) {
        return format(new Moment(t.toZonedDateTime(), ""), RFC3339_NANO); // the layout shows no zone name
    }

    private static final String[] LONG_DAYS = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
        "Sunday"};

    /** Formats like Go's Time.Format. */
    public static String format(Moment m, String layout) {
        ZonedDateTime t = m.t();
        StringBuilder b = new StringBuilder();
        int i = 0;
        while (i < layout.length()) {
            String rest = layout.substring(i);
            String tok = chunk(rest);
            if (tok == null) {
                b.append(layout.charAt(i));
                i++;
                continue;
            }
            i += tok.length();
            int offSec = t.getOffset().getTotalSeconds();
            switch (tok) {
                case "January" -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH));
                case "Jan" -> b.append(t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH), 0, 3);
                case "Monday" -> b.append(LONG_DAYS[t.getDayOfWeek().getValue() - 1]);
                case "Mon" -> b.append(LONG_DAYS[t.getDayOfWeek().getValue() - 1], 0, 3);
                case "MST" -> {
                    if (!m.zoneName().isEmpty()) {
                        b.append(m.zoneName());
                    } else {
                        appendOffset(b, offSec, false, false, false);
                    }
                }
                case "2006" -> pad(b, t.getYear(), 4);
                case "06" -> pad(b, Math.floorMod(t.getYear(), 100), 2);
                case "01" -> pad(b, t.getMonthValue(), 2);
                case "1" -> b.append(t.getMonthValue());
                case "02" -> pad(b, t.getDayOfMonth(), 2);
                case "_2" -> b.append(t.getDayOfMonth() < 10 ? " " : "").append(t.getDayOfMonth());
                case "2" -> b.append(t.getDayOfMonth());
                case "002" -> pad(b, t.getDayOfYear(), 3);
                case "__2" -> {
                    int d = t.getDayOfYear();
                    b.append(d < 10 ? "  " : d < 100 ? " " : "").append(d);
                }
                case "15" -> pad(b, t.getHour(), 2);
                case "03" -> pad(b, hour12(t.getHour()), 2);
                case "3" -> b.append(hour12(t.getHour()));
                case "04" -> pad(b, t.getMinute(), 2);
                case "4" -> b.append(t.getMinute());
                case "05" -> pad(b, t.getSecond(), 2);
                case "5" -> b.append(t.getSecond());
                case "PM" -> b.append(t.getHour() >= 12 ? "PM" : "AM");
                case "pm" -> b.append(t.getHour() >= 12 ? "pm" : "am");
                case "-070000" -> appendOffset(b, offSec, false, false, true);
                case "-07:00:00" -> appendOffset(b, offSec, true, false, true);
                case "-0700" -> appendOffset(b, offSec, false, false, false);
                case "-07:00" -> appendOffset(b, offSec, true, false, false);
                case "-07" -> appendShortOffset(b, offSec);
                case "Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07" -> {
                    if (offSec == 0) {
                        b.append('Z');
                    } else if (tok.equals("Z07")) {
                        appendShortOffset(b, offSec);
                    } else {
                        appendOffset(b, offSec, tok.contains(":"), false, tok.length() > 6);
                    }
                }
                default -> appendFraction(b, tok, t.getNano());
            }
        }
        return b.toString();
    }

    private static int hour12(int h) {
        int r = h % 12;
        return r == 0 ? 12 : r;
    }

    private static void pad(StringBuilder b, int v, int width) {
        String s = Integer.toString(Math.abs(v));
        if (v < 0) {
            b.append('-');
        }
        for (int k = s.length(); k < width; k++) {
            b.append('0');
        }
        b.append(s);
    }

    private static void appendShortOffset(StringBuilder b, int offSec) {
        int zone = offSec / 60;
        b.append(zone < 0 ? '-' : '+');
        pad(b, Math.abs(zone) / 60, 2);
    }

    private static void appendOffset(StringBuilder b, int offSec, boolean colons, boolean unused, boolean seconds) {
        int zone = offSec / 60;
        int absOff = Math.abs(offSec);
        b.append(zone < 0 ? '-' : '+');
        zone = Math.abs(zone);
        pad(b, zone / 60, 2);
        if (colons) {
            b.append(':');
        }
        pad(b, zone % 60, 2);
        if (seconds) {
            if (colons) {
                b.append(':');
            }
            pad(b, absOff % 60, 2);
        }
    }

    private static void appendFraction(StringBuilder b, String tok, int nanos) {
        char sep = tok.charAt(0);
        int digits = tok.length() - 1;
        String all = String.format("%09d", nanos).substring(0, Math.min(9, digits));
        if (tok.charAt(1) == '9') {
            int end = all.length();
            while (end > 0 && all.charAt(end - 1) == '0') {
                end--;
            }
            if (end == 0) {
                return;
            }
            b.append(sep).append(all, 0, end);
        } else {
            b.append(sep).append(all);
        }
    }

    /** The standard chunk at the start of s, or null when s starts with a literal character. */
    private static String chunk(String s) {
        String[] fixed = {"January", "Jan", "Monday", "Mon", "MST", "2006", "-07:00:00", "-070000", "-07:00",
            "-0700", "-07", "Z07:00:00", "Z070000", "Z07:00", "Z0700", "Z07", "002", "__2", "_2", "01", "02", "03",
            "04", "05", "06", "15", "PM", "pm"};
        for (String f : fixed) {
            if (s.startsWith(f)) {
                if ((f.equals("Jan") || f.equals("Mon")) && s.length() > 3 && Character.isLowerCase(s.charAt(3))
                        && !s.startsWith("January") && !s.startsWith("Monday")) {
                    continue;
                }
                return f;
            }
        }
        char c = s.charAt(0);
        if (c == '1' || c == '2' || c == '3' || c == '4' || c == '5') {
            return String.valueOf(c);
        }
        if ((c == '.' || c == ',') && s.length() > 1 && (s.charAt(1) == '0' || s.charAt(1) == '9')) {
            char d = s.charAt(1);
            int j = 1;
            while (j < s.length() && s.charAt(j) == d) {
                j++;
            }
            if (j >= s.length() || !Character.isDigit(s.charAt(j))) {
                return s.substring(0, j);
            }
        }
        return null;
    }
}
