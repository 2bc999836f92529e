package dev.kopi.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Digest parsing with go-digest's rules and error texts (the cases of go-digest's TestParseDigest, and more). */
class DigestTest {
    private static final String SHA256_HEX = "e58fcf7418d4390dec8e8fb69d88c06ec07039d651fedd3aa72af9972e7d046b";
    private static final String SHA384_HEX =
            "d3fc7881460b7e22e3d172954463dddd7866d17597e7248453c48b3e9d26d9596bf9c4a9cf8072c9d5bad76e19af801d";

    @Test
    void parsesValidDigests() throws ImageException {
        Digest d = Digest.parse("sha256:" + SHA256_HEX);
        assertThat(d.algorithm()).isEqualTo(DigestAlgorithm.SHA256);
        assertThat(d.encoded()).isEqualTo(SHA256_HEX);
        assertThat(d).hasToString("sha256:" + SHA256_HEX);

        String sha512 = "sha512:" + "ab".repeat(64);
        assertThat(Digest.parse(sha512).algorithm()).isEqualTo(DigestAlgorithm.SHA512);
        assertThat(Digest.parse(sha512)).hasToString(sha512);
    }

    @ParameterizedTest(name = "[{index}] \"{0}\" -> {1}")
    @CsvSource(delimiter = '|', ignoreLeadingAndTrailingWhitespace = false, value = {
        // empty, whitespace only, empty hex, whitespace hex, bare colon, just hex
        "|invalid checksum digest format",
        "     |invalid checksum digest format",
        "sha256:|invalid checksum digest format",
        "sha256:                                                                |invalid checksum digest format",
        ":|invalid checksum digest format",
        "d41d8cd98f00b204e9800998ecf8427e|invalid checksum digest format",
        // the length is checked before the characters
        "sha256:d41d8cd98f00b204e9800m98ecf8427e|invalid checksum digest length",
        "sha256:abcdef0123456789|invalid checksum digest length",
        "sha512:abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789|invalid checksum digest length",
        "sha256:" + SHA256_HEX + "00|invalid checksum digest length",
        // unknown algorithms with a well-formed digest
        "foo:d41d8cd98f00b204e9800998ecf8427e|unsupported digest algorithm",
        "sha384.foo+bar:" + SHA384_HEX + "|unsupported digest algorithm",
        "sha384_foo+bar:" + SHA384_HEX + "|unsupported digest algorithm",
        "sha256+b64:LCa0a2j_xo_5m0U8HTBBNBNCLXBkg7-g-YpeiGJm564|unsupported digest algorithm",
        "md5:2872f31c5c1f62a694fbd20c1e85257c|unsupported digest algorithm",
        // repeated separators, upper-case algorithm or hex
        "sha384__foo+bar:" + SHA384_HEX + "|invalid checksum digest format",
        "SHA256:" + SHA256_HEX + "|invalid checksum digest format",
        "sha256:E58FCF7418D4390DEC8E8FB69D88C06EC07039D651FEDD3AA72AF9972E7D046B|invalid checksum digest format",
        // an unknown algorithm whose encoded part has characters outside [a-zA-Z0-9=_-] is malformed, not unsupported
        "foo:abc.def|invalid checksum digest format",
        "foo:abc!|invalid checksum digest format",
        "foo:a/b|invalid checksum digest format",
        // a second colon ends up in the encoded part
        "sha256:" + SHA256_HEX + ":x|invalid checksum digest length",
    })
    void rejectsInvalidDigestsWithGoDigestTexts(String input, String message) {
        String s = input == null ? "" : input;
        assertThatThrownBy(() -> Digest.parse(s))
                .isInstanceOf(ImageException.class)
                .hasMessage(message)
                .satisfies(e -> assertThat(((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT));
    }

    @Test
    void ofWrapsParseErrorsAsIllegalArgument() {
        assertThatThrownBy(() -> Digest.of("sha256:abc"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("invalid checksum digest length");
    }

    @Test
    void constructorValidatesHex() {
        assertThatThrownBy(() -> new Digest(DigestAlgorithm.SHA256, "abc")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Digest(DigestAlgorithm.SHA256, SHA256_HEX.toUpperCase()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void computesKnownDigests() {
        // sha256 of the empty string and of "hello world"
        assertThat(Digest.sha256(new byte[0])).hasToString(
                "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assertThat(Digest.sha256("hello world".getBytes(StandardCharsets.UTF_8))).hasToString(
                "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
        assertThat(Digest.compute(DigestAlgorithm.SHA512, new byte[0]).encoded()).startsWith("cf83e1357eefb8bd");
    }
}
