package io.triggerdeploy.deploy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.triggerdeploy.common.Periodic;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

import java.util.Map;

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

    static final String PATH = "/api/deployments/:id/events";
    private static final String ALLOW = "GET, OPTIONS";
    private static final Logger LOG = Logger.getLogger(DeploymentStream.class);

    private final StreamAdmission admission;
    private final StreamReaders readers;
    private final DeploymentRepository repository;
    private final DeployEvents events;
    private final Periodic periodic;
    private final LiveLines live;
    private final ObjectMapper json;

    public DeploymentStream(StreamAdmission admission, StreamReaders readers, DeploymentRepository repository, DeployEvents events,
                            Periodic periodic, LiveLines live, ObjectMapper json) {
        this.admission = admission;
        this.readers = readers;
        this.repository = repository;
        this.events = events;
        this.periodic = periodic;
        this.live = live;
        this.json = json;
    }

    /** After authentication (which only prepares a deferred identity here) and before the JAX-RS routes. */
    void register(@Observes Router router) {
        router.get(PATH).order(-10).handler(this::handle);
        // the stream is read, never written: OPTIONS says so, and any other method is a 405 that says so too
        router.route(PATH).order(-9).handler(rc -> {
            rc.response().putHeader("Allow", ALLOW);
            if (rc.request().method() == HttpMethod.OPTIONS) {
                rc.response().setStatusCode(204).end();
            } else {
                StreamAdmission.problem(rc, 405, "Method Not Allowed", "The live log is read with GET", Map.of());
            }
        });
    }


    private void handle(RoutingContext rc) {
        long id;
        try {
            id = Long.parseLong(rc.pathParam("id"));
        } catch (NumberFormatException e) {
            StreamAdmission.problem(rc, 404, "Not Found", "No deployment " + rc.pathParam("id"), Map.of());
            return;
        }
        String header = rc.request().getHeader("Last-Event-ID");
        int from = parse(header != null ? header : rc.request().getParam("last_event_id"));
        Context context = Vertx.currentContext();
        QuarkusHttpUser.getSecurityIdentity(rc, null)
                .chain(identity -> admission.admit(rc, id, identity))
                .subscribe().with(admitted -> {
                    if (admitted != null) {
                        context.runOnContext(v -> open(rc, id, from, admitted, context));
                    }
                }, failure -> {
                    if (failure instanceof AuthenticationFailedException) {
                        StreamAdmission.unauthorized(rc);
                    } else {
                        LOG.warnf("Live log stream of deployment %d refused: %s", id, failure.getClass().getSimpleName());
                        StreamAdmission.problem(rc, 503, "Service Unavailable", "The database is unreachable; try again shortly", Map.of("Retry-After", "5"));
                    }
                });
    }

    private void open(RoutingContext rc, long id, int from, StreamAdmission.Admitted admitted, Context context) {
        Runnable release = admitted.release();
        HttpServerResponse response = rc.response();
        if (response.closed() || response.ended()) {
            release.run();
            return;
        }
        response.setChunked(true).putHeader("Content-Type", "text/event-stream;charset=UTF-8")
                .putHeader("Cache-Control", "no-store").putHeader("X-Accel-Buffering", "no");
        LiveLogConnection connection = new LiveLogConnection(id, from, response, context, repository, events, periodic, live, json);
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
