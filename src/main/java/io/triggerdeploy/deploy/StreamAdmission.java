package io.triggerdeploy.deploy;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.common.ProblemMapper;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Map;

/**
 * Who may open a live log stream, decided before its first byte as the API's other routes decide it: the caller's
 * identity, the viewer role, the deployment (404 when unknown or on a server the caller does not see) and a stream slot.
 */
@ApplicationScoped
class StreamAdmission {

    private final DeploymentRepository repository;
    private final AccessService access;
    private final StreamSlots slots;
    private final StreamReaders readers;

    StreamAdmission(DeploymentRepository repository, AccessService access, StreamSlots slots, StreamReaders readers) {
        this.repository = repository;
        this.access = access;
        this.slots = slots;
        this.readers = readers;
    }

    /**
     * What the caller may do, answered before any stream header: 401, 403, 404 for an unknown or hidden deployment, 429
     * without a free stream slot; else the slot (its release).
     */
    Uni<Admitted> admit(RoutingContext rc, long id, SecurityIdentity identity) {
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
    record Admitted(TriggerPrincipal principal, long serverId, Integer generation, Runnable release) {
        Admitted at(Integer generation) {
            return new Admitted(principal, serverId, generation, release);
        }
    }

    static void unauthorized(RoutingContext rc) {
        problem(rc, 401, "Unauthorized", "Missing, invalid or expired credentials", Map.of("WWW-Authenticate", "Bearer"));
    }

    static void problem(RoutingContext rc, int status, String title, String detail, Map<String, String> headers) {
        HttpServerResponse r = rc.response();
        if (r.ended() || r.closed()) {
            return;
        }
        r.setStatusCode(status).putHeader("Content-Type", ProblemMapper.PROBLEM_JSON);
        headers.forEach(r::putHeader);
        r.end(ProblemMapper.json(status, title, detail, rc.request().path()));
    }
}
