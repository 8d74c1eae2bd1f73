package io.triggerdeploy.web;

import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateInstance;
import io.triggerdeploy.access.GrantView;
import io.triggerdeploy.access.TeamView;
import io.triggerdeploy.analytics.AnalyticsReport;
import io.triggerdeploy.analytics.InsightReport;
import io.triggerdeploy.analytics.ReleaseMatrix;
import io.triggerdeploy.auth.ApiTokenView;
import io.triggerdeploy.auth.TotpService;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.environment.Environment;
import io.triggerdeploy.federation.GroupMapping;
import io.triggerdeploy.hook.HookDelivery;
import io.triggerdeploy.hook.HookView;
import io.triggerdeploy.monitor.WatchView;
import io.triggerdeploy.notify.ChannelView;
import io.triggerdeploy.rollout.FleetService;
import io.triggerdeploy.rollout.RolloutView;
import io.triggerdeploy.schedule.ScheduleView;
import io.triggerdeploy.server.ServerGroupView;
import io.triggerdeploy.server.ServerView;
import io.triggerdeploy.ssh.ClientKeyLines;
import io.triggerdeploy.user.UserView;

import java.util.List;

/** The pages, checked against their templates at build time (templates/pages/*.html). */
@CheckedTemplate(basePath = "pages")
public final class Templates {

    private Templates() {
    }

    public static native TemplateInstance login(String username, String next, String error, String challenge,
                                                TotpService.Enrolment enrolment, List<String> recoveryCodes,
                                                String sso);

    public static native TemplateInstance error(PageContext ctx, int status, String title, String detail);

    public static native TemplateInstance dashboard(PageContext ctx, Dashboard board);

    public static native TemplateInstance dashboard$board(PageContext ctx, Dashboard board);

    public static native TemplateInstance deployment(PageContext ctx, DeploymentView d, ServerView server);

    public static native TemplateInstance deployments(PageContext ctx, HistoryView history);

    public static native TemplateInstance search(PageContext ctx, LogSearchView view);

    public static native TemplateInstance servers(PageContext ctx, FleetService.ServersPage page, List<ClientKeyLines.ClientPublicKey> clientKeys);

    public static native TemplateInstance environments(PageContext ctx, List<Environment> environments,
                                                       java.util.Map<Long, List<GrantView>> grants,
                                                       List<TeamView> teams, List<String> usernames);

    public static native TemplateInstance teams(PageContext ctx, List<TeamView> teams,
                                                List<GroupMapping> mappings, boolean sso, List<String> usernames);

    public static native TemplateInstance schedules(PageContext ctx, List<ScheduleView> schedules,
                                                    List<ServerView> servers, List<ServerGroupView> groups);

    public static native TemplateInstance approvals(PageContext ctx, List<DeploymentView> mine, List<DeploymentView> all);

    public static native TemplateInstance rollouts(PageContext ctx, List<RolloutView> rollouts, List<ServerGroupView> groups);

    public static native TemplateInstance rollout(PageContext ctx, RolloutView r);

    public static native TemplateInstance users(PageContext ctx, List<UserView> users);

    public static native TemplateInstance account(PageContext ctx, UserView me, List<ApiTokenView> tokens);

    public static native TemplateInstance help(PageContext ctx, String baseUrl);

    public static native TemplateInstance audit(PageContext ctx, AuditView view);

    public static native TemplateInstance services(PageContext ctx, List<WatchView> services,
                                                   List<ServerView> servers);

    public static native TemplateInstance notifications(PageContext ctx, List<ChannelView> channels);

    public static native TemplateInstance analytics(PageContext ctx, AnalyticsReport report);

    public static native TemplateInstance releases(PageContext ctx, ReleaseMatrix.View matrix);

    public static native TemplateInstance insight(PageContext ctx, InsightReport report, java.util.List<String> environments, int days,
                                                  String query);

    public static native TemplateInstance hooks(PageContext ctx, List<HookView> hooks, List<ServerView> servers,
                                                List<ServerGroupView> groups, String baseUrl,
                                                java.util.Map<String, List<HookDelivery>> deliveries);
}
