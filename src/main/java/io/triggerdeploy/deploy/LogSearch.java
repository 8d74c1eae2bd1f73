package io.triggerdeploy.deploy;

import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.common.Keyset;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Slots;
import io.triggerdeploy.db.BootstrapStep;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * "Which deployment printed this?": the query language of {@code GET /api/search/logs} and its pages. A query is up to
 * five terms that must all occur in one line, case-insensitively: a word or a {@code "quoted phrase"} anywhere in the
 * line, or {@code word*} at the start of a word. Says once at startup whether the trigram index is there.
 */
@ApplicationScoped
public class LogSearch implements BootstrapStep {

    static final int MAX_TERMS = 5;
    static final int MIN_TERM = 3;

    /** The length at which the word index cuts a run of letters and digits (changelog 0020). */
    static final int WORD_CUT = 100;

    /** The share of lines from which a word is too common to look lines up by. */
    static final double COMMON_WORD = 0.01;
    private static final Logger LOG = Logger.getLogger(LogSearch.class);
    private static final Pattern TOKEN = Pattern.compile("\"([^\"]*)\"|(\\S+)");
    private static final Pattern CURSOR = Pattern.compile("(\\d{1,18})-(\\d{1,9})");

    private final LogSearchRepository repository;
    private final DeploymentService deployments;
    private volatile boolean indexed;
    private final Slots slots;
    private final long timeoutMillis;

    public LogSearch(LogSearchRepository repository, DeploymentService deployments, DeployConfig config) {
        this.repository = repository;
        this.deployments = deployments;
        this.slots = new Slots(config.maxSearchesPerUser(), config.maxSearches());
        this.timeoutMillis = config.searchTimeout().toMillis();
    }

    @Override
    public int order() {
        return 90;
    }

    @Override
    public void run() throws Throwable {
        indexed = VertxContextSupport.subscribeAndAwait(repository::indexed);
        if (indexed) {
            LOG.info("Log search: the trigram index (pg_trgm) answers substring and prefix queries");
        } else {
            LOG.warn("Log search: pg_trgm is not installed in this database, so every search scans the stored lines "
                    + "(slow on large histories); a DBA can run CREATE EXTENSION pg_trgm and restart to build the index");
        }
    }

    /**
     * One page of hits with {@code around} lines of context each, for {@code user}: a search holds a pooled connection
     * while it runs, so each user runs a few at once and the replica a few in all (429 beyond, with Retry-After), and
     * one that runs longer than {@code trigger.deploy.search-timeout} is cancelled in the database (422: narrow it).
     */
    public Uni<LogSearchPage> search(String user, String q, String server, String status, String ref, String from, String to,
                                     String cursor, int limit, int around, Access access) {
        // the request is checked before it takes a slot: a bad one is a 400 whatever else runs
        Uni<LogSearchPage> run = run(q, server, status, ref, from, to, cursor, limit, around, access);
        Slots.Taken slot = slots.take(user);
        if (slot.release() == null) {
            throw new ProblemException(429, "Too Many Requests", slot.refused() == Slots.Cap.USER
                    ? "You are running as many log searches as one person may at once; try again when one has finished"
                    : "This replica is running as many log searches as it may at once; try again in a moment",
                    Map.of("Retry-After", "2"));
        }
        return run.onFailure(LogSearch::cancelled).transform(e -> new ProblemException(422, "Unprocessable Content",
                        "The search ran longer than " + (timeoutMillis / 1000.0) + " s and was stopped; narrow it with a server, "
                                + "a status, a time range or a rarer word"))
                .onTermination().invoke(slot.release());
    }

