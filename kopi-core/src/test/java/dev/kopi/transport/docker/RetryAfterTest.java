package dev.kopi.transport.docker;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** {@code Retry-After} as containers/image's parseRetryAfter reads it: seconds, a future HTTP date, else the fallback. */
class RetryAfterTest {
    private static final Duration FALLBACK = Duration.ofSeconds(2);

    @ParameterizedTest(name = "\"{0}\" -> {1} s")
    @CsvSource(delimiter = '|', value = {
        "1|1", "120|120", "0|0", "-5|0", "''|2", "soon|2", "1.5|2", "Wed, 21 Oct 2015 07:28:00 GMT|2"})
    void secondsOrFallback(String value, long seconds) {
        assertThat(RegistryClient.retryAfter(value, FALLBACK)).isEqualTo(Duration.ofSeconds(seconds));
    }

    @Test
    void futureHttpDate() {
        String in30s = ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(30).format(DateTimeFormatter.RFC_1123_DATE_TIME);
        assertThat(RegistryClient.retryAfter(in30s, FALLBACK)).isBetween(Duration.ofSeconds(25),
                Duration.ofSeconds(31));
    }
}
