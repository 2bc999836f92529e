package dev.kopi.transport.storage;

/**
 * CRC-64 with the ISO polynomial, as Go's {@code hash/crc64} computes it with {@code crc64.MakeTable(crc64.ISO)}:
 * the checksum tar-split records for each file payload (reflected, initial and final value inverted). The 8-byte
 * sum is big-endian, as Go's {@code Sum} appends it.
 */
final class Crc64 {
    /** The ISO polynomial in Go's reversed notation. */
    private static final long ISO = 0xD800000000000000L;
    private static final long[][] TABLES = new long[8][256];

    static {
        for (int i = 0; i < 256; i++) {
            long crc = i;
            for (int j = 0; j < 8; j++) {
                crc = (crc & 1) == 1 ? (crc >>> 1) ^ ISO : crc >>> 1;
            }
            TABLES[0][i] = crc;
        }
        for (int i = 0; i < 256; i++) {
            long crc = TABLES[0][i];
            for (int k = 1; k < 8; k++) {
                crc = TABLES[0][(int) (crc & 0xff)] ^ (crc >>> 8);
                TABLES[k][i] = crc;
            }
        }
    }

    private long crc;

    /** Adds {@code len} bytes of {@code b} from {@code off}. */
    void update(byte[] b, int off, int len) {
        long c = ~crc;
        long[] t0 = TABLES[0];
        while (len >= 8) {
            c ^= (b[off] & 0xffL) | (b[off + 1] & 0xffL) << 8 | (b[off + 2] & 0xffL) << 16
                    | (b[off + 3] & 0xffL) << 24 | (b[off + 4] & 0xffL) << 32 | (b[off + 5] & 0xffL) << 40
                    | (b[off + 6] & 0xffL) << 48 | (b[off + 7] & 0xffL) << 56;
            c = TABLES[7][(int) (c & 0xff)] ^ TABLES[6][(int) ((c >>> 8) & 0xff)]
                    ^ TABLES[5][(int) ((c >>> 16) & 0xff)] ^ TABLES[4][(int) ((c >>> 24) & 0xff)]
                    ^ TABLES[3][(int) ((c >>> 32) & 0xff)] ^ TABLES[2][(int) ((c >>> 40) & 0xff)]
                    ^ TABLES[1][(int) ((c >>> 48) & 0xff)] ^ t0[(int) (c >>> 56)];
            off += 8;
            len -= 8;
        }
        while (len > 0) {
            c = t0[(int) ((c ^ b[off]) & 0xff)] ^ (c >>> 8);
            off++;
            len--;
        }
        crc = ~c;
    }

    void reset() {
        crc = 0;
    }

    long value() {
        return crc;
    }

    /** The checksum as Go's {@code Sum(nil)} returns it: 8 bytes, big-endian. */
    byte[] sum() {
        byte[] out = new byte[8];
        for (int i = 0; i < 8; i++) {
            out[i] = (byte) (crc >>> (56 - 8 * i));
        }
        return out;
    }
}
