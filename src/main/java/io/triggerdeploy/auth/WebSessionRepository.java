package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.Role;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/** The {@code web_sessions} table: rows keyed by the SHA-256 of the cookie value, joined to their user. */
@ApplicationScoped
public class WebSessionRepository {

    private final Pool pool;

    public WebSessionRepository(Pool pool) {
        this.pool = pool;
    }

    /** A live session row with its user as they are now, and whether its idle expiry is due for an extension. */
    record Row(long userId, String username, Role role, String csrfToken, boolean stale) {
    }

    Uni<Void> insert(Tx tx, String idHash, long userId, String csrf, String clientIp, String userAgent, long idleSeconds,
                     String idToken) {
        return (tx == null ? pool : tx.client()).preparedQuery("INSERT INTO web_sessions (id_hash, user_id, csrf_token, client_ip, user_agent, expires_at, id_token) "
                        + "VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6), $7)")
                .execute(Tuple.from(new Object[]{idHash, userId, csrf, clientIp, userAgent, idleSeconds, idToken}))
                .replaceWithVoid();
    }

    Uni<String> idToken(String idHash) {
        return pool.preparedQuery("SELECT id_token FROM web_sessions WHERE id_hash = $1").execute(Tuple.of(idHash))
                .map(rows -> Rows.first(rows, r -> r.getString(0)));
    }

    /** The session if it is within its idle and maximum lifetime and its user is active; else null. */
    Uni<Row> findLive(String idHash, long maxLifetimeSeconds) {
        return pool.preparedQuery("SELECT s.user_id, s.csrf_token, s.last_seen_at < now() - interval '1 minute' AS stale, "
                        + "u.username, u.role FROM web_sessions s JOIN users u ON u.id = s.user_id "
                        + "WHERE s.id_hash = $1 AND s.expires_at > now() AND s.created_at > now() - make_interval(secs => $2) AND u.active")
                .execute(Tuple.of(idHash, maxLifetimeSeconds))
                .map(rows -> Rows.first(rows, r -> new Row(r.getLong("user_id"), r.getString("username"),
                        Role.parse(r.getString("role")).orElse(Role.VIEWER), r.getString("csrf_token"),
                        Boolean.TRUE.equals(r.getBoolean("stale")))));
    }

    Uni<Void> touch(String idHash, long idleSeconds) {
        return pool.preparedQuery("UPDATE web_sessions SET last_seen_at = now(), "
                        + "expires_at = now() + make_interval(secs => $2) WHERE id_hash = $1")
                .execute(Tuple.of(idHash, idleSeconds)).replaceWithVoid();
    }

    Uni<Void> delete(Tx tx, String idHash) {
        return (tx == null ? pool : tx.client()).preparedQuery("DELETE FROM web_sessions WHERE id_hash = $1")
                .execute(Tuple.of(idHash)).replaceWithVoid();
    }

    Uni<Integer> deleteForUser(Tx tx, long userId, String keepIdHash) {
        return (tx == null ? pool : tx.client()).preparedQuery("DELETE FROM web_sessions WHERE user_id = $1 AND ($2::text IS NULL OR id_hash <> $2)")
                .execute(Tuple.of(userId, keepIdHash)).map(r -> r.rowCount());
    }

    Uni<Integer> purgeExpired(long maxLifetimeSeconds) {
        return pool.preparedQuery("DELETE FROM web_sessions WHERE expires_at < now() OR created_at < now() - make_interval(secs => $1)")
                .execute(Tuple.of(maxLifetimeSeconds)).map(r -> r.rowCount());
    }
}
