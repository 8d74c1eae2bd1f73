package io.triggerdeploy.auth;

import io.quarkus.hibernate.reactive.panache.PanacheRepository;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.Role;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;

/** The {@code api_tokens} table: Panache for the entity, plain SQL on the authentication hot path. */
@ApplicationScoped
public class ApiTokenRepository implements PanacheRepository<ApiToken> {

    private final Pool pool;

    public ApiTokenRepository(Pool pool) {
        this.pool = pool;
    }

    /** A live token (not revoked, not expired, owner active) with its owner as they are now. */
    record LiveToken(long tokenId, Role tokenRole, OffsetDateTime expiresAt, long userId, String username, Role userRole) {
    }

    Uni<LiveToken> live(String tokenHash) {
        return pool.preparedQuery("SELECT t.id, t.role, t.expires_at, u.id AS uid, u.username, u.role AS urole "
                        + "FROM api_tokens t JOIN users u ON u.id = t.user_id "
                        + "WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > now() AND u.active")
                .execute(Tuple.of(tokenHash))
                .map(rows -> Rows.first(rows, r -> new LiveToken(r.getLong("id"), Role.parse(r.getString("role")).orElse(Role.VIEWER),
                        r.getOffsetDateTime("expires_at"), r.getLong("uid"), r.getString("username"),
                        Role.parse(r.getString("urole")).orElse(Role.VIEWER))));
    }

    /** Records a use, at most once a minute per token. */
    Uni<Void> touch(long tokenId) {
        return pool.preparedQuery("UPDATE api_tokens SET last_used_at = now() WHERE id = $1 "
                        + "AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')")
                .execute(Tuple.of(tokenId)).replaceWithVoid();
    }

    Uni<Integer> revokeAllOf(Tx tx, long userId) {
        return (tx == null ? pool : tx.client()).preparedQuery("UPDATE api_tokens SET revoked_at = now() WHERE user_id = $1 AND revoked_at IS NULL")
                .execute(Tuple.of(userId)).map(r -> r.rowCount());
    }

    public Uni<List<ApiToken>> listForUser(long userId) {
        return find("userId = ?1 order by id desc", userId).list();
    }

    public Uni<List<ApiToken>> listAll() {
        return find("order by id desc").list();
    }

    public Uni<Boolean> liveNameTaken(long userId, String name) {
        return count("userId = ?1 and lower(name) = lower(?2) and revokedAt is null", userId, name).map(n -> n > 0);
    }
}
