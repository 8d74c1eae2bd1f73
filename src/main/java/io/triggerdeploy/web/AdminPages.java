package io.triggerdeploy.web;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.access.TeamView;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.Workers;
import io.triggerdeploy.environment.EnvironmentService;
import io.triggerdeploy.federation.GroupMappings;
import io.triggerdeploy.hook.HookService;
import io.triggerdeploy.monitor.WatchService;
import io.triggerdeploy.notify.ChannelService;
import io.triggerdeploy.rollout.FleetService;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.server.ServerGroupService;
import io.triggerdeploy.server.ServerService;
import io.triggerdeploy.ssh.ClientKeyLines;
import io.triggerdeploy.user.UserService;
import io.triggerdeploy.user.UserView;
import io.vertx.core.http.HttpServerRequest;
import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** What admins (and, for environments and services, everyone) manage: servers, users, teams, environments, services, notifications, hooks, and the audit trail. Access is checked by {@link Pages} (login redirect, 403 page); the annotations only let the request reach it. */
@Path("/")
@PermitAll
@Produces(MediaType.TEXT_HTML)
public class AdminPages {

    /** The kinds of audit records, for the filter (a prefix finds all of its kind). */
    static final List<String> AUDIT_ACTIONS = List.of("login", "login.failure", "logout", "token", "user", "group_mapping", "server",
            "server.host_key_pinned", "group", "deployment", "hook", "channel", "service");

    private final Pages pages;
    private final ServerService servers;
    private final FleetService fleet;
    private final UserService users;
    private final AccessService access;
    private final GroupMappings mappings;
    private final EnvironmentService environments;
    private final WatchService monitored;
    private final ChannelService channels;
    private final HookService hooks;
    private final AuditLog audit;
    private final ServerGroupService groups;
    private final ClientKeyLines keys;

    public AdminPages(Pages pages, ServerService servers, FleetService fleet, UserService users, AccessService access, GroupMappings mappings, EnvironmentService environments, WatchService monitored, ChannelService channels, HookService hooks, AuditLog audit, ServerGroupService groups, ClientKeyLines keys) {
        this.pages = pages;
        this.servers = servers;
        this.fleet = fleet;
        this.users = users;
        this.access = access;
        this.mappings = mappings;
        this.environments = environments;
        this.monitored = monitored;
        this.channels = channels;
        this.hooks = hooks;
        this.audit = audit;
        this.groups = groups;
        this.keys = keys;
    }

    @GET
    @Path("servers")
    @Operation(hidden = true)
    public Uni<Response> servers(@Context HttpServerRequest http) {
        // an admin's page: every server with what runs there, every group with all of its servers
        return pages.render(http, Role.ADMIN, "servers", ctx -> fleet.serversPage()
                .chain(p -> Workers.run(keys::list).map(keys -> Templates.servers(ctx, p, keys))));
    }

    @GET
    @Path("users")
    @Operation(hidden = true)
    public Uni<Response> users(@Context HttpServerRequest http) {
        return pages.render(http, Role.ADMIN, "users", ctx -> users.list().map(l -> Templates.users(ctx, l)));
    }

    @GET
    @Path("teams")
    @Operation(hidden = true)
    public Uni<Response> teamsPage(@Context HttpServerRequest http) {
        return pages.render(http, Role.ADMIN, "teams", ctx -> access.teams().chain(t -> mappings.list().chain(m -> usernames(ctx)
                .map(names -> Templates.teams(ctx, t, m, mappings.providerConfigured(), names)))));
    }

    @GET
    @Path("environments")
    @Operation(hidden = true)
    public Uni<Response> environmentsPage(@Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "environments",  ctx -> environments.list().chain(l -> access.grants(ctx.access())
                .chain(grants -> (ctx.isAdmin() || !grants.isEmpty() ? access.teams() : Uni.createFrom().item(List.<TeamView>of()))
                        .chain(teams -> usernames(ctx).map(names -> Templates.environments(ctx,
                                l.stream().filter(e -> ctx.access().seesEnvironment(e.id())).toList(),
                                grants.stream().collect(Collectors.groupingBy(g -> g.scopeEnvironmentId() == null ? -1L : g.scopeEnvironmentId())),
                                teams, names))))));
    }

    /** The usernames a grant or team-member field suggests: for admins, who make them; nobody else sees the list. */
    private Uni<List<String>> usernames(PageContext ctx) {
        return ctx.isAdmin() ? users.list().map(l -> l.stream().map(UserView::username).sorted().toList())
                : Uni.createFrom().item(List.of());
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
                .chain(serverList -> groups.list(ctx.access()).chain(gs -> hooks.recentDeliveries(10)
                        .map(recent -> Templates.hooks(ctx, list, serverList, gs, PageQueries.baseUrl(http), recent))))));
    }

    @GET
    @Path("audit")
    @Operation(hidden = true)
    public Uni<Response> audit(@QueryParam("actor") String actor, @QueryParam("action") String action,
                               @QueryParam("from") String from, @QueryParam("to") String to, @QueryParam("cursor") Long cursor,
                               @Context HttpServerRequest http) {
        return pages.render(http, Role.ADMIN, "audit", ctx -> audit.page(actor, action, PageQueries.dayStart(from), PageQueries.dayEnd(to), cursor, 50)
                .map(page -> {
                    String next = null;
                    if (page.nextCursor() != null) {
                        Map<String, String> q = new LinkedHashMap<>();
                        q.put("actor", actor);
                        q.put("action", action);
                        q.put("from", from);
                        q.put("to", to);
                        q.put("cursor", String.valueOf(page.nextCursor()));
                        next = PageQueries.encode(q);
                    }
                    return Templates.audit(ctx, new AuditView(page.items(), next, actor, action, from, to, AUDIT_ACTIONS));
                }));
    }
}
