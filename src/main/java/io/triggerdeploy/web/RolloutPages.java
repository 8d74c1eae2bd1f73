package io.triggerdeploy.web;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.rollout.RolloutService;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.server.ServerGroupService;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Rollouts: the list with the dialog that plans and starts one, and one rollout's page (its grid of hosts, kept live by
 * its script from the API). Access is checked by {@link Pages}.
 */
@Path("/")
@PermitAll
@Produces(MediaType.TEXT_HTML)
public class RolloutPages {

    private static final int LIST_PAGE = 50;

    private final Pages pages;
    private final RolloutService rollouts;
    private final ServerGroupService groups;

    public RolloutPages(Pages pages, RolloutService rollouts, ServerGroupService groups) {
        this.pages = pages;
        this.rollouts = rollouts;
        this.groups = groups;
    }

    @GET
    @Path("rollouts")
    @Operation(hidden = true)
    public Uni<Response> list(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "rollouts", ctx -> rollouts.page(null, null, LIST_PAGE, ctx.access())
                .chain(page -> groups.list(ctx.access()).map(gs -> Templates.rollouts(ctx, page.items(), gs))));
    }

    @GET
    @Path("rollouts/{id}")
    @Operation(hidden = true)
    public Uni<Response> rollout(@PathParam("id") String id, @Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "rollouts", ctx -> {
            if (!id.matches("\\d{1,18}")) {
                throw ProblemException.notFound("There is no rollout '" + id + "'.");
            }
            return rollouts.get(Long.parseLong(id), ctx.access()).map(r -> Templates.rollout(ctx, r));
        });
    }
}
