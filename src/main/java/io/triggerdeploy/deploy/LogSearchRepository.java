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

    private static final long STATS_TTL_NANOS = 60_000_000_000L;

    private final Pool pool;
    private volatile CommonWords commonWords;

    public LogSearchRepository(Pool pool) {
        this.pool = pool;
    }

    /** One line that matched, with its deployment. */
    record Hit(long deploymentId, int line, OffsetDateTime at, char stream, String text, String server, String status, String ref) {
    }

    /**
     * A term as SQL: the operator and its parameter, and what the word index can answer for it (a
     * {@code to_tsquery('simple', …)} text, null for nothing), which narrows the lines before the exact test.
     */
    record Term(boolean prefix, String pattern, String words) {
    }

    /** The filters besides the terms; null means "any". */
    record Filters(Long serverId, String status, String ref, OffsetDateTime from, OffsetDateTime to, Long[] hidden) {
    }

    /** {@link #commonWords()} as last read. */
    private record CommonWords(long readAt, Map<String, Double> words) {
    }

    /** Whether the trigram index exists (else every search scans the lines). */
    public Uni<Boolean> indexed() {
        return pool.query("SELECT EXISTS (SELECT 1 FROM pg_indexes WHERE indexname = 'deployment_logs_text_trgm')").execute()
                .map(rows -> rows.iterator().next().getBoolean(0));
    }

    /**
     * The words the planner's statistics call common in stored lines, with the share of lines holding each (empty before
     * the first ANALYZE). Read at most once a minute.
     */
    Uni<Map<String, Double>> commonWords() {
        CommonWords c = commonWords;
        if (c != null && c.readAt() > System.nanoTime() - STATS_TTL_NANOS) {
            return Uni.createFrom().item(c.words());
        }
        return pool.query("SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
                        + "WHERE schemaname = current_schema() AND tablename = 'deployment_logs_words'").execute()
                .map(rows -> {
                    Map<String, Double> words = new HashMap<>();
                    rows.forEach(r -> {
                        String[] elems = r.getArrayOfStrings(0);
                        Float[] freqs = r.getArrayOfFloats(1);
                        for (int i = 0; elems != null && freqs != null && i < elems.length && i < freqs.length; i++) {
                            words.put(elems[i], freqs[i].doubleValue());
                        }
                    });
                    commonWords = new CommonWords(System.nanoTime(), Map.copyOf(words));
                    return commonWords.words();
                });
    }

    /**
     * Matching lines, newest deployment first and, within it, last line first; below the cursor when one is given. A term
     * with words is found through the word index, its exact test hidden from the trigram index ({@code text || ''}): a
     * phrase of common trigrams would otherwise make the planner AND the trigram index's long lists in. JIT and parallel
     * workers cost more than such a query (they are chosen from the word index's pessimistic cost), so they are off for it.
     */
    Uni<List<Hit>> search(List<Term> terms, Filters f, Long cursorDeployment, Integer cursorLine, int limit, long timeoutMillis) {
        List<Object> args = new ArrayList<>(java.util.Arrays.asList(f.serverId(), f.status(), f.ref(), f.from(), f.to(),
                cursorDeployment, cursorLine, limit));
        StringBuilder sql = new StringBuilder("SELECT l.deployment_id, l.line_no, l.logged_at, l.stream, l.text, d.server_alias, "
                + "d.status, d.ref FROM deployment_logs l JOIN deployments d ON d.id = l.deployment_id "
                + "WHERE ($1::bigint IS NULL OR d.server_id = $1) AND ($2::text IS NULL OR d.status = $2) "
                + "AND ($3::text IS NULL OR d.ref = $3) AND ($4::timestamptz IS NULL OR l.logged_at >= $4) "
                + "AND ($5::timestamptz IS NULL OR l.logged_at < $5) "
                + "AND ($6::bigint IS NULL OR (l.deployment_id, l.line_no) < ($6, $7::int))");
        if (f.hidden().length > 0) {
            args.add(f.hidden());
            sql.append(" AND d.server_id NOT IN (SELECT unnest($").append(args.size()).append("::bigint[]))");
        }
        for (Term t : terms) {
            args.add(t.pattern());
            sql.append(t.words() == null ? " AND l.text " : " AND (l.text || '') ").append(t.prefix() ? "~* $" : "ILIKE $")
                    .append(args.size());
            if (t.words() != null) {
                args.add(t.words());
                sql.append(" AND trigger_log_words(l.text) @@ to_tsquery('simple', $").append(args.size()).append(')');
            }
        }
        sql.append(" ORDER BY l.deployment_id DESC, l.line_no DESC LIMIT $8");
        return pool.withTransaction(c -> c.query("SET LOCAL jit = off; SET LOCAL max_parallel_workers_per_gather = 0; "
                        + "SET LOCAL statement_timeout = " + Math.max(1, timeoutMillis)).execute()
                .chain(() -> c.preparedQuery(sql.toString()).execute(Tuple.from(args)))
                .map(rows -> Rows.list(rows, r -> new Hit(r.getLong(0), r.getInteger(1), r.getOffsetDateTime(2),
                        r.getString(3).charAt(0), r.getString(4), r.getString(5), r.getString(6), r.getString(7)))));
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
