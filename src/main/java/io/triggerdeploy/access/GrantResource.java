package io.triggerdeploy.access;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.security.Callers;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import io.vertx.mutiny.sqlclient.SqlClient;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/**
 * Grants: admins see and change all; an operator holding {@code manage} on an environment sees and changes the grants on
 * it and on its servers. The first grant on an environment (or server) restricts it to the teams and users granted.
 */
@Path("/api/grants")
@Produces(MediaType.APPLICATION_JSON)
public class GrantResource {

    private final AccessRepository repository;
    private final AccessService access;
    private final Transactions transactions;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public GrantResource(AccessRepository repository, AccessService access, Transactions transactions, AuditLog audit,
                         SecurityIdentity identity) {
        this.repository = repository;
        this.access = access;
        this.transactions = transactions;
        this.audit = audit;
        this.identity = identity;
    }

    /** The grants the caller may manage, optionally of one environment or one server. */
    @GET
    @RolesAllowed(Role.OPERATOR_NAME)
    public Uni<List<GrantView>> list(@QueryParam("environment") String environment, @QueryParam("server") String server) {
        TriggerPrincipal p = Callers.of(identity);
        SqlClient c = repository.pool();
        Uni<Long> envId = blank(environment) ? Uni.createFrom().nullItem() : environmentId(c, environment.trim());
        return access.of(p).chain(a -> envId.chain(e -> (blank(server) ? Uni.createFrom().<Long>nullItem()
                : serverRef(c, server.trim(), a).map(AccessRepository.ServerRef::id)).chain(s -> repository.grants(
                a.isAdmin() ? null : managed(a), e, s))));
    }

    private static Long[] managed(Access a) {
        return a.managedEnvironmentIds().toArray(new Long[0]);
    }

    @POST
    @RolesAllowed(Role.OPERATOR_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<GrantView>> create(@NotNull(message = "a JSON body is required") @Valid GrantRequest request) {
        TriggerPrincipal p = Callers.of(identity);
        Actor actor = audit.actor(identity);
        if (blank(request.environment()) && blank(request.server())) {
            throw ProblemException.invalid("environment", "give an environment, or a server (with or without its environment)");
        }
        if (blank(request.team()) == blank(request.user())) {
            throw ProblemException.invalid("team", "give exactly one of team and user");
        }
        String permission = request.permission().trim();
        return access.of(p).chain(a -> transactions.run(tx -> {
            SqlClient c = tx.client();
            // a server (optionally with the environment it must be in) or a whole environment
            Uni<Scope> scope = blank(request.server())
                    ? environmentId(c, request.environment().trim()).map(id -> new Scope(id, null, id, "environment " + request.environment().trim()))
                    : serverRef(c, request.server().trim(), a).chain(s -> (blank(request.environment()) ? Uni.createFrom().<Long>nullItem()
                            : environmentId(c, request.environment().trim())).map(env -> {
                        if (env != null && !env.equals(s.environmentId())) {
                            throw ProblemException.invalid("server", "'" + s.alias() + "' is not in environment " + request.environment().trim());
                        }
                        return new Scope(null, s.id(), s.environmentId(), "server " + s.alias());
                    }));
            Uni<Long[]> subject = !blank(request.team())
                    ? repository.teamId(c, request.team().trim()).map(id -> new Long[]{require(id, "team", request.team()), null})
                    : repository.userId(c, request.user().trim()).map(id -> new Long[]{null, require(id, "user", request.user())});
            return scope.chain(sc -> subject.chain(sub -> {
                requireManages(a, sc.scopeEnvironmentId(), sc.describe());
                return repository.insertGrant(tx, sc.environmentId(), sc.serverId(), sub[0], sub[1], permission, p.username())
                        .chain(id -> {
                            if (id == null) {
                                throw ProblemException.conflict("That grant exists already");
                            }
                            String to = sub[0] != null ? "team " + request.team().trim() : "user " + request.user().trim();
                            return audit.record(tx, actor, null, "grant.created", "grant", "#" + id,
                                    permission + " on " + sc.describe() + " to " + to, true).chain(() -> repository.grant(c, id));
                        });
            }));
        })).invoke(x -> access.changed()).map(g -> RestResponse.ResponseBuilder.<GrantView>created(URI.create("/api/grants/" + g.id())).entity(g).build());
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Role.OPERATOR_NAME)
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        TriggerPrincipal p = Callers.of(identity);
        Actor actor = audit.actor(identity);
        return access.of(p).chain(a -> transactions.run(tx -> repository.grant(tx.client(), id).chain(g -> {
            if (g == null || !a.isAdmin() && (g.scopeEnvironmentId() == null || !a.managesEnvironment(g.scopeEnvironmentId()))) {
                throw ProblemException.notFound("No grant " + id);
            }
            return repository.deleteGrant(tx, id).call(() -> audit.record(tx, actor, null, "grant.deleted", "grant", "#" + id,
                    g.permission() + " on " + (g.environment() != null ? "environment " + g.environment() : "server " + g.server())
                            + " to " + (g.team() != null ? "team " + g.team() : "user " + g.user()), true));
        }))).invoke(x -> access.changed()).map(x -> RestResponse.noContent());
    }

    private record Scope(Long environmentId, Long serverId, Long scopeEnvironmentId, String describe) {
    }

    private static void requireManages(Access a, Long environmentId, String what) {
        if (a.isAdmin()) {
            return;
        }
        if (environmentId == null || !a.managesEnvironment(environmentId)) {
            throw ProblemException.forbidden("Changing the grants on " + what + " needs manage on its environment");
        }
    }

    private Uni<Long> environmentId(SqlClient c, String name) {
        return repository.environmentId(c, name).map(id -> require(id, "environment", name));
    }

    /** The server a grant names, if the caller may see it: a hidden server answers like an unknown one. */
    private Uni<AccessRepository.ServerRef> serverRef(SqlClient c, String ref, Access a) {
        if (ref.length() > 253 || ref.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw ProblemException.invalid("server", "no such server");
        }
        return repository.server(c, ref).map(s -> {
            if (s == null || !a.sees(s.id())) {
                throw ProblemException.invalid("server", "no server '" + ref + "'");
            }
            return s;
        });
    }

    private static Long require(Long id, String field, String ref) {
        if (id == null) {
            throw ProblemException.invalid(field, "no " + field + " '" + ref.trim() + "'");
        }
        return id;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
