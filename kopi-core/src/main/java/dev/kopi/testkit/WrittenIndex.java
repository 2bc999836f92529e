package dev.kopi.testkit;

import dev.kopi.digest.Digest;
import java.util.List;

/**
 * What {@link TestImages} wrote for an image index.
 *
 * @param indexDigest digest of the index bytes
 * @param index the index bytes as stored
 * @param instances the per-platform images, in index order
 */
public record WrittenIndex(Digest indexDigest, byte[] index, List<WrittenImage> instances) {
    public WrittenIndex {
        index = index.clone();
        instances = List.copyOf(instances);
    }

    @Override
    public byte[] index() {
        return index.clone();
    }
}
