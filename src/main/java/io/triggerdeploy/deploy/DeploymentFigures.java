package io.triggerdeploy.deploy;

import io.vertx.mutiny.sqlclient.Row;

/**
 * The one definition of deployment figures, used by {@code /api/deployments/stats}, {@code /api/analytics} and
 * the dashboard. A deployment is <em>finished</em> when it ran (it has a start time) and reached a final status;
 * a deployment cancelled before it started never ran, so it counts in {@code total} and under CANCELLED but not in
 * {@code finished}, the success rate or the durations. Success rate = succeeded / finished. The Prometheus counter
 * {@code trigger_deployments_finished_total} counts the same set (it is incremented when a run ends).
 */
public final class DeploymentFigures {

    /** SQL condition on a {@code deployments} row: it ran and has ended. */
    public static final String FINISHED = "status IN ('SUCCEEDED', 'FAILED', 'TIMED_OUT', 'CANCELLED', 'INTERRUPTED') "
            + "AND started_at IS NOT NULL";

    /** SQL select list of one group: total, succeeded, finished, mean_ms, p95_ms. */
    public static final String GROUP = "count(*) AS total, count(*) FILTER (WHERE status = 'SUCCEEDED') AS succeeded, "
            + "count(*) FILTER (WHERE " + FINISHED + ") AS finished, "
            + "(avg(duration_ms) FILTER (WHERE " + FINISHED + "))::float8 AS mean_ms, "
            + "(percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) FILTER (WHERE " + FINISHED + "))::float8 AS p95_ms";

    /** The definition in words, for the API document of every endpoint that reports these figures. */
    public static final String DEFINITION = "A deployment is finished when it ran (it has a start time) and reached a final "
            + "status. One cancelled before it started counts in total and under CANCELLED, but not in finished, the "
            + "success rate (succeeded / finished) or the durations (mean and p95 over finished deployments).";

    private DeploymentFigures() {
    }

    /** The figures of one group, read from a row selected with {@link #GROUP}. */
    public record Figures(long total, long succeeded, long finished, Double successRate, Double meanMs, Double p95Ms) {

        public static Figures of(Row r) {
            long ok = r.getLong("succeeded");
            long finished = r.getLong("finished");
            return new Figures(r.getLong("total"), ok, finished, finished == 0 ? null : ok / (double) finished,
                    r.getDouble("mean_ms"), r.getDouble("p95_ms"));
        }
    }
}
