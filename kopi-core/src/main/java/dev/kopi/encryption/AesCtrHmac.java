package dev.kopi.encryption;

import dev.kopi.error.ErrorCode;
import dev.kopi.error.ImageException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * ocicrypt's layer cipher {@value #CIPHER}: AES-256 in CTR mode with a random 16-byte initial counter block (the
 * "nonce"), and an HMAC-SHA256 keyed with the same AES key over the ciphertext. Streams in both directions; the
 * HMAC of a decryption is checked when the ciphertext ends, and a mismatch fails that read.
 */
public final class AesCtrHmac {
    /** The cipher name in the public options. */
    public static final String CIPHER = "AES_256_CTR_HMAC_SHA256";
    static final int KEY_BYTES = 32;
    static final int NONCE_BYTES = 16;
    private static final SecureRandom RANDOM = new SecureRandom();

    private AesCtrHmac() {
    }

    static byte[] random(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    /** A stream of ciphertext; {@link #hmac()} is the HMAC once the plaintext has been read to its end. */
    public static final class Encrypting extends Transforming {
        Encrypting(InputStream plain, byte[] key, byte[] nonce) throws ImageException {
            super(plain, key, nonce, true);
        }

        /** The HMAC of the ciphertext. */
        public byte[] hmac() throws ImageException {
            if (!done) {
                throw new ImageException(ErrorCode.IO, "Read()ing not complete, unable to finalize");
            }
            return mac.doFinal();
        }
    }

    /** A stream of plaintext that fails at the end of the ciphertext when the HMAC is not the expected one. */
    public static final class Decrypting extends Transforming {
        private final byte[] expected;

        Decrypting(InputStream encrypted, byte[] key, byte[] nonce, byte[] expectedHmac) throws ImageException {
            super(encrypted, key, nonce, false);
            if (expectedHmac == null || expectedHmac.length == 0) {
                throw ImageException.invalid("HMAC is not provided for decryption process");
            }
            this.expected = expectedHmac.clone();
        }

        @Override
        void atEnd() throws ImageException {
            byte[] actual = mac.doFinal();
            if (!MessageDigest.isEqual(actual, expected)) {
                throw new ImageException(ErrorCode.DIGEST_MISMATCH, "could not properly decrypt byte stream; exp hmac: '"
                        + HexFormat.of().formatHex(expected) + "', actual hmac: '" + HexFormat.of().formatHex(actual)
                        + "'");
            }
        }
    }

    /** Starts encrypting {@code plain} with {@code key} (32 bytes) and {@code nonce} (16 bytes). */
    static Encrypting encrypt(InputStream plain, byte[] key, byte[] nonce) throws ImageException {
        return new Encrypting(plain, key, nonce);
    }

    /** Starts decrypting {@code encrypted}; the last read fails unless the HMAC matches {@code hmac}. */
    static Decrypting decrypt(InputStream encrypted, byte[] key, byte[] nonce, byte[] hmac) throws ImageException {
        return new Decrypting(encrypted, key, nonce, hmac);
    }

    abstract static class Transforming extends FilterInputStream {
        private final Cipher cipher;
        final Mac mac;
        private final boolean encrypt;
        boolean done;

        Transforming(InputStream in, byte[] key, byte[] nonce, boolean encrypt) throws ImageException {
            super(in);
            if (key == null || key.length != KEY_BYTES) {
                throw ImageException.invalid("invalid key length of " + (key == null ? 0 : key.length)
                        + " bytes; need " + KEY_BYTES + " bytes");
            }
            try {
                cipher = Cipher.getInstance("AES/CTR/NoPadding");
                cipher.init(encrypt ? Cipher.ENCRYPT_MODE : Cipher.DECRYPT_MODE, new SecretKeySpec(key, "AES"),
                        new IvParameterSpec(nonce));
                mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(key, "HmacSHA256"));
            } catch (GeneralSecurityException e) {
                throw new ImageException(ErrorCode.INVALID_INPUT, "setting up AES-256-CTR: " + e.getMessage(), e);
            }
            this.encrypt = encrypt;
        }

        void atEnd() throws ImageException {
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (done) {
                return -1;
            }
            int n = in.read(b, off, len);
            if (n < 0) {
                done = true;
                atEnd();
                return -1;
            }
            if (!encrypt) {
                mac.update(b, off, n);
            }
            byte[] out = cipher.update(b, off, n);
            if (out != null) {
                System.arraycopy(out, 0, b, off, out.length);
            }
            if (encrypt) {
                mac.update(b, off, n);
            }
            return n;
        }

        @Override
        public long skip(long n) {
            return 0;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
