package io.triggerdeploy.web;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.deploy.Approvals;
import io.triggerdeploy.deploy.DeploymentService;
import io.triggerdeploy.deploy.WhatRuns;
import io.triggerdeploy.monitor.WatchService;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.server.ServerService;
import io.triggerdeploy.server.ServerView;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.List;

/** The dashboard (and its live part) and the help page. Access is checked by {@link Pages} (login redirect, 403 page); the annotations only let the request reach it. */
@Path("/")
@PermitAll
@Produces(MediaType.TEXT_HTML)
public class DashboardPages {

    private final Pages pages;
    private final ServerService servers;
    private final DeploymentService deployments;
    private final WhatRuns whatRuns;
    private final WatchService monitored;
    private final Approvals approvals;

    public DashboardPages(Pages pages, ServerService servers, DeploymentService deployments, WhatRuns whatRuns,
                          WatchService monitored, Approvals approvals) {
        this.pages = pages;
        this.servers = servers;
        this.deployments = deployments;
        this.whatRuns = whatRuns;
        this.monitored = monitored;
        this.approvals = approvals;
    }

    @GET
    @Operation(hidden = true)
    public Uni<Response> dashboard(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "dashboard", ctx -> board(ctx).map(b -> Templates.dashboard(ctx, b)));
    }
    /** The dashboard's live part, fetched by the page every few seconds. */
    @GET
    @Path("partials/dashboard")
    @Operation(hidden = true)
    public Uni<Response> dashboardPartial(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "dashboard", ctx -> board(ctx).map(b -> Templates.dashboard$board(ctx, b)));
    }
    private Uni<Dashboard> board(PageContext ctx) {
        return Uni.combine().all()
                .unis(servers.list().map(l -> l.stream().filter(s -> ctx.sees(s.id())).toList()),
                        whatRuns.all(), deployments.active(50, ctx.access()), deployments.recent(10, ctx.access()),
                        monitored.list(0), approvals.waitingFor(ctx.principal(), 20))
                .with((serverList, running, active, recent, serviceList, awaiting) -> {
                    List<Dashboard.Card> cards = serverList.stream()
                            .filter(ServerView::active)
                            .map(s -> card(s, running.get(s.id())))
                            .toList();
                    return new Dashboard(cards, active, recent, serviceList, awaiting);
                });
    }
    private static Dashboard.Card card(ServerView s, WhatRuns.Running r) {
        if (r == null) {
            return new Dashboard.Card(s, null, null);
        }
        return new Dashboard.Card(s, r.live(), r.latest() != null ? r.latest() : r.live());
    }

    @GET
    @Path("help")
    @Operation(hidden = true)
    public Uni<Response> help(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "help", ctx -> Uni.createFrom().item(Templates.help(ctx, PageQueries.baseUrl(http))));
    }
}
