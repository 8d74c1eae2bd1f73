package io.triggerdeploy.analytics;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.Arrays;
import java.util.Objects;

/**
 * Keeps release insight's facts (changelog 0038) up to date: one row per deployment that ran and ended (its outcome,
 * whether what followed it within the failure window made it a change failure, its lead time, whether it was its
 * version's first success in its environment and on its server), the incidents (a watched service's DOWN after a
 * success, a run of failed deployments) and a count per day, server and environment. A refresh first compares a cheap
 * fingerprint (the newest deployment, end, check and commit time) with the last one and does nothing when nothing
 * changed; otherwise, under an advisory lock (one replica at a time, the others wait and then see the result), it takes
 * the deployments not yet seen ({@value #CHUNK} at a time, each chunk its own transaction) and every deployment that
 * ended within the failure window of the last refresh (what follows a deployment may still change its facts).
 */
@ApplicationScoped
public class InsightFactsRepository {

    /** The most new deployments one transaction takes. */
    static final int CHUNK = 50_000;
    /** How long the facts are kept: longer than the longest period asked for (366 days). */
    static final int KEEP_DAYS = 400;
    /** So many new deployments in one chunk make the statistics (and the visibility map) worth renewing. */
    private static final int MANY = 10_000;
    private static final long LOCK_KEY = 0x7472696767657202L;
    private static final String ENDED = "d.started_at IS NOT NULL AND d.finished_at IS NOT NULL "
            + "AND d.status IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'INTERRUPTED', 'CANCELLED')";
    private static final String LEAD = "greatest(0, extract(epoch FROM %s))::bigint";

    /**
     * $1 the last deployment seen, $2 the chunk, $3 the horizon (deployments that ended after it are taken again, with
     * the last chunk only: the others stay within their own stretch of time).
     * Answers how many rows were written, the earliest and latest end among them, the last new deployment taken and how
     * many new ones there were.
     */
    private static final String UPSERT = "WITH ids AS (SELECT d.id FROM deployments d WHERE d.id > $1 AND " + ENDED + " ORDER BY d.id LIMIT $2), "
            + "mark AS (SELECT max(id) AS last, count(*) AS taken FROM ids), "
            + "ended AS (SELECT r.id, r.server_id, r.environment, r.ref, r.status, r.started_at, r.finished_at FROM deployments r "
            + "  WHERE r.id IN (SELECT id FROM ids UNION SELECT d.id FROM deployments d WHERE d.finished_at > $3::timestamptz "
            + "  AND (SELECT taken FROM mark) < $2 AND " + ENDED + ")), "
            + "changes AS (SELECT r.*, CASE WHEN r.status = 'SUCCEEDED' AND r.ref IS NOT NULL THEN coalesce("
            + "  (SELECT rc.committed_at FROM ref_commits rc WHERE rc.ref = r.ref), (SELECT min(x.requested_at) FROM deployments x WHERE x.ref = r.ref)) "
            + "  END AS changed FROM ended r), "
            + "ins AS (INSERT INTO insight_deployments AS f (deployment_id, server_id, environment, ref, started_at, finished_at, outcome, "
            + "  followed, changed_at, lead_seconds) SELECT r.id, r.server_id, lower(coalesce(r.environment, '')), r.ref, r.started_at, r.finished_at, "
            + "  CASE r.status WHEN 'SUCCEEDED' THEN 'S' WHEN 'CANCELLED' THEN 'C' ELSE 'F' END, false, r.changed, "
            + String.format(LEAD, "r.finished_at - r.changed") + " FROM changes r "
            + "  ON CONFLICT (deployment_id) DO UPDATE SET environment = EXCLUDED.environment, ref = EXCLUDED.ref, started_at = EXCLUDED.started_at, "
            + "  finished_at = EXCLUDED.finished_at, outcome = EXCLUDED.outcome, followed = false, "
            + "  changed_at = least(f.changed_at, EXCLUDED.changed_at), lead_seconds = "
            + String.format(LEAD, "EXCLUDED.finished_at - least(f.changed_at, EXCLUDED.changed_at)")
            + "  RETURNING f.deployment_id, f.finished_at) "
            + "SELECT count(*) AS written, min(i.finished_at) AS lo, max(i.finished_at) AS hi, array_agg(i.deployment_id) AS ids, "
            + "(SELECT last FROM mark) AS last, (SELECT taken FROM mark) AS taken FROM ins i";

