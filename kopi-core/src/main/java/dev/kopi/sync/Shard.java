package dev.kopi.sync;

import dev.kopi.digest.Digest;
import dev.kopi.error.ImageException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * {@code --shard I/N}: this worker's part of a sync split N ways. Each image belongs to exactly one shard, chosen
 * from the SHA-256 of its source image name, so N workers that list the same source cover every image once without
 * talking to each other.
 *
 * @param index this worker's shard, 0 to {@code count - 1}
 * @param count the number of shards, at least 1
 */
public record Shard(int index, int count) {
    /** The whole run, not split. */
    public static final Shard ALL = new Shard(0, 1);

    /** Checks the numbers. */
    public Shard {
        if (count < 1 || index < 0 || index >= count) {
            throw new IllegalArgumentException("shard " + index + "/" + count + " out of range");
        }
    }

    /** Parses {@code I/N} (0 &lt;= I &lt; N). */
    public static Shard parse(String s) throws ImageException {
        int slash = s.indexOf('/');
        try {
            if (slash > 0) {
                int i = Integer.parseInt(s.substring(0, slash));
                int n = Integer.parseInt(s.substring(slash + 1));
                if (n >= 1 && i >= 0 && i < n) {
                    return new Shard(i, n);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ImageException.invalid("invalid shard \"" + s + "\": expected INDEX/COUNT with 0 <= INDEX < COUNT");
    }

    /** Whether the image named {@code sourceImageName} ({@code transport:reference}) is this shard's. */
    public boolean owns(String sourceImageName) {
        if (count == 1) {
            return true;
        }
        byte[] h = java.util.HexFormat.of().parseHex(Digest.sha256(sourceImageName.getBytes(StandardCharsets.UTF_8))
                .hex().substring(0, 16));
        long v = ByteBuffer.wrap(h, 0, 8).getLong();
        return Long.remainderUnsigned(v, count) == index;
    }

    @Override
    public String toString() {
        return index + "/" + count;
    }
}
