package io.triggerdeploy.deploy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Periodic;
import io.vertx.core.Context;
import io.vertx.core.http.HttpServerResponse;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client's stream. Lines reach it two ways: handed over in memory when this replica runs the deployment
 * ({@link LiveLines}, milliseconds after the SSH channel produced them), and read from PostgreSQL after a NOTIFY,
 * a 1 s poll or a resume. Everything that touches its state runs on the connection's own Vert.x context, and it
 * sends only the line after the last one it sent, so the two ways never lose or repeat a line. Events are
 * formatted into one buffer and written once per batch.
 */
final class LiveLogConnection {

    /** Stored lines read in one go. */
    private static final int BATCH = 500;
    /** Lines taken from memory in one go; then the connection's context may do other work before the next batch. */
    private static final int MEMORY_BATCH = 2000;

    private final long id;
    private final HttpServerResponse response;
    private final Context context;
    private final StringBuilder out = new StringBuilder();
    private final AtomicBoolean busy = new AtomicBoolean();
    private final AtomicBoolean again = new AtomicBoolean();
    private final AtomicBoolean done = new AtomicBoolean();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final DeploymentRepository repository;
    private final DeployEvents events;
    private final Periodic periodic;
    private final LiveLines live;
    private final ObjectMapper json;
    private Runnable stop = () -> { };
    private int last;

    LiveLogConnection(long id, int from, HttpServerResponse response, Context context, DeploymentRepository repository,
                      DeployEvents events, Periodic periodic, LiveLines live, ObjectMapper json) {
        this.id = id;
        this.response = response;
        this.context = context;
        this.repository = repository;
        this.events = events;
        this.periodic = periodic;
        this.live = live;
        this.json = json;
        this.last = from;
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
        SseEncoder.lineEvent(out, l);
        last = l.lineNo();
        DeploymentView.Step step = l.stream() == 's' ? StepLog.parse(l.text()) : null;
        if (step != null) {
            event(String.valueOf(l.lineNo()), "step", new StepEvent(l.lineNo(), l.at(), step.name(), step.state(), step.detail()));
        }
    }

    private void event(String eventId, String name, Object data) {
        try {
            SseEncoder.event(out, eventId, name, json.writeValueAsString(data));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("Cannot write a live log event as JSON", e);
        }
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
