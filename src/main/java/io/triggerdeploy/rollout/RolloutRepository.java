package io.triggerdeploy.rollout;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.List;

/** Every statement about rollouts and their hosts. */
@ApplicationScoped
public class RolloutRepository {

    /** Rollout creations take turns on this key, so two cannot both take the same server. */
    static final long CREATE_LOCK_KEY = 0x7472696767657202L;

    private static final String HOSTS = "SELECT h.server_id, h.server_alias, h.wave, h.position, h.state, h.deployment_id, "
            + "h.attempts, h.detail, d.status AS deployment_status, d.started_at, d.finished_at, h.rollback_deployment_id, "
            + "h.ref, h.parameters::text AS p, h.secret_parameters, s.environment AS server_environment, h.reported FROM rollout_hosts h "
            + "JOIN servers s ON s.id = h.server_id LEFT JOIN deployments d ON d.id = h.deployment_id WHERE h.rollout_id = $1 ORDER BY h.wave, h.position";

    private final Pool pool;

    public RolloutRepository(Pool pool) {
        this.pool = pool;
    }

    /** What a new rollout row holds. */
    record New(String status, String target, String strategy, String spec, String ref, String parametersJson, String note,
               int waveCount, int maxFailures, int maxInFlight, String onBreach, Short approvalsRequired,
               java.time.OffsetDateTime approvalExpiresAt, String createdBy, Long createdById, String source) {
    }

    /** A host to insert: its place in the plan and what it will run. */
    record NewHost(long serverId, String alias, int wave, int position, String ref, String shownJson, String sealedJson) {
    }

    Uni<Void> lockCreation(Tx tx) {
        return tx.client().preparedQuery("SELECT pg_advisory_xact_lock($1)").execute(Tuple.of(CREATE_LOCK_KEY)).replaceWithVoid();
    }

    /** The first active rollout that holds one of the servers: [rollout id, server alias], or null. */
    Uni<Object[]> busy(Tx tx, Long[] serverIds) {
        return tx.client().preparedQuery("SELECT r.id, h.server_alias FROM rollout_hosts h JOIN rollouts r ON r.id = h.rollout_id "
                        + "WHERE h.server_id = ANY($1) AND r.status IN ('AWAITING_APPROVAL', 'RUNNING', 'PAUSED') ORDER BY r.id, h.wave, "
                        + "h.position LIMIT 1")
                .execute(Tuple.of(serverIds)).map(rows -> Rows.first(rows, r -> new Object[]{r.getLong(0), r.getString(1)}));
    }

    Uni<Rollout> insert(Tx tx, New n, List<NewHost> hosts) {
        SqlClient c = tx.client();
        return c.preparedQuery("INSERT INTO rollouts (status, target, strategy, spec, ref, parameters, note, wave_count, max_failures, "
                                + "max_in_flight, on_breach, approvals_required, approval_expires_at, created_by, created_by_id, source) "
                                + "VALUES ($1, $2::text::jsonb, $3, $4::text::jsonb, $5, $6::text::jsonb, $7, $8, $9, $10, $11, $12, $13, "
                                + "$14, $15, $16) RETURNING " + Rollout.COLUMNS)
                        .execute(Tuple.from(new Object[]{n.status(), n.target(), n.strategy(), n.spec(), n.ref(), n.parametersJson(),
                                n.note(), n.waveCount(), n.maxFailures(), n.maxInFlight(), n.onBreach(), n.approvalsRequired(),
                                n.approvalExpiresAt(), n.createdBy(), n.createdById(), n.source()}))
                .map(rows -> Rows.first(rows, Rollout::new))
                .call(r -> {
                    List<Tuple> batch = new ArrayList<>();
                    hosts.forEach(h -> batch.add(Tuple.from(new Object[]{r.id, h.serverId(), h.alias(), h.wave(), h.position(), h.ref(),
                            h.shownJson(), h.sealedJson()})));
                    return c.preparedQuery("INSERT INTO rollout_hosts (rollout_id, server_id, server_alias, wave, position, ref, "
                            + "parameters, secret_parameters, reported) VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8, 'PENDING')")
                            .executeBatch(batch);
                });
    }

    /** The rollout locked for this transaction; null when another replica holds it ({@code skipLocked}) or it does not exist. */
    Uni<Rollout> lock(Tx tx, long id, boolean skipLocked) {
        return tx.client().preparedQuery("SELECT " + Rollout.COLUMNS + " FROM rollouts WHERE id = $1 FOR UPDATE"
                        + (skipLocked ? " SKIP LOCKED" : ""))
                .execute(Tuple.of(id)).map(rows -> Rows.first(rows, Rollout::new));
    }

