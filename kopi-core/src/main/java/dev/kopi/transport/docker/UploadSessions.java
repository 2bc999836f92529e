package dev.kopi.transport.docker;

import dev.kopi.config.Env;
import dev.kopi.digest.Digest;
import dev.kopi.digest.DigestAlgorithm;
import dev.kopi.log.Log;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/**
 * Blob upload sessions that outlive the process, so a later run can finish an upload another run started: one small
 * file per (registry, repository, blob digest) under {@code $XDG_DATA_HOME/kopi/uploads} (else
 * {@code ~/.local/share/kopi/uploads}) holding the upload's {@code Location}. No tokens or credentials are written;
 * a Location that carries credential-looking query parameters is not persisted at all. A broken, foreign or stale
 * file only costs a fresh upload.
 */
final class UploadSessions {
    private static final String MAGIC = "kopi-upload-session-v1";

    /** One blob in one repository of one registry. */
    record Key(String registry, String repository, Digest digest) {
        String fileName() {
            return Digest.compute(DigestAlgorithm.SHA256, (registry + "\n" + repository + "\n" + digest)
                    .getBytes(StandardCharsets.UTF_8)).hex();
        }
    }

    /** A lock held while one process uploads a blob: a second process does not share the session. */
    static final class Lease implements AutoCloseable {
        private final FileChannel channel;
        private final FileLock lock;

        private Lease(FileChannel channel, FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            try {
                lock.release();
                channel.close();
            } catch (IOException e) {
                Log.debug(() -> "Releasing an upload session lock: " + e.getMessage());
            }
        }
    }

    private UploadSessions() {
    }

    static Path directory() {
        Env env = Env.system();
        String data = env.nonEmpty("XDG_DATA_HOME").orElse(null);
        Path base = data != null ? Path.of(data) : env.home().resolve(".local").resolve("share");
        return base.resolve("kopi").resolve("uploads");
    }

    /** Takes the lock for {@code key}; empty when another process holds it or the directory is unusable. */
    static Optional<Lease> lease(Key key) {
        Path f = directory().resolve(key.fileName() + ".lock");
        FileChannel ch = null;
        try {
            Files.createDirectories(f.getParent());
            ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                return Optional.empty();
            }
            return Optional.of(new Lease(ch, lock));
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException ignored) {
                    // nothing more to do
                }
            }
            Log.debug(() -> "Not keeping an upload session in " + f + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The saved Location of {@code key}'s upload, if a readable session file for exactly that key exists. */
    static Optional<String> load(Key key) {
        Path f = directory().resolve(key.fileName());
        try {
            if (!Files.isRegularFile(f) || Files.size(f) > 64 * 1024) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(f, StandardCharsets.UTF_8);
            if (lines.size() == 5 && lines.get(0).equals(MAGIC) && lines.get(1).equals(key.registry())
                    && lines.get(2).equals(key.repository()) && lines.get(3).equals(key.digest().toString())
                    && !lines.get(4).isEmpty()) {
                return Optional.of(lines.get(4));
            }
        } catch (IOException | RuntimeException e) {
            Log.debug(() -> "Ignoring the upload session " + f + ": " + e.getMessage());
        }
        return Optional.empty();
    }

    /** Saves (replaces) {@code key}'s session; not when the Location looks as if it carried a credential. */
    static void save(Key key, String location) {
        if (!Log.redact(location).equals(location) || location.indexOf('\n') >= 0) {
            return;
        }
        Path f = directory().resolve(key.fileName());
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), ".session-", ".tmp");
            try {
                Files.writeString(tmp, MAGIC + "\n" + key.registry() + "\n" + key.repository() + "\n" + key.digest()
                        + "\n" + location + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | RuntimeException e) {
            Log.debug(() -> "Not recording an upload session in " + f + ": " + e.getMessage());
        }
    }

    /** Forgets {@code key}'s session (completed, or stale). */
    static void discard(Key key) {
        try {
            Files.deleteIfExists(directory().resolve(key.fileName()));
        } catch (IOException | RuntimeException e) {
            Log.debug(() -> "Not removing an upload session: " + e.getMessage());
        }
    }
}
