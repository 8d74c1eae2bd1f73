package io.triggerdeploy.analytics;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.triggerdeploy.deploy.DeploymentFigures;
import io.triggerdeploy.deploy.DeploymentStatus;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The analytics read model over the {@code deployments} table: every figure comes from SQL over real rows, with the
 * one definition of "finished" and the group figures in {@link DeploymentFigures}.
 */
@ApplicationScoped
public class AnalyticsRepository {

    private static final String FINISHED = DeploymentFigures.FINISHED;
    private static final String GROUP_FIGURES = DeploymentFigures.GROUP;

    private final Pool pool;

    public AnalyticsRepository(Pool pool) {
        this.pool = pool;
    }

    /** The report of the days from {@code from} to now, for one server (by alias) or, with {@code alias} null, for all. */
    Uni<AnalyticsReport> report(int days, OffsetDateTime from, OffsetDateTime to, String alias, Long[] hidden) {
        String window = " FROM deployments WHERE queued_at >= $1 AND ($2::text IS NULL OR server_alias = $2) "
                + "AND server_id NOT IN (SELECT unnest($3::bigint[])) ";
        Tuple since = Tuple.of(from, alias, hidden);

        Uni<AnalyticsReport.Totals> totals = pool.preparedQuery("SELECT " + GROUP_FIGURES
                        + ", count(*) FILTER (WHERE status IN ('FAILED','TIMED_OUT','INTERRUPTED')) AS failed" + window)
                .execute(since).map(rows -> {
                    Row r = rows.iterator().next();
                    DeploymentFigures.Figures f = DeploymentFigures.Figures.of(r);
                    return new AnalyticsReport.Totals(f.total(), f.succeeded(), r.getLong("failed"), f.finished(), f.successRate(),
                            round(f.meanMs()), round(f.p95Ms()));
                });

        // aggregate the window's rows per day once, then fill the days without any (one pass over the rows)
        Uni<List<AnalyticsReport.Day>> perDay = pool.preparedQuery(
                        "WITH agg AS (SELECT (queued_at AT TIME ZONE 'UTC')::date AS day, count(*) AS total, "
                                + statusColumns("")
                                + "avg(duration_ms) FILTER (WHERE " + FINISHED + ") AS mean_ms, "
                                + "percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE " + FINISHED + ") AS p95_ms"
                                + window + "GROUP BY 1) "
                                + "SELECT g.day::date AS day, coalesce(agg.total, 0) AS total, " + statusColumnsOf("agg.")
                                + "agg.mean_ms, agg.p95_ms "
                                + "FROM generate_series(($1::timestamptz AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date, interval '1 day') g(day) "
                                + "LEFT JOIN agg ON agg.day = g.day::date ORDER BY g.day")
                .execute(since).map(rows -> map(rows, r -> {
                    Map<String, Long> by = new LinkedHashMap<>();
                    for (DeploymentStatus s : DeploymentStatus.values()) {
                        by.put(s.name(), r.getLong("n_" + s.name().toLowerCase(java.util.Locale.ROOT)));
                    }
                    return new AnalyticsReport.Day(r.getLocalDate("day"), r.getLong("total"), by, round(r.getValue("mean_ms")),
                            round(r.getValue("p95_ms")));
                }));

        Uni<List<AnalyticsReport.Group>> perServer = groups("server_alias", window, since);
        Uni<List<AnalyticsReport.Group>> perUser = groups("requested_by", window, since);

        Uni<List<AnalyticsReport.Reason>> reasons = pool.preparedQuery(
                        "SELECT status, coalesce(regexp_replace(left(error, 200), '[0-9]+', 'N', 'g'), "
                                + "CASE WHEN exit_code IS NOT NULL THEN 'exit code ' || exit_code ELSE 'no reason recorded' END) AS reason, "
                                + "count(*) AS n" + window + "AND status IN ('FAILED','TIMED_OUT','INTERRUPTED') "
                                + "GROUP BY 1, 2 ORDER BY n DESC, 2 LIMIT 10")
                .execute(since).map(rows -> map(rows, r -> new AnalyticsReport.Reason(r.getString("status"),
                        r.getString("reason"), r.getLong("n"))));

        Uni<List<AnalyticsReport.Hour>> hours = pool.preparedQuery(
                        "WITH agg AS (SELECT extract(hour FROM queued_at AT TIME ZONE 'UTC')::int AS hour, count(*) AS n"
                                + window + "GROUP BY 1) "
                                + "SELECT h.hour, coalesce(agg.n, 0) AS n FROM generate_series(0, 23) h(hour) "
                                + "LEFT JOIN agg ON agg.hour = h.hour ORDER BY h.hour")
                .execute(since).map(rows -> map(rows, r -> new AnalyticsReport.Hour(r.getInteger("hour"), r.getLong("n"))));

        return Uni.combine().all().unis(totals, perDay, perServer, perUser, reasons, hours)
                .with((t, d, s, u, f, h) -> new AnalyticsReport(days, from, to, t.total() == 0, t, d, s, u, f, h));
    }

    private Uni<List<AnalyticsReport.Group>> groups(String column, String window, Tuple since) {
        return pool.preparedQuery("SELECT " + column + " AS name, " + GROUP_FIGURES + window + "GROUP BY " + column
                        + " ORDER BY total DESC, name LIMIT 50")
                .execute(since).map(rows -> map(rows, r -> {
                    DeploymentFigures.Figures f = DeploymentFigures.Figures.of(r);
                    return new AnalyticsReport.Group(r.getString("name"), f.total(), f.succeeded(), f.finished(), f.successRate(),
                            round(f.meanMs()), round(f.p95Ms()));
                }));
    }

    /** The per-status counts of an aggregate, zero where it has no row. */
    private static String statusColumnsOf(String prefix) {
        StringBuilder sb = new StringBuilder();
        for (DeploymentStatus s : DeploymentStatus.values()) {
            String c = "n_" + s.name().toLowerCase(java.util.Locale.ROOT);
            sb.append("coalesce(").append(prefix).append(c).append(", 0) AS ").append(c).append(", ");
        }
        return sb.toString();
    }

    private static String statusColumns(String prefix) {
        StringBuilder sb = new StringBuilder();
        for (DeploymentStatus s : DeploymentStatus.values()) {
            sb.append("count(").append(prefix).append("id) FILTER (WHERE ").append(prefix).append("status = '").append(s.name())
                    .append("') AS n_").append(s.name().toLowerCase(java.util.Locale.ROOT)).append(", ");
        }
        return sb.toString();
    }

    private static <T> List<T> map(RowSet<Row> rows, Function<Row, T> f) {
        return Rows.list(rows, f);
    }

    private static Double round(Object v) {
        if (v == null) {
            return null;
        }
        return Math.round(((Number) v).doubleValue() * 10) / 10.0;
    }
}
