package io.triggerdeploy.audit;

import io.triggerdeploy.security.Callers;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import io.triggerdeploy.common.ProblemException;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes and reads the audit trail. Recording never fails the action it describes: a failed insert is logged
 * (without the details) and the action's answer goes out. Callers pass only names, ids and short descriptions.
 */
@ApplicationScoped
public class AuditLog {

    private static final Logger LOG = Logger.getLogger(AuditLog.class);

    private final Pool pool;
    private final CurrentVertxRequest request;

    public AuditLog(Pool pool, CurrentVertxRequest request) {
        this.pool = pool;
        this.request = request;
    }

    /** The caller of the current HTTP request; call it while the request is being handled. */
    public Actor actor(SecurityIdentity identity) {
        RoutingContext rc = request.getCurrent();
        return Actor.of(identity, rc == null ? null : rc.request());
    }

    public Uni<Void> record(Actor actor, String action, String targetType, String target, String detail) {
        return record(actor, action, targetType, target, detail, true);
    }

    public Uni<Void> record(Actor actor, String action, String targetType, String target, String detail, boolean success) {
        return pool.preparedQuery("INSERT INTO audit_events (actor, actor_id, action, target_type, target, detail, client_ip, success) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.from(new Object[]{cut(actor.name(), 254), actor.id(), action, targetType, cut(target, 254),
                        cut(detail, 1000), cut(actor.ip(), 64), success}))
                .replaceWithVoid()
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("Could not record audit event %s: %s", action, e.getClass().getSimpleName());
                    return null;
                });
    }

    public Uni<AuditPage> page(String actor, String action, String from, String to, Long cursor, int limit) {
        if (limit < 1 || limit > 500) {
            throw ProblemException.invalid("limit", "must be between 1 and 500");
        }
        OffsetDateTime f = time(from, "from");
        OffsetDateTime t = time(to, "to");
        String actionFilter = blank(action) ? null : action.trim();
        String actorFilter = blank(actor) ? null : actor.trim();
        String sql = "SELECT " + AuditEvent.COLUMNS + " FROM audit_events WHERE ($1::text IS NULL OR lower(actor) = lower($1)) "
                + "AND ($2::text IS NULL OR action = $2 OR action LIKE $2 || '.%') AND ($3::timestamptz IS NULL OR at >= $3) "
                + "AND ($4::timestamptz IS NULL OR at < $4) AND ($5::bigint IS NULL OR id < $5) ORDER BY id DESC LIMIT $6";
        return pool.preparedQuery(sql).execute(Tuple.from(new Object[]{actorFilter, actionFilter, f, t, cursor, limit}))
                .map(rows -> {
                    List<AuditEvent> items = new ArrayList<>();
                    rows.forEach(r -> items.add(AuditEvent.of(r)));
                    return new AuditPage(items, items.size() == limit ? items.get(items.size() - 1).id() : null);
                });
    }

    public Uni<Integer> purgeOlderThan(int days) {
        return pool.preparedQuery("DELETE FROM audit_events WHERE at < now() - make_interval(days => $1)")
                .execute(Tuple.of(days)).map(r -> r.rowCount());
    }

    private static OffsetDateTime time(String value, String field) {
        if (blank(value)) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(field, "must be an ISO-8601 time with offset, e.g. 2026-11-27T10:00:00Z");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
