package io.triggerdeploy.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.common.Periodic;
import io.triggerdeploy.common.ProblemMapper;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code GET /api/deployments/{id}/events}: Server-Sent Events, one {@code line} event per log line (its line
 * number is the event id, so {@code Last-Event-ID} resumes without loss), a {@code step} event after each step marker
 * line of a run with steps (same id as its line), and a final {@code status} event.
 * Any replica serves any deployment: lines come from PostgreSQL, woken by LISTEN/NOTIFY and a 1 s poll, and, on the
 * replica that runs it, straight from the SSH channel ({@link LiveLines}).
 * <p>
 * A plain Vert.x route that writes the events' text itself, every event handled in one go as one chunk: the JAX-RS SSE
 * path framed, serialised and flushed each event on its own (a socket write per log line), which held a burst to about
 * 20k lines/s. The route does what the JAX-RS path did before the first byte: the caller's identity (bearer token or
 * session cookie, through the same authentication mechanisms), the viewer role, 404 for an unknown or hidden
 * deployment, a stream slot (429). A slow reader is not written to beyond the socket's write queue: the stream waits
 * for it to drain and catches up from the database.
 */
@ApplicationScoped
public class DeploymentStream {

    private static final Logger LOG = Logger.getLogger(DeploymentStream.class);
    static final String PATH = "/api/deployments/:id/events";
    private static final int BATCH = 500;
    /** Lines taken from memory in one go; then the connection's context may do other work before the next batch. */
    private static final int MEMORY_BATCH = 2000;

    private final DeploymentRepository repository;
    private final DeployEvents events;
    private final Periodic periodic;
    private final LiveLines live;
    private final StreamSlots slots;
    private final AccessService access;
    private final ObjectMapper json;

    private final StreamReaders readers;

    public DeploymentStream(DeploymentRepository repository, DeployEvents events, Periodic periodic, LiveLines live,
                            StreamSlots slots, AccessService access, ObjectMapper json, StreamReaders readers) {
        this.readers = readers;
        this.repository = repository;
        this.events = events;
        this.periodic = periodic;
        this.live = live;
        this.slots = slots;
        this.access = access;
        this.json = json;
    }

    /** After authentication (which only prepares a deferred identity here) and before the JAX-RS routes. */
    void register(@Observes Router router) {
        router.get(PATH).order(-10).handler(this::handle);
    }

    private void handle(RoutingContext rc) {
        long id;
        try {
            id = Long.parseLong(rc.pathParam("id"));
        } catch (NumberFormatException e) {
            problem(rc, 404, "Not Found", "No deployment " + rc.pathParam("id"), Map.of());
            return;
        }
        String header = rc.request().getHeader("Last-Event-ID");
        int from = parse(header != null ? header : rc.request().getParam("last_event_id"));
        Context context = Vertx.currentContext();
        QuarkusHttpUser.getSecurityIdentity(rc, null)
                .chain(identity -> admit(rc, id, identity))
                .subscribe().with(admitted -> {
                    if (admitted != null) {
                        context.runOnContext(v -> open(rc, id, from, admitted, context));
                    }
                }, failure -> {
                    if (failure instanceof AuthenticationFailedException) {
                        unauthorized(rc);
                    } else {
                        LOG.warnf("Live log stream of deployment %d refused: %s", id, failure.getClass().getSimpleName());
                        problem(rc, 503, "Service Unavailable", "The database is unreachable; try again shortly", Map.of("Retry-After", "5"));
                    }
                });
    }

