package io.triggerdeploy.chat;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Signatures;
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
import org.jboss.resteasy.reactive.RestResponse;

import java.util.List;
import java.util.Map;

/**
 * A user links their own Slack account with the one-time code {@code /deploy link} gave them in Slack (so nobody can
 * claim someone else's Slack id), sees it, and removes it. Admins link anyone ({@link SlackAdminResource}).
 */
@Path("/api/me/slack")
@Produces(MediaType.APPLICATION_JSON)
public class SlackLinkResource {

    /** A code from {@code /deploy link}. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    public record LinkCode(@NotNull String code) {
    }

    private final SlackRepository repository;
    private final AuditLog audit;
    private final SecurityIdentity identity;

    public SlackLinkResource(SlackRepository repository, AuditLog audit, SecurityIdentity identity) {
        this.repository = repository;
        this.audit = audit;
        this.identity = identity;
    }

    private TriggerPrincipal me() {
        return (TriggerPrincipal) identity.getPrincipal();
    }

    @GET
    @RolesAllowed(Role.VIEWER_NAME)
    public Uni<Map<String, List<String>>> mine() {
        return repository.slackIdsOf(me().userId()).map(ids -> Map.of("slack_user_ids", ids));
    }

    @POST
    @RolesAllowed(Role.VIEWER_NAME)
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<Map<String, List<String>>> linkMine(@NotNull(message = "a JSON body with code is required") LinkCode body,
                                                   @Context HttpServerRequest http) {
        String code = SlackCommands.normalise(body.code());
        if (!code.matches("[A-Z0-9]{10}")) {
            throw ProblemException.invalid("code", "is the 10-character code /deploy link showed you, e.g. ABCDE-FGH23");
        }
        TriggerPrincipal p = io.triggerdeploy.security.Callers.signedIn(identity); // a Slack link acts with the owner's full role
        return repository.redeem(Signatures.sha256(code)).chain(slackId -> {
            if (slackId == null) {
                throw ProblemException.invalid("code", "is unknown or expired; run /deploy link again");
            }
            return repository.link(slackId, p.userId(), p.username())
                    .call(() -> audit.record(Actor.of(p, http), "slack.linked", "user", p.username(), "Slack user " + slackId))
                    .chain(() -> mine());
        });
    }

    @DELETE
    @RolesAllowed(Role.VIEWER_NAME)
    public Uni<RestResponse<Void>> unlinkMine(@Context HttpServerRequest http) {
        TriggerPrincipal p = me();
        return repository.unlinkUser(p.userId()).call(n -> n == 0 ? Uni.createFrom().voidItem()
                        : audit.record(Actor.of(p, http), "slack.unlinked", "user", p.username(), n + " Slack account(s)"))
                .map(n -> RestResponse.noContent());
    }
}
