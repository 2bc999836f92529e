package dev.kopi.transport;

import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestingInputStream;
import dev.kopi.log.Log;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Blobs a run (a {@code sync}) has already written to local files, by digest, so that the next image of the run
 * that needs the same blob links or copies the file instead of reading the source again. Bound to the threads
 * that copy, like {@link dev.kopi.transport.docker.RegistrySession}; without a bound instance nothing changes.
 * Only files this run wrote are recorded, and each was verified against its digest when it was written.
 */
public final class LocalBlobs {
    private static final ThreadLocal<LocalBlobs> CURRENT = new ThreadLocal<>();

    private final Map<Digest, Path> files = new ConcurrentHashMap<>();
    private final AtomicLong reused = new AtomicLong();

    /** A new, empty set. */
    public static LocalBlobs open() {
        return new LocalBlobs();
    }

    /** The set bound to this thread, or null. */
    public static LocalBlobs current() {
        return CURRENT.get();
    }

    /** Binds this set to the calling thread until the returned handle is closed. */
    public AutoCloseable bind() {
        LocalBlobs previous = CURRENT.get();
        CURRENT.set(this);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** Records that {@code file} holds the verified blob {@code digest} and will stay there for the run. */
    public void record(Digest digest, Path file) {
        files.put(digest, file);
    }

    /** Blobs placed from a file of the run instead of the source. */
    public long reused() {
        return reused.get();
    }

    /**
     * Places the blob at {@code target} from a file the run wrote (a hard link, else a copy) when there is one of
     * the expected size ({@code size} -1: any); false when there is none or it could not be used.
     */
    public boolean placeAt(Digest digest, long size, Path target) {
        Path from = files.get(digest);
        if (from == null) {
            return false;
        }
        try {
            if (!Files.isRegularFile(from) || (size >= 0 && Files.size(from) != size)) {
                files.remove(digest, from);
                return false;
            }
            place(from, target);
            return true;
        } catch (IOException e) {
            Log.debug(() -> "Not reusing " + from + " for " + digest + ": " + e.getMessage());
            return false;
        }
    }

    /**
     * Places the blob at {@code target} from a file this run did not write (the previous version of an image
     * directory {@code sync --incremental} is replacing), only when the file has the expected size and its content
     * has the digest: it is read through once to check. False when it is absent, differs or could not be used.
     */
    public boolean placeVerifiedAt(Path from, Digest digest, long size, Path target) {
        try {
            if (!Files.isRegularFile(from, LinkOption.NOFOLLOW_LINKS) || (size >= 0 && Files.size(from) != size)) {
                return false;
            }
            try (DigestingInputStream in = new DigestingInputStream(Files.newInputStream(from), digest.algorithm())) {
                in.transferTo(OutputStream.nullOutputStream());
                if (!in.digest().equals(digest)) {
                    Log.debug(() -> "Not reusing " + from + ": its content is not " + digest);
                    return false;
                }
            }
            place(from, target);
            return true;
        } catch (IOException e) {
            Log.debug(() -> "Not reusing " + from + " for " + digest + ": " + e.getMessage());
            return false;
        }
    }

    /** A hard link from {@code from} at {@code target}, else a copy renamed into place; counted as reused. */
    private void place(Path from, Path target) throws IOException {
        Files.createDirectories(target.getParent());
        try {
            Files.createLink(target, from);
        } catch (IOException | UnsupportedOperationException e) {
            Path tmp = Files.createTempFile(target.getParent(), ".kopi-blob-", ".tmp");
            Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        }
        reused.incrementAndGet();
    }
}
