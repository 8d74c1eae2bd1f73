package io.triggerdeploy.web;

import io.quarkus.qute.TemplateData;
import io.triggerdeploy.analytics.AnalyticsReport;
import io.triggerdeploy.analytics.InsightReport;
import io.triggerdeploy.analytics.ReleaseMatrix;
import io.triggerdeploy.audit.AuditEvent;
import io.triggerdeploy.auth.ApiTokenView;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.hook.HookView;
import io.triggerdeploy.monitor.WatchView;
import io.triggerdeploy.notify.ChannelView;
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
@TemplateData(target = WatchView.class)
@TemplateData(target = WatchView.Check.class)
@TemplateData(target = ChannelView.class)
@TemplateData(target = AnalyticsReport.class)
@TemplateData(target = InsightReport.class)
@TemplateData(target = ReleaseMatrix.View.class)
@TemplateData(target = ReleaseMatrix.Row.class)
@TemplateData(target = ReleaseMatrix.Cell.class)
@TemplateData(target = InsightReport.Frequency.class)
@TemplateData(target = InsightReport.LeadTime.class)
@TemplateData(target = InsightReport.FailureRate.class)
@TemplateData(target = InsightReport.Restore.class)
@TemplateData(target = AnalyticsReport.Totals.class)
@TemplateData(target = AnalyticsReport.Group.class)
@TemplateData(target = AnalyticsReport.Reason.class)
@TemplateData(target = HookView.class)
@TemplateData(target = AuditEvent.class)
final class TemplateTypes {

    private TemplateTypes() {
    }
}