    /** A commit time that arrived after its version was deployed: the lead times of that version count from it now. $1: since. */
    private static final String COMMITS = "UPDATE insight_deployments f SET changed_at = rc.committed_at, lead_seconds = "
            + String.format(LEAD, "f.finished_at - rc.committed_at") + " FROM ref_commits rc "
            + "WHERE rc.seen_at > $1 AND rc.ref = f.ref AND f.outcome = 'S' AND f.changed_at IS DISTINCT FROM rc.committed_at";

    /**
     * Successes followed within the window ($3 seconds) by a deployment (a rollback or not) of another version that had
     * succeeded on that server before them (a rollback without a version: any), among the deployments asked for between
     * $1 and $2 + the window. A rollback to the same version (after a failed attempt of another one) marks nothing.
     */
    private static final String REVERTED = "WITH reverts AS MATERIALIZED (SELECT v.* FROM (SELECT n.id, n.server_id, n.requested_at, n.ref, n.origin, "
            + "  (SELECT e.finished_at FROM deployments e WHERE e.server_id = n.server_id AND e.ref = n.ref AND e.status = 'SUCCEEDED' "
            + "   ORDER BY e.finished_at LIMIT 1) AS first_ok FROM deployments n WHERE n.requested_at > $1::timestamptz "
            + "  AND n.requested_at <= $2::timestamptz + make_interval(secs => $3) AND n.status NOT IN ('REJECTED', 'EXPIRED')) v "
            + "  WHERE v.origin = 'rollback' OR v.first_ok < v.requested_at) "
            + "UPDATE insight_deployments f SET followed = true FROM reverts v WHERE f.server_id = v.server_id "
            + "AND f.finished_at >= v.requested_at - make_interval(secs => $3) AND f.finished_at < v.requested_at AND f.outcome = 'S' "
            + "AND f.deployment_id < v.id AND NOT f.followed AND (v.ref IS NULL AND v.origin = 'rollback' OR v.ref IS DISTINCT FROM f.ref "
            + "AND v.first_ok < f.started_at)";

    /**
     * A watched service of the server going DOWN (from UP, DEGRADED or nothing; a check the address policy refused in
     * between changes nothing) between $1 and $2 + the window ($3 seconds).
     */
    private static final String DOWN = "c.status = 'DOWN' AND coalesce((SELECT p.status FROM service_checks p WHERE p.service_id = c.service_id "
            + "AND p.checked_at < c.checked_at AND p.status <> 'REFUSED' ORDER BY p.checked_at DESC LIMIT 1), 'UP') <> 'DOWN'";
    private static final String WENT_DOWN = "WITH downs AS MATERIALIZED (SELECT sv.server_id, c.checked_at FROM service_checks c "
            + "JOIN services sv ON sv.id = c.service_id WHERE c.checked_at > $1::timestamptz AND c.checked_at <= $2::timestamptz + make_interval(secs => $3) AND " + DOWN + ") "
            + "UPDATE insight_deployments f SET followed = true FROM downs w WHERE f.server_id = w.server_id "
            + "AND f.finished_at >= w.checked_at - make_interval(secs => $3) AND f.finished_at < w.checked_at AND f.outcome = 'S' AND NOT f.followed";

    /** Which success was its version's first in its environment (a server without one is its own) and on its server; $1 the rows written. */
    private static final String FIRSTS = "WITH touched AS (SELECT DISTINCT f.environment, f.ref FROM unnest($1::bigint[]) AS w(id) "
            + "  JOIN insight_deployments f ON f.deployment_id = w.id WHERE f.outcome = 'S' AND f.ref IS NOT NULL), "
            + "ranked AS (SELECT f.deployment_id, row_number() OVER (PARTITION BY f.environment, f.ref, "
            + "  CASE WHEN f.environment = '' THEN f.server_id END ORDER BY f.finished_at, f.deployment_id) = 1 AS env_first, "
            + "  row_number() OVER (PARTITION BY f.environment, f.ref, f.server_id ORDER BY f.finished_at, f.deployment_id) = 1 AS server_first "
            + "  FROM insight_deployments f JOIN touched t ON t.environment = f.environment AND t.ref = f.ref WHERE f.outcome = 'S') "
            + "UPDATE insight_deployments f SET first_in_environment = r.env_first, first_on_server = r.server_first FROM ranked r "
            + "WHERE r.deployment_id = f.deployment_id AND (f.first_in_environment, f.first_on_server) IS DISTINCT FROM (r.env_first, r.server_first)";

