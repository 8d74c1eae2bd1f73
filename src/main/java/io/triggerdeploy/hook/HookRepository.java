package io.triggerdeploy.hook;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

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
                      io.vertx.core.json.JsonObject rollout) {

        static StoredHook of(Row r) {
            Object rollout = r.getValue("rollout");
            return new StoredHook(r.getString("id"), r.getString("name"), r.getLong("server_id"), r.getString("kind"),
                    r.getString("secret"), r.getString("secret_sha256"), r.getString("header_name"), r.getString("algorithm"),
                    r.getString("branch"), r.getBoolean("active"), r.getString("created_by"),
                    rollout instanceof io.vertx.core.json.JsonObject j ? j : null);
        }
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
                   String secretSha256, String header, String algorithm, String branch, String createdBy) {
    }

    Uni<Void> insert(Tx tx, NewHook h) {
        return tx.client().preparedQuery("INSERT INTO hooks (id, name, server_id, kind, secret, secret_sha256, header_name, algorithm, "
                        + "branch, created_by, rollout) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
                .execute(Tuple.from(new Object[]{h.id(), h.name(), h.serverId(), h.kind(), h.secret(), h.secretSha256(), h.header(),
                        h.algorithm(), h.branch(), h.createdBy(), h.rollout()}))
                .replaceWithVoid();
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
        return pool.preparedQuery("DELETE FROM hook_deliveries WHERE received_at < now() - make_interval(days => $1)")
                .execute(Tuple.of(days)).map(r -> r.rowCount());
    }
}
