package dev.kopi.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import dev.kopi.digest.Digest;
import dev.kopi.internal.go.GoStrconv;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GoDigestAndQuoteTest {
    private static final String HEX64 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    static Stream<Arguments> digests() {
        return Stream.of(
                arguments("sha256:" + HEX64, null),
                arguments("sha384:" + HEX64 + HEX64.substring(0, 32), null),
                arguments("sha512:" + HEX64 + HEX64, null),
                arguments("", "invalid checksum digest format"),
                arguments(":abc", "invalid checksum digest format"),
                arguments("sha256:", "invalid checksum digest format"),
                arguments("sha256", "invalid checksum digest format"),
                arguments("sha256:ab", "invalid checksum digest length"),
                arguments("sha256:" + HEX64 + "ab", "invalid checksum digest length"),
                arguments("sha256:XX23456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                        "invalid checksum digest format"),
                arguments("foo:bar", "unsupported digest algorithm"),
                arguments("foo.bar+baz:a=B_-", "unsupported digest algorithm"),
                arguments("Foo:bar", "invalid checksum digest format"),
                arguments("foo..bar:x", "invalid checksum digest format"),
                arguments("foo:b/r", "invalid checksum digest format"));
    }

    @ParameterizedTest
    @MethodSource
    void digests(String input, String error) {
        assertThat(Digest.validate(input)).isEqualTo(error);
        assertThat(Digest.isValid(input)).isEqualTo(error == null);
    }

    static Stream<Arguments> quotes() {
        return Stream.of(
                arguments("", "\"\""),
                arguments("abc", "\"abc\""),
                arguments("a\"b\\c", "\"a\\\"b\\\\c\""),
                arguments("a\nb\tc\u0007\u000b", "\"a\\nb\\tc\\a\\v\""),
                arguments("\u0001\u007f", "\"\\x01\\x7f\""),
                arguments("é☃", "\"é☃\""),
                arguments("\u00a0\u200b", "\"\\u00a0\\u200b\""),
                arguments("\uD83D\uDC33", "\"\uD83D\uDC33\""));
    }

    @ParameterizedTest
    @MethodSource
    void quotes(String input, String quoted) {
        assertThat(GoStrconv.quote(input)).isEqualTo(quoted);
    }
}
