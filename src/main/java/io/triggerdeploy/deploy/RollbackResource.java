package io.triggerdeploy.deploy;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.security.Role;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Size;
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
 * {@code POST /api/servers/{id}/rollback}: deploys the version and values of the last successful deployment before
 * the server's current one again, or of {@code to}, an earlier success.
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
