package io.triggerdeploy.notify;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
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
import java.util.Map;

/** {@code /api/notifications/channels} (admins): email, Telegram and webhook channels; secrets are write-only. */
@Path("/api/notifications/channels")
@RolesAllowed(Role.ADMIN_NAME)
@Produces(MediaType.APPLICATION_JSON)
public class ChannelResource {

    private final ChannelService channels;
    private final Notifier notifier;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public ChannelResource(ChannelService channels, Notifier notifier, AuditLog audit, SecurityIdentity identity) {
        this.channels = channels;
        this.notifier = notifier;
        this.audit = audit;
        this.identity = identity;
    }

    @GET
    @Operation(operationId = "listChannels")
    public Uni<List<ChannelView>> list() {
        return channels.list();
    }

    @GET
    @Path("{id}")
    @Operation(operationId = "getChannel")
    public Uni<ChannelView> get(@PathParam("id") long id) {
        return channels.get(id);
    }

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @APIResponseSchema(value = ChannelView.class, responseCode = "201", responseDescription = "Created; Location names it")
    @Operation(operationId = "createChannel")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(ref = "CreateChannelRequest")))
    public Uni<RestResponse<ChannelView>> create(@NotNull(message = "a JSON body is required") @Valid ChannelRequest request) {
        return channels.create(request, audit.actor(identity))
                .map(v -> RestResponse.ResponseBuilder.<ChannelView>created(URI.create("/api/notifications/channels/" + v.id()))
                        .entity(v).build());
    }

    @PATCH
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "updateChannel")
    public Uni<ChannelView> patch(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid ChannelRequest request) {
        return update(id, request);
    }

    @PUT
    @Path("{id}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "replaceChannel")
    public Uni<ChannelView> put(@PathParam("id") long id, @NotNull(message = "a JSON body is required") @Valid ChannelRequest request) {
        return update(id, request);
    }

    private Uni<ChannelView> update(long id, ChannelRequest request) {
        return channels.update(id, request, audit.actor(identity));
    }

    @DELETE
    @Path("{id}")
    @APIResponse(responseCode = "204", description = "Done; no body")
    @Operation(operationId = "deleteChannel")
    public Uni<RestResponse<Void>> delete(@PathParam("id") long id) {
        return channels.delete(id, audit.actor(identity))
                .map(v -> RestResponse.noContent());
    }

    /** Sends one test message now (one attempt, no retries) and says whether it went out. */
    @POST
    @Path("{id}/test")
    @Operation(operationId = "testChannel")
    @APIResponseSchema(value = TestSent.class, responseCode = "200", responseDescription = "The test message went out")
    @APIResponse(responseCode = "502", description = "The channel's far end refused or could not be reached; `detail` says why")
    public Uni<TestSent> test(@PathParam("id") long id) {
        return channels.channel(id).chain(c -> notifier.send(c, new Message(NotifyEvent.CHANNEL_TEST,
                        "[trigger-deploy] test message for channel " + c.name(),
                        "This is a test from trigger-deploy. If you can read it, the channel works.",
                        Map.of("test", true, "channel", c.name())))
                .call(() -> channels.recordResult(id, null))
                .map(x -> new TestSent(true, c.name()))
                .onFailure().recoverWithUni(e -> {
                    String why = Notifier.describe(e);
                    return channels.recordResult(id, why).map(x -> {
                        throw new ProblemException(502, "Bad Gateway", "The test message could not be sent: " + why);
                    });
                }));
    }

    /** The answer to a test message that went out. */
    public record TestSent(boolean sent, String channel) {
    }
}
