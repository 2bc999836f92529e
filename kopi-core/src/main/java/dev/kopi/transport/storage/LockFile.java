package dev.kopi.transport.storage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A containers/storage lock file ({@code storage.lock}, {@code layers.lock}, {@code images.lock}), held the way
 * c/storage's {@code pkg/lockfile} holds it: a POSIX record lock (fcntl {@code F_SETLKW}, whole file) taken
 * exclusive for writers and shared for readers, and, after a write, a new 64-byte "last writer" value written at
 * offset 0 so that other processes notice the change and reload. {@link FileChannel#lock} is fcntl-based on Linux.
 *
 * <p>fcntl locks belong to the process: closing any descriptor of the file drops them. So there is exactly one
 * object per path in this JVM, holders inside the JVM are serialized by a read/write lock, and the file is opened
 * once while any holder exists, and closed when the last one leaves (c/storage keeps the same counter).
 */
final class LockFile {
    private static final ConcurrentHashMap<Path, LockFile> ALL = new ConcurrentHashMap<>();
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final AtomicLong COUNTER = new AtomicLong();
    static final int LAST_WRITER_SIZE = 64;

    private final Path path;
    private final ReentrantReadWriteLock jvmLock = new ReentrantReadWriteLock();
    private final Object state = new Object();
    private int holders;
    private FileChannel channel;
    private FileLock fileLock;

    private LockFile(Path path) {
        this.path = path;
    }

    /** The lock object for {@code path} (one per file in this JVM). */
    static LockFile of(Path path) {
        Path key = path.toAbsolutePath().normalize();
        return ALL.computeIfAbsent(key, LockFile::new);
    }

    Path path() {
        return path;
    }

    /**
     * Takes the lock exclusively, creating the file (and its directory, 0700) when missing, as c/storage's
     * {@code openLock} does.
     */
    Held lockExclusive() throws IOException {
        jvmLock.writeLock().lock();
        boolean ok = false;
        try {
            synchronized (state) {
                acquire(false, true);
            }
            ok = true;
            return new Held(true);
        } finally {
            if (!ok) {
                jvmLock.writeLock().unlock();
            }
        }
    }

    /**
     * Takes the lock shared. With {@code create} false a missing file means there is nothing to protect yet: the
     * result is then null and nothing is created.
     */
    Held lockShared(boolean create) throws IOException {
        jvmLock.readLock().lock();
        boolean ok = false;
        try {
            synchronized (state) {
                if (holders == 0 && !create && !Files.exists(path)) {
                    return null;
                }
                acquire(true, create);
            }
            ok = true;
            return new Held(false);
        } finally {
            if (!ok) {
                jvmLock.readLock().unlock();
            }
        }
    }

    private void acquire(boolean shared, boolean create) throws IOException {
        if (holders == 0) {
            FileChannel ch = open(shared, create);
            try {
                fileLock = lockRetrying(ch, shared);
            } catch (IOException | RuntimeException e) {
                ch.close();
                throw e;
            }
            channel = ch;
        }
        holders++;
    }

    private FileChannel open(boolean shared, boolean create) throws IOException {
        if (create) {
            Path dir = path.getParent();
            if (dir != null && !Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            }
            try {
                return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE,
                        StandardOpenOption.CREATE);
            } catch (java.nio.file.AccessDeniedException e) {
                if (shared && Files.exists(path)) {
                    return FileChannel.open(path, StandardOpenOption.READ);
                }
                throw e;
            }
        }
        try {
            return FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (java.nio.file.AccessDeniedException e) {
            return FileChannel.open(path, StandardOpenOption.READ); // a read-only store: shared locks only
        } catch (NoSuchFileException e) {
            throw e;
        }
    }

    private static FileLock lockRetrying(FileChannel ch, boolean shared) throws IOException {
        while (true) {
            try {
                return ch.lock(0, Long.MAX_VALUE, shared); // Long.MAX_VALUE: the whole file (l_len = 0)
            } catch (IOException e) {
                // fcntl reports EDEADLK when waiting could deadlock with another process; c/storage retries.
                String msg = String.valueOf(e.getMessage());
                if (!msg.contains("deadlock")) {
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for lock " + ch);
                }
            }
        }
    }

    private void release() throws IOException {
        synchronized (state) {
            holders--;
            if (holders == 0) {
                FileChannel ch = channel;
                channel = null;
                fileLock = null;
                ch.close(); // closing the descriptor releases the fcntl lock
            }
        }
    }

    /** A new "last writer" value: time, counter, pid, then random bytes, 64 bytes as c/storage writes. */
    static byte[] newLastWriterId() {
        ByteBuffer b = ByteBuffer.allocate(LAST_WRITER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        java.time.Instant now = java.time.Instant.now();
        b.putLong(now.getEpochSecond() * 1_000_000_000L + now.getNano());
        b.putLong(COUNTER.incrementAndGet());
        b.putInt((int) ProcessHandle.current().pid());
        byte[] rnd = new byte[LAST_WRITER_SIZE - 20];
        RANDOM.nextBytes(rnd);
        b.put(rnd);
        return b.array();
    }

    /** A held lock; closing it releases it. */
    final class Held implements AutoCloseable {
        private final boolean exclusive;
        private boolean closed;

        private Held(boolean exclusive) {
            this.exclusive = exclusive;
        }

        /** Records a write: a new last-writer value at offset 0 (c/storage's {@code Touch} / {@code RecordWrite}). */
        void recordWrite() throws IOException {
            if (!exclusive || closed) {
                throw new IllegalStateException("recording a write needs the exclusive lock of " + path);
            }
            synchronized (state) {
                ByteBuffer buf = ByteBuffer.wrap(newLastWriterId());
                long pos = 0;
                while (buf.hasRemaining()) {
                    pos += channel.write(buf, pos);
                }
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                release();
            } finally {
                if (exclusive) {
                    jvmLock.writeLock().unlock();
                } else {
                    jvmLock.readLock().unlock();
                }
            }
        }
    }
}
