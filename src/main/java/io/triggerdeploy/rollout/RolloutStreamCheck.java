package io.triggerdeploy.rollout;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.common.ProblemException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Before a {@link RolloutFound} stream begins: the rollout exists and the caller sees one of its servers, or 404. */
public class RolloutStreamCheck {

    private final AccessService access;
    private final RolloutService rollouts;
    private final SecurityIdentity identity;

    public RolloutStreamCheck(AccessService access, RolloutService rollouts, SecurityIdentity identity) {
        this.access = access;
        this.rollouts = rollouts;
        this.identity = identity;
    }

    @RolloutFound
    @ServerRequestFilter
    public Uni<Response> found(ContainerRequestContext request) {
        if (identity.isAnonymous()) {
            return Uni.createFrom().nullItem(); // the role check answers 401
        }
        String raw = request.getUriInfo().getPathParameters().getFirst("id");
        long id;
        try {
            id = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            return Uni.createFrom().failure(ProblemException.notFound("No rollout " + raw));
        }
        return access.of(identity).chain(a -> rollouts.visibleHosts(id, a)).replaceWith((Response) null);
    }
}
