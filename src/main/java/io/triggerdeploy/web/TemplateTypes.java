package io.triggerdeploy.web;

import io.quarkus.qute.TemplateData;
import io.triggerdeploy.auth.ApiTokenView;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.server.ServerView;
import io.triggerdeploy.user.UserView;

/** Value resolvers generated at build time for the views templates read (also used by included, unchecked parts). */
@TemplateData(target = DeploymentView.class)
@TemplateData(target = ServerView.class)
@TemplateData(target = UserView.class)
@TemplateData(target = ApiTokenView.class)
@TemplateData(target = Dashboard.class)
@TemplateData(target = Dashboard.Card.class)
@TemplateData(target = HistoryView.class)
@TemplateData(target = HistoryView.Filters.class)
@TemplateData(target = PageContext.class)
@TemplateData(target = AuditView.class)
@TemplateData(target = io.triggerdeploy.monitor.WatchView.class)
@TemplateData(target = io.triggerdeploy.monitor.WatchView.Check.class)
@TemplateData(target = io.triggerdeploy.notify.ChannelView.class)
@TemplateData(target = io.triggerdeploy.analytics.AnalyticsReport.class)
@TemplateData(target = io.triggerdeploy.analytics.AnalyticsReport.Totals.class)
@TemplateData(target = io.triggerdeploy.analytics.AnalyticsReport.Group.class)
@TemplateData(target = io.triggerdeploy.analytics.AnalyticsReport.Reason.class)
@TemplateData(target = io.triggerdeploy.hook.HookView.class)
@TemplateData(target = io.triggerdeploy.audit.AuditEvent.class)
final class TemplateTypes {

    private TemplateTypes() {
    }
}