    Uni<Rollout> find(long id) {
        return pool.preparedQuery("SELECT " + Rollout.COLUMNS + " FROM rollouts WHERE id = $1").execute(Tuple.of(id))
                .map(rows -> Rows.first(rows, Rollout::new));
    }

    Uni<List<Rollout.HostRow>> hosts(Tx tx, long id) {
        return (tx == null ? pool : tx.client()).preparedQuery(HOSTS).execute(Tuple.of(id))
                .map(rows -> Rows.list(rows, RolloutRepository::host));
    }

    private static Rollout.HostRow host(Row r) {
        return new Rollout.HostRow(r.getLong("server_id"), r.getString("server_alias"), r.getInteger("wave"), r.getInteger("position"),
                r.getString("state"), r.getLong("deployment_id"), r.getInteger("attempts"), r.getString("detail"),
                r.getString("deployment_status"), r.getOffsetDateTime("started_at"), r.getOffsetDateTime("finished_at"),
                r.getLong("rollback_deployment_id"), r.getString("ref"), r.getString("p"), r.getString("secret_parameters"),
                r.getString("server_environment"), r.getString("reported"));
    }

    /** Rollouts an advancer should look at now: running, or paused until a time that has come, or awaiting past expiry. */
    Uni<List<Long>> due() {
        return pool.query("SELECT id FROM rollouts WHERE status IN ('RUNNING', 'PAUSED') OR (status = 'AWAITING_APPROVAL' "
                        + "AND approval_expires_at <= now()) OR finished_at > now() - interval '2 minutes' ORDER BY id LIMIT 500").execute()
                .map(rows -> Rows.list(rows, r -> r.getLong(0)));
    }

    Uni<Void> save(Tx tx, Rollout r) {
        return tx.client().preparedQuery("UPDATE rollouts SET status = $2, current_wave = $3, accepted_failures = $4, "
                        + "wave_started_at = $5, wave_ended_at = $6, gate = $7, promoted = $8, paused_reason = $9, resume_at = $10, "
                        + "decisions = $11::text::jsonb, finished_at = $12, updated_at = now() WHERE id = $1")
                .execute(Tuple.from(new Object[]{r.id, r.status, r.currentWave, r.acceptedFailures, r.waveStartedAt, r.waveEndedAt,
                        r.gate, r.promoted, r.pausedReason, r.resumeAt, r.decisions.encode(), r.finishedAt}))
                .replaceWithVoid();
    }

    Uni<Void> setHost(Tx tx, long rolloutId, long serverId, String state, Long deploymentId, int attempts, String detail) {
        return tx.client().preparedQuery("UPDATE rollout_hosts SET state = $3, deployment_id = $4, attempts = $5, detail = $6 "
                        + "WHERE rollout_id = $1 AND server_id = $2")
                .execute(Tuple.from(new Object[]{rolloutId, serverId, state, deploymentId, attempts, detail})).replaceWithVoid();
    }

    Uni<Void> setRollback(Tx tx, long rolloutId, long serverId, long deploymentId) {
        return tx.client().preparedQuery("UPDATE rollout_hosts SET rollback_deployment_id = $3 WHERE rollout_id = $1 AND server_id = $2")
                .execute(Tuple.of(rolloutId, serverId, deploymentId)).replaceWithVoid();
    }

    /** The first deployment of each server in the rollout (what a rollback returns to the last success before). */
    Uni<java.util.Map<Long, Long>> firstDeployments(Tx tx, long rolloutId) {
        return tx.client().preparedQuery("SELECT server_id, min(id) FROM deployments WHERE rollout_id = $1 AND origin IS DISTINCT "
                        + "FROM 'rollback' GROUP BY server_id").execute(Tuple.of(rolloutId))
                .map(rows -> {
                    java.util.Map<Long, Long> out = new java.util.HashMap<>();
                    rows.forEach(r -> out.put(r.getLong(0), r.getLong(1)));
                    return out;
                });
    }

    /** Stored output lines of these deployments that match a PostgreSQL regular expression (case-insensitive). */
    Uni<Long> matchingLines(Tx tx, Long[] deploymentIds, String pattern) {
        return tx.client().preparedQuery("SELECT count(*) FROM deployment_logs WHERE deployment_id = ANY($1) AND text ~* $2")
                .execute(Tuple.of(deploymentIds, pattern)).map(rows -> rows.iterator().next().getLong(0));
    }

