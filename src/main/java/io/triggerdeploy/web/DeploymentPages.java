package io.triggerdeploy.web;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.analytics.AnalyticsService;
import io.triggerdeploy.analytics.InsightService;
import io.triggerdeploy.analytics.ReleaseMatrix;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.deploy.Approvals;
import io.triggerdeploy.deploy.DeploymentService;
import io.triggerdeploy.deploy.DeploymentStatus;
import io.triggerdeploy.schedule.ScheduleService;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.server.ServerGroupService;
import io.triggerdeploy.server.ServerService;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Deployments: one deployment's page, the history, approvals, schedules and analytics. Access is checked by {@link Pages} (login redirect, 403 page); the annotations only let the request reach it. */
@Path("/")
@PermitAll
@Produces(MediaType.TEXT_HTML)
public class DeploymentPages {

    private static final int HISTORY_PAGE = 25;

    private final Pages pages;
    private final ServerService servers;
    private final DeploymentService deployments;
    private final Approvals approvals;
    private final ScheduleService schedules;
    private final AnalyticsService analytics;
    private final InsightService insight;
    private final ReleaseMatrix matrix;
    private final ServerGroupService groups;

    public DeploymentPages(Pages pages, ServerService servers, DeploymentService deployments, Approvals approvals, ScheduleService schedules, AnalyticsService analytics, InsightService insight, ReleaseMatrix matrix,
                           ServerGroupService groups) {
        this.pages = pages;
        this.servers = servers;
        this.deployments = deployments;
        this.approvals = approvals;
        this.schedules = schedules;
        this.analytics = analytics;
        this.insight = insight;
        this.matrix = matrix;
        this.groups = groups;
    }

    @GET
    @Path("deployments/{id}")
    @Operation(hidden = true)
    public Uni<Response> deployment(@PathParam("id") String id, @Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "deployments", ctx -> {
            if (!id.matches("\\d{1,18}")) {
                throw ProblemException.notFound("There is no deployment '" + id + "'.");
            }
            return deployments.get(Long.parseLong(id), ctx.access()).chain(d -> servers.get(String.valueOf(d.serverId()))
                    .onFailure(ProblemException.class).recoverWithNull()
                    .map(s -> Templates.deployment(ctx, d, s)));
        });
    }

    @GET
    @Path("deployments")
    @Operation(hidden = true)
    public Uni<Response> history(@QueryParam("server") String server, @QueryParam("status") String status,
                                 @QueryParam("user") String user, @QueryParam("from") String from,
                                 @QueryParam("to") String to, @QueryParam("cursor") Long cursor,
                                 @Context HttpServerRequest http) {
        HistoryView.Filters filters = new HistoryView.Filters(server, status, user, from, to);
        return pages.render(http, Role.VIEWER, "deployments", ctx -> servers.list()
                .map(l -> l.stream().filter(s -> ctx.sees(s.id())).toList()).chain(serverList ->
                deployments.page(server, status, user, PageQueries.dayStart(from), PageQueries.dayEnd(to), cursor, HISTORY_PAGE, ctx.access()).map(page -> {
                    String next = page.nextCursor() == null ? null : query(filters, page.nextCursor());
                    List<String> statuses = Arrays.stream(DeploymentStatus.values()).map(Enum::name).toList();
                    return Templates.deployments(ctx, new HistoryView(page.items(), next, filters, serverList, statuses));
                })));
    }

    private static String query(HistoryView.Filters f, long cursor) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("server", f.server());
        q.put("status", f.status());
        q.put("user", f.user());
        q.put("from", f.from());
        q.put("to", f.to());
        q.put("cursor", String.valueOf(cursor));
        return PageQueries.encode(q);
    }

    @GET
    @Path("approvals")
    @Operation(hidden = true)
    public Uni<Response> approvalsPage(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "approvals", ctx -> approvals.waitingFor(ctx.principal(), 100)
                .chain(mine -> deployments.page(null, "AWAITING_APPROVAL", null, null, null, null, null, 100, ctx.access())
                        .chain(all -> approvals.withDecisions(all.items()))
                        .map(all -> Templates.approvals(ctx, mine, all))));
    }

    @GET
    @Path("schedules")
    @Operation(hidden = true)
    public Uni<Response> schedulesPage(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "schedules", ctx -> schedules.list(null, ctx.access())
                .chain(list -> servers.list().chain(s -> groups.list(ctx.access()).map(gs -> Templates.schedules(ctx, list,
                        s.stream().filter(v -> ctx.sees(v.id())).toList(), gs)))));
    }

    @GET
    @Path("releases")
    @Operation(hidden = true)
    public Uni<Response> releasesPage(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "releases", ctx -> matrix.view(ctx.access()).map(m -> Templates.releases(ctx, m)));
    }

    @GET
    @Path("insight")
    @Operation(hidden = true)
    public Uni<Response> insightPage(@QueryParam("days") @DefaultValue("30") String days, @QueryParam("environment") String environment,
                                     @Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "insight", ctx -> {
            if (!days.matches("30|90|365")) {
                throw ProblemException.invalid("days", "must be 30, 90 or 365");
            }
            String env = environment == null || environment.isBlank() ? null : environment.strip();
            String from = java.time.LocalDate.now(java.time.ZoneOffset.UTC).minusDays(Integer.parseInt(days) - 1L).toString();
            String query = "from=" + from + (env == null ? "" : "&environment=" + java.net.URLEncoder.encode(env, java.nio.charset.StandardCharsets.UTF_8));
            return insight.report(from, null, env, null, ctx.access()).chain(r -> insight.environments(ctx.access())
                    .map(envs -> Templates.insight(ctx, r, envs, Integer.parseInt(days), query)));
        });
    }

    @GET
    @Path("analytics")
    @Operation(hidden = true)
    public Uni<Response> analytics(@QueryParam("days") @DefaultValue("30") String days, @Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "analytics", ctx -> {
            if (!days.matches("\\d{1,3}")) {
                throw ProblemException.invalid("days", "must be a number of days between 1 and 366");
            }
            return analytics.report(Integer.parseInt(days), ctx.access()).map(r -> Templates.analytics(ctx, r));
        });
    }
}
