package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;

/** The {@code login_throttle} table: failure counters per user and per address, with their block times. */
@ApplicationScoped
public class LoginThrottleRepository {

    private final Pool pool;

    public LoginThrottleRepository(Pool pool) {
        this.pool = pool;
    }

    /** The latest block time of the keys still in force, or null. */
    Uni<OffsetDateTime> blockedUntil(String userKey, String addressKey) {
        return pool.preparedQuery("SELECT max(blocked_until) FROM login_throttle "
                        + "WHERE throttle_key IN ($1, $2) AND blocked_until > now()")
                .execute(Tuple.of(userKey, addressKey))
                .map(rows -> rows.iterator().next().getOffsetDateTime(0));
    }

    Uni<Void> clear(String key) {
        return pool.preparedQuery("DELETE FROM login_throttle WHERE throttle_key = $1")
                .execute(Tuple.of(key)).replaceWithVoid();
    }

    /** Drops counters whose window ended and that block nobody. */
    Uni<Integer> purgeExpired(long windowSeconds) {
        return pool.preparedQuery("DELETE FROM login_throttle WHERE window_started_at < now() - ($1 * interval '1 second') "
                        + "AND (blocked_until IS NULL OR blocked_until < now())")
                .execute(Tuple.of(windowSeconds))
                .map(rows -> rows.rowCount());
    }

    /** Counts one failure in the key's window (a new window when the old one ended); blocks at {@code max}. */
    Uni<Void> bump(String key, int max, long windowSeconds, long lockoutSeconds) {
        String sql = """
                INSERT INTO login_throttle AS t (throttle_key, failures, window_started_at, blocked_until)
                VALUES ($1, 1, now(), CASE WHEN 1 >= $2 THEN now() + ($4 * interval '1 second') END)
                ON CONFLICT (throttle_key) DO UPDATE SET
                  failures = CASE WHEN t.window_started_at < now() - ($3 * interval '1 second') THEN 1 ELSE t.failures + 1 END,
                  window_started_at = CASE WHEN t.window_started_at < now() - ($3 * interval '1 second')
                                           THEN now() ELSE t.window_started_at END,
                  blocked_until = CASE
                      WHEN (CASE WHEN t.window_started_at < now() - ($3 * interval '1 second') THEN 1 ELSE t.failures + 1 END) >= $2
                      THEN now() + ($4 * interval '1 second')
                      ELSE t.blocked_until END
                                """;
        return pool.preparedQuery(sql).execute(Tuple.of(key, max, windowSeconds, lockoutSeconds)).replaceWithVoid();
    }
}