    private static final String NEXT_SUCCESS = "(SELECT n.finished_at FROM insight_deployments n WHERE n.server_id = %s AND n.outcome = 'S' "
            + "AND n.finished_at > %s ORDER BY n.finished_at LIMIT 1)";
    /** Runs of failed deployments that ended between $1 and $2: one incident from the first until the server's next success. */
    private static final String FAILURE_RUNS = "INSERT INTO insight_incidents (kind, source_id, server_id, environment, began, restored_at) "
            + "SELECT 'deployment', f.deployment_id, f.server_id, f.environment, f.finished_at, " + String.format(NEXT_SUCCESS, "f.server_id", "f.finished_at")
            + " FROM insight_deployments f WHERE f.outcome = 'F' AND f.finished_at >= $1::timestamptz AND f.finished_at <= $2::timestamptz "
            + "AND coalesce((SELECT p.outcome FROM insight_deployments p WHERE p.server_id = f.server_id AND p.outcome <> 'C' "
            + "  AND p.finished_at <= f.finished_at AND p.deployment_id <> f.deployment_id ORDER BY p.finished_at DESC LIMIT 1), 'S') = 'S' "
            + "ON CONFLICT (kind, source_id) DO UPDATE SET restored_at = EXCLUDED.restored_at, environment = EXCLUDED.environment";
    private static final String RUNS_RESTORED = "UPDATE insight_incidents i SET restored_at = " + String.format(NEXT_SUCCESS, "i.server_id", "i.began")
            + " WHERE i.kind = 'deployment' AND i.restored_at IS NULL";

    /**
     * A watched service of a server going DOWN within the window ($3 seconds) after a success there (checks after $1 by
     * id or after the horizon $2): one incident until its next UP check; its environment is that success's.
     */
    private static final String NEXT_UP = "(SELECT u.checked_at FROM service_checks u WHERE u.service_id = %s AND u.status = 'UP' "
            + "AND u.checked_at > %s ORDER BY u.checked_at LIMIT 1)";
    private static final String OUTAGES = "INSERT INTO insight_incidents (kind, source_id, server_id, service_id, environment, began, restored_at) "
            + "SELECT 'monitor', c.id, sv.server_id, c.service_id, s.environment, c.checked_at, " + String.format(NEXT_UP, "c.service_id", "c.checked_at")
            + " FROM service_checks c JOIN services sv ON sv.id = c.service_id "
            + "JOIN LATERAL (SELECT f.environment FROM insight_deployments f WHERE f.server_id = sv.server_id AND f.outcome = 'S' "
            + "  AND f.finished_at < c.checked_at AND f.finished_at >= c.checked_at - make_interval(secs => $3) ORDER BY f.finished_at DESC LIMIT 1) s ON true "
            + "WHERE (c.id > $1::bigint OR c.checked_at > $2::timestamptz) AND " + DOWN + " "
            + "ON CONFLICT (kind, source_id) DO UPDATE SET restored_at = EXCLUDED.restored_at, environment = EXCLUDED.environment";
    private static final String OUTAGES_RESTORED = "UPDATE insight_incidents i SET restored_at = " + String.format(NEXT_UP, "i.service_id", "i.began")
            + " WHERE i.kind = 'monitor' AND i.restored_at IS NULL";

    /** The counts per day (UTC), server and environment, again for the days from $1 to $2. */
    private static final String DAYS_CLEAR = "DELETE FROM insight_days WHERE day >= ($1::timestamptz AT TIME ZONE 'UTC')::date "
            + "AND day <= ($2::timestamptz AT TIME ZONE 'UTC')::date";
    private static final String DAYS = "INSERT INTO insight_days (day, server_id, environment, succeeded, ran, failed) "
            + "SELECT (finished_at AT TIME ZONE 'UTC')::date, server_id, environment, count(*) FILTER (WHERE outcome = 'S'), count(*), "
            + "count(*) FILTER (WHERE outcome = 'F' OR followed) FROM insight_deployments "
            + "WHERE finished_at >= (($1::timestamptz AT TIME ZONE 'UTC')::date) AT TIME ZONE 'UTC' "
            + "AND finished_at < (($2::timestamptz AT TIME ZONE 'UTC')::date + 1) AT TIME ZONE 'UTC' GROUP BY 1, 2, 3";

