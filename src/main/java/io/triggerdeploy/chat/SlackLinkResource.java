package io.triggerdeploy.chat;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.security.Callers;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.RolesAllowed;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestResponse;

import java.util.List;

/**
 * A user links their own Slack account with the one-time code {@code /deploy link} gave them in Slack (so nobody can
 * claim someone else's Slack id), sees it, and removes it. Admins link anyone ({@link SlackAdminResource}).
 */
@Path("/api/me/slack")
@Produces(MediaType.APPLICATION_JSON)
public class SlackLinkResource {

    private final SlackLinks links;
    private final SecurityIdentity identity;

    public SlackLinkResource(SlackLinks links, SecurityIdentity identity) {
        this.links = links;
        this.identity = identity;
    }

    /** A code from {@code /deploy link}. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record LinkCode(@NotNull @Schema(description = "The 10-character code /deploy link showed, e.g. ABCDE-FGH23 (case, "
            + "spaces and dashes do not matter)", pattern = "^[\\s-]*(?:[A-Za-z0-9][\\s-]*){10}$", maxLength = 64) String code) {
    }

    /** The Slack users linked to the caller. */
    @Schema(name = "MySlackLinks")
    public record Linked(List<String> slackUserIds) {
    }

    private TriggerPrincipal me() {
        return (TriggerPrincipal) identity.getPrincipal();
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    @Operation(operationId = "getMySlackLink")
    public Uni<Linked> mine() {
        return links.of(me().userId()).map(Linked::new);
    }

    @POST
    @RolesAllowed(Role.VIEWER_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "linkMySlack")
    public Uni<Linked> linkMine(@NotNull(message = "a JSON body with code is required") LinkCode body,
                              @Context HttpServerRequest http) {
        TriggerPrincipal p = Callers.signedIn(identity); // a Slack link acts with the owner's full role
        return links.linkMine(p, Actor.of(p, http), body.code()).chain(() -> mine());
    }

    @DELETE
    @RolesAllowed(Role.VIEWER_NAME)
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "unlinkMySlack")
    public Uni<RestResponse<Void>> unlinkMine(@Context HttpServerRequest http) {
        TriggerPrincipal p = me();
        return links.unlinkMine(p, Actor.of(p, http)).map(n -> RestResponse.noContent());
    }
}
