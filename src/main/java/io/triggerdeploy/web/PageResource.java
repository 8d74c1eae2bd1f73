package io.triggerdeploy.web;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.analytics.AnalyticsService;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.auth.ApiTokenService;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.deploy.DeploymentService;
import io.triggerdeploy.deploy.DeploymentStatus;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.hook.HookService;
import io.triggerdeploy.server.ServerService;
import io.triggerdeploy.server.ServerView;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.user.UserService;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The web pages. Each one is rendered on the server from the same services the API uses; actions on a page call
 * the JSON API from {@code /static/app.js} with the session cookie and the CSRF token. Access is checked by
 * {@link Pages} (login redirect, 403 page); the annotations only let the request reach it.
 */
@Path("/")
@PermitAll
@Produces(MediaType.TEXT_HTML)
public class PageResource {

    private static final int HISTORY_PAGE = 25;

    private final Pages pages;
    private final ServerService servers;
    private final DeploymentService deployments;
    private final UserService users;
    private final io.triggerdeploy.access.AccessService access;
    private final ApiTokenService tokens;
    private final AuditLog audit;
    private final HookService hooks;
    private final AnalyticsService analytics;
    private final io.triggerdeploy.monitor.WatchService monitored;
    private final io.triggerdeploy.notify.ChannelService channels;
    private final io.triggerdeploy.deploy.Approvals approvals;
    private final io.triggerdeploy.environment.EnvironmentService environments;
    private final io.triggerdeploy.schedule.ScheduleService schedules;

    private final io.triggerdeploy.federation.GroupMappings mappings;