    /**
     * What was last seen and what is there now. Besides the newest rows: how many deployments ended since a moment an
     * hour before the last refresh, which catches one that ended (and was committed) late, after a newer one.
     */
    private static final String FINGERPRINT = "SELECT s.seen_id, s.seen_check, s.last_id, s.last_finish, s.last_commit, s.refreshed_at, s.recent, "
            + "(SELECT count(*) FROM deployments d WHERE d.finished_at > s.recent_since) AS now_recent, "
            + "(SELECT max(id) FROM deployments) AS now_id, (SELECT max(finished_at) FROM deployments) AS now_finish, "
            + "(SELECT max(id) FROM service_checks) AS now_check, (SELECT max(seen_at) FROM ref_commits) AS now_commit FROM insight_state s WHERE s.id = 1";

    private final Pool pool;

    public InsightFactsRepository(Pool pool) {
        this.pool = pool;
    }

    /** What was last seen, and what is there now. */
    record Mark(long seenId, long seenCheck, long lastId, OffsetDateTime lastFinish, OffsetDateTime lastCommit, OffsetDateTime refreshedAt,
                long recent, long nowRecent, long nowId, OffsetDateTime nowFinish, long nowCheck, OffsetDateTime nowCommit) {

        static Mark of(Row r) {
            return new Mark(r.getLong("seen_id"), r.getLong("seen_check"), r.getLong("last_id"), r.getOffsetDateTime("last_finish"),
                    r.getOffsetDateTime("last_commit"), r.getOffsetDateTime("refreshed_at"), r.getLong("recent"), r.getLong("now_recent"),
                    orZero(r.getLong("now_id")), r.getOffsetDateTime("now_finish"), orZero(r.getLong("now_check")), r.getOffsetDateTime("now_commit"));
        }

        boolean unchanged() {
            return refreshedAt != null && lastId == nowId && seenCheck == nowCheck && recent == nowRecent && Objects.equals(lastFinish, nowFinish)
                    && Objects.equals(lastCommit, nowCommit);
        }

        private static long orZero(Long v) {
            return v == null ? 0 : v;
        }
    }

    /** Brings the facts up to date with what the failure window ({@code windowSeconds}) says; nothing when nothing changed. */
    public Uni<Void> refresh(long windowSeconds) {
        return pool.query(FINGERPRINT).execute().chain(rows -> {
            Mark mark = Mark.of(rows.iterator().next());
            return mark.unchanged() ? Uni.createFrom().voidItem() : chunks(windowSeconds);
        });
    }

    /**
     * One chunk per transaction until the new deployments are all taken; the last one also takes the checks and commits.
     * After a chunk of many new rows (the first refresh over a long history), the facts are vacuumed so that the
     * figures' statements read their indexes alone.
     */
    private Uni<Void> chunks(long windowSeconds) {
        // plans for each chunk's own range, never one generic plan for all of them
        return pool.withTransaction(c -> c.query("SELECT pg_advisory_xact_lock(" + LOCK_KEY + "); SET LOCAL plan_cache_mode = force_custom_plan").execute()
                        .chain(() -> c.query(FINGERPRINT + " FOR UPDATE OF s").execute())
                        .chain(rows -> {
                            Mark mark = Mark.of(rows.iterator().next());
                            return mark.unchanged() ? Uni.createFrom().item(new long[]{1, 0}) : chunk(c, mark, windowSeconds);
                        }))
                .chain(done -> {
                    Uni<Void> tidy = done[1] >= MANY ? pool.query("VACUUM (ANALYZE) insight_deployments").execute().replaceWithVoid()
                            : Uni.createFrom().voidItem();
                    return tidy.chain(() -> done[0] == 1 ? Uni.createFrom().voidItem() : chunks(windowSeconds));
                });
    }

