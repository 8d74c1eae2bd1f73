package io.triggerdeploy.audit;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;

/** The {@code audit_events} table: append, keyset pages, retention. */
@ApplicationScoped
public class AuditRepository {

    private final Pool pool;

    public AuditRepository(Pool pool) {
        this.pool = pool;
    }

    Uni<Void> insert(Tx tx, AuditEntry e) {
        SqlClient client = tx == null ? pool : tx.client();
        return client.preparedQuery("INSERT INTO audit_events (actor, actor_id, action, target_type, target, detail, client_ip, success, via) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .execute(Tuple.from(new Object[]{e.actor(), e.actorId(), e.action(), e.targetType(), e.target(), e.detail(),
                        e.clientIp(), e.success(), e.via()}))
                .replaceWithVoid();
    }

    /**
     * Appends inside the current Hibernate Reactive transaction (a {@code @WithTransaction} service method of an entity
     * feature), so the record commits or rolls back with the entity change it describes.
     */
    Uni<Void> insertInSession(AuditEntry e) {
        return Panache.getSession().chain(s -> s.createNativeQuery("INSERT INTO audit_events (actor, actor_id, action, "
                        + "target_type, target, detail, client_ip, success, via) VALUES (?1, cast(?2 as bigint), ?3, ?4, "
                        + "cast(?5 as varchar), cast(?6 as varchar), cast(?7 as varchar), ?8, cast(?9 as varchar))")
                .setParameter(1, e.actor()).setParameter(2, e.actorId()).setParameter(3, e.action())
                .setParameter(4, e.targetType()).setParameter(5, e.target()).setParameter(6, e.detail())
                .setParameter(7, e.clientIp()).setParameter(8, e.success()).setParameter(9, e.via())
                .executeUpdate()).replaceWithVoid();
    }

    Uni<List<AuditEvent>> page(String actor, String action, OffsetDateTime from, OffsetDateTime to, Long beforeId, int limit) {
        String sql = "SELECT " + AuditEvent.COLUMNS + " FROM audit_events WHERE ($1::text IS NULL OR lower(actor) = lower($1)) "
                + "AND ($2::text IS NULL OR action = $2 OR action LIKE $2 || '.%') AND ($3::timestamptz IS NULL OR at >= $3) "
                + "AND ($4::timestamptz IS NULL OR at < $4) AND ($5::bigint IS NULL OR id < $5) ORDER BY id DESC LIMIT $6";
        return pool.preparedQuery(sql).execute(Tuple.from(new Object[]{actor, action, from, to, beforeId, limit}))
                .map(rows -> Rows.list(rows, AuditEvent::of));
    }

    Uni<Integer> purgeOlderThan(int days) {
        return pool.preparedQuery("DELETE FROM audit_events WHERE at < now() - make_interval(days => $1)")
                .execute(Tuple.of(days)).map(r -> r.rowCount());
    }

    /** One row to append, already cut to the column sizes. */
    record AuditEntry(String actor, Long actorId, String action, String targetType, String target, String detail,
                      String clientIp, boolean success, String via) {
    }
}
