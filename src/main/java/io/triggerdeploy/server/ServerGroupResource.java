package io.triggerdeploy.server;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
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
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/** Server groups: everyone signed in reads them (the servers they may see), admins change them; every change audited. */
@Path("/api/groups")
@Produces(MediaType.APPLICATION_JSON)
public class ServerGroupResource {

    private final ServerGroupService groups;
    private final AccessService access;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public ServerGroupResource(ServerGroupService groups, AccessService access, AuditLog audit, SecurityIdentity identity) {
        this.groups = groups;
        this.access = access;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listGroups")
    public Uni<List<ServerGroupView>> list() {
        return access.of(identity).chain(groups::list);
    }

    @GET
    @Path("{name}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getGroup")
    public Uni<ServerGroupView> get(@PathParam("name") String name) {
        return access.of(identity).chain(a -> groups.get(name, a));
    }

    @POST
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = ServerGroupView.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createGroup")
    public Uni<RestResponse<ServerGroupView>> create(@NotNull(message = "a JSON body with name and servers is required")
                                                     @Valid ServerGroupRequest request) {
        return groups.create(request, audit.actor(identity)).map(g -> RestResponse.ResponseBuilder.<ServerGroupView>created(
                URI.create("/api/groups/" + g.name())).entity(g).build());
    }

    /** Replaces the group's name, description and servers. */
    @PUT
    @Path("{name}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateGroup")
    public Uni<ServerGroupView> update(@PathParam("name") String name,
                                       @NotNull(message = "a JSON body with name and servers is required")
                                       @Valid ServerGroupRequest request) {
        return groups.update(name, request, audit.actor(identity));
    }

    @DELETE
    @Path("{name}")
    @RolesAllowed(Role.ADMIN_NAME)
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteGroup")
    public Uni<RestResponse<Void>> delete(@PathParam("name") String name) {
        return groups.delete(name, audit.actor(identity)).map(x -> RestResponse.noContent());
    }
}
