package dev.kopi.json;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** GoTime: time.Time's RFC 3339 JSON encoding and String(), as Go writes them. */
class GoTimeTest {
    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "2024-01-02T03:04:05Z, 2024-01-02T03:04:05Z",
        // trailing zeros of the fraction are trimmed, all nine digits kept otherwise
        "2024-01-02T03:04:05.000Z, 2024-01-02T03:04:05Z",
        "2024-01-02T03:04:05.500Z, 2024-01-02T03:04:05.5Z",
        "2024-01-02T03:04:05.123456789Z, 2024-01-02T03:04:05.123456789Z",
        "2024-01-02T03:04:05.000001Z, 2024-01-02T03:04:05.000001Z",
        "2024-01-02T03:04:05.120000000Z, 2024-01-02T03:04:05.12Z",
        "2016-03-03T11:29:44.222098366Z, 2016-03-03T11:29:44.222098366Z",
        // offsets are kept (Go records the offset of the parsed string); a zero offset is written as Z
        "2020-01-01T10:00:00.5+01:00, 2020-01-01T10:00:00.5+01:00",
        "2020-01-01T10:00:00-05:30, 2020-01-01T10:00:00-05:30",
        "2020-01-01T10:00:00+00:00, 2020-01-01T10:00:00Z",
        "2020-01-01T10:00:00+14:00, 2020-01-01T10:00:00+14:00",
        // small years are padded to four digits
        "0001-01-01T00:00:00Z, 0001-01-01T00:00:00Z",
        "0999-12-31T23:59:59Z, 0999-12-31T23:59:59Z",
    })
    void formatsAsRfc3339Nano(String input, String expected) {
        OffsetDateTime t = GoTime.parse(input);
        assertThat(t).isNotNull();
        assertThat(GoTime.format(t)).isEqualTo(expected);
    }

    @Test
    void offsetsWithSecondsAreTruncatedToMinutes() {
        // Go's Z07:00 writes hours and minutes only
        OffsetDateTime t = OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHoursMinutesSeconds(1, 2, 3));
        assertThat(GoTime.format(t)).isEqualTo("2020-01-01T00:00:00+01:02");
        OffsetDateTime n = OffsetDateTime.of(2020, 1, 1, 0, 0, 0, 0, ZoneOffset.ofHoursMinutesSeconds(-1, -2, -3));
        assertThat(GoTime.format(n)).isEqualTo("2020-01-01T00:00:00-01:02");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"yesterday", "2020-01-01", "2020-13-01T00:00:00Z", "2020-01-01T00:00:00"})
    void unparsableTimesAreNull(String s) {
        assertThat(GoTime.parse(s)).isNull();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "2024-01-02T03:04:05Z, 2024-01-02 03:04:05 +0000 UTC",
        "2024-01-02T03:04:05.250Z, 2024-01-02 03:04:05.25 +0000 UTC",
        // a parsed offset with no known zone name: Go prints the offset where the name goes (skopeo 1.9.3
        // '--format {{.Created}}' prints "2020-01-01 10:00:00.5 +0100 +0100" with TZ unset)
        "2020-01-01T10:00:00.5+01:00, 2020-01-01 10:00:00.5 +0100 +0100",
        "2020-01-01T10:00:00-05:30, 2020-01-01 10:00:00 -0530 -0530",
    })
    void goStringAsTimeString(String input, String expected) {
        assertThat(dev.kopi.internal.go.GoTimeFormat.string(GoTime.parse(input))).isEqualTo(expected);
    }
}