    /**
     * What the caller may do, answered before any stream header: 401, 403, 404 for an unknown or hidden deployment, 429
     * without a free stream slot; else the slot (its release).
     */
    private Uni<Admitted> admit(RoutingContext rc, long id, SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous()) {
            unauthorized(rc);
            return Uni.createFrom().nullItem();
        }
        if (!identity.hasRole(Role.VIEWER_NAME)) {
            problem(rc, 403, "Forbidden", "Your role does not allow this", Map.of());
            return Uni.createFrom().nullItem();
        }
        return repository.find(id).chain(found -> found == null || !(identity.getPrincipal() instanceof TriggerPrincipal)
                ? Uni.createFrom().item(found) : access.of(identity).map(a -> a.sees(found.serverId()) ? found : null)).map(d -> {
            if (d == null) {
                problem(rc, 404, "Not Found", "No deployment " + id, Map.of());
                return null;
            }
            Runnable release = slots.acquire(identity.getPrincipal().getName());
            if (release == null) {
                problem(rc, 429, "Too Many Requests", "Too many live log streams are open (per user or on this replica); close "
                        + "one, or follow the log with GET /api/deployments/" + id + "/log", Map.of("Retry-After", "5"));
                return null;
            }
            return new Admitted(identity.getPrincipal() instanceof TriggerPrincipal p ? p : null, d.serverId(), null, release);
        }).chain(admitted -> admitted == null ? Uni.createFrom().<Admitted>nullItem()
                : readers.generation(admitted.principal()).map(admitted::at).onFailure().invoke(admitted.release()));
    }

    /** Who may read the stream, of which server, under which credentials generation, and its stream slot. */
    private record Admitted(TriggerPrincipal principal, long serverId, Integer generation, Runnable release) {
        Admitted at(Integer generation) {
            return new Admitted(principal, serverId, generation, release);
        }
    }

    private void open(RoutingContext rc, long id, int from, Admitted admitted, Context context) {
        Runnable release = admitted.release();
        HttpServerResponse response = rc.response();
        if (response.closed() || response.ended()) {
            release.run();
            return;
        }
        response.setChunked(true).putHeader("Content-Type", "text/event-stream;charset=UTF-8")
                .putHeader("Cache-Control", "no-store").putHeader("X-Accel-Buffering", "no");
        Connection connection = new Connection(id, from, response, context);
        Runnable untrack = readers.add(new StreamReaders.Reader(admitted.principal(), admitted.serverId(), admitted.generation(),
                connection::end));
        // the response ended or the connection closed: the slot is free and the stream stops
        rc.addEndHandler(v -> {
            untrack.run();
            connection.close();
            release.run();
        });
        connection.start();
    }

    private static void unauthorized(RoutingContext rc) {
        problem(rc, 401, "Unauthorized", "Missing, invalid or expired credentials", Map.of("WWW-Authenticate", "Bearer"));
    }

    private static void problem(RoutingContext rc, int status, String title, String detail, Map<String, String> headers) {
        HttpServerResponse r = rc.response();
        if (r.ended() || r.closed()) {
            return;
        }
        r.setStatusCode(status).putHeader("Content-Type", ProblemMapper.PROBLEM_JSON);
        headers.forEach(r::putHeader);
        r.end(ProblemMapper.json(status, title, detail, rc.request().path()));
    }

    /**
     * One client's stream. Lines reach it two ways: handed over in memory when this replica runs the deployment
     * ({@link LiveLines}, milliseconds after the SSH channel produced them), and read from PostgreSQL after a NOTIFY,
     * a 1 s poll or a resume. Everything that touches its state runs on the connection's own Vert.x context, and it
     * sends only the line after the last one it sent, so the two ways never lose or repeat a line. Events are
     * formatted into one buffer and written once per batch.
     */
    private final class Connection {
        private final long id;
        private final HttpServerResponse response;
        private final Context context;
        private final StringBuilder out = new StringBuilder();
        private final AtomicBoolean busy = new AtomicBoolean();
        private final AtomicBoolean again = new AtomicBoolean();
        private final AtomicBoolean done = new AtomicBoolean();
        private final AtomicBoolean drainScheduled = new AtomicBoolean();
        private Runnable stop = () -> { };
        private int last;

        Connection(long id, int from, HttpServerResponse response, Context context) {
            this.id = id;
            this.last = from;
            this.response = response;
            this.context = context;
        }

        /** Ends the stream from this side (its reader may no longer read it). */
        void end() {
            context.runOnContext(v -> {
                if (!response.ended() && !response.closed()) {
                    response.end();
                }
            });
        }

        void start() {
            Runnable untap = live.tap(id, this::wake);
            var changes = events.changesOf(id).subscribe().with(x -> pump());
            // a safety net for a missed NOTIFY (or none at all while the LISTEN connection reconnects)
            Periodic.Handle polling = periodic.every("Live log poll of deployment " + id, Duration.ofSeconds(1), Duration.ofSeconds(1),
                    () -> {
                        pump();
                        return Uni.createFrom().voidItem();
                    });
            stop = () -> {
                untap.run();
                changes.cancel();
                polling.cancel();
            };
            response.drainHandler(v -> {
                pump();
                wake();
            });
            // a comment first: the client has the response headers before the first line exists
            out.append(": deployment ").append(id).append("\n\n");
            flush();
            pump();
        }

        void close() {
            if (!done.getAndSet(true)) {
                stop.run();
            }
        }

        /** On the thread reading the SSH channel: lines arrived; schedule one drain. */
        private void wake() {
            if (!done.get() && drainScheduled.compareAndSet(false, true)) {
                context.runOnContext(v -> {
                    drainScheduled.set(false);
                    drain();
                });
            }
        }

        /**
         * Sends the lines this replica holds in memory after the last one sent, a batch at a time; when the line after
         * the last one sent is no longer (or not yet) in memory, the stored lines fill the gap.
         */
        private void drain() {
            if (done.get() || response.writeQueueFull()) {
                return; // a slow reader: the drain handler pumps again when the socket has taken what it has
            }
            // also while a read from the database is under way: both run on this context and send only line last + 1
            List<LogLine> batch = live.after(id, last, MEMORY_BATCH);
            for (LogLine l : batch) {
                if (l.lineNo() == last + 1) {
                    emitLine(l);
                }
            }
            flush();
            if (batch.size() == MEMORY_BATCH) {
                wake(); // more is waiting: go on after whatever else this context has to do
            }
        }

        /** Wakes a read from the database, on the connection's context; a wake-up during a read schedules one more. */
        private void pump() {
            context.runOnContext(v -> pumpNow());
        }

        private void pumpNow() {
            if (done.get()) {
                return;
            }
            if (!busy.compareAndSet(false, true)) {
                again.set(true);
                return;
            }
            again.set(false);
            step().emitOn(r -> context.runOnContext(x -> r.run())).subscribe().with(finalView -> {
                if (finalView != null) {
                    finish(finalView);
                    return;
                }
                busy.set(false);
                drain();
                if (again.get()) {
                    pumpNow();
                }
            }, failure -> busy.set(false)); // a database hiccup: the next tick retries
        }

        private void finish(DeploymentView finalView) {
            if (done.get()) {
                return;
            }
            event(null, "status", finalView);
            flush();
            close();
            response.end();
        }

        /**
         * Sends every stored line after {@code last}, a batch at a time while the socket takes them; answers the
         * deployment once it is final and fully sent.
         */
        private Uni<DeploymentView> step() {
            return repository.lines(id, last, BATCH).emitOn(r -> context.runOnContext(x -> r.run())).chain(lines -> {
                send(lines);
                if (done.get() || response.writeQueueFull()) {
                    return Uni.createFrom().nullItem(); // the drain handler pumps again
                }
                if (lines.size() == BATCH) {
                    return step();
                }
                return repository.find(id).chain(d -> {
                    if (d == null || !DeploymentStatus.valueOf(d.status()).isFinal()) {
                        return Uni.createFrom().nullItem();
                    }
                    // the runner stores its last lines before it records the final status: drain them, then finish
                    return repository.lines(id, last, BATCH).emitOn(r -> context.runOnContext(x -> r.run())).chain(rest -> {
                        send(rest);
                        if (rest.size() == BATCH) {
                            return step(); // more stored lines than one batch after the final status: on with them
                        }
                        return response.writeQueueFull() ? Uni.createFrom().<DeploymentView>nullItem() : Uni.createFrom().item(d);
                    });
                });
            });
        }

        /** Stored lines come in order from {@code last + 1} as it was when read; those sent meanwhile are skipped. */
        private void send(List<LogLine> lines) {
            for (LogLine l : lines) {
                if (l.lineNo() == last + 1) {
                    emitLine(l);
                }
            }
            flush();
        }

        private void emitLine(LogLine l) {
            if (done.get()) {
                return;
            }
            lineEvent(out, l);
            last = l.lineNo();
            DeploymentView.Step step = l.stream() == 's' ? StepLog.parse(l.text()) : null;
            if (step != null) {
                event(String.valueOf(l.lineNo()), "step", new StepEvent(l.lineNo(), l.at(), step.name(), step.state(), step.detail()));
            }
        }

        /** One event in SSE's text form; JSON has no raw line break, so the data is a single {@code data:} line. */
        private void event(String eventId, String name, Object data) {
            if (eventId != null) {
                out.append("id: ").append(eventId).append('\n');
            }
            out.append("event: ").append(name).append("\ndata: ");
            try {
                out.append(json.writeValueAsString(data));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("Cannot write a live log event as JSON", e);
            }
            out.append("\n\n");
        }

        /** Writes the events formatted so far as one chunk. */
        private void flush() {
            if (out.length() == 0 || done.get()) {
                return;
            }
            String chunk = out.toString();
            out.setLength(0);
            try {
                response.write(chunk);
            } catch (IllegalStateException closed) {
                close(); // the client went away between two writes
            }
        }
    }

    /**
     * A {@code line} event: the text the application's JSON mapper writes for {@link LogEvent}, formatted straight
     * into the chunk (a JSON generator and a String per line cost a burst more than the rest of its way out).
     */
    static void lineEvent(StringBuilder out, LogLine l) {
        out.append("id: ").append(l.lineNo()).append("\nevent: line\ndata: {\"line\":").append(l.lineNo()).append(",\"at\":\"");
        appendIsoUtc(out, l);
        out.append("\",\"stream\":\"").append(DeploymentResource.streamName(l.stream())).append("\",\"text\":\"");
        JsonStringEncoder.getInstance().quoteAsString(l.text(), out);
        out.append("\"}\n\n");
    }

    /**
     * The line's time as {@link DateTimeFormatter#ISO_OFFSET_DATE_TIME} writes it in UTC ({@code 2026-12-05T03:19:05.1234Z}:
     * seconds always, the fraction without trailing zeros, none when zero), without the formatter's dozen objects per
     * line (a BigDecimal and Strings for every field).
     */
    static void appendIsoUtc(StringBuilder out, LogLine l) {
        long micros = l.atMicros();
        long secs = Math.floorDiv(micros, 1_000_000L);
        LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(secs, 86_400L));
        if (date.getYear() < 1000 || date.getYear() > 9999) {
            DateTimeFormatter.ISO_OFFSET_DATE_TIME.formatTo(l.at(), out); // years that are not four plain digits
            return;
        }
        int second = (int) Math.floorMod(secs, 86_400L);
        out.append(date.getYear()).append('-');
        twoDigits(out, date.getMonthValue()).append('-');
        twoDigits(out, date.getDayOfMonth()).append('T');
        twoDigits(out, second / 3600).append(':');
        twoDigits(out, second / 60 % 60).append(':');
        twoDigits(out, second % 60);
        int fraction = (int) Math.floorMod(micros, 1_000_000L);
        if (fraction != 0) {
            out.append('.');
            for (int unit = 100_000; fraction != 0; unit /= 10) { // leading zeros kept, trailing ones never written
                out.append((char) ('0' + fraction / unit));
                fraction %= unit;
            }
        }
        out.append('Z');
    }

    private static StringBuilder twoDigits(StringBuilder out, int value) {
        return out.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    private static int parse(String value) {
        if (value == null || value.isBlank()) {
            return 0;
        }
        try {
            return Math.max(0, Integer.parseInt(value.trim()));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
