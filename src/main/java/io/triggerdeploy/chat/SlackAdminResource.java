package io.triggerdeploy.chat;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import io.triggerdeploy.user.UserService;
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
import org.jboss.resteasy.reactive.RestResponse;

import java.util.List;

/** Admins see, set and remove which Slack user is which trigger-deploy user (audited). */
@Path("/api/admin/slack/links")
@Produces(MediaType.APPLICATION_JSON)
public class SlackAdminResource {

    /** The trigger-deploy user an admin links a Slack user to. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record LinkTarget(@NotNull String username) {
    }

    private final SlackRepository repository;
    private final UserService users;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public SlackAdminResource(SlackRepository repository, UserService users, AuditLog audit, SecurityIdentity identity) {
        this.repository = repository;
        this.users = users;
        this.audit = audit;
        this.identity = identity;
    }

    private TriggerPrincipal me() {
        return (TriggerPrincipal) identity.getPrincipal();
    }

    @GET
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<List<SlackRepository.Link>> links() {
        return repository.links();
    }

    @PUT
    @Path("{slackUserId}")
    @RolesAllowed(Role.ADMIN_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<SlackRepository.Link> link(@PathParam("slackUserId") String slackUserId,
                                          @NotNull(message = "a JSON body with username is required") LinkTarget body,
                                          @Context HttpServerRequest http) {
        if (slackUserId == null || !slackUserId.matches("[A-Z0-9]{1,32}")) {
            throw ProblemException.invalid("slack_user_id", "is a Slack user id such as U024BE7LH");
        }
        return users.credentials(body.username().trim()).chain(u -> {
            if (u == null) {
                throw ProblemException.invalid("username", "names no user");
            }
            return repository.link(slackUserId, u.id(), me().username())
                    .call(() -> audit.record(Actor.of(me(), http), "slack.linked", "user", u.username(), "Slack user " + slackUserId))
                    .map(v -> new SlackRepository.Link(slackUserId, u.id(), u.username(), me().username()));
        });
    }

    @DELETE
    @Path("{slackUserId}")
    @RolesAllowed(Role.ADMIN_NAME)
    public Uni<RestResponse<Void>> unlink(@PathParam("slackUserId") String slackUserId, @Context HttpServerRequest http) {
        return repository.unlink(slackUserId).chain(found -> {
            if (!found) {
                throw ProblemException.notFound("Slack user " + slackUserId + " is not linked");
            }
            return audit.record(Actor.of(me(), http), "slack.unlinked", "slack", slackUserId, null);
        }).map(v -> RestResponse.noContent());
    }
}
