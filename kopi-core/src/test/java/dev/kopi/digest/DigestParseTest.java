package dev.kopi.digest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link Digest#parse} and {@link Digest#validate} are one go-digest implementation. The former copy in
 * reference.GoDigest checked the encoded part of an unknown algorithm against go-digest's DigestRegexp; parse did
 * not, and called {@code foo:b/r} "unsupported" where go-digest says "invalid checksum digest format".
 */
class DigestParseTest {
    private static final String HEX64 = "0123456789abcdef".repeat(4);

    @ParameterizedTest
    @CsvSource(nullValues = "NULL", value = {
        "foo:b/r, invalid checksum digest format",
        "foo:b=r_-Z9, unsupported digest algorithm",
        "foo.:bar, invalid checksum digest format",
        "sha256:abc, invalid checksum digest length",
        "sha256:" + "0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef, invalid checksum digest format",
        "sha384:" + "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
                + "0123456789abcdef0123456789abcdef, NULL",
        "sha512:, invalid checksum digest format"})
    void parseAgreesWithValidate(String in, String error) throws ImageException {
        assertThat(Digest.validate(in)).isEqualTo(error);
        if (error == null) {
            Digest d = Digest.parse(in);
            assertThat(d.toString()).isEqualTo(in);
            assertThat(d.algorithm()).isEqualTo(DigestAlgorithm.SHA384);
        } else {
            assertThatThrownBy(() -> Digest.parse(in)).isInstanceOf(ImageException.class).hasMessage(error)
                    .extracting(e -> ((ImageException) e).code()).isEqualTo(ErrorCode.INVALID_INPUT);
        }
    }

    @ParameterizedTest
    @CsvSource({"sha256", "sha512"})
    void parsesKnownAlgorithms(String alg) throws ImageException {
        String hex = alg.equals("sha256") ? HEX64 : HEX64 + HEX64;
        assertThat(Digest.parse(alg + ":" + hex))
                .isEqualTo(new Digest(DigestAlgorithm.byPrefix(alg).orElseThrow(), hex));
    }
}