    /** Null when PostgreSQL takes the pattern, else its complaint. */
    Uni<String> patternError(String pattern) {
        return pool.preparedQuery("SELECT '' ~* $1").execute(Tuple.of(pattern)).map(x -> (String) null)
                .onFailure().recoverWithItem(e -> e.getMessage() == null ? "is not a valid regular expression" : e.getMessage());
    }

    /** A watched service of a wave: whether it is UP now, and since when (null: no other status since the wave ended). */
    record Watched(String name, boolean up, java.time.OffsetDateTime upSince) {
    }

    /**
     * The watched services linked to these servers: UP now or not, and, when some check since {@code waveStarted} said
     * otherwise (a restart during the deployment, a failure after it), the first UP check after the last such one.
     */
    Uni<List<Watched>> soak(Tx tx, Long[] serverIds, java.time.OffsetDateTime waveStarted) {
        return tx.client().preparedQuery("SELECT s.name, s.last_status = 'UP', (SELECT min(c.checked_at) FROM service_checks c "
                        + "WHERE c.service_id = s.id AND c.status = 'UP' AND c.checked_at > (SELECT max(d.checked_at) "
                        + "FROM service_checks d WHERE d.service_id = s.id AND d.checked_at >= $2 AND d.status <> 'UP')) "
                        + "FROM services s WHERE s.active AND s.server_id = ANY($1) ORDER BY s.name")
                .execute(Tuple.of(serverIds, waveStarted)).map(rows -> Rows.list(rows, r -> new Watched(r.getString(0),
                        Boolean.TRUE.equals(r.getBoolean(1)), r.getOffsetDateTime(2))));
    }

    /** One entry of the rollout's event stream, in the transaction of the change it tells. */
    Uni<Void> event(Tx tx, long rolloutId, String kind, Long serverId, String json) {
        return tx.client().preparedQuery("INSERT INTO rollout_events (rollout_id, kind, server_id, data) VALUES ($1, $2, $3, $4::text::jsonb)")
                .execute(Tuple.of(rolloutId, kind, serverId, json)).replaceWithVoid();
    }

    /** The host status the event stream last told. */
    Uni<Void> reported(Tx tx, long rolloutId, long serverId, String status) {
        return tx.client().preparedQuery("UPDATE rollout_hosts SET reported = $3 WHERE rollout_id = $1 AND server_id = $2")
                .execute(Tuple.of(rolloutId, serverId, status)).replaceWithVoid();
    }

    /** An event of the stream as stored. */
    record Event(long id, String kind, Long serverId, String json, java.time.OffsetDateTime at) {
    }

    /** The rollout's events after {@code afterId}, oldest first, at most {@code limit}. */
    Uni<List<Event>> events(long rolloutId, long afterId, int limit) {
        return pool.preparedQuery("SELECT id, kind, server_id, data::text AS data, at FROM rollout_events WHERE rollout_id = $1 "
                        + "AND id > $2 ORDER BY id LIMIT $3")
                .execute(Tuple.of(rolloutId, afterId, limit)).map(rows -> Rows.list(rows, r -> new Event(r.getLong("id"),
                        r.getString("kind"), r.getLong("server_id"), r.getString("data"), r.getOffsetDateTime("at"))));
    }

    /** A page of rollouts, newest first, optionally of one status. */
    Uni<List<Rollout>> page(String status, Long cursor, int limit) {
        return pool.preparedQuery("SELECT " + Rollout.COLUMNS + " FROM rollouts WHERE ($1::text IS NULL OR status = $1) "
                        + "AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3")
                .execute(Tuple.of(status, cursor, limit)).map(rows -> Rows.list(rows, Rollout::new));
    }

    /** The servers of each rollout, for the list (visibility and counts). */
    Uni<java.util.Map<Long, List<Rollout.HostRow>>> hostsOf(Long[] rolloutIds) {
        return pool.preparedQuery(HOSTS.replace("h.rollout_id = $1", "h.rollout_id = ANY($1)").replace("SELECT h.server_id",
                        "SELECT h.rollout_id, h.server_id").replace("ORDER BY h.wave", "ORDER BY h.rollout_id, h.wave"))
                .execute(Tuple.of(rolloutIds)).map(rows -> {
                    java.util.Map<Long, List<Rollout.HostRow>> out = new java.util.HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getLong("rollout_id"), k -> new ArrayList<>()).add(host(r)));
                    return out;
                });
    }
}
