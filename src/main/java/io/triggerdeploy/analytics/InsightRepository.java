package io.triggerdeploy.analytics;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The four keys' statements, over the facts {@link InsightFactsRepository} keeps. Every one narrows to the same scope:
 * $3 an environment (lower-cased) or null, $4 a server's id or null, $5 the servers hidden from the caller, $6 a group's
 * servers or null; the period is [$1, $2).
 */
@ApplicationScoped
public class InsightRepository {

    private static final String SCOPE = "($3::text IS NULL OR environment = $3) AND ($4::bigint IS NULL OR server_id = $4) "
            + "AND NOT (server_id = ANY($5::bigint[])) AND ($6::bigint[] IS NULL OR server_id = ANY($6::bigint[]))";

    /** Successes, deployments that ran, change failures: whole days ($7 to $8, UTC) from the day counts, the rest from the rows. */
    private static final String COUNTS = "SELECT coalesce(sum(s), 0) AS succeeded, coalesce(sum(r), 0) AS deployments, coalesce(sum(f), 0) AS failed FROM ("
            + "SELECT sum(succeeded) AS s, sum(ran) AS r, sum(failed) AS f FROM insight_days WHERE day >= $7 AND day < $8 AND " + SCOPE
            + " UNION ALL SELECT count(*) FILTER (WHERE outcome = 'S'), count(*), count(*) FILTER (WHERE outcome = 'F' OR followed) "
            + "FROM insight_deployments WHERE (finished_at >= $1 AND finished_at < least($2, $7::date AT TIME ZONE 'UTC') "
            + "OR finished_at >= greatest($1, $8::date AT TIME ZONE 'UTC') AND finished_at < $2) AND " + SCOPE + ") x";

    private static final String PERCENTILES = "SELECT count(*) AS n, percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY %s) AS p ";
    /** Lead times of the versions whose first success in their environment (or, for one server, on it) ended in the period. */
    private static final String LEAD = String.format(PERCENTILES, "lead_seconds")
            + "FROM insight_deployments WHERE first_in_environment AND finished_at >= $1 AND finished_at < $2 AND " + SCOPE;
    private static final String SERVER_LEAD = String.format(PERCENTILES, "lead_seconds")
            + "FROM insight_deployments WHERE first_on_server AND finished_at >= $1 AND finished_at < $2 AND " + SCOPE;
    /** The same when servers are left out (hidden, or not in the group): the first success among those in scope. */
    private static final String SCOPED_LEAD = String.format(PERCENTILES, "lead_seconds") + "FROM (SELECT DISTINCT ON "
            + "(CASE WHEN environment = '' THEN 'server:' || server_id ELSE environment END, ref) finished_at, lead_seconds "
            + "FROM insight_deployments WHERE first_on_server AND finished_at < $2 AND " + SCOPE
            + " ORDER BY CASE WHEN environment = '' THEN 'server:' || server_id ELSE environment END, ref, finished_at) x WHERE finished_at >= $1";
    /** Incidents that began in the period and were restored. */
    private static final String RESTORE = String.format(PERCENTILES, "extract(epoch FROM restored_at - began)::bigint")
            + "FROM insight_incidents WHERE began >= $1 AND began < $2 AND restored_at IS NOT NULL AND " + SCOPE;

    private final Pool pool;

    public InsightRepository(Pool pool) {
        this.pool = pool;
    }

    /** A median, a 90th percentile (null without values) and how many values. */
    record Spread(long count, Long median, Long p90) {

        static Spread of(Row r) {
            Long[] p = r.getArrayOfLongs("p");
            return new Spread(r.getLong("n"), p == null ? null : p[0], p == null ? null : p[1]);
        }
    }

    /** What the statements found. */
    record Found(long succeeded, long deployments, long failed, Spread lead, Spread restore) {
    }

    Uni<Found> find(OffsetDateTime from, OffsetDateTime to, String environment, Long serverId, Long[] hidden, Long[] group) {
        LocalDate firstDay = from.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
        if (!from.withOffsetSameInstant(ZoneOffset.UTC).toLocalTime().equals(LocalTime.MIDNIGHT)) {
            firstDay = firstDay.plusDays(1);
        }
        LocalDate endDay = to.withOffsetSameInstant(ZoneOffset.UTC).toLocalDate();
        if (!endDay.isAfter(firstDay)) {
            endDay = firstDay;
        }
        String env = environment == null ? null : environment.toLowerCase(Locale.ROOT);
        List<Object> scope = Arrays.asList(from, to, env, serverId, hidden, group);
        List<Object> counted = new ArrayList<>(scope);
        counted.add(firstDay);
        counted.add(endDay);
        String lead = serverId != null ? SERVER_LEAD : hidden.length == 0 && group == null ? LEAD : SCOPED_LEAD;
        // plans for these values (an environment or none, a server or none), never one generic plan for all of them
        return pool.withTransaction(c -> c.query("SET LOCAL plan_cache_mode = force_custom_plan").execute()
                .chain(() -> c.preparedQuery(COUNTS).execute(Tuple.tuple(counted))).chain(f -> {
                    Row r = f.iterator().next();
                    return c.preparedQuery(lead).execute(Tuple.tuple(scope)).chain(l -> c.preparedQuery(RESTORE).execute(Tuple.tuple(scope))
                            .map(t -> new Found(r.getLong("succeeded"), r.getLong("deployments"), r.getLong("failed"),
                                    Spread.of(l.iterator().next()), Spread.of(t.iterator().next()))));
                }));
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

    /** The id of the server with this alias among those the caller sees (null: none). */
    Uni<Long> serverId(String alias, Long[] hidden) {
        return pool.preparedQuery("SELECT id FROM servers WHERE lower(alias) = lower($1) AND NOT (id = ANY($2::bigint[]))")
                .execute(Tuple.of(alias, hidden)).map(rows -> rows.iterator().hasNext() ? rows.iterator().next().getLong(0) : null);
    }
}
