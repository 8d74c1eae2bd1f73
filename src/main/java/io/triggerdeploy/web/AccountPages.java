package io.triggerdeploy.web;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.auth.ApiTokenService;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.user.UserService;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** The signed-in user's own account page. Access is checked by {@link Pages} (login redirect, 403 page); the annotations only let the request reach it. */
@Path("/")
@PermitAll
@Produces(MediaType.TEXT_HTML)
public class AccountPages {

    private final Pages pages;
    private final UserService users;
    private final ApiTokenService tokens;

    public AccountPages(Pages pages, UserService users, ApiTokenService tokens) {
        this.pages = pages;
        this.users = users;
        this.tokens = tokens;
    }

    @GET
    @Path("account")
    @Operation(hidden = true)
    public Uni<Response> account(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "account", ctx -> {
            if (ctx.principal().userId() == null) {
                throw ProblemException.forbidden("Break-glass users have no account page.");
            }
            return users.get(ctx.principal().userId()).chain(me -> tokens.list(ctx.principal(), false)
                    .map(list -> Templates.account(ctx, me, list)));
        });
    }
}
