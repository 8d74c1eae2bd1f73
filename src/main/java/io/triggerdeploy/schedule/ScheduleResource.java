package io.triggerdeploy.schedule;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
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
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
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

/** Scheduled deployments: everyone signed in reads them; operators, who may deploy, add, change and remove them. */
@Path("/api/schedules")
@Produces(MediaType.APPLICATION_JSON)
public class ScheduleResource {

    private final ScheduleService service;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    private final AccessService access;

    public ScheduleResource(ScheduleService service, AuditLog audit, SecurityIdentity identity,
                            AccessService access) {
        this.service = service;
        this.audit = audit;
        this.identity = identity;
        this.access = access;
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "listSchedules")
    public Uni<List<ScheduleView>> list(@QueryParam("server") String server) {
        return access.of(identity).chain(a -> service.list(server, a));
    }

    @GET
    @Path("{id}")
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getSchedule")
    public Uni<ScheduleView> get(@PathParam("id") long id) {
        return access.of(identity).chain(a -> service.get(id, a));
    }

    @POST
    @RolesAllowed(Role.OPERATOR_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = ScheduleView.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createSchedule")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(ref = "CreateScheduleRequest")))
    public Uni<RestResponse<ScheduleView>> create(@NotNull(message = "a JSON body is required") @Valid ScheduleRequest request) {
        return service.create(request, Callers.databaseUser(identity), audit.actor(identity)).map(s -> RestResponse.ResponseBuilder
                .<ScheduleView>created(URI.create("/api/schedules/" + s.id())).entity(s).build());
    }

    /** Changes a schedule; fields left out keep their values. */
    @PUT
    @Path("{id}")
    @RolesAllowed(Role.OPERATOR_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateSchedule")
    public Uni<ScheduleView> update(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid ScheduleRequest request) {
        return service.update(id, request, Callers.databaseUser(identity), audit.actor(identity));
    }

    @DELETE
    @Path("{id}")
    @RolesAllowed(Role.OPERATOR_NAME)
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteSchedule")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        return service.delete(id, Callers.databaseUser(identity), audit.actor(identity)).map(v -> RestResponse.noContent());
    }
}
