package io.triggerdeploy.deploy;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.security.Role;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponseSchema;
import org.jboss.resteasy.reactive.RestResponse;

/**
 * {@code POST /api/servers/{id}/rollback}: deploys the version and values of an earlier success again: {@code to}, or
 * by default the newest success before what runs now that is neither of the version running now nor one a rollback
 * replaced (so a second rollback steps further back). {@code GET} answers that plan before anyone confirms it.
 */
@Path("/api/servers/{id}/rollback")
@Produces(MediaType.APPLICATION_JSON)
public class RollbackResource {

    private final DeploymentService service;
    private final SecurityIdentity identity;

    public RollbackResource(DeploymentService service, SecurityIdentity identity) {
        this.service = service;
        this.identity = identity;
    }

    /** Which earlier success to go back to (default: the last one before the current deployment). */
    public record RollbackRequest(Long to, @Size(max = 500) String note,
                                  @Size(max = 500) @org.eclipse.microprofile.openapi.annotations.media.Schema(description =
                                          "Emergency bypass of the environment's approvals, freezes and deploy hours, where "
                                          + "it allows it: the reason") String breakGlass) {
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "planRollback", summary = "What a rollback would deploy: from which deployment, to which by default, "
            + "and the earlier successes to pick from")
    public Uni<RollbackPlan> plan(@PathParam("id") String server, @Context HttpServerRequest http) {
        return service.rollbackPlan(server, DeploymentResource.command(identity, null, http).acting());
    }

    @POST
    @RolesAllowed(Role.OPERATOR_NAME)
    @APIResponseSchema(value = DeploymentView.class, responseCode = "202", responseDescription = "Queued, or waiting for approvals; Location names the deployment")
    @Operation(operationId = "rollbackServer")
    public Uni<RestResponse<DeploymentView>> rollback(@PathParam("id") String server, @Valid RollbackRequest request,
                                                      @Context HttpServerRequest http) {
        Long to = request == null ? null : request.to();
        String note = request == null ? null : request.note();
        return service.rollback(server, to, DeploymentResource.command(identity, note, http)
                .withBreakGlass(request == null ? null : request.breakGlass())).map(DeploymentResource::accepted);
    }
}
