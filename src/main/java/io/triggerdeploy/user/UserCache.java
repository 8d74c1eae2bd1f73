package io.triggerdeploy.user;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.security.AuthConfig;
import io.triggerdeploy.security.Role;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * The user rows that every authenticated request needs (who, role, active, credentials generation), kept for a
 * short while so a request does not read them from PostgreSQL each time, without weakening "a deactivated user
 * or an ended token is refused at once".
 * <ul>
 *   <li>Every UPDATE or DELETE of a {@code users} row, from any replica or any SQL client, sends
 *       {@code NOTIFY trigger_users '<id>'} from a database trigger (changelog 0014); the replica's LISTEN
 *       connection calls {@link #changed(long)}.</li>
 *   <li>A change made here marks the row {@link #changing(long) changing} before its transaction commits: until
 *       the notification of the commit arrives (or {@value #CHANGING_MILLIS} ms pass, when it rolled back) the
 *       row is read from the database on every request and never cached.</li>
 *   <li>A read that started before a change ends never stores what it read (each entry is replaced by a new
 *       object at every change, and a read stores only over the entry it saw at its start).</li>
 *   <li>Nothing is cached while the LISTEN connection is down or has not subscribed yet
 *       ({@link #listening(boolean)}); it starts empty after every reconnect, since notifications sent while it
 *       was down are lost. Entries also expire after {@code trigger.auth.user-cache-ttl} (0 turns caching off).</li>
 * </ul>
 */
@ApplicationScoped
public class UserCache {

    static final long CHANGING_MILLIS = 5_000;
    private static final int MAX_ENTRIES = 50_000;

    private final ConcurrentHashMap<Long, Entry> entries = new ConcurrentHashMap<>();

    /** Bumped at every (re)subscription and connection loss; a read stores only within the epoch it began in. */
    private final AtomicLong epoch = new AtomicLong();
    private volatile boolean listening;
    private final long ttlNanos;

    @jakarta.inject.Inject
    public UserCache(AuthConfig config) {
        this(config.userCacheTtl());
    }

    UserCache(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    /** A user as requests see it. */
    public record LiveUser(long id, String username, String email, Role role, boolean active, int generation,
                           OffsetDateTime lastLoginAt) {
    }

    private sealed interface Entry permits Cached, Changed {
    }

    private record Cached(LiveUser user, long expiresAt) implements Entry {
    }

    /** No value; {@code until} > now: a change of this replica is under way, read through and store nothing. */
    private record Changed(long until) implements Entry {
    }

    /** The user as the database has it now (null when there is none), from the cache when it may be trusted. */
    public Uni<LiveUser> get(long id, LongFunction<Uni<LiveUser>> load) {
        long now = System.nanoTime();
        Entry seen = entries.get(id);
        if (seen instanceof Cached c && c.expiresAt - now > 0 && listening) {
            return Uni.createFrom().item(c.user);
        }
        boolean mayStore = listening && ttlNanos > 0 && !(seen instanceof Changed ch && ch.until - now > 0);
        long startedIn = epoch.get();
        return load.apply(id).invoke(user -> {
            if (mayStore && user != null && listening && epoch.get() == startedIn) {
                store(id, seen, new Cached(user, System.nanoTime() + ttlNanos));
            }
        });
    }

    private void store(long id, Entry seen, Cached fresh) {
        if (seen == null) {
            if (entries.size() >= MAX_ENTRIES) {
                return;
            }
            entries.putIfAbsent(id, fresh);
        } else {
            entries.replace(id, seen, fresh);
        }
    }

    /** Whether a request would get this user from the cache now (for tests). */
    boolean holds(long id) {
        return listening && entries.get(id) instanceof Cached c && c.expiresAt - System.nanoTime() > 0;
    }

    /** This replica is about to change the row: read it from the database until the change is notified. */
    public void changing(long id) {
        entries.put(id, new Changed(System.nanoTime() + CHANGING_MILLIS * 1_000_000));
    }

    /** The row changed (a committed UPDATE or DELETE, as notified by PostgreSQL). */
    public void changed(long id) {
        entries.put(id, new Changed(System.nanoTime()));
    }

    /** The LISTEN connection subscribed (true) or was lost (false); either way everything cached is dropped. */
    public void listening(boolean subscribed) {
        listening = false;
        epoch.incrementAndGet(); // reads under way store nothing
        entries.clear();
        listening = subscribed;
    }
}
