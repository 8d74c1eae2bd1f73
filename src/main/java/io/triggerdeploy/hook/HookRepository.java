package io.triggerdeploy.hook;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The {@code hooks} and {@code hook_deliveries} tables. */
@ApplicationScoped
public class HookRepository {

    private static final String FROM = " FROM hooks h LEFT JOIN servers s ON s.id = h.server_id ";

    private final Pool pool;

    public HookRepository(Pool pool) {
        this.pool = pool;
    }

    /** A hook with what verifying a delivery needs (its secret never leaves the service). */
    record StoredHook(String id, String name, Long serverId, String kind, String secret, String secretSha256,
                      String headerName, String algorithm, String branch, boolean active, String createdBy,
                      io.vertx.core.json.JsonObject rollout, Map<String, String> parameters, Map<String, String> eventParameters) {

        static StoredHook of(Row r) {
            Object rollout = r.getValue("rollout");
            return new StoredHook(r.getString("id"), r.getString("name"), r.getLong("server_id"), r.getString("kind"),
                    r.getString("secret"), r.getString("secret_sha256"), r.getString("header_name"), r.getString("algorithm"),
                    r.getString("branch"), r.getBoolean("active"), r.getString("created_by"),
                    rollout instanceof io.vertx.core.json.JsonObject j ? j : null, strings(r.getValue("parameters")),
                    strings(r.getValue("event_parameters")));
        }
    }

    /** A JSON object of strings (null: an empty map). */
    static Map<String, String> strings(Object value) {
        Map<String, String> out = new LinkedHashMap<>();
        if (value instanceof io.vertx.core.json.JsonObject j) {
            j.forEach(e -> out.put(e.getKey(), String.valueOf(e.getValue())));
        }
        return out;
    }

    Uni<List<HookView>> list() {
        return pool.query("SELECT " + HookView.COLUMNS + FROM + "ORDER BY lower(h.name)").execute()
                .map(rows -> Rows.list(rows, HookView::of));
    }

    Uni<HookView> find(String id) {
        return pool.preparedQuery("SELECT " + HookView.COLUMNS + FROM + "WHERE h.id = $1").execute(Tuple.of(id))
                .map(rows -> Rows.first(rows, HookView::of));
    }

    Uni<StoredHook> stored(String id) {
        return pool.preparedQuery("SELECT h.* FROM hooks h WHERE h.id = $1").execute(Tuple.of(id))
                .map(rows -> Rows.first(rows, StoredHook::of));
    }

    /** A hook to insert: bound to a server or to a rollout. */
    record NewHook(String id, String name, Long serverId, io.vertx.core.json.JsonObject rollout, String kind, String secret,
                   String secretSha256, String header, String algorithm, String branch, String createdBy, Map<String, String> parameters,
                   Map<String, String> eventParameters) {
    }

    Uni<Void> insert(Tx tx, NewHook h) {
        return tx.client().preparedQuery("INSERT INTO hooks (id, name, server_id, kind, secret, secret_sha256, header_name, algorithm, "
                        + "branch, created_by, rollout, parameters, event_parameters) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)")
                .execute(Tuple.from(new Object[]{h.id(), h.name(), h.serverId(), h.kind(), h.secret(), h.secretSha256(), h.header(),
                        h.algorithm(), h.branch(), h.createdBy(), h.rollout(), json(h.parameters()), json(h.eventParameters())}))
                .replaceWithVoid();
    }

    private static io.vertx.core.json.JsonObject json(Map<String, String> map) {
        return map == null || map.isEmpty() ? null : new io.vertx.core.json.JsonObject(new LinkedHashMap<>(map));
    }

