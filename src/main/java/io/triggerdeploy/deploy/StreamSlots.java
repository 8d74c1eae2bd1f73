package io.triggerdeploy.deploy;

import jakarta.enterprise.context.ApplicationScoped;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps the live log streams this replica holds open, per user and in all, so that one client cannot exhaust the
 * replica's connections and event-loop time with thousands of idle streams.
 */
@ApplicationScoped
public class StreamSlots {

    private final int perUser;
    private final int total;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> byUser = new ConcurrentHashMap<>();

    public StreamSlots(DeployConfig config) {
        this.perUser = config.maxStreamsPerUser();
        this.total = config.maxStreams();
    }

    /** A slot for this user, or null when a cap is reached. Release it exactly once. */
    public Runnable acquire(String user) {
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            return null;
        }
        AtomicInteger mine = byUser.computeIfAbsent(user, u -> new AtomicInteger());
        if (mine.incrementAndGet() > perUser) {
            mine.decrementAndGet();
            open.decrementAndGet();
            return null;
        }
        java.util.concurrent.atomic.AtomicBoolean released = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                open.decrementAndGet();
                byUser.computeIfPresent(user, (u, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
        };
    }

    int open() {
        return open.get();
    }
}
