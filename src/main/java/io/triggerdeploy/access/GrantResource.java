package io.triggerdeploy.access;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.security.Callers;
import io.triggerdeploy.security.Role;
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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
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

    private final GrantService grants;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public GrantResource(GrantService grants, AuditLog audit, SecurityIdentity identity) {
        this.grants = grants;
        this.audit = audit;
        this.identity = identity;
    }

    /** The grants the caller may manage, optionally of one environment or one server. */
    @GET
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "listGrants")
    public Uni<List<GrantView>> list(@QueryParam("environment") String environment, @QueryParam("server") String server) {
        return grants.list(environment, server, Callers.of(identity));
    }

    @POST
    @RolesAllowed(Role.OPERATOR_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = GrantView.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createGrant")
    public Uni<RestResponse<GrantView>> create(@NotNull(message = "a JSON body is required") @Valid GrantRequest request) {
        return grants.create(request, Callers.of(identity), audit.actor(identity))
                .map(g -> RestResponse.ResponseBuilder.<GrantView>created(URI.create("/api/grants/" + g.id())).entity(g).build());
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Role.OPERATOR_NAME)
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteGrant")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        return grants.delete(id, Callers.of(identity), audit.actor(identity)).map(x -> RestResponse.noContent());
    }
}