    /** A delivery as it was received and what became of it (outside the delivery's own transaction: refusals are kept too). */
    Uni<Void> logDelivery(String hookId, String delivery, String event, String outcome, int status, String reason, Long deploymentId,
                          Long rolloutId) {
        return pool.preparedQuery("INSERT INTO hook_delivery_log (hook_id, delivery, event, outcome, status, reason, deployment_id, rollout_id) "
                        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                .execute(Tuple.from(new Object[]{hookId, cut(delivery, 128), cut(event, 64), outcome, status, cut(reason, 500), deploymentId,
                        rolloutId}))
                .replaceWithVoid();
    }

    /** The newest deliveries of a hook (at most {@code limit}). */
    Uni<List<HookDelivery>> deliveries(String hookId, int limit) {
        return pool.preparedQuery("SELECT * FROM hook_delivery_log WHERE hook_id = $1 ORDER BY id DESC LIMIT $2")
                .execute(Tuple.of(hookId, limit)).map(rows -> Rows.list(rows, HookDelivery::of));
    }

    /** The newest deliveries of every hook (at most {@code limit} each), by hook id. */
    Uni<Map<String, List<HookDelivery>>> recentDeliveries(int limit) {
        return pool.preparedQuery("SELECT * FROM (SELECT l.*, row_number() OVER (PARTITION BY hook_id ORDER BY id DESC) AS n "
                        + "FROM hook_delivery_log l) x WHERE n <= $1 ORDER BY hook_id, id DESC")
                .execute(Tuple.of(limit)).map(rows -> {
                    Map<String, List<HookDelivery>> out = new LinkedHashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getString("hook_id"), k -> new java.util.ArrayList<>()).add(HookDelivery.of(r)));
                    return out;
                });
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }

    /** Sets {@code active} when not null and the branch filter when not null ("" clears it); null when no such hook. */
    Uni<Changed> update(Tx tx, String id, Boolean active, String branch) {
        return tx.client().preparedQuery("UPDATE hooks SET active = coalesce($2, active), "
                        + "branch = CASE WHEN $3::text IS NULL THEN branch WHEN $3 = '' THEN NULL ELSE $3 END WHERE id = $1 "
                        + "RETURNING name, active, branch")
                .execute(Tuple.of(id, active, branch))
                .map(rows -> Rows.first(rows, r -> new Changed(r.getString(0), r.getBoolean(1), r.getString(2))));
    }

    /** A hook as an update left it. */
    record Changed(String name, boolean active, String branch) {
    }

    Uni<Void> delete(Tx tx, String id) {
        return tx.client().preparedQuery("DELETE FROM hooks WHERE id = $1").execute(Tuple.of(id)).replaceWithVoid();
    }

    /**
     * Claims every replay key of a delivery inside {@code tx}; any key seen before fails with 409, and the
     * transaction's rollback leaves nothing of the delivery behind.
     */
    Uni<Void> claimKeys(Tx tx, String hookId, String[] keys) {
        return tx.client().preparedQuery("INSERT INTO hook_deliveries (hook_id, delivery_id) "
                        + "SELECT $1, k FROM unnest($2::text[]) AS k ON CONFLICT DO NOTHING")
                .execute(Tuple.of(hookId, keys))
                .map(r -> {
                    if (r.rowCount() < keys.length) {
                        throw ProblemException.conflict("Delivery " + keys[0] + " was already received; replays are refused");
                    }
                    return null;
                });
    }

    /** Links the claimed keys to the deployment they queued and stamps the hook's last delivery. */
    Uni<Void> markDelivered(Tx tx, String hookId, String[] keys, Long deploymentId) {
        return tx.client().preparedQuery("WITH d AS (UPDATE hook_deliveries SET deployment_id = $3 "
                        + "WHERE hook_id = $1 AND delivery_id = ANY($2)) UPDATE hooks SET last_delivery_at = now() WHERE id = $1")
                .execute(Tuple.of(hookId, keys, deploymentId)).replaceWithVoid();
    }

    /** When the commit behind {@code version} was made, as the first push that carried it says (kept; later pushes change nothing). */
    Uni<Void> recordCommit(Tx tx, String version, java.time.OffsetDateTime committedAt) {
        if (version == null || committedAt == null) {
            return Uni.createFrom().voidItem();
        }
        return tx.client().preparedQuery("INSERT INTO ref_commits (ref, committed_at) VALUES ($1, $2) ON CONFLICT (ref) DO NOTHING")
                .execute(Tuple.of(version, committedAt)).replaceWithVoid();
    }

    /** Forgets replay keys older than {@code days}: a sender does not redeliver older ones. */
    Uni<Integer> purgeDeliveriesOlderThan(int days) {
        return pool.preparedQuery("WITH l AS (DELETE FROM hook_delivery_log WHERE received_at < now() - make_interval(days => $1)) "
                        + "DELETE FROM hook_deliveries WHERE received_at < now() - make_interval(days => $1)")
                .execute(Tuple.of(days)).map(r -> r.rowCount());
    }
}
