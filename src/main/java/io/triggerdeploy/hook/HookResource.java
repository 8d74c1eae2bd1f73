package io.triggerdeploy.hook;

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
import jakarta.ws.rs.PATCH;
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

/** {@code /api/hooks} (admins): inbound webhooks bound to servers. The secret is shown once, at creation. */
@Path("/api/hooks")
@RolesAllowed(Role.ADMIN_NAME)
@Produces(MediaType.APPLICATION_JSON)
public class HookResource {

    private final HookService hooks;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public HookResource(HookService hooks, AuditLog audit, SecurityIdentity identity) {
        this.hooks = hooks;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    @Operation(operationId = "listHooks")
    public Uni<List<HookView>> list() {
        return hooks.list();
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getHook")
    public Uni<HookView> get(@PathParam("id") String id) {
        return hooks.get(id);
    }

    /** Every delivery of the hook, newest first (at most 100), refused ones included: outcome, status, reason. */
    @GET
    @Path("{id}/deliveries")
    @Operation(operationId = "listHookDeliveries")
    public Uni<List<HookDelivery>> deliveries(@PathParam("id") String id) {
        return hooks.deliveries(id);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = HookView.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createHook")
    public Uni<RestResponse<HookView>> create(@NotNull(message = "a JSON body is required") @Valid CreateHookRequest request) {
        return hooks.create(request, audit.actor(identity))
                .map(v -> RestResponse.ResponseBuilder.<HookView>created(URI.create("/api/hooks/" + v.id())).entity(v).build());
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateHook")
    public Uni<HookView> update(@PathParam("id") String id, @NotNull(message = "a JSON body is required") @Valid UpdateHookRequest request) {
        return hooks.update(id, request, audit.actor(identity));
    }

    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteHook")
    public Uni<RestResponse<Void>> delete(@PathParam("id") String id) {
        return hooks.delete(id, audit.actor(identity))
                .map(v -> RestResponse.noContent());
    }
}
