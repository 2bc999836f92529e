package dev.kopi.cli;

import java.time.Duration;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parses Go duration strings ({@code 1h30m}, {@code 500ms}, {@code 2s}, {@code 0}) as cobra's DurationVar. */
final class GoDuration implements ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        return parse(value);
    }

    static Duration parse(String s) {
        String orig = s;
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        boolean neg = false;
        if (s.startsWith("-") || s.startsWith("+")) {
            neg = s.startsWith("-");
            s = s.substring(1);
        }
        if (s.isEmpty()) {
            throw bad(orig);
        }
        double nanos = 0;
        int i = 0;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw bad(orig);
            }
            double v;
            try {
                v = Double.parseDouble(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw bad(orig);
            }
            int us = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(us, i);
            double mult = switch (unit) {
                case "ns" -> 1;
                case "us", "µs", "μs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                case "h" -> 3600e9;
                default -> throw unit.isEmpty() ? new TypeConversionException("time: missing unit in duration \""
                        + orig + "\"") : new TypeConversionException("time: unknown unit \"" + unit
                        + "\" in duration \"" + orig + "\"");
            };
            nanos += v * mult;
        }
        return Duration.ofNanos((long) (neg ? -nanos : nanos));
    }

    private static TypeConversionException bad(String s) {
        return new TypeConversionException("time: invalid duration \"" + s + "\"");
    }
}