    /** The database cancelled the statement (statement_timeout). */
    private static boolean cancelled(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof io.vertx.pgclient.PgException pg && "57014".equals(pg.getSqlState())) {
                return true;
            }
        }
        return false;
    }

    private Uni<LogSearchPage> run(String q, String server, String status, String ref, String from, String to, String cursor,
                                      int limit, int around, Access access) {
        List<LogSearchRepository.Term> terms = terms(q);
        Keyset.limit(limit, 100);
        if (around < 0 || around > 5) {
            throw ProblemException.invalid("context", "must be between 0 and 5");
        }
        Long cursorDeployment = null;
        Integer cursorLine = null;
        if (cursor != null && !cursor.isBlank()) {
            Matcher m = CURSOR.matcher(cursor.trim());
            if (!m.matches()) {
                throw ProblemException.invalid("cursor", "must be a next_cursor of an earlier page");
            }
            cursorDeployment = Long.parseLong(m.group(1));
            cursorLine = Integer.parseInt(m.group(2));
        }
        String st = DeploymentService.statusFilter(status);
        String version = DeploymentService.refFilter(ref);
        java.time.OffsetDateTime since = DeploymentService.time(from, "from");
        java.time.OffsetDateTime until = DeploymentService.time(to, "to");
        Long cd = cursorDeployment;
        Integer cl = cursorLine;
        return deployments.serverId(server).invoke(sid -> {
            if (sid != null) {
                AccessService.requireVisible(access, sid, "server '" + server.trim()
                        + "' (looked up by id, alias and host)");
            }
        }).chain(sid -> repository.commonWords().chain(common -> repository.search(
                        narrow(terms, common), new LogSearchRepository.Filters(sid, st, version, since, until,
                        access.hidden()), cd, cl, limit, timeoutMillis)))
                .chain(hits -> repository.context(hits, around).map(ctx -> page(hits, ctx, around, limit)));
    }

    private LogSearchPage page(List<LogSearchRepository.Hit> hits, Map<Long, Map<Integer, String>> ctx, int around, int limit) {
        List<LogSearchPage.Item> items = new ArrayList<>();
        for (LogSearchRepository.Hit h : hits) {
            Map<Integer, String> lines = ctx.getOrDefault(h.deploymentId(), Map.of());
            List<String> before = new ArrayList<>();
            List<String> after = new ArrayList<>();
            for (int i = h.line() - around; i < h.line(); i++) {
                if (lines.containsKey(i)) {
                    before.add(lines.get(i));
                }
            }
            for (int i = h.line() + 1; i <= h.line() + around; i++) {
                if (lines.containsKey(i)) {
                    after.add(lines.get(i));
                }
            }
            items.add(new LogSearchPage.Item(h.deploymentId(), h.server(), h.status(), h.ref(), h.line(), h.at(),
                    DeploymentResource.streamName(h.stream()), h.text(), before, after,
                    "/deployments/" + h.deploymentId() + "#L" + h.line()));
        }
        LogSearchRepository.Hit last = hits.size() == limit ? hits.get(hits.size() - 1) : null;
        return new LogSearchPage(items, last == null ? null : last.deploymentId() + "-" + last.line(), indexed);
    }

    /** The terms of a query; a 400 naming {@code q} when it cannot be searched. */
    static List<LogSearchRepository.Term> terms(String q) {
        if (q == null || q.isBlank()) {
            throw ProblemException.invalid("q", "is required: words, \"a phrase\" or a prefix*");
        }
        if (q.length() > 500 || q.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw ProblemException.invalid("q", "must be at most 500 printable characters");
        }
        List<LogSearchRepository.Term> terms = new ArrayList<>();
        boolean longEnough = false;
        for (Token t : tokens(q)) {
            longEnough |= t.text().length() >= MIN_TERM;
            terms.add(new LogSearchRepository.Term(t.prefix(), t.prefix() ? "\\m" + regexLiteral(t.text())
                    : "%" + likeLiteral(t.text()) + "%", words(t.text(), t.prefix())));
        }
        if (terms.size() > MAX_TERMS) {
            throw ProblemException.invalid("q", "at most " + MAX_TERMS + " terms");
        }
        if (!longEnough) {
            throw ProblemException.invalid("q", "needs a term of at least " + MIN_TERM + " characters");
        }
        return terms;
    }

    /**
     * What the word index of changelog 0020 can answer for a term, as a {@code to_tsquery('simple', …)} text, or null
     * when it can answer nothing. The index holds each line's runs of letters and digits (cut every 100 characters),
     * lower-cased. A run of ASCII letters/digits inside the term that starts after a separator (or at the term's start,
     * for a prefix term) must start a run of the line: {@code run:*}; one that also ends before a separator must be a whole
     * run: {@code run}. Anything uncertain (a run at the edge of a substring, next to a non-ASCII character, longer than
     * the cut) is left to the exact condition, so the word condition never drops a line the exact one keeps.
     */
    static String words(String text, boolean prefix) {
        List<String> out = new ArrayList<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            if (!asciiAlnum(text.charAt(i))) {
                i++;
                continue;
            }
            int start = i;
            while (i < n && asciiAlnum(text.charAt(i))) {
                i++;
            }
            boolean startsRun = start == 0 ? prefix : separator(text.charAt(start - 1));
            boolean endsRun = i < n && separator(text.charAt(i));
            int length = i - start;
            if (startsRun && length <= WORD_CUT && (endsRun || length >= MIN_TERM)) {
                out.add(text.substring(start, i).toLowerCase(java.util.Locale.ROOT) + (endsRun ? "" : ":*"));
            }
        }
        return out.isEmpty() ? null : String.join(" & ", out);
    }

    private static boolean asciiAlnum(char c) {
        return c < 0x80 && Character.isLetterOrDigit(c);
    }

    /** Not a letter or digit in any locale: ASCII punctuation, space or control. */
    private static boolean separator(char c) {
        return c < 0x80 && !Character.isLetterOrDigit(c);
    }

    /**
     * The terms with word conditions only where the words are rare: a term whose every word is held by at least
     * {@link #COMMON_WORD} of the lines (by the planner's statistics of the word index) is left to the trigram index and
     * the planner, which then reads the newest lines first.
     */
    static List<LogSearchRepository.Term> narrow(List<LogSearchRepository.Term> terms, Map<String, Double> common) {
        List<LogSearchRepository.Term> out = new ArrayList<>();
        for (LogSearchRepository.Term t : terms) {
            boolean rare = false;
            for (String w : t.words() == null ? new String[0] : t.words().split(" & ")) {
                double share = 0;
                if (w.endsWith(":*")) {
                    String start = w.substring(0, w.length() - 2);
                    for (Map.Entry<String, Double> e : common.entrySet()) {
                        share += e.getKey().startsWith(start) ? e.getValue() : 0;
                    }
                } else {
                    share = common.getOrDefault(w, 0.0);
                }
                rare |= share < COMMON_WORD;
            }
            out.add(rare ? t : new LogSearchRepository.Term(t.prefix(), t.pattern(), null));
        }
        return out;
    }

    /** One term of a query as typed: its text, and whether it is a word prefix ({@code word*}). */
    private record Token(String text, boolean prefix) {
    }

    /** The query's terms: {@code "quoted phrases"}, {@code prefix*} and words; blank ones dropped. */
    private static List<Token> tokens(String q) {
        List<Token> out = new ArrayList<>();
        Matcher m = TOKEN.matcher(q);
        while (m.find()) {
            String phrase = m.group(1);
            String word = m.group(2);
            boolean prefix = phrase == null && word.length() > 1 && word.endsWith("*");
            String text = phrase != null ? phrase : prefix ? word.substring(0, word.length() - 1) : word;
            if (!text.isBlank()) {
                out.add(new Token(text, prefix));
            }
        }
        return out;
    }

    /** A piece of a line for display: {@code match} when a term of the query matched it. */
    public record Segment(String text, boolean match) {
    }

    /**
     * The line cut into pieces at the places the query's terms match (case-insensitively; a prefix term at word starts
     * only), for highlighting. A query that cannot be parsed highlights nothing.
     */
    public static List<Segment> highlight(String q, String line) {
        List<int[]> ranges = new ArrayList<>();
        try {
            for (Token t : tokens(q == null ? "" : q)) {
                Pattern p = Pattern.compile((t.prefix() ? "(?<![\\p{L}\\p{N}_])" : "") + Pattern.quote(t.text()),
                        Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE);
                Matcher hit = p.matcher(line);
                while (hit.find()) {
                    ranges.add(new int[]{hit.start(), hit.end()});
                }
            }
        } catch (RuntimeException e) {
            ranges.clear();
        }
        ranges.sort((a, b) -> a[0] != b[0] ? Integer.compare(a[0], b[0]) : Integer.compare(b[1], a[1]));
        List<Segment> out = new ArrayList<>();
        int at = 0;
        for (int[] r : ranges) {
            if (r[1] <= at) {
                continue;
            }
            int start = Math.max(r[0], at);
            if (start > at) {
                out.add(new Segment(line.substring(at, start), false));
            }
            out.add(new Segment(line.substring(start, r[1]), true));
            at = r[1];
        }
        if (at < line.length()) {
            out.add(new Segment(line.substring(at), false));
        }
        return out;
    }

    /** The text as a LIKE pattern that matches itself (backslash is PostgreSQL's default LIKE escape). */
    static String likeLiteral(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }

    /** The text as a regular expression that matches itself: every character that is not a letter or digit escaped. */
    static String regexLiteral(String text) {
        StringBuilder sb = new StringBuilder();
        text.codePoints().forEach(c -> {
            if (!Character.isLetterOrDigit(c)) {
                sb.append('\\');
            }
            sb.appendCodePoint(c);
        });
        return sb.toString();
    }
}
