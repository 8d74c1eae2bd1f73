package io.triggerdeploy.chat;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.List;

/** Admins see, set and remove which Slack user is which trigger-deploy user (audited). */
@Path("/api/admin/slack/links")
@Produces(MediaType.APPLICATION_JSON)
public class SlackAdminResource {

    private static final String SLACK_ID = "^[A-Z0-9]{1,32}$";
    private static final String SLACK_ID_TEXT = "A Slack user id, e.g. U024BE7LH";

    private final SlackLinks links;
    private final SecurityIdentity identity;

    public SlackAdminResource(SlackLinks links, SecurityIdentity identity) {
        this.links = links;
        this.identity = identity;
    }

    /** The trigger-deploy user an admin links a Slack user to. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record LinkTarget(@NotNull String username) {
    }

    private TriggerPrincipal me() {
        return (TriggerPrincipal) identity.getPrincipal();
    }

    @GET
    @RolesAllowed(Role.ADMIN_NAME)
    @Operation(operationId = "listSlackLinks")
    public Uni<List<SlackLink>> links() {
        return links.all();
    }

    @PUT
    @Path("{slackUserId}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "linkSlackUser")
    public Uni<SlackLink> link(@PathParam("slackUserId")
                               @Parameter(description = SLACK_ID_TEXT, schema = @Schema(pattern = SLACK_ID)) String slackUserId,
                               @NotNull(message = "a JSON body with username is required") LinkTarget body,
                               @Context HttpServerRequest http) {
        return links.link(slackUserId, body.username(), me(), Actor.of(me(), http));
    }

    @DELETE
    @Path("{slackUserId}")
    @RolesAllowed(Role.ADMIN_NAME)
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "unlinkSlackUser")
    public Uni<RestResponse<Void>> unlink(@PathParam("slackUserId")
                                          @Parameter(description = SLACK_ID_TEXT, schema = @Schema(pattern = SLACK_ID)) String slackUserId,
                                          @Context HttpServerRequest http) {
        return links.unlink(slackUserId, Actor.of(me(), http)).map(v -> RestResponse.noContent());
    }
}
