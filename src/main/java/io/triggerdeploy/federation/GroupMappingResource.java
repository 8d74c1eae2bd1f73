package io.triggerdeploy.federation;

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
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/**
 * The group mapping (admins): which groups of the identity provider give which role and which team memberships. It
 * is applied at each sign-in through the provider; every change is audited.
 */
@Path("/api/group-mappings")
@Produces(MediaType.APPLICATION_JSON)
@RolesAllowed(Role.ADMIN_NAME)
public class GroupMappingResource {

    private final GroupMappings mappings;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public GroupMappingResource(GroupMappings mappings, AuditLog audit, SecurityIdentity identity) {
        this.mappings = mappings;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    @Operation(operationId = "listGroupMappings")
    public Uni<List<GroupMapping>> list() {
        return mappings.list();
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = GroupMapping.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createGroupMapping")
    public Uni<RestResponse<GroupMapping>> create(
            @NotNull(message = "a JSON body with group and role or team is required") @Valid GroupMappingRequest request) {
        return mappings.create(request, audit.actor(identity))
                .map(m -> RestResponse.ResponseBuilder.<GroupMapping>created(URI.create("/api/group-mappings/" + m.id())).entity(m).build());
    }

    /** Removes a mapping; it stops applying at the next sign-in of the people it covered. */
    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteGroupMapping")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        return mappings.delete(id, audit.actor(identity)).map(x -> RestResponse.noContent());
    }
}
