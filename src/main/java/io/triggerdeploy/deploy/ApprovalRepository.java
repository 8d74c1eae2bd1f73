package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Approvals of deployments that wait for them: decisions (one per person and deployment, by a unique constraint), the
 * release into the queue and the endings, each on a row locked for the deciding transaction so two approvers on two
 * replicas are counted once each and the deployment is queued once.
 */
@ApplicationScoped
public class ApprovalRepository {

    private final Pool pool;

    public ApprovalRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * A deployment as locked for a decision, with who asked for it and who else counts as asking (those who changed the
     * schedule that made it).
     */
    record Pending(DeploymentView deployment, Long requestedById, List<Long> coRequesterIds) {
    }

    Uni<Pending> lock(Tx tx, long id) {
        return tx.client().preparedQuery("SELECT " + DeploymentView.COLUMNS + ", requested_by_id, co_requester_ids FROM deployments "
                        + "WHERE id = $1 FOR UPDATE")
                .execute(Tuple.of(id)).map(rows -> Rows.first(rows, r -> {
                    Long[] co = r.getArrayOfLongs("co_requester_ids");
                    return new Pending(DeploymentView.of(r), r.getLong("requested_by_id"), co == null ? List.of() : List.of(co));
                }));
    }

    /** These users count as requesters of the deployment too (none of them may approve it). */
    Uni<Void> addRequesters(Tx tx, long id, List<Long> userIds) {
        if (userIds.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return tx.client().preparedQuery("UPDATE deployments SET co_requester_ids = "
                        + "ARRAY(SELECT DISTINCT u FROM unnest(coalesce(co_requester_ids, '{}') || $2::bigint[]) u) WHERE id = $1")
                .execute(Tuple.of(id, userIds.toArray(new Long[0]))).replaceWithVoid();
    }

    /** Records a decision; false when this person already decided on this deployment. */
    Uni<Boolean> decide(Tx tx, long id, long userId, String username, String decision, String comment) {
        return tx.client().preparedQuery("INSERT INTO deployment_approvals (deployment_id, user_id, username, decision, comment) "
                        + "VALUES ($1, $2, $3, $4, $5) ON CONFLICT ON CONSTRAINT deployment_approvals_once DO NOTHING RETURNING id")
                .execute(Tuple.of(id, userId, username, decision, comment)).map(rows -> rows.rowCount() > 0);
    }

    Uni<Integer> approvals(Tx tx, long id) {
        return tx.client().preparedQuery("SELECT count(*) FROM deployment_approvals WHERE deployment_id = $1 AND decision = 'approve'")
                .execute(Tuple.of(id)).map(rows -> rows.iterator().next().getLong(0).intValue());
    }

    /** Moves an approved deployment into the queue (behind what is queued now), held until {@code notBefore} if set. */
    Uni<DeploymentView> release(Tx tx, long id, java.time.OffsetDateTime notBefore) {
        SqlClient c = tx.client();
        return c.preparedQuery("UPDATE deployments SET status = 'QUEUED', queued_at = now(), not_before = $2 "
                        + "WHERE id = $1 AND status = 'AWAITING_APPROVAL' RETURNING " + DeploymentView.COLUMNS)
                .execute(Tuple.of(id, notBefore)).map(rows -> Rows.first(rows, DeploymentView::of))
                .call(d -> c.query("NOTIFY " + DeploymentRepository.QUEUE_CHANNEL + "; NOTIFY " + DeploymentRepository.LOG_CHANNEL
                        + ", '" + id + "'").execute());
    }

    /** Ends a deployment that waits for approval with {@code status} (REJECTED or EXPIRED) and why. */
    Uni<DeploymentView> end(Tx tx, long id, String status, String error) {
        SqlClient c = tx.client();
        return c.preparedQuery("UPDATE deployments SET status = $2, finished_at = now(), error = $3 "
                        + "WHERE id = $1 AND status = 'AWAITING_APPROVAL' RETURNING " + DeploymentView.COLUMNS)
                .execute(Tuple.of(id, status, error)).map(rows -> Rows.first(rows, DeploymentView::of))
                .call(d -> c.query("NOTIFY " + DeploymentRepository.LOG_CHANNEL + ", '" + id + "'").execute());
    }

    /** Ends EXPIRED every deployment whose approval window has passed; the ones it ended. */
    Uni<List<DeploymentView>> expireDue() {
        return pool.withTransaction(c -> c.query("UPDATE deployments SET status = 'EXPIRED', finished_at = now(), "
                        + "error = 'Not approved before ' || to_char(approval_expires_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') || ' UTC' "
                        + "WHERE status = 'AWAITING_APPROVAL' AND approval_expires_at <= now() RETURNING " + DeploymentView.COLUMNS)
                .execute().map(rows -> Rows.list(rows, DeploymentView::of))
                .call(l -> l.isEmpty() ? Uni.createFrom().voidItem() : c.query(String.join("; ", l.stream()
                        .map(d -> "NOTIFY " + DeploymentRepository.LOG_CHANNEL + ", '" + d.id() + "'").toList())).execute()));
    }

    /** The decisions on each of the deployments, oldest first. */
    Uni<Map<Long, List<DeploymentView.Decision>>> decisions(List<Long> ids) {
        if (ids.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pool.preparedQuery("SELECT deployment_id, username, decision, comment, decided_at FROM deployment_approvals "
                        + "WHERE deployment_id = ANY($1) ORDER BY decided_at, id")
                .execute(Tuple.of(ids.toArray(new Long[0]))).map(rows -> {
                    Map<Long, List<DeploymentView.Decision>> out = new HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getLong(0), k -> new ArrayList<>()).add(new DeploymentView.Decision(
                            r.getString(1), r.getString(2), r.getString(3), r.getOffsetDateTime(4))));
                    return out;
                });
    }

    /** Deployments waiting for approval that {@code userId} neither requested nor decided on yet, oldest first. */
    Uni<List<DeploymentView>> waitingFor(long userId, String username, int limit) {
        return pool.preparedQuery("SELECT " + DeploymentView.COLUMNS + " FROM deployments d WHERE status = 'AWAITING_APPROVAL' "
                        + "AND approval_expires_at > now() AND requested_by_id IS DISTINCT FROM $1 "
                        + "AND NOT (requested_by_id IS NULL AND lower(requested_by) = lower($2)) "
                        + "AND NOT ($1 = ANY(coalesce(co_requester_ids, '{}'))) "
                        + "AND NOT EXISTS (SELECT 1 FROM deployment_approvals a WHERE a.deployment_id = d.id AND a.user_id = $1) "
                        + "ORDER BY id LIMIT $3")
                .execute(Tuple.of(userId, username, limit)).map(rows -> Rows.list(rows, DeploymentView::of));
    }
}
