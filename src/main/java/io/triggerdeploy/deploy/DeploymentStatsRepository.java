package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The statements of the deployment figures (counts, success rate, durations per window), apart from the queue's. */
@ApplicationScoped
public class DeploymentStatsRepository {

    private final Pool pool;

    public DeploymentStatsRepository(Pool pool) {
        this.pool = pool;
    }

    /** Counts, success rate and duration percentiles for one window, overall and per server, all in SQL. */
    Uni<DeploymentStats.Window> stats(long windowSeconds, Long[] hidden) {
        String visible = hidden.length == 0 ? "" : "AND server_id NOT IN (SELECT unnest($2::bigint[])) ";
        Tuple args = hidden.length == 0 ? Tuple.of(windowSeconds) : Tuple.of(windowSeconds, hidden);
        String totals = "SELECT status, count(*) FROM deployments WHERE queued_at >= now() - ($1 * interval '1 second') " + visible
                + "GROUP BY status";
        String perServer = "SELECT server_alias, " + DeploymentFigures.GROUP + " "
                + "FROM deployments WHERE queued_at >= now() - ($1 * interval '1 second') " + visible
                + "GROUP BY ROLLUP (server_alias) ORDER BY server_alias NULLS FIRST";
        return pool.preparedQuery(totals).execute(args).chain(statusRows -> {
            Map<String, Long> byStatus = new LinkedHashMap<>();
            for (DeploymentStatus st : DeploymentStatus.values()) {
                byStatus.put(st.name(), 0L);
            }
            statusRows.forEach(r -> byStatus.put(r.getString(0), r.getLong(1)));
            return pool.preparedQuery(perServer).execute(args).map(rows -> {
                List<DeploymentStats.PerServer> servers = new ArrayList<>();
                DeploymentStats.PerServer all = null;
                for (Row r : rows) {
                    DeploymentFigures.Figures f = DeploymentFigures.Figures.of(r);
                    DeploymentStats.PerServer p = new DeploymentStats.PerServer(r.getString("server_alias"), f.total(),
                            f.succeeded(), f.finished(), f.successRate(), f.meanMs(), f.p95Ms());
                    if (p.server() == null) {
                        all = p;
                    } else {
                        servers.add(p);
                    }
                }
                long total = byStatus.values().stream().mapToLong(Long::longValue).sum();
                return new DeploymentStats.Window(total, byStatus, all == null ? null : all.successRate(),
                        all == null ? null : all.meanDurationMs(), all == null ? null : all.p95DurationMs(), servers);
            });
        });
    }
}
