package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.common.Periodic;
import java.time.Duration;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;
import org.jboss.resteasy.reactive.RestStreamElementType;

import io.vertx.core.Vertx;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /api/deployments/{id}/events}: Server-Sent Events, one {@code line} event per log line (its line
 * number is the event id, so {@code Last-Event-ID} resumes without loss), a {@code step} event after each step marker
 * line of a run with steps (same id as its line), and a final {@code status} event.
 * Any replica serves any deployment: lines come from PostgreSQL, woken by LISTEN/NOTIFY and a 1 s poll, and, on the
 * replica that runs it, straight from the SSH channel ({@link LiveLines}).
 */
@Path("/api/deployments/{id}/events")
public class DeploymentStreamResource {

    private static final int BATCH = 500;
    /** Lines handed over in memory and not yet sent, per client; beyond it the client catches up from the database. */
    private static final int MAX_HANDED = 10_000;

    private final DeploymentService service;
    private final DeploymentRepository repository;
    private final DeployEvents events;
    private final Periodic periodic;
    private final LiveLines live;
    private final Vertx vertx;
    private final StreamSlots slots;
    private final io.quarkus.security.identity.CurrentIdentityAssociation identities;
    private final io.triggerdeploy.access.AccessService access;

    public DeploymentStreamResource(DeploymentService service, DeploymentRepository repository, DeployEvents events, Periodic periodic,
                                    LiveLines live, Vertx vertx, StreamSlots slots, io.quarkus.security.identity.CurrentIdentityAssociation identities,
                                    io.triggerdeploy.access.AccessService access) {
        this.access = access;
        this.slots = slots;
        this.identities = identities;
        this.service = service;
        this.repository = repository;
        this.events = events;
        this.periodic = periodic;
        this.live = live;
        this.vertx = vertx;
    }

    @GET
    @DeploymentMustExist
    @RolesAllowed(Role.VIEWER_NAME)
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<OutboundSseEvent> stream(@PathParam("id") long id, @HeaderParam("Last-Event-ID") String lastEventId,
                                               @QueryParam("last_event_id") String lastEventQuery, @Context Sse sse) {
        int from = parse(lastEventId != null ? lastEventId : lastEventQuery);
        // an unknown id never gets here: existsFilter answers 404 before the stream's headers are sent
        return Multi.createFrom().emitter(em -> new Connection(id, from, sse, em).start());
    }

