package io.triggerdeploy.analytics;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The four keys' statements. Every one starts from the same scope: deployments in the environment and/or on the server
 * asked for, on servers the caller sees ($1 from, $2 to, $3 environment, $4 server alias, $5 hidden server ids, $6 the
 * failure window in seconds, $7 a group's server ids or null).
 */
@ApplicationScoped
public class InsightRepository {

    private static final String SCOPE = "WITH scope AS (SELECT d.* FROM deployments d WHERE ($3::text IS NULL OR lower(d.environment) = lower($3)) "
            + "AND ($4::text IS NULL OR lower(d.server_alias) = lower($4)) AND NOT (d.server_id = ANY($5::bigint[])) "
            + "AND ($7::bigint[] IS NULL OR d.server_id = ANY($7::bigint[]))) ";

    /** Deployments that ran and ended in the period; failed: by their status, or by what followed within the window. */
    private static final String FAILURES = SCOPE
            + ", ran AS (SELECT s.* FROM scope s WHERE s.started_at IS NOT NULL AND s.finished_at >= $1 AND s.finished_at < $2 "
            + "AND s.status IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'INTERRUPTED', 'CANCELLED')) "
            + "SELECT count(*) FILTER (WHERE r.status = 'SUCCEEDED') AS succeeded, count(*) AS deployments, "
            + "count(*) FILTER (WHERE r.status IN ('FAILED', 'TIMED_OUT', 'INTERRUPTED') OR r.status = 'SUCCEEDED' AND ("
            + "  EXISTS (SELECT 1 FROM deployments n WHERE n.server_id = r.server_id AND n.id > r.id AND n.requested_at > r.finished_at "
            + "    AND n.requested_at <= r.finished_at + make_interval(secs => $6) AND n.status NOT IN ('REJECTED', 'EXPIRED') "
            + "    AND (n.origin = 'rollback' OR n.ref IS NOT NULL AND n.ref IS DISTINCT FROM r.ref AND EXISTS (SELECT 1 FROM deployments e "
            + "      WHERE e.server_id = r.server_id AND e.ref = n.ref AND e.status = 'SUCCEEDED' AND e.finished_at < r.started_at))) "
            + "  OR EXISTS (SELECT 1 FROM services sv JOIN service_checks c ON c.service_id = sv.id WHERE sv.server_id = r.server_id "
            + "    AND c.status = 'DOWN' AND c.checked_at > r.finished_at AND c.checked_at <= r.finished_at + make_interval(secs => $6)))) AS failed "
            + "FROM ran r";

    /** Each version's first success per environment (a server without one is its own), in the period: seconds since its commit. */
    private static final String LEAD = SCOPE
            + ", firsts AS (SELECT DISTINCT ON (coalesce(lower(s.environment), 'server:' || s.server_id), s.ref) s.ref, s.finished_at "
            + "FROM scope s WHERE s.status = 'SUCCEEDED' AND s.ref IS NOT NULL "
            + "ORDER BY coalesce(lower(s.environment), 'server:' || s.server_id), s.ref, s.finished_at) "
            + "SELECT greatest(0, extract(epoch FROM f.finished_at - coalesce(rc.committed_at, "
            + "(SELECT min(x.requested_at) FROM deployments x WHERE x.ref = f.ref))))::bigint "
            + "FROM firsts f LEFT JOIN ref_commits rc ON rc.ref = f.ref WHERE f.finished_at >= $1 AND f.finished_at < $2 AND $6::double precision >= 0";

    /**
     * Incidents that began in the period and were restored: a watched service of the server DOWN within the window after
     * a success (until its next UP check), and a failed deployment (until the server's next success; consecutive failures
     * are one incident).
     */
    private static final String RESTORE = SCOPE
            + ", downs AS (SELECT DISTINCT sv.id AS service, (SELECT min(c.checked_at) FROM service_checks c WHERE c.service_id = sv.id "
            + "  AND c.status = 'DOWN' AND c.checked_at > s.finished_at AND c.checked_at <= s.finished_at + make_interval(secs => $6)) AS down_at "
            + "  FROM scope s JOIN services sv ON sv.server_id = s.server_id WHERE s.status = 'SUCCEEDED'), "
            + "monitored AS (SELECT d.down_at, (SELECT min(u.checked_at) FROM service_checks u WHERE u.service_id = d.service "
            + "  AND u.status = 'UP' AND u.checked_at > d.down_at) AS up_at FROM downs d WHERE d.down_at IS NOT NULL), "
            + "failures AS (SELECT s.server_id, s.finished_at AS failed_at, (SELECT min(n.finished_at) FROM deployments n "
            + "  WHERE n.server_id = s.server_id AND n.status = 'SUCCEEDED' AND n.finished_at > s.finished_at) AS restored_at "
            + "  FROM scope s WHERE s.status IN ('FAILED', 'TIMED_OUT', 'INTERRUPTED')), "
            + "incidents AS (SELECT down_at AS began, up_at AS restored FROM monitored "
            + "  UNION ALL SELECT min(failed_at), restored_at FROM failures WHERE restored_at IS NOT NULL GROUP BY server_id, restored_at) "
            + "SELECT extract(epoch FROM restored - began)::bigint FROM incidents "
            + "WHERE restored IS NOT NULL AND began >= $1 AND began < $2";

    private final Pool pool;

    public InsightRepository(Pool pool) {
        this.pool = pool;
    }

    /** What the statements found: counts, and the seconds of each change's lead time and each incident's restore. */
    record Found(long succeeded, long deployments, long failed, List<Long> leadSeconds, List<Long> restoreSeconds) {
    }

    Uni<Found> find(OffsetDateTime from, OffsetDateTime to, String environment, String server, Long[] hidden, long windowSeconds,
                    Long[] group) {
        Tuple args = Tuple.tuple(java.util.Arrays.asList(from, to, environment, server, hidden, (double) windowSeconds, group));
        return pool.preparedQuery(FAILURES).execute(args).chain(f -> {
            Row r = f.iterator().next();
            return pool.preparedQuery(LEAD).execute(args).chain(lead -> pool.preparedQuery(RESTORE).execute(args).map(restore ->
                    new Found(r.getLong("succeeded"), r.getLong("deployments"), r.getLong("failed"), seconds(lead), seconds(restore))));
        });
    }

    /** The environments deployed to in the last {@code days} days (at most 100, the busiest first). */
    Uni<List<String>> recentEnvironments(int days) {
        return pool.preparedQuery("SELECT environment FROM deployments WHERE environment IS NOT NULL AND requested_at > now() - make_interval(days => $1) "
                        + "GROUP BY environment ORDER BY count(*) DESC, environment LIMIT 100")
                .execute(Tuple.of(days)).map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    /** The environments deployed to in the last year on servers not hidden, by name. */
    Uni<List<String>> environmentsSeen(Long[] hidden) {
        return pool.preparedQuery("SELECT DISTINCT environment FROM deployments WHERE environment IS NOT NULL "
                        + "AND requested_at > now() - interval '366 days' AND NOT (server_id = ANY($1::bigint[])) ORDER BY environment LIMIT 200")
                .execute(Tuple.of((Object) hidden)).map(rows -> {
                    List<String> out = new ArrayList<>();
                    rows.forEach(r -> out.add(r.getString(0)));
                    return out;
                });
    }

    /** Promotions seen (a deployment promoted from one environment to another): [from, to] pairs, the most used first. */
    Uni<List<String[]>> promotions() {
        return pool.query("SELECT s.environment, d.environment FROM deployments d JOIN deployments s ON s.id = d.origin_id "
                        + "WHERE d.origin = 'promotion' AND s.environment IS NOT NULL AND d.environment IS NOT NULL "
                        + "AND lower(s.environment) <> lower(d.environment) GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 500").execute()
                .map(rows -> {
                    List<String[]> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new String[]{r.getString(0), r.getString(1)}));
                    return out;
                });
    }

    /**
     * How many other versions succeeded in {@code environment} after {@code ref} first did there (null: it never did);
     * on servers not hidden.
     */
    Uni<Integer> versionsSince(String environment, String ref, Long[] hidden) {
        return pool.preparedQuery("WITH first AS (SELECT min(finished_at) AS at FROM deployments WHERE lower(environment) = lower($1) "
                        + "AND ref = $2 AND status = 'SUCCEEDED' AND NOT (server_id = ANY($3::bigint[]))) "
                        + "SELECT CASE WHEN (SELECT at FROM first) IS NULL THEN NULL ELSE (SELECT count(DISTINCT ref) FROM deployments "
                        + "WHERE lower(environment) = lower($1) AND status = 'SUCCEEDED' AND ref IS NOT NULL AND ref <> $2 "
                        + "AND finished_at > (SELECT at FROM first) AND NOT (server_id = ANY($3::bigint[]))) END")
                .execute(Tuple.of(environment, ref, hidden)).map(rows -> {
                    Long n = rows.iterator().next().getLong(0);
                    return n == null ? null : n.intValue();
                });
    }

    /** Whether a server with this alias exists among those the caller sees. */
    Uni<Boolean> serverSeen(String alias, Long[] hidden) {
        return pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM servers WHERE lower(alias) = lower($1) AND NOT (id = ANY($2::bigint[])))")
                .execute(Tuple.of(alias, hidden)).map(rows -> rows.iterator().next().getBoolean(0));
    }

    private static List<Long> seconds(io.vertx.mutiny.sqlclient.RowSet<Row> rows) {
        List<Long> out = new ArrayList<>();
        for (Row r : rows) {
            out.add(r.getLong(0));
        }
        out.sort(null);
        return out;
    }
}
