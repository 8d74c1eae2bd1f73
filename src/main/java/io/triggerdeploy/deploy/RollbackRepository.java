package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * Where a server's rollback goes: a rollback steps back from what runs now, never to the version it left. The
 * deployments a rollback replaced ("left behind") are skipped, and so is the version that runs now; after a rollback to
 * #12, the next one goes to a success before #12, not back to the release that was rolled back.
 */
@ApplicationScoped
public class RollbackRepository {

    /** Every started deployment of the server up to the current one, with the one before it (what a rollback replaced). */
    private static final String STARTED = "WITH started AS (SELECT id, ref, origin, lag(id) OVER (ORDER BY id) AS before_it "
            + "FROM deployments WHERE server_id = $1 AND started_at IS NOT NULL AND id <= $2), "
            + "left_behind AS (SELECT before_it AS id FROM started WHERE origin = 'rollback' AND before_it IS NOT NULL), "
            + "cur AS (SELECT ref, CASE WHEN origin = 'rollback' AND origin_id IS NOT NULL THEN origin_id ELSE id END AS upto "
            + "FROM deployments WHERE id = $2) ";

    private final Pool pool;

    public RollbackRepository(Pool pool) {
        this.pool = pool;
    }

    /**
     * The success a rollback of the server goes to by default: the newest one before what runs now (before the source of
     * the current deployment when that was itself a rollback), not one a rollback replaced, not of the version that runs
     * now; null when there is none.
     */
    Uni<DeploymentRepository.Source> target(long serverId, long currentId) {
        return pool.preparedQuery(STARTED + "SELECT d.id, d.server_id, d.status, d.ref, d.parameters::text AS p, d.secret_parameters "
                        + "FROM deployments d, cur WHERE d.server_id = $1 AND d.status = 'SUCCEEDED' AND d.id < cur.upto "
                        + "AND d.id NOT IN (SELECT id FROM left_behind) AND (cur.ref IS NULL OR d.ref IS DISTINCT FROM cur.ref) "
                        + "ORDER BY d.id DESC LIMIT 1")
                .execute(Tuple.of(serverId, currentId)).map(rows -> Rows.first(rows, DeploymentRepository.Source::of));
    }

    /** The earlier successes a rollback may go to, newest first (at most {@code limit}). */
    Uni<List<RollbackPlan.Candidate>> candidates(long serverId, long currentId, int limit) {
        return pool.preparedQuery("SELECT id, ref, finished_at, requested_by FROM deployments WHERE server_id = $1 "
                        + "AND status = 'SUCCEEDED' AND id < $2 ORDER BY id DESC LIMIT $3")
                .execute(Tuple.of(serverId, currentId, limit))
                .map(rows -> Rows.list(rows, RollbackRepository::candidate));
    }

    /** The deployment a rollback rolls back from. */
    Uni<RollbackPlan.Candidate> describe(long id) {
        return pool.preparedQuery("SELECT id, ref, finished_at, requested_by, status FROM deployments WHERE id = $1")
                .execute(Tuple.of(id)).map(rows -> Rows.first(rows, r -> new RollbackPlan.Candidate(r.getLong("id"), r.getString("ref"),
                        r.getOffsetDateTime("finished_at"), r.getString("requested_by"), r.getString("status"))));
    }

    private static RollbackPlan.Candidate candidate(Row r) {
        return new RollbackPlan.Candidate(r.getLong("id"), r.getString("ref"), r.getOffsetDateTime("finished_at"),
                r.getString("requested_by"), "SUCCEEDED");
    }
}
