package io.triggerdeploy.web;

import io.quarkus.qute.TemplateInstance;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.deploy.LogSearch;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.server.ServerService;
import io.triggerdeploy.server.ServerView;
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

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** {@code /search}: find a line in every stored deployment log (the history page links here). */
@Path("/search")
@PermitAll
@Produces(MediaType.TEXT_HTML)
public class SearchPage {

    private static final int PAGE = 25;

    private final Pages pages;
    private final LogSearch search;
    private final ServerService servers;

    public SearchPage(Pages pages, LogSearch search, ServerService servers) {
        this.pages = pages;
        this.search = search;
        this.servers = servers;
    }

    @GET
    @Operation(hidden = true)
    public Uni<Response> page(@QueryParam("q") String q, @QueryParam("server") String server, @QueryParam("cursor") String cursor,
                              @Context HttpServerRequest http) {
        return pages.render(http, Role.VIEWER, "search", ctx -> servers.list().map(l -> l.stream().filter(s -> ctx.sees(s.id())).toList()).chain(list -> {
            if (q == null || q.isBlank()) {
                return Uni.createFrom().item(Templates.search(ctx, new LogSearchView(q, server, list, List.of(), null, null, true)));
            }
            return Uni.createFrom().deferred(() -> search.search(ctx.username(), q, server, null, null, null, null, cursor, PAGE, 2, ctx.access()))
                    .map(page -> {
                        List<LogSearchView.Hit> hits = page.items().stream()
                                .map(i -> new LogSearchView.Hit(i, LogSearch.highlight(q, i.text()))).toList();
                        String next = page.nextCursor() == null ? null : "q=" + enc(q)
                                + (server == null || server.isBlank() ? "" : "&server=" + enc(server)) + "&cursor=" + enc(page.nextCursor());
                        return Templates.search(ctx, new LogSearchView(q, server, list, hits, next, null, page.indexed()));
                    })
                    // a query that cannot be run, ran too long, or came while too many ran: said on the page
                    .onFailure(e -> e instanceof ProblemException p && (p.status() == 400 || p.status() == 422 || p.status() == 429))
                    .recoverWithItem(e -> refused(ctx, q, server, list, e));
        }));
    }

    private static TemplateInstance refused(PageContext ctx, String q, String server, List<ServerView> list, Throwable e) {
        return Templates.search(ctx, new LogSearchView(q, server, list, List.of(), null, e.getMessage(), true));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
