package dev.kopi.it.registry;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;

/**
 * bcrypt password hashes ({@code $2y$NN$...}) for the registry's htpasswd file: docker-distribution accepts only
 * bcrypt entries, and {@code htpasswd -B} (apache2-utils) is not always installed. Written from the algorithm's
 * description (Provos and Mazières, "A Future-Adaptable Password Scheme", 1999): Blowfish with an expensive key
 * schedule, then 64 encryptions of "OrpheanBeholderScryDoubt". Blowfish's initial P-array and S-boxes are the
 * hexadecimal digits of pi's fractional part, which {@link #PI_WORDS} computes (Machin's formula) instead of listing.
 *
 * <p>Test-only: no constant-time comparison, no key-length subtleties beyond 71 bytes (rejected).
 */
public final class Bcrypt {
    private static final String ALPHABET = "./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    private static final int P_WORDS = 18;
    private static final int S_WORDS = 4 * 256;
    /** The first 1042 32-bit words of pi's fractional part: P-array (18) then S-boxes (4 x 256). */
    private static final int[] PI_WORDS = piWords(P_WORDS + S_WORDS);
    private static final byte[] MAGIC = "OrpheanBeholderScryDoubt".getBytes(StandardCharsets.US_ASCII);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final int[] p = new int[P_WORDS];
    private final int[] s = new int[S_WORDS];

    private Bcrypt() {
        System.arraycopy(PI_WORDS, 0, p, 0, P_WORDS);
        System.arraycopy(PI_WORDS, P_WORDS, s, 0, S_WORDS);
    }

