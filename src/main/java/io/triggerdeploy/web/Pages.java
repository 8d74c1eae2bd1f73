package io.triggerdeploy.web;

import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.auth.SessionIdentityProvider;
import io.triggerdeploy.auth.WebSessions;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.DbErrors;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.SecretBox;
import io.triggerdeploy.security.TriggerPrincipal;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.NewCookie;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.function.Function;

/**
 * Renders a page for a signed-in user with at least the given role. Visitors without a session go to the login
 * page (and come back afterwards); a role too low gets a 403 page; failures become an error page with the right
 * status instead of a stack trace.
 */
@ApplicationScoped
public class Pages {

    static final String HTML = "text/html;charset=UTF-8";
    private static final Logger LOG = Logger.getLogger(Pages.class);

    /** A path and query as RFC 3986 writes them: ASCII only, '%' only as an escape, nothing a Location could choke on. */
    private static final java.util.regex.Pattern URI_PATH = java.util.regex.Pattern.compile(
            "/(?:[A-Za-z0-9\\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2}){0,2047}");

    private final CurrentIdentityAssociation identities;
    private final AccessService access;
    private final SecretBox secrets;

    public Pages(CurrentIdentityAssociation identities, AccessService access, SecretBox secrets) {
        this.identities = identities;
        this.access = access;
        this.secrets = secrets;
    }

    public Uni<Response> render(HttpServerRequest request, Role minimum, String nav,
                                Function<PageContext, Uni<TemplateInstance>> body) {
        return identities.getDeferredIdentity()
                .onFailure(AuthenticationFailedException.class).recoverWithNull()
                .chain(identity -> {
                    PageContext ctx = context(identity, nav);
                    if (ctx == null) {
                        return Uni.createFrom().item(toLogin(request));
                    }
                    if (!ctx.role().atLeast(minimum)) {
                        return error(ctx, 403, "Forbidden", "This page needs the " + minimum.id() + " role; you are "
                                + ctx.role().id() + ".");
                    }
                    return access.of(ctx.principal()).chain(a -> body.apply(ctx.with(a, secrets.enabled())))
                            .chain(t -> t.createUni())
                            .map(html -> Response.ok(html, HTML).header("Cache-Control", "no-store").build())
                            .onFailure().recoverWithUni(e -> failure(ctx, e));
                })
                .onFailure().recoverWithUni(e -> failure(null, e));
    }

    /** The signed-in user's page context, or null for an anonymous visitor. */
    static PageContext context(SecurityIdentity identity, String nav) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof TriggerPrincipal p)) {
            return null;
        }
        WebSessions.Live live = identity.getAttribute(SessionIdentityProvider.SESSION);
        return new PageContext(p, live == null ? "" : live.csrfToken(), nav);
    }

    Uni<Response> failure(PageContext ctx, Throwable e) {
        if (e instanceof ProblemException p) {
            return error(ctx, p.status(), p.title(), p.getMessage());
        }
        if (DbErrors.isUnavailable(e)) {
            return error(ctx, 503, "Database unreachable",
                    "The service cannot reach its database right now. Deployments already running go on; try again in a moment.");
        }
        String reference = UUID.randomUUID().toString();
        LOG.errorf(e, "Page failed (reference %s)", reference);
        return error(ctx, 500, "Something went wrong", "The page could not be shown. Reference: " + reference);
    }

    Uni<Response> error(PageContext ctx, int status, String title, String detail) {
        return Templates.error(ctx, status, title, detail).createUni()
                .map(html -> Response.status(status).type(HTML).entity(html).header("Cache-Control", "no-store").build());
    }

    static Response toLogin(HttpServerRequest request) {
        String next = request.uri();
        Response.ResponseBuilder r = Response.seeOther(URI.create("/login?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8)));
        if (request.getCookie(WebSessions.COOKIE) != null) {
            r.cookie(clearedCookie());
        }
        return r.build();
    }

    static NewCookie clearedCookie() {
        return WebSessions.clearedCookie();
    }

    /**
     * Only same-site paths that are URI-safe: never another host, never a protocol-relative URL, never a character that
     * is not allowed in a URI (a space, U+3000, a raw non-ASCII letter); anything else goes to {@code /}.
     */
    static String safeNext(String next) {
        if (next == null || next.isEmpty() || !URI_PATH.matcher(next).matches() || next.startsWith("//")
                || next.startsWith("/login") || next.startsWith("/logout") || next.startsWith("/oidc/")) {
            return "/";
        }
        try {
            java.net.URI u = new java.net.URI(next);
            return u.getScheme() == null && u.getRawAuthority() == null ? next : "/";
        } catch (java.net.URISyntaxException e) {
            return "/";
        }
    }
}
