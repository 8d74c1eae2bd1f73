package io.triggerdeploy.access;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.security.AuthConfig;
import io.triggerdeploy.security.Role;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Each caller's {@link Access}, kept for a short while so a list request does not recompute it over every server.
 * <ul>
 *   <li>Any committed change of grants, teams, team members, environments, or a server's existence or environment, by
 *       any replica or SQL client, sends {@code NOTIFY trigger_access} from a statement trigger (changelog 0024); the
 *       replica's LISTEN connection calls {@link #changed()}, which starts a new epoch: nothing read before it is used.</li>
 *   <li>This replica's own changes call {@link #changed()} right after they commit, so the caller's next request
 *       already sees them.</li>
 *   <li>A read stores what it read only if no change happened while it ran. Nothing is cached while the LISTEN connection
 *       is down ({@link #listening(boolean)}); entries also expire after {@code trigger.auth.access-cache-ttl} (0: off).</li>
 * </ul>
 * Triggers do not use it: the queue checks the permission in its own transaction.
 */
@ApplicationScoped
public class AccessCache {

    private static final int MAX_ENTRIES = 50_000;

    private final ConcurrentHashMap<Key, Cached> entries = new ConcurrentHashMap<>();
    private final AtomicLong epoch = new AtomicLong();
    private volatile boolean listening;
    private final long ttlNanos;

    @jakarta.inject.Inject
    public AccessCache(AuthConfig config) {
        this(config.accessCacheTtl());
    }

    AccessCache(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    private record Key(Long userId, Role role) {
    }

    private record Cached(Access access, long epoch, long expiresAt) {
    }

    Uni<Access> get(Long userId, Role role, Supplier<Uni<Access>> load) {
        Key key = new Key(userId, role);
        long now = System.nanoTime();
        long current = epoch.get();
        Cached c = entries.get(key);
        if (c != null && listening && c.epoch == current && c.expiresAt - now > 0) {
            return Uni.createFrom().item(c.access);
        }
        return load.get().invoke(a -> {
            if (listening && ttlNanos > 0 && epoch.get() == current && (entries.size() < MAX_ENTRIES || entries.containsKey(key))) {
                entries.put(key, new Cached(a, current, System.nanoTime() + ttlNanos));
            }
        });
    }

    /** Something access depends on changed (here after commit, or announced by the database): forget everything. */
    public void changed() {
        epoch.incrementAndGet();
        entries.clear();
    }

    /** Whether notifications are heard; a change of state starts a new epoch (what was missed is unknown). */
    public void listening(boolean on) {
        listening = on;
        changed();
    }
}
