package io.triggerdeploy.auth;

import io.triggerdeploy.security.AuthConfig;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Failed-login counters in PostgreSQL, keyed by username and by client address, so that the limit holds
 * however many replicas a client spreads its attempts over. Each failure is one atomic upsert.
 */
@ApplicationScoped
public class LoginThrottle {

    private final Pool pool;
    private final AuthConfig.RateLimit limits;

    public LoginThrottle(Pool pool, AuthConfig config) {
        this.pool = pool;
        this.limits = config.rateLimit();
    }

    static String userKey(String login) {
        return "u:" + login.trim().toLowerCase(Locale.ROOT);
    }

    static String addressKey(String address) {
        return "a:" + address;
    }

    /** How long the caller must wait, if any of the keys is blocked. */
    public Uni<Optional<Duration>> blockedFor(String userKey, String addressKey) {
        return pool.preparedQuery("SELECT max(blocked_until) FROM login_throttle "
                        + "WHERE throttle_key IN ($1, $2) AND blocked_until > now()")
                .execute(Tuple.of(userKey, addressKey))
                .map(rows -> {
                    OffsetDateTime until = rows.iterator().next().getOffsetDateTime(0);
                    if (until == null) {
                        return Optional.empty();
                    }
                    Duration d = Duration.between(OffsetDateTime.now(), until);
                    return Optional.of(d.isNegative() ? Duration.ofSeconds(1) : d);
                });
    }

    public Uni<Void> recordFailure(String userKey, String addressKey) {
        return bump(userKey, limits.maxFailuresPerUser()).chain(() -> bump(addressKey, limits.maxFailuresPerAddress()));
    }

    public Uni<Void> clear(String key) {
        return pool.preparedQuery("DELETE FROM login_throttle WHERE throttle_key = $1")
                .execute(Tuple.of(key)).replaceWithVoid();
    }

    /** Drops counters that can no longer block anyone. */
    public Uni<Integer> purgeExpired() {
        return pool.preparedQuery("DELETE FROM login_throttle WHERE window_started_at < now() - ($1 * interval '1 second') "
                        + "AND (blocked_until IS NULL OR blocked_until < now())")
                .execute(Tuple.of(limits.window().toSeconds()))
                .map(rows -> rows.rowCount());
    }

    private Uni<Void> bump(String key, int max) {
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
        return pool.preparedQuery(sql)
                .execute(Tuple.of(key, max, limits.window().toSeconds(), limits.lockout().toSeconds()))
                .replaceWithVoid();
    }

    List<String> keys(String login, String address) {
        return List.of(userKey(login), addressKey(address));
    }
}