    /** One chunk: whether it was the last (1) and how many new deployments it took. */
    private Uni<long[]> chunk(SqlConnection c, Mark mark, long windowSeconds) {
        OffsetDateTime now = OffsetDateTime.now();
        OffsetDateTime since = mark.refreshedAt() == null ? now : mark.refreshedAt();
        OffsetDateTime horizon = min(now.minusSeconds(windowSeconds), since).minusHours(1);
        OffsetDateTime recentSince = now.minusHours(1);
        return c.preparedQuery("SELECT count(*) FROM deployments WHERE finished_at > $1").execute(Tuple.of(recentSince))
                .chain(counted -> c.preparedQuery(UPSERT).execute(Tuple.of(mark.seenId(), CHUNK, horizon)).chain(rows -> {
            Row r = rows.iterator().next();
            long taken = r.getLong("taken");
            long seen = r.getLong("last") == null ? mark.seenId() : r.getLong("last");
            boolean last = taken < CHUNK;
            Uni<Void> written = r.getLong("written") == 0 ? Uni.createFrom().voidItem()
                    : derive(c, r.getOffsetDateTime("lo"), r.getOffsetDateTime("hi"), r.getArrayOfLongs("ids"), windowSeconds, taken >= MANY);
            long recent = counted.iterator().next().getLong(0);
            return written.chain(() -> last ? settle(c, mark, horizon, windowSeconds) : Uni.createFrom().voidItem())
                    .chain(() -> c.preparedQuery("UPDATE insight_state SET seen_id = $1, seen_check = CASE WHEN $2 THEN $3 ELSE seen_check END, "
                                    + "last_id = CASE WHEN $2 THEN $4 ELSE last_id END, last_finish = CASE WHEN $2 THEN $5 ELSE last_finish END, "
                                    + "last_commit = CASE WHEN $2 THEN $6 ELSE last_commit END, refreshed_at = CASE WHEN $2 THEN $7 ELSE refreshed_at END, "
                                    + "recent = CASE WHEN $2 THEN $8 ELSE -1 END, recent_since = $9 WHERE id = 1")
                            .execute(Tuple.tuple(Arrays.asList(seen, last, mark.nowCheck(), mark.nowId(), mark.nowFinish(), mark.nowCommit(), now,
                                    recent, recentSince))))
                    .replaceWith(new long[]{last ? 1 : 0, taken});
        }));
    }

    /** What follows from the rows written: change failures, first successes, runs of failures, the day counts. */
    private Uni<Void> derive(SqlConnection c, OffsetDateTime lo, OffsetDateTime hi, Long[] ids, long windowSeconds, boolean many) {
        Tuple range = Tuple.of(lo, hi, (double) windowSeconds);
        Uni<Void> stats = many ? c.query("ANALYZE insight_deployments").execute().replaceWithVoid() : Uni.createFrom().voidItem();
        return stats.chain(() -> c.preparedQuery(REVERTED).execute(range))
                .chain(() -> c.preparedQuery(WENT_DOWN).execute(range))
                .chain(() -> c.preparedQuery(FIRSTS).execute(Tuple.of(ids)))
                .chain(() -> c.preparedQuery(FAILURE_RUNS).execute(Tuple.of(lo, hi)))
                .chain(() -> days(c, lo.minusSeconds(windowSeconds), hi));
    }

    /** The last chunk: late commit times, outages, incidents restored since, the days they touched, and what is too old to keep. */
    private Uni<Void> settle(SqlConnection c, Mark mark, OffsetDateTime horizon, long windowSeconds) {
        OffsetDateTime commitsSince = mark.lastCommit() == null ? OffsetDateTime.parse("1970-01-01T00:00:00Z") : mark.lastCommit();
        return c.preparedQuery(COMMITS).execute(Tuple.of(commitsSince))
                .chain(() -> c.preparedQuery(OUTAGES).execute(Tuple.of(mark.seenCheck(), horizon, (double) windowSeconds)))
                .chain(() -> c.query(RUNS_RESTORED).execute())
                .chain(() -> c.query(OUTAGES_RESTORED).execute())
                .chain(() -> c.preparedQuery("DELETE FROM insight_deployments WHERE finished_at < now() - make_interval(days => $1)")
                        .execute(Tuple.of(KEEP_DAYS)))
                .chain(() -> c.preparedQuery("DELETE FROM insight_incidents WHERE began < now() - make_interval(days => $1)").execute(Tuple.of(KEEP_DAYS)))
                .chain(() -> c.preparedQuery("DELETE FROM insight_days WHERE day < current_date - $1::int").execute(Tuple.of(KEEP_DAYS)))
                .replaceWithVoid();
    }

    private static Uni<Void> days(SqlConnection c, OffsetDateTime from, OffsetDateTime to) {
        return c.preparedQuery(DAYS_CLEAR).execute(Tuple.of(from, to)).chain(() -> c.preparedQuery(DAYS).execute(Tuple.of(from, to))).replaceWithVoid();
    }

    private static OffsetDateTime min(OffsetDateTime a, OffsetDateTime b) {
        return a.isBefore(b) ? a : b;
    }
}
