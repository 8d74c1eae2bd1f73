package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.environment.Environment;
import io.triggerdeploy.ssh.SshTarget;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlClient;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;

/**
 * The queue in PostgreSQL, in plain SQL: claims with {@code FOR UPDATE SKIP LOCKED}, leases, the reaper,
 * batched log appends with {@code NOTIFY}, keyset pages.
 */
@ApplicationScoped
public class DeploymentRepository {

    static final String QUEUE_CHANNEL = "trigger_deploy_queue";
    static final String LOG_CHANNEL = "trigger_deploy_log";
    static final String CANCEL_CHANNEL = "trigger_deploy_cancel";
    static final long RETENTION_LOCK_KEY = 0x7472696767657201L;

    private final Pool pool;

    public DeploymentRepository(Pool pool) {
        this.pool = pool;
    }

    /** Queues a deployment inside {@code tx}; the NOTIFY that wakes the dispatchers is delivered at commit. */
    public Uni<DeploymentView> insert(Tx tx, long serverId, String alias, String requestedBy, Long requestedById, String source,
                                      String clientIp, String note) {
        return insert(tx, serverId, alias, requestedBy, requestedById, source, clientIp, note, Run.PLAIN, null, null);
    }

    Uni<DeploymentView> insert(Tx tx, long serverId, String alias, String requestedBy, Long requestedById, String source,
                               String clientIp, String note, Run run, Admission a, HostCommand.Wave wave) {
        SqlClient c = tx.client();
        TriggerCommand.Origin o = run.origin();
        return c.preparedQuery("INSERT INTO deployments (server_id, server_alias, status, requested_by, requested_by_id, "
                                + "source, client_ip, note, ref, parameters, secret_parameters, origin, origin_id, environment, "
                                + "approvals_required, approval_expires_at, not_before, break_glass_reason, rollout_id, wave, hooks) "
                                + "VALUES ($1, $2, $13, $3, $4, $5, $6, $7, $8, $9::text::jsonb, $10, $11, $12, $14, $15, $16, $17, $18, "
                                + "$19, $20, $21::text::jsonb) "
                                + "RETURNING " + DeploymentView.COLUMNS)
                        .execute(Tuple.from(new Object[]{serverId, alias, requestedBy, requestedById, source, clientIp, note,
                                run.ref(), run.shownJson(), run.sealedJson(), o == null ? null : o.kind(), o == null ? null : o.id(),
                                a == null ? "QUEUED" : a.status(), a == null ? null : a.environment(),
                                a == null || a.approvalsRequired() == null ? null : a.approvalsRequired().shortValue(),
                                a == null ? null : a.approvalExpiresAt(), a == null ? null : a.notBefore(),
                                a == null ? null : a.breakGlass(), wave == null ? null : wave.rolloutId(),
                                wave == null ? null : wave.wave(), wave == null ? null : wave.hooks()}))
                        .call(() -> c.query("NOTIFY " + QUEUE_CHANNEL).execute())
                .map(rows -> Rows.first(rows, DeploymentView::of));
    }

    /**
     * Locks the server's row for the rest of {@code tx} and answers its queue policy and environment: concurrent
     * triggers of one server take turns here, so "reject" and "replace" see each other's deployments.
     */
    Uni<Admission.Gate> lockGate(Tx tx, long serverId) {
        return tx.client().preparedQuery("SELECT s.alias AS server_alias, s.queue_policy AS server_queue_policy, "
                        + "s.environment AS server_environment, " + Environment.columns("e", "env_")
                        + " FROM servers s LEFT JOIN environments e ON lower(e.name) = lower(s.environment) WHERE s.id = $1 FOR UPDATE OF s")
                .execute(Tuple.of(serverId))
                .map(rows -> Rows.first(rows, r -> new Admission.Gate(r.getString("server_alias"), r.getString("server_queue_policy"),
                        r.getString("server_environment"),
                        r.getValue("env_id") == null ? null : Environment.of(r, "env_"))));
    }

