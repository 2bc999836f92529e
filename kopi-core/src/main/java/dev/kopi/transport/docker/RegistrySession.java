package dev.kopi.transport.docker;

import dev.kopi.digest.Digest;
import dev.kopi.log.Log;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * State shared by many copies of one run (a {@code sync}): one {@link RegistryClient} per repository and scope,
 * so pings, tokens and pooled connections are reused across images, and a memory of the blobs each destination
 * repository is known to have (or is receiving right now), so a blob shared by many images is checked and moved
 * once per run.
 *
 * <p>A session is used by binding it to the threads that open images ({@link #bind()}); clients made while it is
 * bound come from the session and are closed with it, not by the images that used them. Without a bound session
 * everything works as before: one client per image.
 */
public final class RegistrySession implements AutoCloseable {
    private static final ThreadLocal<RegistrySession> CURRENT = new ThreadLocal<>();
    /** How long a copy waits for another copy of the run that is uploading the same blob. */
    private static final long WAIT_MINUTES = 30;

    private final Map<Object, RegistryClient> clients = new ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<Boolean>> blobs = new ConcurrentHashMap<>();
    private final AtomicLong deduplicated = new AtomicLong();
    private volatile boolean closed;

    /** A new, empty session. */
    public static RegistrySession open() {
        return new RegistrySession();
    }

    /** The session bound to this thread, or null. */
    static RegistrySession current() {
        RegistrySession s = CURRENT.get();
        return s == null || s.closed ? null : s;
    }

    /** Binds this session to the calling thread until the returned binding is closed. */
    public Binding bind() {
        RegistrySession previous = CURRENT.get();
        CURRENT.set(this);
        return () -> {
            if (previous == null) {
                CURRENT.remove();
            } else {
                CURRENT.set(previous);
            }
        };
    }

    /** Undoes a {@link #bind()}. */
    public interface Binding extends AutoCloseable {
        @Override
        void close();
    }

    /** The shared client for {@code key}, made by {@code make} the first time. */
    RegistryClient client(Object key, Supplier<RegistryClient> make) {
        RegistryClient c = clients.computeIfAbsent(key, k -> {
            RegistryClient made = make.get();
            made.markShared();
            return made;
        });
        if (!c.pinged()) {
            for (RegistryClient other : clients.values()) {
                if (other != c && other.pinged()) {
                    c.adoptPing(other);
                    if (c.pinged()) {
                        break;
                    }
                }
            }
        }
        return c;
    }

    /** Blob checks and uploads this session saved (a blob already known or received by another copy). */
    public long blobsDeduplicated() {
        return deduplicated.get();
    }

    private static String blobKey(String registry, String repository, Digest digest) {
        return registry + "/" + repository + "@" + digest;
    }

    /**
     * What the session knows of a blob in a repository: present (true), claimed by the caller (who must
     * {@link Claim#complete} it), or it waits for the copy that claimed it and answers what that copy found.
     */
    Claim claim(String registry, String repository, Digest digest) {
        String key = blobKey(registry, repository, digest);
        while (true) {
            CompletableFuture<Boolean> mine = new CompletableFuture<>();
            CompletableFuture<Boolean> known = blobs.putIfAbsent(key, mine);
            if (known == null) {
                return new Claim(this, key, mine, true, false);
            }
            if (known.isDone() && Boolean.TRUE.equals(known.getNow(false))) {
                deduplicated.incrementAndGet();
                return new Claim(this, key, known, false, true);
            }
            if (known.isDone()) {
                // The last claim found nothing: claim it again.
                if (blobs.replace(key, known, mine)) {
                    return new Claim(this, key, mine, true, false);
                }
                continue;
            }
            try {
                boolean present = known.get(WAIT_MINUTES, TimeUnit.MINUTES);
                if (present) {
                    deduplicated.incrementAndGet();
                    return new Claim(this, key, known, false, true);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Claim(this, key, known, false, false);
            } catch (ExecutionException | TimeoutException e) {
                return new Claim(this, key, known, false, false);
            }
        }
    }

    /** Records that the repository has the blob (found, mounted or uploaded outside a claim). */
    void known(String registry, String repository, Digest digest) {
        blobs.compute(blobKey(registry, repository, digest), (k, f) -> {
            if (f != null && !f.isDone()) {
                return f; // its owner completes it
            }
            return CompletableFuture.completedFuture(true);
        });
    }

    /** One copy's view of a blob: {@code owner} must complete it; {@code present} when it is known to exist. */
    static final class Claim {
        private final RegistrySession session;
        private final String key;
        private final CompletableFuture<Boolean> future;
        private final boolean owner;
        private final boolean present;

        private Claim(RegistrySession session, String key, CompletableFuture<Boolean> future, boolean owner,
                boolean present) {
            this.session = session;
            this.key = key;
            this.future = future;
            this.owner = owner;
            this.present = present;
        }

        boolean owner() {
            return owner;
        }

        boolean present() {
            return present;
        }

        /** Ends an owned claim: whether the repository now has the blob. Later calls do nothing. */
        void complete(boolean has) {
            if (owner) {
                future.complete(has);
            }
        }

        @Override
        public String toString() {
            return key;
        }
    }

    /** Closes the shared clients; blob claims still open are released as "not present". */
    @Override
    public void close() {
        closed = true;
        for (CompletableFuture<Boolean> f : blobs.values()) {
            f.complete(false);
        }
        List<RegistryClient> all = new ArrayList<>(clients.values());
        clients.clear();
        for (RegistryClient c : all) {
            try {
                c.closeShared();
            } catch (RuntimeException e) {
                Log.debug(() -> "Closing a registry client: " + e.getMessage());
            }
        }
    }
}
