package io.triggerdeploy.rollout;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.common.ProblemException;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A rollout's merged output: its deployments' lines (retries and rollbacks included) on the servers the reader sees,
 * each with its server, as text ({@code GET /api/rollouts/{id}/log}) or live ({@code GET /api/rollouts/{id}/log/events}).
 * <p>
 * The live stream's position is, per deployment, the last line sent; it travels as the event id of the last line of
 * each batch ({@code 812:14.813:9}), so a browser that reconnects with {@code Last-Event-ID} loses and repeats nothing.
 * A deployment's lines are sent in their order and only without a gap (a batch stored later fills it first).
 */
@ApplicationScoped
public class RolloutLog {

    /** The most lines one read of a rollout's merged log returns. */
    public static final int MAX_LOG_LINES = 20_000;
    /** How many of the newest lines a live reader without a position gets first. */
    static final int LIVE_TAIL = 1000;
    /** How often a live reader's stream looks for new lines (any replica stored them). */
    static final Duration POLL = Duration.ofMillis(400);
    private static final int BATCH = 2000;
    private static final Pattern CURSOR = Pattern.compile("\\d{1,18}:\\d{1,9}(\\.\\d{1,18}:\\d{1,9}){0,4999}");

    private final RolloutLogRepository repository;
    private final RolloutRepository rollouts;
    private final RolloutService service;
    private final ObjectMapper json;

    public RolloutLog(RolloutLogRepository repository, RolloutRepository rollouts, RolloutService service, ObjectMapper json) {
        this.repository = repository;
        this.rollouts = rollouts;
        this.service = service;
        this.json = json;
    }

    /** One live event: its id (the position after it; only on the last line of a batch), its kind and its JSON. */
    public record Event(String id, String kind, String json) {
    }

    /** A {@code line} event's data. */
    record Line(String server, long deploymentId, int line, OffsetDateTime at, String stream, String text) {
    }

    private record Batch(List<Event> events, boolean ended) {
    }

    /**
     * The last {@code limit} lines of the rollout's deployments on the servers the caller sees, oldest first, each
     * prefixed with its server; a first line says how many earlier lines were left out.
     */
    public Uni<String> text(long id, int limit, Access access) {
        if (limit < 1 || limit > MAX_LOG_LINES) {
            throw ProblemException.invalid("limit", "must be between 1 and " + MAX_LOG_LINES);
        }
        return service.visibleHosts(id, access).chain(hosts -> {
            Long[] visible = visible(hosts, access);
            return repository.size(id, visible).chain(total -> repository.tail(id, visible, limit).map(lines -> {
                StringBuilder sb = new StringBuilder();
                if (total > lines.size()) {
                    sb.append("(").append(total - lines.size()).append(" earlier lines not shown: each host's deployment has its whole log)\n");
                }
                for (RolloutLogRepository.LogLine l : lines) {
                    sb.append(l.at()).append(' ').append(l.server()).append(" | ").append(l.stream()).append(" | ").append(l.text()).append('\n');
                }
                return sb.toString();
            }));
        });
    }

    /**
     * The merged output live: after {@code position} (a previous event id), or, without one, a {@code skipped} event
     * (how many earlier lines are left out, when some are) and the newest {@value #LIVE_TAIL} lines; then each new line
     * as it is stored, until the rollout has ended and its deployments' last lines were sent ({@code end}). Answered
     * once the rollout was found (404 before the stream begins otherwise).
     */
    public Uni<Multi<Event>> live(long id, String position, Access access) {
        return service.visibleHosts(id, access).map(hosts -> {
            Long[] visible = visible(hosts, access);
            Map<Long, Integer> resumed = parse(position);
            Map<Long, Integer> at = resumed != null ? resumed : new LinkedHashMap<>();
            Uni<List<Event>> start = resumed != null ? Uni.createFrom().item(List.of()) : begin(id, visible, at);
            Multi<Event> first = start.onItem().transformToMulti(list -> Multi.createFrom().iterable(list));
            Multi<Event> rest = Multi.createBy().repeating().uni(() -> next(id, visible, at)).withDelay(POLL).whilst(b -> !b.ended())
                    .onItem().transformToIterable(Batch::events);
            return Multi.createBy().concatenating().streams(first, rest);
        });
    }

