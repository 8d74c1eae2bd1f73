package io.triggerdeploy.monitor;

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
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;
import java.util.List;

/** {@code /api/services}: everyone signed in sees status and uptime; admins define services; operators check now. */
@Path("/api/services")
@Produces(MediaType.APPLICATION_JSON)
public class WatchResource {

    private final WatchService services;
    private final MonitorScheduler scheduler;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public WatchResource(WatchService services, MonitorScheduler scheduler, AuditLog audit,
                           SecurityIdentity identity) {
        this.services = services;
        this.scheduler = scheduler;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listServices")
    public Uni<List<WatchView>> list() {
        return services.list();
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getService")
    public Uni<WatchView> get(@PathParam("id") long id) {
        return services.get(id);
    }

    @POST
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "createService")
    @APIResponseSchema(value = WatchView.class, responseCode = "201", responseDescription = "Created; Location names it")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(ref = "CreateServiceRequest")))
    public Uni<RestResponse<WatchView>> create(@NotNull(message = "a JSON body is required") @Valid WatchRequest request) {
        return services.create(request, audit.actor(identity))
                .map(v -> RestResponse.ResponseBuilder.<WatchView>created(URI.create("/api/services/" + v.id())).entity(v).build());
    }

    @PATCH
    @Path("{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateService")
    public Uni<WatchView> patch(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid WatchRequest request) {
        return update(id, request);
    }

    @PUT
    @Path("{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "replaceService")
    public Uni<WatchView> put(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid WatchRequest request) {
        return update(id, request);
    }

    private Uni<WatchView> update(long id, WatchRequest request) {
        return services.update(id, request, audit.actor(identity));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "deleteService")
    @APIResponse(responseCode = "204", description = "Done; no body")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        return services.delete(id, audit.actor(identity))
                .map(v -> RestResponse.noContent());
    }

    /** Runs one check now and answers its result (stored like a scheduled one). */
    @POST
    @Path("{id}/check")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Operation(operationId = "checkService")
    public Uni<WatchView.Check> check(@PathParam("id") long id) {
        return scheduler.checkNow(id);
    }

    /** Imports the old tool's services.json (list or object format). */
    @POST
    @Path("import")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "importServices")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "LegacyServicesFile")))
    public Uni<WatchService.ImportResult> importLegacy(@NotNull(message = "a JSON body is required") Object body) {
        return services.importLegacy(body, audit.actor(identity));
    }

}
