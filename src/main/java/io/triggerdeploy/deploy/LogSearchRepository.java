package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Rows;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Searches the stored log lines (masked as stored; lines of deleted deployments went with them). Each term is a
 * case-insensitive substring ({@code ILIKE}) or a word prefix (a case-insensitive regular expression anchored at a
 * word start); the trigram index of changelog 0017 answers both when pg_trgm is installed.
 */
@ApplicationScoped
public class LogSearchRepository {

    /** One line that matched, with its deployment. */
    record Hit(long deploymentId, int line, OffsetDateTime at, char stream, String text, String server, String status, String ref) {
    }

    /** A term as SQL: the operator and its parameter. */
    record Term(boolean prefix, String pattern) {
    }

    /** The filters besides the terms; null means "any". */
    record Filters(Long serverId, String status, String ref, OffsetDateTime from, OffsetDateTime to) {
    }

    private final Pool pool;

    public LogSearchRepository(Pool pool) {
        this.pool = pool;
    }

    /** Whether the trigram index exists (else every search scans the lines). */
    public Uni<Boolean> indexed() {
        return pool.query("SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'deployment_logs_text_trgm')").execute()
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /** Matching lines, newest deployment first and, within it, last line first; below the cursor when one is given. */
    Uni<List<Hit>> search(List<Term> terms, Filters f, Long cursorDeployment, Integer cursorLine, int limit) {
        List<Object> args = new ArrayList<>(java.util.Arrays.asList(f.serverId(), f.status(), f.ref(), f.from(), f.to(),
                cursorDeployment, cursorLine, limit));
        StringBuilder sql = new StringBuilder("SELECT l.deployment_id, l.line_no, l.logged_at, l.stream, l.text, d.server_alias, "
                + "d.status, d.ref FROM deployment_logs l JOIN deployments d ON d.id = l.deployment_id "
                + "WHERE ($1::bigint IS NULL OR d.server_id = $1) AND ($2::text IS NULL OR d.status = $2) "
                + "AND ($3::text IS NULL OR d.ref = $3) AND ($4::timestamptz IS NULL OR l.logged_at >= $4) "
                + "AND ($5::timestamptz IS NULL OR l.logged_at < $5) "
                + "AND ($6::bigint IS NULL OR (l.deployment_id, l.line_no) < ($6, $7::int))");
        for (Term t : terms) {
            args.add(t.pattern());
            sql.append(" AND l.text ").append(t.prefix() ? "~* $" : "ILIKE $").append(args.size());
        }
        sql.append(" ORDER BY l.deployment_id DESC, l.line_no DESC LIMIT $8");
        return pool.preparedQuery(sql.toString()).execute(Tuple.from(args))
                .map(rows -> Rows.list(rows, r -> new Hit(r.getLong(0), r.getInteger(1), r.getOffsetDateTime(2),
                        r.getString(3).charAt(0), r.getString(4), r.getString(5), r.getString(6), r.getString(7))));
    }

    /** The lines around each hit ({@code around} before and after), by deployment and line number. */
    Uni<Map<Long, Map<Integer, String>>> context(List<Hit> hits, int around) {
        if (hits.isEmpty() || around == 0) {
            return Uni.createFrom().item(Map.of());
        }
        Long[] deployments = hits.stream().map(Hit::deploymentId).toArray(Long[]::new);
        Integer[] lines = hits.stream().map(Hit::line).toArray(Integer[]::new);
        return pool.preparedQuery("SELECT DISTINCT l.deployment_id, l.line_no, l.text FROM unnest($1::bigint[], $2::int[]) AS h(dep, line) "
                        + "JOIN deployment_logs l ON l.deployment_id = h.dep AND l.line_no BETWEEN h.line - $3 AND h.line + $3")
                .execute(Tuple.of(deployments, lines, around)).map(rows -> {
                    Map<Long, Map<Integer, String>> out = new HashMap<>();
                    rows.forEach(r -> out.computeIfAbsent(r.getLong(0), k -> new HashMap<>()).put(r.getInteger(1), r.getString(2)));
                    return out;
                });
    }
}
