package io.triggerdeploy.rollout;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every statement about a rollout's merged output: the lines of its deployments (retries and rollbacks included) on the
 * servers a reader may see, read as a tail or after a cursor that holds, per deployment, the last line already read.
 */
@ApplicationScoped
public class RolloutLogRepository {

    private static final String LINE = "d.server_alias, l.deployment_id, l.line_no, l.logged_at, "
            + "CASE l.stream WHEN 'e' THEN 'err' WHEN 's' THEN 'sys' ELSE 'out' END AS stream, l.text";

    private final Pool pool;

    public RolloutLogRepository(Pool pool) {
        this.pool = pool;
    }

    /** One line of a rollout's merged log. */
    record LogLine(String server, long deploymentId, int lineNo, OffsetDateTime at, String stream, String text) {
    }

    /** The last {@code limit} output lines of the rollout's deployments on these servers, oldest first. */
    Uni<List<LogLine>> tail(long rolloutId, Long[] serverIds, int limit) {
        return pool.preparedQuery("SELECT * FROM (SELECT " + LINE + " FROM deployment_logs l JOIN deployments d ON d.id = l.deployment_id "
                        + "WHERE d.rollout_id = $1 AND d.server_id = ANY($2) "
                        + "ORDER BY l.logged_at DESC, l.deployment_id DESC, l.line_no DESC LIMIT $3) t ORDER BY logged_at, deployment_id, line_no")
                .execute(Tuple.of(rolloutId, serverIds, limit)).map(rows -> Rows.list(rows, RolloutLogRepository::line));
    }

    /** The last {@code limit} lines at or before the cursor (per deployment), oldest first: the start of a live reader's stream. */
    Uni<List<LogLine>> tailUpTo(long rolloutId, Long[] serverIds, Map<Long, Integer> cursor, int limit) {
        return pool.preparedQuery("SELECT * FROM (SELECT " + LINE + " FROM deployment_logs l JOIN deployments d ON d.id = l.deployment_id "
                        + "JOIN unnest($3::bigint[], $4::int[]) c(dep, last) ON c.dep = d.id "
                        + "WHERE d.rollout_id = $1 AND d.server_id = ANY($2) AND l.line_no <= c.last "
                        + "ORDER BY l.logged_at DESC, l.deployment_id DESC, l.line_no DESC LIMIT $5) t ORDER BY logged_at, deployment_id, line_no")
                .execute(Tuple.tuple(List.of(rolloutId, serverIds, keys(cursor), values(cursor), limit)))
                .map(rows -> Rows.list(rows, RolloutLogRepository::line));
    }

    /** How many output lines the rollout's deployments on these servers have. */
    Uni<Long> size(long rolloutId, Long[] serverIds) {
        return pool.preparedQuery("SELECT count(*) FROM deployment_logs l JOIN deployments d ON d.id = l.deployment_id "
                        + "WHERE d.rollout_id = $1 AND d.server_id = ANY($2)")
                .execute(Tuple.of(rolloutId, serverIds)).map(rows -> rows.iterator().next().getLong(0));
    }

    /** Per deployment of the rollout on these servers that has output, its last stored line number. */
    Uni<Map<Long, Integer>> ends(long rolloutId, Long[] serverIds) {
        return pool.preparedQuery("SELECT d.id, (SELECT max(l.line_no) FROM deployment_logs l WHERE l.deployment_id = d.id) "
                        + "FROM deployments d WHERE d.rollout_id = $1 AND d.server_id = ANY($2) ORDER BY d.id")
                .execute(Tuple.of(rolloutId, serverIds)).map(rows -> {
                    Map<Long, Integer> ends = new LinkedHashMap<>();
                    for (Row r : rows) {
                        if (r.getInteger(1) != null) {
                            ends.put(r.getLong(0), r.getInteger(1));
                        }
                    }
                    return ends;
                });
    }

    /**
     * At most {@code limit} lines after the cursor (a deployment it does not name: from its first line), oldest first;
     * a deployment's lines come in their order.
     */
    Uni<List<LogLine>> after(long rolloutId, Long[] serverIds, Map<Long, Integer> cursor, int limit) {
        return pool.preparedQuery("SELECT " + LINE + " FROM deployments d "
                        + "LEFT JOIN unnest($3::bigint[], $4::int[]) c(dep, last) ON c.dep = d.id "
                        + "JOIN deployment_logs l ON l.deployment_id = d.id AND l.line_no > coalesce(c.last, 0) "
                        + "WHERE d.rollout_id = $1 AND d.server_id = ANY($2) ORDER BY l.logged_at, l.deployment_id, l.line_no LIMIT $5")
                .execute(Tuple.tuple(List.of(rolloutId, serverIds, keys(cursor), values(cursor), limit)))
                .map(rows -> Rows.list(rows, RolloutLogRepository::line));
    }

    /** Whether one of the rollout's deployments may still write output (queued or running). */
    Uni<Boolean> writing(long rolloutId) {
        return pool.preparedQuery("SELECT EXISTS (SELECT 1 FROM deployments WHERE rollout_id = $1 AND status IN ('QUEUED', 'RUNNING'))")
                .execute(Tuple.of(rolloutId)).map(rows -> rows.iterator().next().getBoolean(0));
    }

    private static LogLine line(Row r) {
        return new LogLine(r.getString(0), r.getLong(1), r.getInteger(2), r.getOffsetDateTime(3), r.getString(4), r.getString(5));
    }

    private static Long[] keys(Map<Long, Integer> cursor) {
        return cursor.keySet().toArray(Long[]::new);
    }

    private static Integer[] values(Map<Long, Integer> cursor) {
        return cursor.values().toArray(Integer[]::new);
    }
}
