package dev.kopi.it.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link Bcrypt} against hashes made by glibc/libxcrypt's crypt(3), and Blowfish's published constants. */
class BcryptTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // password | setting | crypt(3) result (libxcrypt 4.4, Debian 12)
        "''| $2b$04$abcdefghijklmnopqrstuu | $2b$04$abcdefghijklmnopqrstuubyCG3zY1GIXMyxfivm.ClDiInHzxjiq",
        "kopi-secret | $2b$05$CCCCCCCCCCCCCCCCCCCCC. | $2b$05$CCCCCCCCCCCCCCCCCCCCC.SalRruwIJrIfZJTQ4p8m3NZ2fW7jlXu",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | $2b$04$0123456789abcdefghijkl"
                + " | $2b$04$0123456789abcdefghijkeiSUXrSomv3wJoF4RNPv6MGUtcbX44IW",
        "päss wörd | $2y$04$ABCDEFGHIJKLMNOPQRSTUu | $2y$04$ABCDEFGHIJKLMNOPQRSTUuUAPams8khIZKtMXBOyPwbmC7Fd5YMWm",
    })
    void matchesCrypt3(String password, String setting, String expected) {
        assertThat(Bcrypt.hash(password, setting)).isEqualTo(expected);
        assertThat(Bcrypt.matches(password, expected)).isTrue();
        String wrong = password.isEmpty() ? "x" : "X" + password.substring(1);
        assertThat(Bcrypt.matches(wrong, expected)).isFalse();
    }

    @Test
    void piWordsAreBlowfishsInitialState() {
        int[] w = Bcrypt.piWords(18 + 1024);
        assertThat(w[0]).isEqualTo(0x243f6a88); // P1
        assertThat(w[17]).isEqualTo(0x8979fb1b); // P18
        assertThat(w[18]).isEqualTo(0xd1310ba6); // S1[0]
        assertThat(w[18 + 256]).isEqualTo(0x4b7a70e9); // S2[0]
        assertThat(w[18 + 1023]).isEqualTo(0x3ac372e6); // S4[255]
    }

    @Test
    void randomSaltHashesVerify() {
        String h = Bcrypt.hash(Credentials.ALICE.password(), 4);
        assertThat(h).matches("\\$2y\\$04\\$[./A-Za-z0-9]{53}");
        assertThat(Bcrypt.matches(Credentials.ALICE.password(), h)).isTrue();
        assertThat(Bcrypt.hash(Credentials.ALICE.password(), 4)).as("salted").isNotEqualTo(h);
    }

    @Test
    void rejectsWhatItCannotDo() {
        assertThatThrownBy(() -> Bcrypt.hash("x".repeat(72), 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bcrypt.hash("x", 3)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Bcrypt.hash("x", "$1$abc")).isInstanceOf(IllegalArgumentException.class);
    }
}
