package io.triggerdeploy.common;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps how many of one kind of costly work (live streams, log searches) this replica runs at once, per user and in
 * all, so that one client cannot take what everyone shares (connections, event-loop time, the database pool).
 */
public final class Slots {

    private final int perUser;
    private final int total;
    private final AtomicInteger open = new AtomicInteger();
    private final ConcurrentHashMap<String, AtomicInteger> byUser = new ConcurrentHashMap<>();

    public Slots(int perUser, int total) {
        this.perUser = perUser;
        this.total = total;
    }

    /** Which cap refused a slot. */
    public enum Cap { USER, TOTAL }

    /** A slot taken ({@code release} set: run it exactly once) or refused ({@code refused} says by which cap). */
    public record Taken(Runnable release, Cap refused) {
    }

    /** A slot for this user, or null when a cap is reached. Release it exactly once. */
    public Runnable acquire(String user) {
        return take(user).release();
    }

    /** A slot for this user, or which cap refused it (the user's own first). */
    public Taken take(String user) {
        AtomicInteger mine = byUser.compute(user, (u, n) -> n == null ? new AtomicInteger(1) : incremented(n));
        if (mine.get() > perUser) {
            release(user);
            return new Taken(null, Cap.USER);
        }
        if (open.incrementAndGet() > total) {
            open.decrementAndGet();
            release(user);
            return new Taken(null, Cap.TOTAL);
        }
        AtomicBoolean released = new AtomicBoolean();
        return new Taken(() -> {
            if (released.compareAndSet(false, true)) {
                open.decrementAndGet();
                release(user);
            }
        }, null);
    }

    private static AtomicInteger incremented(AtomicInteger n) {
        n.incrementAndGet();
        return n;
    }

    private void release(String user) {
        byUser.computeIfPresent(user, (u, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    public int open() {
        return open.get();
    }
}
