package io.triggerdeploy.web;

import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.server.ServerView;

import java.util.List;

import static io.triggerdeploy.common.Text.blank;

/** One page of the history with the filters that produced it and the link to the next page. */
public record HistoryView(List<DeploymentView> items, String nextPageQuery, Filters filters, List<ServerView> servers,
                          List<String> statuses) {

    /** The filters as the user typed them (redisplayed in the form). */
    public record Filters(String server, String status, String user, String from, String to) {
        public boolean any() {
            return !blank(server) || !blank(status) || !blank(user) || !blank(from) || !blank(to);
        }
    }
}
