package dev.kopi.internal.http;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Idle keep-alive connections per {@link PoolKey}, most recently used first. Bounded per key and in total;
 * connections idle longer than the idle timeout are closed whenever the pool is touched (no reaper thread).
 */
final class ConnectionPool {
    private final int maxPerKey;
    private final int maxTotal;
    private final long idleTimeoutNanos;
    private final Map<PoolKey, ArrayDeque<Connection>> idle = new HashMap<>();
    private int total;
    private boolean closed;

    ConnectionPool(int maxPerKey, int maxTotal, long idleTimeoutNanos) {
        this.maxPerKey = maxPerKey;
        this.maxTotal = maxTotal;
        this.idleTimeoutNanos = idleTimeoutNanos;
    }

    /** The most recently used idle connection for {@code key}, or null. The caller checks it for staleness. */
    Connection take(PoolKey key) {
        List<Connection> expired = new ArrayList<>();
        Connection c;
        synchronized (this) {
            reap(expired);
            ArrayDeque<Connection> q = idle.get(key);
            c = q == null ? null : q.pollFirst();
            if (c != null) {
                total--;
                if (q.isEmpty()) {
                    idle.remove(key);
                }
            }
        }
        expired.forEach(Connection::close);
        return c;
    }

    /** Parks {@code c} for reuse, or closes it when the pool is full or closed. */
    void release(Connection c) {
        List<Connection> toClose = new ArrayList<>();
        synchronized (this) {
            reap(toClose);
            ArrayDeque<Connection> q = idle.computeIfAbsent(c.key, k -> new ArrayDeque<>());
            if (closed || c.isClosed() || maxPerKey <= 0 || q.size() >= maxPerKey || total >= maxTotal) {
                toClose.add(c);
                if (q.isEmpty()) {
                    idle.remove(c.key);
                }
            } else {
                c.idleSince = System.nanoTime();
                q.addFirst(c);
                total++;
            }
        }
        toClose.forEach(Connection::close);
    }

    /** Moves connections idle for too long into {@code out}. Holds the lock. */
    private void reap(List<Connection> out) {
        if (total == 0) {
            return;
        }
        long now = System.nanoTime();
        for (Iterator<ArrayDeque<Connection>> it = idle.values().iterator(); it.hasNext(); ) {
            ArrayDeque<Connection> q = it.next();
            // Oldest at the tail.
            while (!q.isEmpty() && now - q.peekLast().idleSince > idleTimeoutNanos) {
                out.add(q.pollLast());
                total--;
            }
            if (q.isEmpty()) {
                it.remove();
            }
        }
    }

    synchronized int idleCount() {
        return total;
    }

    /** Closes every idle connection; later releases close their connection. */
    void close() {
        List<Connection> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
            total = 0;
        }
        all.forEach(Connection::close);
    }
}
