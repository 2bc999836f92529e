package dev.kopi.config;

import java.io.ByteArrayOutputStream;

/**
 * Go's {@code base64.StdEncoding.DecodeString}: padded standard alphabet, CR and LF ignored, and the error text
 * {@code illegal base64 data at input byte N} with Go's offsets.
 */
final class GoBase64 {
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    private GoBase64() {
    }

    /** Thrown with Go's message. */
    static final class CorruptInputException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptInputException(int offset) {
            super("illegal base64 data at input byte " + offset, null, false, false);
        }
    }

    static byte[] decode(String s) throws CorruptInputException {
        byte[] src = s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        if (!s.chars().allMatch(ch -> ch < 0x80)) {
            src = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(src.length * 3 / 4);
        int si = 0;
        while (si < src.length) {
            int[] dbuf = new int[4];
            int dlen = 4;
            boolean end = false;
            for (int j = 0; j < 4; j++) {
                if (si == src.length) {
                    if (j == 0) {
                        return out.toByteArray();
                    }
                    throw new CorruptInputException(si - j);
                }
                int in = src[si] & 0xff;
                si++;
                if (in == '\r' || in == '\n') {
                    j--;
                    continue;
                }
                int v = in < 0x80 ? ALPHABET.indexOf(in) : -1;
                if (v >= 0) {
                    dbuf[j] = v;
                    continue;
                }
                if (in != '=') {
                    throw new CorruptInputException(si - 1);
                }
                // padding
                switch (j) {
                    case 0, 1 -> throw new CorruptInputException(si - 1);
                    case 2 -> {
                        while (si < src.length && (src[si] == '\n' || src[si] == '\r')) {
                            si++;
                        }
                        if (si == src.length) {
                            throw new CorruptInputException(src.length);
                        }
                        if (src[si] != '=') {
                            throw new CorruptInputException(si - 1);
                        }
                        si++;
                    }
                    default -> {
                    }
                }
                while (si < src.length && (src[si] == '\n' || src[si] == '\r')) {
                    si++;
                }
                if (si < src.length) {
                    throw new CorruptInputException(si);
                }
                dlen = j;
                end = true;
                break;
            }
            int val = dbuf[0] << 18 | dbuf[1] << 12 | dbuf[2] << 6 | dbuf[3];
            byte b0 = (byte) (val >> 16);
            byte b1 = (byte) (val >> 8);
            byte b2 = (byte) val;
            switch (dlen) {
                case 4 -> {
                    out.write(b0);
                    out.write(b1);
                    out.write(b2);
                }
                case 3 -> {
                    out.write(b0);
                    out.write(b1);
                }
                case 2 -> out.write(b0);
                default -> {
                }
            }
            if (end) {
                break;
            }
        }
        return out.toByteArray();
    }
}
