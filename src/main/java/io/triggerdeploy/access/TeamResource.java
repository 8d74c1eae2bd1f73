package io.triggerdeploy.access;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.AuditLog;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/** Teams: everyone signed in reads them (names and members), admins change them; every change is audited. */
@Path("/api/teams")
@Produces(MediaType.APPLICATION_JSON)
public class TeamResource {

    private final TeamService teams;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public TeamResource(TeamService teams, AuditLog audit, SecurityIdentity identity) {
        this.teams = teams;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listTeams")
    public Uni<List<TeamView>> list() {
        return teams.list();
    }

    @GET
    @Path("{team}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getTeam")
    public Uni<TeamView> get(@PathParam("team") String team) {
        return teams.get(team);
    }

    @POST
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = TeamView.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createTeam")
    public Uni<RestResponse<TeamView>> create(@NotNull(message = "a JSON body with name is required") @Valid TeamRequest request) {
        return teams.create(request, audit.actor(identity))
                .map(t -> RestResponse.ResponseBuilder.<TeamView>created(URI.create("/api/teams/" + t.id())).entity(t).build());
    }

    @PUT
    @Path("{team}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateTeam")
    public Uni<TeamView> update(@PathParam("team") String team,
                                @NotNull(message = "a JSON body with name is required") @Valid TeamRequest request) {
        return teams.update(team, request, audit.actor(identity));
    }

    /** Deletes the team and every grant it held. */
    @DELETE
    @Path("{team}")
    @RolesAllowed(Role.ADMIN_NAME)
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteTeam")
    public Uni<RestResponse<Void>> delete(@PathParam("team") String team) {
        return teams.delete(team, audit.actor(identity)).map(x -> RestResponse.noContent());
    }

    /** Adds a user (id or username) to the team; adding a member twice changes nothing. */
    @PUT
    @Path("{team}/members/{user}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "putTeamMember")
    public Uni<TeamView> addMember(@PathParam("team") String team, @PathParam("user") String user) {
        return teams.addMember(team, user, audit.actor(identity));
    }

    /** The same with the user in the body ({@code user}: id or username), for forms. */
    @POST
    @Path("{team}/members")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "addTeamMember")
    public Uni<TeamView> addMemberByBody(@PathParam("team") String team,
                                         @NotNull(message = "a JSON body with user is required") @Valid Member body) {
        return addMember(team, body.user());
    }

    /** A user to add, by id or username. */
    @Schema(name = "MemberRequest")
    public record Member(@jakarta.validation.constraints.NotBlank(message = "is required")
                         @jakarta.validation.constraints.Size(max = 64) String user) {
    }

    @DELETE
    @Path("{team}/members/{user}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "removeTeamMember")
    public Uni<TeamView> removeMember(@PathParam("team") String team, @PathParam("user") String user) {
        return teams.removeMember(team, user, audit.actor(identity));
    }
}