    /** A {@code $2y$} hash of {@code password} with a random salt and the given cost (4..31; 4 keeps tests fast). */
    public static String hash(String password, int cost) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return hash(password, cost, salt, "2y");
    }

    /**
     * Hashes {@code password} with the cost and salt of {@code setting} ({@code $2a$}, {@code $2b$} or {@code $2y$},
     * two-digit cost, 22 salt characters; anything after them is ignored), as crypt(3) does.
     */
    public static String hash(String password, String setting) {
        if (setting.length() < 29 || setting.charAt(0) != '$' || setting.charAt(1) != '2' || setting.charAt(3) != '$'
                || setting.charAt(6) != '$' || "aby".indexOf(setting.charAt(2)) < 0) {
            throw new IllegalArgumentException("not a bcrypt setting: " + setting);
        }
        int cost = Integer.parseInt(setting.substring(4, 6));
        byte[] salt = decode(setting.substring(7, 29), 16);
        return hash(password, cost, salt, setting.substring(1, 3));
    }

    /** Whether {@code password} matches the bcrypt {@code hash}. */
    public static boolean matches(String password, String hash) {
        return hash.length() == 60 && hash(password, hash).equals(hash);
    }

    private static String hash(String password, int cost, byte[] salt, String version) {
        if (cost < 4 || cost > 31) {
            throw new IllegalArgumentException("bcrypt cost must be 4..31, not " + cost);
        }
        byte[] pw = password.getBytes(StandardCharsets.UTF_8);
        if (pw.length > 71) {
            throw new IllegalArgumentException("bcrypt test passwords must be at most 71 bytes");
        }
        byte[] key = new byte[pw.length + 1]; // the terminating NUL is part of the key
        System.arraycopy(pw, 0, key, 0, pw.length);

        Bcrypt b = new Bcrypt();
        b.expandKey(salt, key);
        for (long i = 1L << cost; i > 0; i--) {
            b.expandKey(null, key);
            b.expandKey(null, salt);
        }
        int[] text = new int[MAGIC.length / 4];
        int[] pos = {0};
        for (int i = 0; i < text.length; i++) {
            text[i] = nextWord(MAGIC, pos);
        }
        for (int round = 0; round < 64; round++) {
            for (int i = 0; i < text.length; i += 2) {
                b.encrypt(text, i);
            }
        }
        byte[] out = new byte[text.length * 4];
        for (int i = 0; i < text.length; i++) {
            out[4 * i] = (byte) (text[i] >>> 24);
            out[4 * i + 1] = (byte) (text[i] >>> 16);
            out[4 * i + 2] = (byte) (text[i] >>> 8);
            out[4 * i + 3] = (byte) text[i];
        }
        return "$" + version + "$" + (cost < 10 ? "0" : "") + cost + "$" + encode(salt, 16) + encode(out, 23);
    }

    /** Blowfish's key schedule, with bcrypt's salt mixing ({@code salt} null: the plain "expand key" step). */
    private void expandKey(byte[] salt, byte[] key) {
        int[] keyPos = {0};
        for (int i = 0; i < P_WORDS; i++) {
            p[i] ^= nextWord(key, keyPos);
        }
        int[] lr = {0, 0};
        int[] saltPos = {0};
        for (int i = 0; i < P_WORDS; i += 2) {
            mixSalt(lr, salt, saltPos);
            encrypt(lr, 0);
            p[i] = lr[0];
            p[i + 1] = lr[1];
        }
        for (int i = 0; i < S_WORDS; i += 2) {
            mixSalt(lr, salt, saltPos);
            encrypt(lr, 0);
            s[i] = lr[0];
            s[i + 1] = lr[1];
        }
    }

    private static void mixSalt(int[] lr, byte[] salt, int[] pos) {
        if (salt != null) {
            lr[0] ^= nextWord(salt, pos);
            lr[1] ^= nextWord(salt, pos);
        }
    }

    /** Encrypts the 64-bit block {@code lr[off], lr[off+1]} in place. */
    private void encrypt(int[] lr, int off) {
        int l = lr[off];
        int r = lr[off + 1];
        l ^= p[0];
        for (int i = 1; i <= 16; i += 2) {
            r ^= f(l) ^ p[i];
            l ^= f(r) ^ p[i + 1];
        }
        lr[off] = r ^ p[17];
        lr[off + 1] = l;
    }

    private int f(int x) {
        int a = s[x >>> 24];
        int b = s[256 + ((x >>> 16) & 0xff)];
        int c = s[512 + ((x >>> 8) & 0xff)];
        int d = s[768 + (x & 0xff)];
        return ((a + b) ^ c) + d;
    }

    /** The next big-endian word of {@code data}, wrapping around at its end. */
    private static int nextWord(byte[] data, int[] pos) {
        int w = 0;
        for (int i = 0; i < 4; i++) {
            w = (w << 8) | (data[pos[0]] & 0xff);
            pos[0] = (pos[0] + 1) % data.length;
        }
        return w;
    }

    /** bcrypt's base64: its own alphabet, no padding, the first {@code len} bytes of {@code data}. */
    static String encode(byte[] data, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < len; i += 3) {
            int c1 = data[i] & 0xff;
            sb.append(ALPHABET.charAt(c1 >>> 2));
            c1 = (c1 & 0x03) << 4;
            if (i + 1 >= len) {
                sb.append(ALPHABET.charAt(c1));
                break;
            }
            int c2 = data[i + 1] & 0xff;
            sb.append(ALPHABET.charAt(c1 | (c2 >>> 4)));
            c1 = (c2 & 0x0f) << 2;
            if (i + 2 >= len) {
                sb.append(ALPHABET.charAt(c1));
                break;
            }
            int c3 = data[i + 2] & 0xff;
            sb.append(ALPHABET.charAt(c1 | (c3 >>> 6)));
            sb.append(ALPHABET.charAt(c3 & 0x3f));
        }
        return sb.toString();
    }

    static byte[] decode(String text, int len) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int bits = 0;
        int acc = 0;
        for (int i = 0; i < text.length() && out.size() < len; i++) {
            int v = ALPHABET.indexOf(text.charAt(i));
            if (v < 0) {
                throw new IllegalArgumentException("not bcrypt base64: " + text);
            }
            acc = (acc << 6) | v;
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out.write((acc >>> bits) & 0xff);
            }
        }
        if (out.size() != len) {
            throw new IllegalArgumentException("bcrypt base64 too short: " + text);
        }
        return out.toByteArray();
    }

    /** The first {@code n} 32-bit words of pi's fractional part: pi = 16 atan(1/5) - 4 atan(1/239) in fixed point. */
    static int[] piWords(int n) {
        int bits = 32 * n + 64; // 64 guard bits absorb the truncation errors of the series
        BigInteger one = BigInteger.ONE.shiftLeft(bits);
        BigInteger pi = arctanInverse(5, one).shiftLeft(4).subtract(arctanInverse(239, one).shiftLeft(2));
        BigInteger fraction = pi.subtract(BigInteger.valueOf(3).shiftLeft(bits)).shiftRight(64);
        int[] words = new int[n];
        for (int i = 0; i < n; i++) {
            words[i] = fraction.shiftRight(32 * (n - 1 - i)).intValue();
        }
        return words;
    }

    /** atan(1/x) scaled by {@code one}. */
    private static BigInteger arctanInverse(int x, BigInteger one) {
        BigInteger x2 = BigInteger.valueOf((long) x * x);
        BigInteger power = one.divide(BigInteger.valueOf(x));
        BigInteger sum = power;
        for (int k = 1; power.signum() != 0; k++) {
            power = power.divide(x2);
            BigInteger term = power.divide(BigInteger.valueOf(2L * k + 1));
            sum = (k % 2 == 1) ? sum.subtract(term) : sum.add(term);
        }
        return sum;
    }
}
