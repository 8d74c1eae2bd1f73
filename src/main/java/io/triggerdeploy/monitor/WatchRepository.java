package io.triggerdeploy.monitor;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.db.Tx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.triggerdeploy.common.Text.cut;

/** The {@code services} and {@code service_checks} tables: watched services, their checks and the scheduling claims. */
@ApplicationScoped
public class WatchRepository {

    private static final String VIEW = "SELECT s.*, sv.alias AS server_alias, "
            + "(SELECT avg(CASE WHEN c.status <> 'DOWN' THEN 1.0 ELSE 0.0 END) FROM service_checks c "
            + " WHERE c.service_id = s.id AND c.checked_at > now() - interval '24 hours' AND c.status <> 'REFUSED') AS up24, "
            + "(SELECT avg(CASE WHEN c.status <> 'DOWN' THEN 1.0 ELSE 0.0 END) FROM service_checks c "
            + " WHERE c.service_id = s.id AND c.checked_at > now() - interval '7 days' AND c.status <> 'REFUSED') AS up7 "
            + "FROM services s LEFT JOIN servers sv ON sv.id = s.server_id ";

    private final Pool pool;

    public WatchRepository(Pool pool) {
        this.pool = pool;
    }

    /** What a check needs of a service. */
    public record Target(long id, String name, String kind, String target, String expectedStatuses, String bodyContains,
                         int timeoutMs, Integer slowMs) {
        static Target of(Row r) {
            return new Target(r.getLong("id"), r.getString("name"), r.getString("kind"), r.getString("target"),
                    r.getString("expected_statuses"), r.getString("body_contains"), r.getInteger("timeout_ms"), r.getInteger("slow_ms"));
        }
    }

    /** All services; with {@code historyPerService} 0 (the dashboard's 5 s refresh) the history query is not run. */
    public Uni<List<WatchView>> list(int historyPerService) {
        Uni<Map<Long, List<WatchView.Check>>> history = historyPerService <= 0 ? Uni.createFrom().item(Map.of())
                : history(null, historyPerService);
        return pool.query(VIEW + "ORDER BY lower(s.name)").execute().chain(rows -> history
                .map(h -> map(rows, r -> view(r, h.getOrDefault(r.getLong("id"), List.of())))));
    }

    public Uni<WatchView> find(long id, int history) {
        return pool.preparedQuery(VIEW + "WHERE s.id = $1").execute(Tuple.of(id)).chain(rows -> {
            if (rows.size() == 0) {
                return Uni.createFrom().nullItem();
            }
            return history(id, history).map(h -> view(rows.iterator().next(), h.getOrDefault(id, List.of())));
        });
    }