    /** The oldest deployment of the server that is queued or running; null when there is none. */
    Uni<DeploymentView> busy(Tx tx, long serverId) {
        return tx.client().preparedQuery("SELECT " + DeploymentView.COLUMNS + " FROM deployments WHERE server_id = $1 "
                        + "AND status IN ('QUEUED', 'RUNNING') ORDER BY id LIMIT 1")
                .execute(Tuple.of(serverId)).map(rows -> Rows.first(rows, DeploymentView::of));
    }

    /** Ends the server's other queued deployments SUPERSEDED by {@code newId}; their ids. Streams hear at commit. */
    Uni<List<Long>> supersede(Tx tx, long serverId, long newId) {
        SqlClient c = tx.client();
        return c.preparedQuery("UPDATE deployments SET status = 'SUPERSEDED', finished_at = now(), error = 'Superseded by #' || $2 "
                        + "WHERE server_id = $1 AND status = 'QUEUED' AND id <> $2 RETURNING id")
                .execute(Tuple.of(serverId, newId)).map(rows -> Rows.list(rows, r -> r.getLong(0)))
                .call(ids -> ids.isEmpty() ? Uni.createFrom().voidItem() : c.query(ids.stream()
                        .map(id -> "NOTIFY " + LOG_CHANNEL + ", '" + id + "'").collect(java.util.stream.Collectors.joining("; ")))
                        .execute());
    }