    /**
     * Answers 404 (problem+json) for the stream of an unknown deployment, before any SSE header is written.
     * Name-bound to the stream method, so no other request pays for it.
     */
    @DeploymentMustExist
    @org.jboss.resteasy.reactive.server.ServerRequestFilter
    public Uni<org.jboss.resteasy.reactive.RestResponse<io.triggerdeploy.common.Problem>> existsFilter(
            jakarta.ws.rs.container.ContainerRequestContext ctx, io.vertx.core.http.HttpServerRequest request) {
        String raw = ctx.getUriInfo().getPathParameters().getFirst("id");
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            return Uni.createFrom().nullItem(); // the method's own parameter conversion answers this one
        }
        // a deployment of a server hidden from the caller is answered as if it did not exist
        return repository.find(id).chain(found -> found == null ? Uni.createFrom().<DeploymentView>nullItem()
                : identities.getDeferredIdentity().chain(identity -> identity == null || identity.isAnonymous()
                        || !(identity.getPrincipal() instanceof io.triggerdeploy.security.TriggerPrincipal)
                        ? Uni.createFrom().item(found)
                        : access.of(identity).map(a -> a.sees(found.serverId()) ? found : null))).chain(d -> {
            if (d == null) {
                return Uni.createFrom().item(problem(404, "Not Found", "No deployment " + id, ctx, null));
            }
            // a stream slot for the caller, held until the response ends or the connection closes
            return identities.getDeferredIdentity().map(identity -> {
                String user = identity == null || identity.isAnonymous() ? "?" : identity.getPrincipal().getName();
                Runnable release = slots.acquire(user);
                if (release == null) {
                    return problem(429, "Too Many Requests", "Too many live log streams are open (per user or on this "
                            + "replica); close one, or follow the log with GET /api/deployments/" + id + "/log", ctx, "5");
                }
                if (request instanceof io.vertx.ext.web.WebServerRequest web) {
                    web.routingContext().addEndHandler(v -> release.run()); // response ended or connection closed
                } else {
                    request.connection().closeHandler(v -> release.run());
                }
                return null;
            });
        });
    }

    private static org.jboss.resteasy.reactive.RestResponse<io.triggerdeploy.common.Problem> problem(
            int status, String title, String detail, jakarta.ws.rs.container.ContainerRequestContext ctx, String retryAfter) {
        return io.triggerdeploy.common.ProblemMapper.response(status, title, detail, ctx.getUriInfo().getPath(),
                retryAfter == null ? java.util.Map.of() : java.util.Map.of("Retry-After", retryAfter));
    }

    /**
     * One client's stream. Lines reach it two ways: handed over in memory when this replica runs the deployment
     * ({@link LiveLines}, milliseconds after the SSH channel produced them), and read from PostgreSQL after a NOTIFY,
     * a 1 s poll or a resume. Everything that touches its state runs on the connection's own Vert.x context, and it
     * sends only the line after the last one it sent, so the two ways never lose or repeat a line.
     */
    private final class Connection {
        private final long id;
        private final Sse sse;
        private final MultiEmitter<? super OutboundSseEvent> emitter;
        private final AtomicBoolean busy = new AtomicBoolean();
        private final AtomicBoolean again = new AtomicBoolean();
        private final AtomicBoolean done = new AtomicBoolean();
        private final ConcurrentLinkedQueue<LogLine> handed = new ConcurrentLinkedQueue<>();
        private final AtomicInteger handedCount = new AtomicInteger();
        private final AtomicBoolean drainScheduled = new AtomicBoolean();
        private io.vertx.core.Context context;
        private int last;

        Connection(long id, int from, Sse sse, MultiEmitter<? super OutboundSseEvent> emitter) {
            this.id = id;
            this.last = from;
            this.sse = sse;
            this.emitter = emitter;
        }

        void start() {
            io.vertx.core.Context current = Vertx.currentContext();
            context = current != null ? current : vertx.getOrCreateContext();
            Runnable untap = live.tap(id, this::handOver);
            var changes = events.changesOf(id).subscribe().with(x -> pump());
            // a safety net for a missed NOTIFY (or none at all while the LISTEN connection reconnects)
            Periodic.Handle polling = periodic.every("Live log poll of deployment " + id, Duration.ofSeconds(1), Duration.ofSeconds(1),
                    () -> {
                        pump();
                        return Uni.createFrom().voidItem();
                    });
            emitter.onTermination(() -> {
                done.set(true);
                untap.run();
                changes.cancel();
                polling.cancel();
            });
            pump();
        }

        /** On the thread reading the SSH channel: queue the line (bounded) and schedule one drain. */
        private void handOver(LogLine line) {
            if (done.get()) {
                return;
            }
            if (handedCount.incrementAndGet() > MAX_HANDED) {
                handedCount.decrementAndGet(); // a slow client: the stored lines fill the gap later
                return;
            }
            handed.add(line);
            if (drainScheduled.compareAndSet(false, true)) {
                context.runOnContext(v -> {
                    drainScheduled.set(false);
                    drain();
                });
            }
        }

        /** Sends the handed-over lines that follow the last one sent; at a gap it waits for the stored lines. */
        private void drain() {
            if (done.get()) {
                return;
            }
            // also while a read from the database is under way: both run on this context and send only line last + 1
            for (LogLine l = handed.peek(); l != null && l.lineNo() <= last + 1; l = handed.peek()) {
                handed.poll();
                handedCount.decrementAndGet();
                if (l.lineNo() == last + 1) {
                    emitLine(l);
                }
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
                    if (!done.getAndSet(true)) {
                        emitter.emit(sse.newEventBuilder().name("status").mediaType(MediaType.APPLICATION_JSON_TYPE)
                                .data(DeploymentView.class, finalView).build());
                        emitter.complete();
                    }
                    return;
                }
                busy.set(false);
                drain();
                if (again.get()) {
                    pumpNow();
                }
            }, failure -> busy.set(false)); // a database hiccup: the next tick retries
        }

        /** Sends every stored line after {@code last}; answers the deployment once it is final and fully sent. */
        private Uni<DeploymentView> step() {
            return repository.lines(id, last, BATCH).emitOn(r -> context.runOnContext(x -> r.run())).chain(lines -> {
                send(lines);
                if (lines.size() == BATCH) {
                    return step();
                }
                return repository.find(id).chain(d -> {
                    if (d == null || !DeploymentStatus.valueOf(d.status()).isFinal()) {
                        return Uni.createFrom().nullItem();
                    }
                    // the runner stores its last lines before it records the final status: drain them, then finish
                    return repository.lines(id, last, Integer.MAX_VALUE).emitOn(r -> context.runOnContext(x -> r.run()))
                            .map(rest -> {
                                send(rest);
                                return d;
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
        }

        private void emitLine(LogLine l) {
            if (done.get()) {
                return;
            }
            emitter.emit(sse.newEventBuilder().id(String.valueOf(l.lineNo())).name("line")
                    .mediaType(MediaType.APPLICATION_JSON_TYPE)
                    .data(LogEvent.class, new LogEvent(l.lineNo(), l.at(), DeploymentResource.streamName(l.stream()), l.text()))
                    .build());
            last = l.lineNo();
            DeploymentView.Step step = l.stream() == 's' ? StepLog.parse(l.text()) : null;
            if (step != null) {
                emitter.emit(sse.newEventBuilder().id(String.valueOf(l.lineNo())).name("step")
                        .mediaType(MediaType.APPLICATION_JSON_TYPE)
                        .data(StepEvent.class, new StepEvent(l.lineNo(), l.at(), step.name(), step.state(), step.detail()))
                        .build());
            }
        }
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
