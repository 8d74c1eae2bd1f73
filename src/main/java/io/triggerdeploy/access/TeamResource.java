package io.triggerdeploy.access;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.security.Role;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/** Teams: everyone signed in reads them (names and members), admins change them; every change is audited. */
@Path("/api/teams")
@Produces(MediaType.APPLICATION_JSON)
public class TeamResource {

    private final AccessRepository repository;
    private final Transactions transactions;
    private final AuditLog audit;
    private final SecurityIdentity identity;
    private final AccessCache cache;

    public TeamResource(AccessRepository repository, Transactions transactions, AuditLog audit, SecurityIdentity identity,
                        AccessCache cache) {
        this.cache = cache;
        this.repository = repository;
        this.transactions = transactions;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    public Uni<List<TeamView>> list() {
        return repository.teams();
    }

    @GET
    @Path("{team}")
    @RolesAllowed(Role.VIEWER_NAME)
    public Uni<TeamView> get(@PathParam("team") String team) {
        return teamId(team).chain(id -> repository.team(repository.pool(), id));
    }

    @POST
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<TeamView>> create(@NotNull(message = "a JSON body with name is required") @Valid TeamRequest request) {
        Actor actor = audit.actor(identity);
        String name = request.name().strip();
        String description = description(request.description());
        return changing(tx -> repository.insertTeam(tx, name, description).chain(id -> {
            if (id == null) {
                throw ProblemException.conflict("A team named '" + name + "' already exists");
            }
            return audit.record(tx, actor, null, "team.created", "team", name, description == null ? "" : description, true)
                    .chain(() -> repository.team(tx.client(), id));
        })).map(t -> RestResponse.ResponseBuilder.<TeamView>created(URI.create("/api/teams/" + t.id())).entity(t).build());
    }

    @PUT
    @Path("{team}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<TeamView> update(@PathParam("team") String team,
                                @NotNull(message = "a JSON body with name is required") @Valid TeamRequest request) {
        Actor actor = audit.actor(identity);
        String name = request.name().strip();
        String description = description(request.description());
        return teamId(team).chain(id -> changing(tx -> repository.nameTaken(tx.client(), name, id).chain(taken -> {
            if (taken) {
                throw ProblemException.conflict("A team named '" + name + "' already exists");
            }
            return repository.updateTeam(tx, id, name, description)
                    .call(() -> audit.record(tx, actor, null, "team.updated", "team", name, "name and description", true))
                    .chain(() -> repository.team(tx.client(), id));
        })));
    }

    /** Deletes the team and every grant it held. */
    @DELETE
    @Path("{team}")
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<RestResponse<Void>> delete(@PathParam("team") String team) {
        Actor actor = audit.actor(identity);
        return teamId(team).chain(id -> changing(tx -> repository.team(tx.client(), id).chain(t -> t == null
                ? Uni.createFrom().failure(ProblemException.notFound("No team '" + team + "'")) : repository.deleteTeam(tx, id).call(() -> audit.record(tx, actor, null, "team.deleted", "team", t.name(),
                        t.members().size() + " members, " + t.grants() + " grants removed", true)))))
                .map(x -> RestResponse.noContent());
    }

    /** Adds a user (id or username) to the team; adding a member twice changes nothing. */
    @PUT
    @Path("{team}/members/{user}")
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<TeamView> addMember(@PathParam("team") String team, @PathParam("user") String user) {
        Actor actor = audit.actor(identity);
        return teamId(team).chain(id -> userId(user).chain(uid -> changing(tx -> repository.addMember(tx, id, uid)
                .call(added -> !added ? Uni.createFrom().voidItem() : repository.team(tx.client(), id).chain(t ->
                        audit.record(tx, actor, null, "team.member_added", "team", t.name(), "user " + user, true)))
                .chain(() -> repository.team(tx.client(), id)))));
    }

    /** The same with the user in the body ({@code user}: id or username), for forms. */
    @POST
    @Path("{team}/members")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<TeamView> addMemberByBody(@PathParam("team") String team,
                                         @NotNull(message = "a JSON body with user is required") @Valid Member body) {
        return addMember(team, body.user());
    }

    /** A user to add, by id or username. */
    public record Member(@jakarta.validation.constraints.NotBlank(message = "is required")
                         @jakarta.validation.constraints.Size(max = 64) String user) {
    }

    @DELETE
    @Path("{team}/members/{user}")
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<TeamView> removeMember(@PathParam("team") String team, @PathParam("user") String user) {
        Actor actor = audit.actor(identity);
        return teamId(team).chain(id -> userId(user).chain(uid -> changing(tx -> repository.removeMember(tx, id, uid)
                .call(removed -> {
                    if (!removed) {
                        throw ProblemException.notFound("User '" + user + "' is not a member of the team");
                    }
                    return repository.team(tx.client(), id).chain(t ->
                            audit.record(tx, actor, null, "team.member_removed", "team", t.name(), "user " + user, true));
                })
                .chain(() -> repository.team(tx.client(), id)))));
    }

    /** A transaction that changes teams or members; once it committed, this replica's cached permissions are forgotten. */
    private <T> Uni<T> changing(java.util.function.Function<io.triggerdeploy.db.Tx, Uni<T>> work) {
        return transactions.run(work).invoke(x -> cache.changed());
    }

    private Uni<Long> teamId(String ref) {
        return idOf(ref, "team", "id or name", repository::teamId);
    }

    private Uni<Long> userId(String ref) {
        return idOf(ref, "user", "id or username", repository::userId);
    }

    /** The id a path's reference names (404 naming it otherwise). */
    private Uni<Long> idOf(String ref, String what, String by,
                           java.util.function.BiFunction<io.vertx.mutiny.sqlclient.SqlClient, String, Uni<Long>> find) {
        if (ref == null || ref.isBlank() || ref.length() > 64) {
            return Uni.createFrom().failure(ProblemException.notFound("No " + what + " with that " + by));
        }
        return find.apply(repository.pool(), ref.trim()).map(id -> {
            if (id == null) {
                throw ProblemException.notFound("No " + what + " '" + ref.trim() + "'");
            }
            return id;
        });
    }

    private static String description(String d) {
        if (d == null || d.isBlank()) {
            return null;
        }
        if (d.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\t')) {
            throw ProblemException.invalid("description", "must not contain control characters");
        }
        return d.strip();
    }
}