    public PageResource(Pages pages, ServerService servers, DeploymentService deployments,
                        UserService users, ApiTokenService tokens, AuditLog audit, HookService hooks, AnalyticsService analytics,
                        io.triggerdeploy.monitor.WatchService monitored, io.triggerdeploy.notify.ChannelService channels,
                        io.triggerdeploy.deploy.Approvals approvals, io.triggerdeploy.environment.EnvironmentService environments,
                        io.triggerdeploy.schedule.ScheduleService schedules, io.triggerdeploy.access.AccessService access,
                        io.triggerdeploy.federation.GroupMappings mappings) {
        this.mappings = mappings;
        this.access = access;
        this.schedules = schedules;
        this.approvals = approvals;
        this.environments = environments;
        this.monitored = monitored;
        this.channels = channels;
        this.analytics = analytics;
        this.audit = audit;
        this.hooks = hooks;
        this.pages = pages;
        this.servers = servers;
        this.deployments = deployments;
        this.users = users;
        this.tokens = tokens;
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
                        deployments.latestPerServer(ctx.access()), deployments.active(50, ctx.access()), deployments.recent(10, ctx.access()),
                        monitored.list(0), approvals.waitingFor(ctx.principal(), 20))
                .with((serverList, latest, active, recent, serviceList, awaiting) -> {
                    Map<Long, DeploymentView> last = latest.stream()
                            .collect(Collectors.toMap(DeploymentView::serverId, Function.identity(), (a, b) -> a));
                    List<Dashboard.Card> cards = serverList.stream()
                            .filter(ServerView::active)
                            .map(s -> new Dashboard.Card(s, last.get(s.id())))
                            .toList();
                    return new Dashboard(cards, active, recent, serviceList, awaiting);
                });
    }

    @GET
    @Path("environments")
    @Operation(hidden = true)
    public Uni<Response> environmentsPage(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "environments",  ctx -> environments.list().chain(l -> access.grants(ctx.access())
                .chain(grants -> (ctx.isAdmin() || !grants.isEmpty() ? access.teams() : Uni.createFrom().item(List.<io.triggerdeploy.access.TeamView>of()))
                        .map(teams -> Templates.environments(ctx, l.stream().filter(e -> ctx.access().seesEnvironment(e.id())).toList(),
                                grants.stream().collect(Collectors.groupingBy(g -> g.scopeEnvironmentId() == null ? -1L : g.scopeEnvironmentId())),
                                teams)))));
    }

    @GET
    @Path("teams")
    @Operation(hidden = true)
    public Uni<Response> teamsPage(@Context HttpServerRequest http) {
        return pages.render(http, Role.ADMIN, "teams", ctx -> access.teams().chain(t -> mappings.list()
                .map(m -> Templates.teams(ctx, t, m, mappings.providerConfigured()))));
    }

    @GET
    @Path("schedules")
    @Operation(hidden = true)
    public Uni<Response> schedulesPage(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "schedules", ctx -> schedules.list(null, ctx.access())
                .chain(list -> servers.list().map(s -> Templates.schedules(ctx, list,
                        s.stream().filter(v -> ctx.sees(v.id())).toList()))));
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
                deployments.page(server, status, user, dayStart(from), dayEnd(to), cursor, HISTORY_PAGE, ctx.access()).map(page -> {
                    String next = page.nextCursor() == null ? null : query(filters, page.nextCursor());
                    List<String> statuses = Arrays.stream(DeploymentStatus.values()).map(Enum::name).toList();
                    return Templates.deployments(ctx, new HistoryView(page.items(), next, filters, serverList, statuses));
                })));
    }

    /** A date picker sends {@code 2026-11-27}; the API wants an instant. "to" includes the whole day. */
    private static String dayStart(String day) {
        return day != null && day.matches("\\d{4}-\\d{2}-\\d{2}") ? day + "T00:00:00Z" : day;
    }

    private static String dayEnd(String day) {
        if (day != null && day.matches("\\d{4}-\\d{2}-\\d{2}")) {
            try {
                return java.time.LocalDate.parse(day).plusDays(1) + "T00:00:00Z";
            } catch (java.time.DateTimeException e) {
                throw ProblemException.invalid("to", "is not a valid date");
            }
        }
        return day;
    }

    private static String query(HistoryView.Filters f, long cursor) {
        Map<String, String> q = new LinkedHashMap<>();
        q.put("server", f.server());
        q.put("status", f.status());
        q.put("user", f.user());
        q.put("from", f.from());
        q.put("to", f.to());
        q.put("cursor", String.valueOf(cursor));
        return encode(q);
    }

    private static String encode(Map<String, String> q) {
        return q.entrySet().stream().filter(e -> e.getValue() != null && !e.getValue().isBlank())
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    @GET
    @Path("servers")
    @Operation(hidden = true)
    public Uni<Response> servers(@Context HttpServerRequest http) {
        return pages.render(http, Role.ADMIN, "servers", ctx -> servers.list().map(l -> Templates.servers(ctx, l)));
    }

    @GET
    @Path("users")
    @Operation(hidden = true)
    public Uni<Response> users(@Context HttpServerRequest http) {
        return pages.render(http, Role.ADMIN, "users", ctx -> users.list().map(l -> Templates.users(ctx, l)));
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

    @GET
    @Path("audit")
    @Operation(hidden = true)
    public Uni<Response> audit(@QueryParam("actor") String actor, @QueryParam("action") String action,
                               @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("cursor") Long cursor,
                               @Context HttpServerRequest http) {
        return pages.render(http, Role.ADMIN, "audit", ctx -> audit.page(actor, action, dayStart(from), dayEnd(to), cursor, 50)
                .map(page -> {
                    String next = null;
                    if (page.nextCursor() != null) {
                        Map<String, String> q = new LinkedHashMap<>();
                        q.put("actor", actor);
                        q.put("action", action);
                        q.put("from", from);
                        q.put("to", to);
                        q.put("cursor", String.valueOf(page.nextCursor()));
                        next = encode(q);
                    }
                    return Templates.audit(ctx, new AuditView(page.items(), next, actor, action, from, to, AUDIT_ACTIONS));
                }));
    }

    /** The kinds of audit records, for the filter (a prefix finds all of its kind). */
    static final List<String> AUDIT_ACTIONS = List.of("login", "login.failure", "logout", "token", "user", "group_mapping", "server",
            "server.host_key_pinned", "deployment", "hook", "channel", "service");

    @GET
    @Path("analytics")
    @Operation(hidden = true)
    public Uni<Response> analytics(@QueryParam("days") @jakarta.ws.rs.DefaultValue("30") String days, @Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "analytics", ctx -> {
            if (!days.matches("\\d{1,3}")) {
                throw ProblemException.invalid("days", "must be a number of days between 1 and 366");
            }
            return analytics.report(Integer.parseInt(days), ctx.access()).map(r -> Templates.analytics(ctx, r));
        });
    }

    @GET
    @Path("services")
    @Operation(hidden = true)
    public Uni<Response> services(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "services", ctx -> monitored.list(40).chain(list -> servers.list()
                .map(serverList -> Templates.services(ctx, list, serverList))));
    }

    @GET
    @Path("notifications")
    @Operation(hidden = true)
    public Uni<Response> notifications(@Context HttpServerRequest http) {
        return pages.render(http, Role.ADMIN, "notifications", ctx -> channels.list().map(l -> Templates.notifications(ctx, l)));
    }

    @GET
    @Path("hooks")
    @Operation(hidden = true)
    public Uni<Response> hooks(@Context HttpServerRequest http) {
        return pages.render(http, Role.ADMIN, "hooks", ctx -> hooks.list().chain(list -> servers.list()
                .map(serverList -> Templates.hooks(ctx, list, serverList, baseUrl(http)))));
    }

    static String baseUrl(HttpServerRequest http) {
        return http.scheme() + "://" + (http.authority() == null ? "localhost:3111" : http.authority().toString());
    }

    @GET
    @Path("help")
    @Operation(hidden = true)
    public Uni<Response> help(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "help", ctx -> Uni.createFrom().item(Templates.help(ctx, baseUrl(http))));
    }

}
