package io.triggerdeploy.hook;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ClientAddress;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.deploy.RolloutStarter;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import java.net.URI;

/**
 * {@code POST /hooks/{id}}: a delivery from GitHub, GitLab or any sender that signs with HMAC. 202 with the
 * queued deployment, 204 when the event or branch filter skips it (header {@code X-Trigger-Deploy-Skipped} says
 * why), 401 for a wrong signature, 409 for a delivery id seen before.
 */
@Path("/hooks/{id}")
@PermitAll
public class InboundHookResource {

    private final HookService hooks;

    public InboundHookResource(HookService hooks) {
        this.hooks = hooks;
    }

    @POST
    @org.eclipse.microprofile.openapi.annotations.security.SecurityRequirements // authenticates itself
    @Operation(operationId = "deliverHook", summary = "A webhook delivery (signed by the sender; no bearer token)")
    @APIResponse(responseCode = "202", description = "A deployment was queued; Location names it",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = DeploymentView.class)))
    @APIResponse(responseCode = "201", description = "The hook's rollout was started, with the pushed version as its ref; "
            + "Location names it", content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(implementation = RolloutStarter.Started.class)))
    @APIResponse(responseCode = "204", description = "Skipped by the event or branch filter (X-Trigger-Deploy-Skipped says why)")
    @APIResponse(responseCode = "401", description = "Missing or wrong signature")
    @APIResponse(responseCode = "409", description = "This delivery id was received before (a replay)")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<RestResponse<Object>> deliver(@PathParam("id") String id,
                                                     @RequestBody(description = "The sender's event as it sent it (GitHub, GitLab: "
                                                             + "JSON); the signature covers these exact bytes",
                                                             content = @Content(mediaType = MediaType.APPLICATION_JSON,
                                                                     schema = @Schema(type = SchemaType.OBJECT))) byte[] body,
                                                     @Context HttpServerRequest http) {
        return hooks.deliver(id, http::getHeader, http.getHeader("Content-Type"), body == null ? new byte[0] : body,
                        ClientAddress.of(http))
                .map(o -> {
                    if (o.rollout() != null) {
                        return RestResponse.ResponseBuilder.<Object>create(RestResponse.Status.CREATED)
                                .location(URI.create("/api/rollouts/" + o.rollout().id())).entity(o.rollout()).build();
                    }
                    if (o.deployment() == null) {
                        return RestResponse.ResponseBuilder.<Object>create(RestResponse.Status.NO_CONTENT)
                                .header("X-Trigger-Deploy-Skipped", o.skipped()).build();
                    }
                    return RestResponse.ResponseBuilder.<Object>create(RestResponse.Status.ACCEPTED)
                            .location(URI.create(o.deployment().links().get("self"))).entity(o.deployment()).build();
                });
    }
}
