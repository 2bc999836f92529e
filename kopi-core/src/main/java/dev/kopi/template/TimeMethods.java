package dev.kopi.template;

import dev.kopi.internal.go.GoTimeFormat;
import java.util.List;
import java.util.Map;

/** The time.Time methods templates commonly call ({{.Created.Format "2006-01-02"}}, {{.Created.Unix}}). */
final class TimeMethods {
    private TimeMethods() {
    }

    private static GoTimeFormat.Moment m(List<Val> a) {
        return GoTimeFormat.moment(a.get(0).value());
    }

    private static GoFunc f(List<String> params, GoFunc.Impl impl) {
        return new GoFunc(params, false, impl);
    }

    private static final Map<String, GoFunc> METHODS = Map.ofEntries(
            Map.entry("String", f(List.of(), a -> new Val(GoTimeFormat.string(a.get(0).value()), "string"))),
            Map.entry("Format", f(List.of("string"),
                    a -> new Val(GoTimeFormat.format(m(a), (String) a.get(1).value()), "string"))),
            Map.entry("Unix", f(List.of(), a -> new Val(m(a).t().toEpochSecond(), "int64"))),
            Map.entry("UnixMilli", f(List.of(), a -> new Val(m(a).t().toInstant().toEpochMilli(), "int64"))),
            Map.entry("UnixNano", f(List.of(), a -> {
                java.time.Instant i = m(a).t().toInstant();
                return new Val(i.getEpochSecond() * 1_000_000_000L + i.getNano(), "int64");
            })),
            Map.entry("Year", f(List.of(), a -> new Val((long) m(a).t().getYear(), "int"))),
            Map.entry("YearDay", f(List.of(), a -> new Val((long) m(a).t().getDayOfYear(), "int"))),
            Map.entry("Day", f(List.of(), a -> new Val((long) m(a).t().getDayOfMonth(), "int"))),
            Map.entry("Hour", f(List.of(), a -> new Val((long) m(a).t().getHour(), "int"))),
            Map.entry("Minute", f(List.of(), a -> new Val((long) m(a).t().getMinute(), "int"))),
            Map.entry("Second", f(List.of(), a -> new Val((long) m(a).t().getSecond(), "int"))),
            Map.entry("Nanosecond", f(List.of(), a -> new Val((long) m(a).t().getNano(), "int"))),
            Map.entry("IsZero", f(List.of(), a -> new Val(m(a).t().toInstant().equals(
                    java.time.Instant.parse("0001-01-01T00:00:00Z")), "bool"))),
            Map.entry("UTC", f(List.of(), a -> new Val(m(a).t().toInstant(), "time.Time"))));

    static GoFunc method(String name) {
        return METHODS.get(name);
    }
}