    private Uni<List<Event>> begin(long id, Long[] visible, Map<Long, Integer> cursor) {
        return repository.ends(id, visible).chain(ends -> {
            cursor.putAll(ends);
            return repository.size(id, visible).chain(total -> repository.tailUpTo(id, visible, ends, LIVE_TAIL).map(lines -> {
                List<Event> events = new ArrayList<>();
                if (total > lines.size()) {
                    events.add(new Event(null, "skipped", "{\"lines\":" + (total - lines.size()) + "}"));
                }
                lines.forEach(l -> events.add(line(l, null)));
                if (!lines.isEmpty()) {
                    Event last = events.get(events.size() - 1);
                    events.set(events.size() - 1, new Event(position(cursor), last.kind(), last.json()));
                }
                return events;
            }));
        });
    }

    /** The lines stored since the last read; when there are none and nothing more can come, the rest and {@code end}. */
    private Uni<Batch> next(long id, Long[] visible, Map<Long, Integer> cursor) {
        return repository.after(id, visible, cursor, BATCH).chain(lines -> {
            if (!lines.isEmpty()) {
                return Uni.createFrom().item(new Batch(take(lines, cursor), false));
            }
            return rollouts.find(id).chain(r -> r != null && r.active() ? Uni.createFrom().item(new Batch(List.of(), false))
                    : repository.writing(id).chain(writing -> writing ? Uni.createFrom().item(new Batch(List.of(), false))
                    // a runner stores its last lines before its final status: read once more, then end
                    : repository.after(id, visible, cursor, BATCH).map(rest -> {
                        List<Event> events = new ArrayList<>(take(rest, cursor));
                        if (rest.size() == BATCH) {
                            return new Batch(events, false);
                        }
                        events.add(new Event(null, "end", "{\"status\":\"" + (r == null ? "DELETED" : r.status) + "\"}"));
                        return new Batch(events, true);
                    })));
        });
    }

    /** The lines that follow on from the cursor without a gap, as events; the last carries the new position. */
    private List<Event> take(List<RolloutLogRepository.LogLine> lines, Map<Long, Integer> cursor) {
        List<Event> events = new ArrayList<>();
        for (RolloutLogRepository.LogLine l : lines) {
            if (l.lineNo() == cursor.getOrDefault(l.deploymentId(), 0) + 1) {
                cursor.put(l.deploymentId(), l.lineNo());
                events.add(line(l, null));
            }
        }
        if (!events.isEmpty()) {
            Event last = events.get(events.size() - 1);
            events.set(events.size() - 1, new Event(position(cursor), last.kind(), last.json()));
        }
        return events;
    }

    private Event line(RolloutLogRepository.LogLine l, String id) {
        try {
            return new Event(id, "line", json.writeValueAsString(new Line(l.server(), l.deploymentId(), l.lineNo(), l.at(), l.stream(), l.text())));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a rollout log line as JSON", e);
        }
    }

    private static Long[] visible(List<Rollout.HostRow> hosts, Access access) {
        return hosts.stream().map(Rollout.HostRow::serverId).filter(access::sees).toArray(Long[]::new);
    }

    /** A position from an event id; null (start with the tail) when there is none or it is not one. */
    static Map<Long, Integer> parse(String position) {
        if (position == null || !CURSOR.matcher(position.trim()).matches()) {
            return null;
        }
        Map<Long, Integer> cursor = new LinkedHashMap<>();
        for (String part : position.trim().split("\\.")) {
            int colon = part.indexOf(':');
            cursor.merge(Long.parseLong(part.substring(0, colon)), Integer.parseInt(part.substring(colon + 1)), Math::max);
        }
        return cursor;
    }

    static String position(Map<Long, Integer> cursor) {
        StringBuilder sb = new StringBuilder();
        cursor.forEach((d, n) -> sb.append(sb.length() == 0 ? "" : ".").append(d).append(':').append(n));
        return sb.toString();
    }
}