    /** The place of each queued deployment among its server's queued ones (1 = next), by id. */
    Uni<Map<Long, Integer>> positions(List<Long> queuedIds) {
        if (queuedIds.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        return pool.preparedQuery("SELECT d.id, (SELECT count(*) FROM deployments q WHERE q.server_id = d.server_id "
                        + "AND q.status = 'QUEUED' AND (q.queued_at, q.id) < (d.queued_at, d.id)) + 1 FROM deployments d "
                        + "WHERE d.id = ANY($1) AND d.status = 'QUEUED'")
                .execute(Tuple.of(queuedIds.toArray(new Long[0]))).map(rows -> {
                    Map<Long, Integer> out = new java.util.HashMap<>();
                    rows.forEach(r -> out.put(r.getLong(0), r.getLong(1).intValue()));
                    return out;
                });
    }

    /** What an earlier deployment ran with, to run it again: null when there is no such deployment. */
    Uni<Source> source(long id) {
        return pool.preparedQuery("SELECT id, server_id, status, ref, parameters::text AS p, secret_parameters "
                        + "FROM deployments WHERE id = $1")
                .execute(Tuple.of(id)).map(rows -> Rows.first(rows, Source::of));
    }

    /** The newest deployment of a server that has started (the one a rollback rolls back); null when none has. */
    Uni<Long> current(long serverId) {
        return pool.preparedQuery("SELECT id FROM deployments WHERE server_id = $1 AND started_at IS NOT NULL "
                        + "ORDER BY id DESC LIMIT 1")
                .execute(Tuple.of(serverId)).map(rows -> Rows.first(rows, r -> r.getLong(0)));
    }

    /** The newest SUCCEEDED deployment of a server before {@code beforeId}; null when there is none. */
    Uni<Source> lastSuccessBefore(long serverId, long beforeId) {
        return pool.preparedQuery("SELECT id, server_id, status, ref, parameters::text AS p, secret_parameters FROM deployments "
                        + "WHERE server_id = $1 AND status = 'SUCCEEDED' AND id < $2 ORDER BY id DESC LIMIT 1")
                .execute(Tuple.of(serverId, beforeId)).map(rows -> Rows.first(rows, Source::of));
    }

    /** A deployment's version and values, as recorded. */
    record Source(long id, long serverId, String status, String ref, String shownJson, String sealedJson) {
        static Source of(Row r) {
            return new Source(r.getLong("id"), r.getLong("server_id"), r.getString("status"), r.getString("ref"),
                    r.getString("p"), r.getString("secret_parameters"));
        }

        Run run(TriggerCommand.Origin origin) {
            return new Run(ref, shownJson, sealedJson, origin);
        }
    }

    public Uni<DeploymentView> find(long id) {
        return pool.preparedQuery("SELECT " + DeploymentView.COLUMNS + " FROM deployments WHERE id = $1")
                .execute(Tuple.of(id)).map(rows -> Rows.first(rows, DeploymentView::of));
    }

    /**
     * Claims up to {@code limit} of the oldest queued deployments whose servers have nothing running and nothing queued
     * before them (so at most one per server: only the head of a server's queue qualifies), in one statement: a wave
     * of ten starts together instead of one round trip after another. Rows another replica is claiming are skipped;
     * the partial unique index settles any remaining race.
     */
    public Uni<List<Claim>> claim(String replica, long leaseSeconds, int limit) {
        String sql = """
                WITH next AS (
                  SELECT d.id FROM deployments d
                  WHERE d.status = 'QUEUED' AND (d.not_before IS NULL OR d.not_before <= now())
                    AND NOT EXISTS (SELECT 1 FROM deployments r WHERE r.server_id = d.server_id AND r.status = 'RUNNING')
                    AND NOT EXISTS (SELECT 1 FROM deployments q WHERE q.server_id = d.server_id AND q.status = 'QUEUED'
                                    AND (q.queued_at, q.id) < (d.queued_at, d.id))
                  ORDER BY d.queued_at, d.id
                  LIMIT $3
                  FOR UPDATE OF d SKIP LOCKED)
                UPDATE deployments d SET status = 'RUNNING', claimed_by = $1, started_at = now(),
                       lease_until = now() + ($2 * interval '1 second')
                FROM next, servers s LEFT JOIN servers j ON j.id = s.jump_server_id
                WHERE d.id = next.id AND s.id = d.server_id
                RETURNING d.*, s.host, s.port, s.ssh_user, s.path, s.command, s.timeout_seconds, s.host_key,
                          s.private_key_ref, s.secret_variables, s.steps AS server_steps, j.host AS jump_host,
                          j.port AS jump_port, j.ssh_user AS jump_user, j.host_key AS jump_host_key,
                          j.private_key_ref AS jump_key_ref
                """;
        return pool.preparedQuery(sql).execute(Tuple.of(replica, leaseSeconds, limit)).map(rows -> Rows.list(rows, Claim::of));
    }

    /** Where a rollout's before/after command runs on another server: its SSH target (through its jump host) and path. */
    public Uni<Claim.HookTarget> hookTarget(long serverId) {
        return pool.preparedQuery("SELECT s.alias, s.host, s.port, s.ssh_user, s.path, s.host_key, s.private_key_ref, j.host AS jump_host, "
                        + "j.port AS jump_port, j.ssh_user AS jump_user, j.host_key AS jump_host_key, j.private_key_ref AS jump_key_ref "
                        + "FROM servers s LEFT JOIN servers j ON j.id = s.jump_server_id WHERE s.id = $1")
                .execute(Tuple.of(serverId)).map(rows -> Rows.first(rows, r -> new Claim.HookTarget(r.getString("alias"),
                        new SshTarget(r.getString("host"), r.getInteger("port"), r.getString("ssh_user"), r.getString("host_key"),
                                r.getString("private_key_ref"), Claim.jump(r)), r.getString("path"))));
    }

    /** Extends the lease; answers whether a cancel was requested, or null when the claim was lost. */
    public Uni<Boolean> renew(long id, String replica, long leaseSeconds) {
        return pool.preparedQuery("UPDATE deployments SET lease_until = now() + ($3 * interval '1 second') "
                        + "WHERE id = $1 AND claimed_by = $2 AND status = 'RUNNING' RETURNING cancel_requested")
                .execute(Tuple.of(id, replica, leaseSeconds))
                .map(rows -> Rows.first(rows, r -> r.getBoolean(0)));
    }

    /** Records the state of each step so far (a JSON list) while this replica holds the claim. */
    public Uni<Void> recordSteps(long id, String replica, String stepsJson) {
        return pool.preparedQuery("UPDATE deployments SET steps = $3::text::jsonb WHERE id = $1 AND claimed_by = $2 "
                        + "AND status = 'RUNNING'")
                .execute(Tuple.of(id, replica, stepsJson)).replaceWithVoid();
    }

    /**
     * Records the outcome and answers the finished deployment; null when this replica no longer held the claim. One
     * statement with both notifications (sent only when it changed a row): one round trip.
     */
    public Uni<DeploymentView> finish(long id, String replica, DeploymentStatus status, Integer exitCode, String error) {
        return finish(id, replica, status, exitCode, error, null);
    }

    /** Like {@link #finish(long, String, DeploymentStatus, Integer, String)}, naming the step that failed. */
    public Uni<DeploymentView> finish(long id, String replica, DeploymentStatus status, Integer exitCode, String error,
                                      String failedStep) {
        return pool.preparedQuery("WITH d AS (UPDATE deployments SET status = $3, finished_at = now(), "
                                + "duration_ms = (extract(epoch FROM now() - started_at) * 1000)::bigint, exit_code = $4, error = $5, "
                                + "failed_step = $6, lease_until = NULL WHERE id = $1 AND claimed_by = $2 AND status = 'RUNNING' "
                                + "RETURNING " + DeploymentView.COLUMNS + ") SELECT d.*, pg_notify('" + QUEUE_CHANNEL + "', ''), "
                                + "pg_notify('" + LOG_CHANNEL + "', d.id::text) FROM d")
                        .execute(Tuple.from(new Object[]{id, replica, status.name(), exitCode, truncate(error), failedStep}))
                .map(rows -> Rows.first(rows, DeploymentView::of));
    }

    /** Marks deployments whose lease expired INTERRUPTED; one statement, so replicas cannot double-reap. */
    public Uni<List<DeploymentView>> reap() {
        return pool.withTransaction(c -> c.query("UPDATE deployments SET status = 'INTERRUPTED', finished_at = now(), "
                                + "duration_ms = (extract(epoch FROM now() - started_at) * 1000)::bigint, lease_until = NULL, "
                                + "error = 'The replica running it (' || coalesce(claimed_by, '?') || ') stopped renewing its lease' "
                                + "WHERE status = 'RUNNING' AND lease_until < now() RETURNING " + DeploymentView.COLUMNS).execute()
                        .call(rows -> rows.size() == 0 ? Uni.createFrom().voidItem()
                                : c.query("NOTIFY " + QUEUE_CHANNEL).execute()))
                .map(rows -> Rows.list(rows, DeploymentView::of));
    }

    /**
     * A queued deployment (or one awaiting approval) is cancelled at once; a running one is flagged and its runner told
     * through NOTIFY.
     */
    public Uni<DeploymentView> requestCancel(Tx tx, long id) {
        SqlClient c = tx.client();
        return c.preparedQuery("UPDATE deployments SET status = CASE WHEN status = 'RUNNING' "
                                + "THEN status ELSE 'CANCELLED' END, "
                                + "finished_at = CASE WHEN status = 'RUNNING' THEN finished_at ELSE now() END, "
                                + "error = CASE WHEN status = 'RUNNING' THEN error ELSE 'Cancelled before it started' END, "
                                + "cancel_requested = TRUE WHERE id = $1 AND status IN ('QUEUED', 'RUNNING', 'AWAITING_APPROVAL') RETURNING "
                                + DeploymentView.COLUMNS)
                        .execute(Tuple.of(id))
                        .call(rows -> rows.size() == 0 ? Uni.createFrom().voidItem()
                                : c.query("NOTIFY " + CANCEL_CHANNEL + ", '" + id + "'; NOTIFY " + LOG_CHANNEL + ", '" + id + "'").execute())
                .map(rows -> Rows.first(rows, DeploymentView::of));
    }

    /** Appends a batch of lines and tells every replica's streams about them. */
    public Uni<Void> appendLogs(long id, List<LogLine> lines, long addedBytes, boolean truncated) {
        if (lines.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        // one statement over arrays, not one execution per line: PostgreSQL plans and runs it once for the whole batch
        int n = lines.size();
        Integer[] numbers = new Integer[n];
        OffsetDateTime[] times = new OffsetDateTime[n];
        String[] streams = new String[n];
        String[] texts = new String[n];
        for (int i = 0; i < n; i++) {
            LogLine l = lines.get(i);
            numbers[i] = l.lineNo();
            times[i] = l.at();
            streams[i] = String.valueOf(l.stream());
            texts[i] = l.text();
        }
        Tuple batch = Tuple.tuple().addLong(id).addArrayOfInteger(numbers).addArrayOfOffsetDateTime(times)
                .addArrayOfString(streams).addArrayOfString(texts);
        int last = lines.get(n - 1).lineNo();
        return pool.withTransaction(c -> c.preparedQuery("INSERT INTO deployment_logs (deployment_id, line_no, logged_at, stream, text) "
                                + "SELECT $1, * FROM unnest($2::int[], $3::timestamptz[], $4::text[], $5::text[])").execute(batch)
                        .chain(() -> c.preparedQuery("UPDATE deployments SET log_lines = $2, log_bytes = log_bytes + $3, "
                                + "log_truncated = log_truncated OR $4 WHERE id = $1").execute(Tuple.of(id, last, addedBytes, truncated)))
                        .chain(() -> c.query("NOTIFY " + LOG_CHANNEL + ", '" + id + "'").execute()))
                .replaceWithVoid();
    }

    public Uni<List<LogLine>> lines(long id, int afterLine, int limit) {
        return pool.preparedQuery("SELECT line_no, logged_at, stream, text FROM deployment_logs "
                        + "WHERE deployment_id = $1 AND line_no > $2 ORDER BY line_no LIMIT $3")
                .execute(Tuple.of(id, afterLine, limit))
                .map(rows -> Rows.list(rows, r -> new LogLine(r.getInteger(0), r.getOffsetDateTime(1), r.getString(2).charAt(0),
                        r.getString(3))));
    }

    /** The last {@code n} log lines (masked, as stored), oldest first. */
    public Uni<List<String>> tail(long id, int n) {
        return pool.preparedQuery("SELECT text FROM (SELECT line_no, text FROM deployment_logs WHERE deployment_id = $1 "
                        + "ORDER BY line_no DESC LIMIT $2) t ORDER BY line_no")
                .execute(Tuple.of(id, n)).map(rows -> Rows.list(rows, r -> r.getString("text")));
    }

    /** The newest deployment of every server that has one (index-driven: one probe per server). */
    public Uni<List<DeploymentView>> latestPerServer() {
        return pool.query("SELECT d.* FROM servers s CROSS JOIN LATERAL (SELECT " + DeploymentView.COLUMNS
                        + " FROM deployments WHERE server_id = s.id ORDER BY id DESC LIMIT 1) d")
                .execute().map(rows -> Rows.list(rows, DeploymentView::of));
    }

    /** The newest SUCCEEDED deployment of every server that has one: the release live there (one index probe per server). */
    Uni<List<DeploymentView>> livePerServer() {
        return pool.query("SELECT d.* FROM servers s CROSS JOIN LATERAL (SELECT " + DeploymentView.COLUMNS
                        + " FROM deployments WHERE server_id = s.id AND status = 'SUCCEEDED' ORDER BY id DESC LIMIT 1) d")
                .execute().map(rows -> Rows.list(rows, DeploymentView::of));
    }

    /** Deployments queued or running now, oldest first. */
    public Uni<List<DeploymentView>> active(int limit, Long[] hidden) {
        return pool.preparedQuery("SELECT " + DeploymentView.COLUMNS + " FROM deployments "
                        + "WHERE status IN ('QUEUED', 'RUNNING') AND server_id NOT IN (SELECT unnest($2::bigint[])) ORDER BY id LIMIT $1")
                .execute(Tuple.of(limit, hidden)).map(rows -> Rows.list(rows, DeploymentView::of));
    }

    /** Newest first, keyset-paged by id; every filter optional, {@code ref} exact. */
    public Uni<List<DeploymentView>> page(Long serverId, String status, String user, String ref, OffsetDateTime from,
                                          OffsetDateTime to, Long beforeId, int limit, Long[] hidden) {
        String sql = "SELECT " + DeploymentView.COLUMNS + " FROM deployments WHERE ($1::bigint IS NULL OR server_id = $1) "
                + "AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR lower(requested_by) = lower($3)) "
                + "AND ($4::timestamptz IS NULL OR queued_at >= $4) AND ($5::timestamptz IS NULL OR queued_at < $5) "
                + "AND ($6::bigint IS NULL OR id < $6) AND ($8::text IS NULL OR ref = $8) "
                // the servers hidden from the caller, as a hashed subplan: a prepared statement's generic plan would
                // otherwise compare each row with every element of the array
                + (hidden.length == 0 ? "" : "AND server_id NOT IN (SELECT unnest($9::bigint[])) ") + "ORDER BY id DESC LIMIT $7";
        Object[] args = hidden.length == 0 ? new Object[]{serverId, status, user, from, to, beforeId, limit, ref}
                : new Object[]{serverId, status, user, from, to, beforeId, limit, ref, hidden};
        return pool.preparedQuery(sql).execute(Tuple.from(args))
                .map(rows -> Rows.list(rows, DeploymentView::of));
    }

    /**
     * Deletes finished deployments (and, by cascade, their logs) older than the retention. Only one replica does
     * it at a time (transaction-scoped advisory lock); the others skip the round.
     */
    public Uni<Integer> purgeOlderThan(int days) {
        return pool.withTransaction(c -> c.query("SELECT pg_try_advisory_xact_lock(" + RETENTION_LOCK_KEY + ")").execute()
                .chain(locked -> !locked.iterator().next().getBoolean(0) ? Uni.createFrom().item(0)
                        : c.preparedQuery("DELETE FROM deployments WHERE finished_at < now() - ($1 * interval '1 day')")
                        .execute(Tuple.of(days)).map(rows -> rows.rowCount())));
    }

    /** Deployments holding sealed secret parameters, id after {@code afterId}, for a key rotation. */
    Uni<List<Map.Entry<Long, String>>> sealedAfter(long afterId, int limit) {
        return pool.preparedQuery("SELECT id, secret_parameters FROM deployments WHERE secret_parameters IS NOT NULL AND id > $1 "
                        + "ORDER BY id LIMIT $2")
                .execute(Tuple.of(afterId, limit)).map(rows -> Rows.list(rows, r -> Map.entry(r.getLong(0), r.getString(1))));
    }

    /** Replaces a deployment's sealed values if they are still {@code expected} (a concurrent rotation wins once). */
    Uni<Boolean> reseal(long id, String expected, String sealed) {
        return pool.preparedQuery("UPDATE deployments SET secret_parameters = $3 WHERE id = $1 AND secret_parameters = $2")
                .execute(Tuple.of(id, expected, sealed)).map(rows -> rows.rowCount() == 1);
    }

    /** Deployments running and queued now, on all replicas. */
    public Uni<ActiveCounts> activeCounts() {
        return pool.query("SELECT count(*) FILTER (WHERE status = 'RUNNING') AS r, count(*) FILTER (WHERE status = 'QUEUED') AS q "
                        + "FROM deployments WHERE status IN ('RUNNING', 'QUEUED')").execute()
                .map(rows -> Rows.first(rows, r -> new ActiveCounts(r.getLong("r"), r.getLong("q"))));
    }

    /** How many deployments run and wait right now. */
    public record ActiveCounts(long running, long queued) {
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 2000 ? s : s.substring(0, 1997) + "...";
    }
}
