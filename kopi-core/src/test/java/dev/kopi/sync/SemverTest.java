package dev.kopi.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ImageException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code images-by-semver} constraints, with the cases the Masterminds semver documentation gives. */
class SemverTest {
    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource(delimiter = '|', value = {
        ">= 1.2 | 1.2.0 | true",
        ">= 1.2 | v1.3 | true",
        ">= 1.2 | 1.1.9 | false",
        ">= 1.2 | 1.3.0-rc1 | false",
        ">= 1.2.0-0 | 1.3.0-rc1 | true",
        "1.2.x | 1.2.7 | true",
        "1.2.x | 1.3.0 | false",
        "* | 0.0.1 | true",
        "* | latest | false",
        "~1.2.3 | 1.2.9 | true",
        "~1.2.3 | 1.3.0 | false",
        "~1 | 1.9.0 | true",
        "~1 | 2.0.0 | false",
        "^1.2.3 | 1.9.9 | true",
        "^1.2.3 | 2.0.0 | false",
        "^0.2.3 | 0.2.9 | true",
        "^0.2.3 | 0.3.0 | false",
        "^0.0.3 | 0.0.4 | false",
        "1.2 - 1.4.5 | 1.4.5 | true",
        "1.2 - 1.4.5 | 1.4.6 | false",
        ">1.2 | 1.2.9 | false",
        ">1.2 | 1.3.0 | true",
        "<= 1.2 | 1.2.9 | true",
        "<= 1.2 | 1.3.0 | false",
        "!= 1.2.x | 1.2.3 | false",
        "!= 1.2.x | 1.3.0 | true",
        ">= 1.0, < 2.0 | 1.5.0 | true",
        ">= 1.0 < 2.0 | 2.0.0 | false",
        "'< 1.0 || >= 3' | 0.9.0 | true",
        "'< 1.0 || >= 3' | 2.0.0 | false",
        "= 1.10.0 | 1.10 | true",
        ">= 1 | 01.2.3 | true",
    })
    void matches(String constraint, String tag, boolean expected) throws ImageException {
        assertThat(Semver.parse(constraint).matches(tag)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"latest", ">== 1", "1.2.3.4"})
    void improperConstraints(String constraint) {
        assertThatThrownBy(() -> Semver.parse(constraint)).isInstanceOf(ImageException.class)
                .hasMessageStartingWith("improper constraint: ");
    }
}
