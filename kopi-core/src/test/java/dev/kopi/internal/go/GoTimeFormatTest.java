package dev.kopi.internal.go;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kopi.json.GoTime;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The one Go time formatter. json.GoTime (config and manifest JSON) had its own RFC 3339 and
 * {@code time.Time.String()} writers; both now come from here.
 */
class GoTimeFormatTest {
    @ParameterizedTest
    @CsvSource({
        "2021-01-02T03:04:05Z, 2021-01-02T03:04:05Z",
        "2021-01-02T03:04:05.120+02:00, 2021-01-02T03:04:05.12+02:00",
        "2021-01-02T03:04:05.000000001-03:30, 2021-01-02T03:04:05.000000001-03:30",
        "2021-01-02T03:04:05.100000000+00:00, 2021-01-02T03:04:05.1Z",
        "2021-01-02T03:04:05+05:30:45, 2021-01-02T03:04:05+05:30", // Go's RFC 3339 drops offset seconds
        "0001-01-01T00:00:00Z, 0001-01-01T00:00:00Z"})
    void rfc3339NanoAsJsonWritesIt(String in, String want) {
        OffsetDateTime t = OffsetDateTime.parse(in);
        assertThat(GoTime.format(t)).isEqualTo(want);
        assertThat(GoTimeFormat.rfc3339Nano(t)).isEqualTo(want);
        assertThat(GoTimeFormat.rfc3339Nano((Object) t)).isEqualTo(want);
    }

    @Test
    void negativeYearsArePaddedAfterTheSign() {
        OffsetDateTime t = OffsetDateTime.of(-5, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC);
        assertThat(GoTime.format(t)).isEqualTo("-0005-01-02T03:04:05Z");
    }

    @Test
    void timeString() {
        assertThat(GoTimeFormat.string(Instant.parse("2023-04-05T06:07:08.123456789Z")))
                .isEqualTo("2023-04-05 06:07:08.123456789 +0000 UTC");
        // a fixed offset that is not the local zone's: Go has no name for it and prints the offset twice
        ZonedDateTime odd = ZonedDateTime.of(2023, 4, 5, 6, 7, 8, 500_000_000, ZoneOffset.ofHoursMinutes(5, 17));
        assertThat(GoTimeFormat.string(odd)).isEqualTo("2023-04-05 06:07:08.5 +0517 +0517");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "Jan _2 03:04:05.000PM -07:00 2006|Apr  5 06:07:08.120AM +05:17 2023",
        "Monday 2.1.06 15h|Wednesday 5.4.23 06h",
        "2006-01-02T15:04:05,999Z0700|2023-04-05T06:07:08,12+0517",
        "__2 002 -07 Z07:00:00|' 95 095 +05 +05:17:00'"})
    void layouts(String layout, String want) {
        ZonedDateTime t = ZonedDateTime.of(2023, 4, 5, 6, 7, 8, 120_000_000, ZoneOffset.ofHoursMinutes(5, 17));
        assertThat(GoTimeFormat.format(new GoTimeFormat.Moment(t, ""), layout)).isEqualTo(want);
    }
}