    private Uni<Map<Long, List<WatchView.Check>>> history(Long only, int n) {
        return pool.preparedQuery("SELECT c.*, NULL::text AS service_name FROM services s CROSS JOIN LATERAL (SELECT * FROM service_checks c "
                        + "WHERE c.service_id = s.id ORDER BY c.checked_at DESC, c.id DESC LIMIT $2) c WHERE ($1::bigint IS NULL OR s.id = $1) "
                        + "ORDER BY c.service_id, c.checked_at DESC, c.id DESC")
                .execute(Tuple.of(only, n)).map(rows -> {
                    Map<Long, List<WatchView.Check>> out = new HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getLong("service_id"), k -> new ArrayList<>()).add(check(r)));
                    return out;
                });
    }

    /** Checks run for a deployment (after it finished), with the service names. */
    public Uni<List<WatchView.Check>> checksOfDeployment(long deploymentId) {
        return pool.preparedQuery("SELECT c.*, s.name AS service_name FROM service_checks c JOIN services s ON s.id = c.service_id "
                        + "WHERE c.deployment_id = $1 ORDER BY s.name")
                .execute(Tuple.of(deploymentId)).map(rows -> map(rows, WatchRepository::check));
    }

    /** Claims services due for a check: their next check moves one interval on, so no other replica takes them. */
    public Uni<List<Target>> claimDue(int limit) {
        return pool.preparedQuery("UPDATE services s SET next_check_at = now() + make_interval(secs => s.interval_seconds) "
                        + "FROM (SELECT id FROM services WHERE active AND next_check_at <= now() ORDER BY next_check_at "
                        + "LIMIT $1 FOR UPDATE SKIP LOCKED) due WHERE s.id = due.id RETURNING s.*")
                .execute(Tuple.of(limit)).map(rows -> map(rows, Target::of));
    }

    public Uni<Target> target(long id) {
        return pool.preparedQuery("SELECT * FROM services WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> rows.size() == 0 ? null : Target.of(rows.iterator().next()));
    }

    /** The service of that name (case-insensitive; an active one first); null when there is none. */
    public Uni<Target> targetByName(String name) {
        return pool.preparedQuery("SELECT * FROM services WHERE lower(name) = lower($1) ORDER BY active DESC, id LIMIT 1")
                .execute(Tuple.of(name)).map(rows -> rows.size() == 0 ? null : Target.of(rows.iterator().next()));
    }

    public Uni<List<Target>> ofServer(long serverId) {
        return pool.preparedQuery("SELECT * FROM services WHERE active AND server_id = $1 ORDER BY id")
                .execute(Tuple.of(serverId)).map(rows -> map(rows, Target::of));
    }

    /**
     * Stores a result and the service's current status; answers the status it had before. The service row is locked
     * first: inserting the check takes a key-share lock on it (foreign key), and two checks of one service (scheduled
     * and "check now") that both took that before asking for the row lock would deadlock.
     */
    public Uni<String> record(long serviceId, CheckResult r, String cause, Long deploymentId) {
        return pool.withTransaction(c -> c.preparedQuery("UPDATE services s SET last_status = $2, last_checked_at = now() "
                                + "FROM (SELECT id, last_status FROM services WHERE id = $1 FOR UPDATE) old WHERE s.id = old.id "
                                + "RETURNING old.last_status")
                        .execute(Tuple.of(serviceId, r.status()))
                        // a service deleted meanwhile: nothing to store
                        .call(rows -> rows.size() == 0 ? Uni.createFrom().voidItem() : c.preparedQuery(
                                        "INSERT INTO service_checks (service_id, status, response_ms, status_code, error, cause, deployment_id) "
                                        + "VALUES ($1, $2, $3, $4, $5, $6, $7)")
                                .execute(Tuple.from(new Object[]{serviceId, r.status(), r.responseMs(), r.statusCode(), cut(r.error(), 500), cause, deploymentId}))
                                .replaceWithVoid()))
                .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("last_status"));
    }

    /**
     * Claims the right to announce a service's state (down or up again): only when it differs from the last
     * announced one and the cooldown has passed. Atomic, so one replica announces.
     */
    public Uni<Boolean> claimAnnouncement(long serviceId, boolean down, long cooldownSeconds) {
        String state = down ? "DOWN" : "UP";
        return pool.preparedQuery("UPDATE services SET last_notified_status = $2, last_notified_at = now() WHERE id = $1 "
                        + "AND coalesce(last_notified_status, 'UP') <> $2 "
                        + "AND (last_notified_at IS NULL OR last_notified_at < now() - make_interval(secs => $3))")
                .execute(Tuple.of(serviceId, state, cooldownSeconds)).map(r -> r.rowCount() == 1);
    }

    public Uni<Integer> purgeChecksOlderThan(int days) {
        return pool.preparedQuery("DELETE FROM service_checks WHERE checked_at < now() - make_interval(days => $1)")
                .execute(Tuple.of(days)).map(r -> r.rowCount());
    }

    static WatchView.Check check(Row r) {
        return new WatchView.Check(r.getLong("id"), r.getOffsetDateTime("checked_at"), r.getString("status"),
                r.getInteger("response_ms"), r.getInteger("status_code"), r.getString("error"), r.getString("cause"),
                r.getLong("deployment_id"), r.getString("service_name"));
    }

    private static WatchView view(Row r, List<WatchView.Check> history) {
        return new WatchView(r.getLong("id"), r.getString("name"), r.getString("kind"), r.getString("target"),
                r.getString("expected_statuses"), r.getString("body_contains"), r.getInteger("interval_seconds"),
                r.getInteger("timeout_ms"), r.getInteger("slow_ms"), r.getLong("server_id"), r.getString("server_alias"),
                r.getString("description"), r.getBoolean("active"), r.getString("last_status"), r.getOffsetDateTime("last_checked_at"),
                number(r.getValue("up24")), number(r.getValue("up7")), history);
    }

    private static Double number(Object v) {
        return v == null ? null : Math.round(((Number) v).doubleValue() * 10000) / 10000.0;
    }

    private static <T> List<T> map(RowSet<Row> rows, Function<Row, T> f) {
        List<T> out = new ArrayList<>();
        rows.forEach(r -> out.add(f.apply(r)));
        return out;
    }

    /** Inserts a service from its column values (name, kind, target, expected_statuses, body_contains,
     * interval_seconds, timeout_ms, slow_ms, server_id, description, active); answers its id. */
    Uni<Long> insert(Tx tx, Object[] values) {
        return tx.client().preparedQuery("INSERT INTO services (name, kind, target, expected_statuses, "
                        + "body_contains, interval_seconds, timeout_ms, slow_ms, server_id, description, active) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
                .execute(Tuple.from(values)).map(rows -> rows.iterator().next().getLong("id"));
    }

    /** Updates a service: id, then the columns in the order of {@link #insert} but kind; a changed target is checked at once. */
    Uni<Void> update(Tx tx, Object[] values) {
        return tx.client().preparedQuery("UPDATE services SET name = $2, target = $3::text, expected_statuses = $4, "
                        + "body_contains = $5, interval_seconds = $6, timeout_ms = $7, slow_ms = $8, server_id = $9, description = $10, "
                        + "active = $11, updated_at = now(), next_check_at = CASE WHEN $3::text <> target THEN now() ELSE next_check_at END "
                        + "WHERE id = $1")
                .execute(Tuple.from(values)).replaceWithVoid();
    }

    Uni<Void> delete(Tx tx, long id) {
        return tx.client().preparedQuery("DELETE FROM services WHERE id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }
}
