package io.triggerdeploy.web;

import io.triggerdeploy.deploy.LogSearch;
import io.triggerdeploy.deploy.LogSearchPage;
import io.triggerdeploy.server.ServerView;

import java.util.List;

/**
 * The log search page: the query as typed, its hits with the matching pieces marked, the link to the next page, or
 * the reason the query was refused.
 */
public record LogSearchView(String q, String server, List<ServerView> servers, List<Hit> hits, String nextPageQuery,
                            String error, boolean indexed) {

    /** A hit and its line cut at the matches. */
    public record Hit(LogSearchPage.Item item, List<LogSearch.Segment> segments) {
    }

    public boolean searched() {
        return q != null && !q.isBlank() && error == null;
    }
}
