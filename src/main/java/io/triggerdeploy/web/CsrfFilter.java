package io.triggerdeploy.web;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.auth.SessionIdentityProvider;
import io.triggerdeploy.auth.WebSessions;
import io.triggerdeploy.common.Problem;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

import java.util.Set;

/**
 * CSRF protection for browser sessions: a state-changing request authenticated by the session cookie must carry
 * the session's token in {@code X-CSRF-Token} (pages embed it; a cross-site form or script cannot read it, and a
 * custom header cannot be sent cross-origin without CORS, which is off). Bearer and API-token calls carry no
 * ambient credentials and are not affected. {@code /login} and {@code /logout} check their own form fields.
 */
public class CsrfFilter {

    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private final CurrentIdentityAssociation identities;

    public CsrfFilter(CurrentIdentityAssociation identities) {
        this.identities = identities;
    }

    @ServerRequestFilter
    public Uni<Response> check(HttpServerRequest request) {
        if (SAFE.contains(request.method()) || request.getHeader(HttpHeaders.AUTHORIZATION) != null
                || request.getCookie(WebSessions.COOKIE) == null) {
            return Uni.createFrom().nullItem();
        }
        String path = request.path();
        if (path.equals("/login") || path.equals("/logout")) {
            return Uni.createFrom().nullItem();
        }
        return identities.getDeferredIdentity()
                .onFailure().recoverWithNull()
                .map(identity -> {
                    WebSessions.Live live = identity == null ? null : identity.getAttribute(SessionIdentityProvider.SESSION);
                    if (live == null || WebSessions.csrfMatches(live, request.getHeader(WebSessions.CSRF_HEADER))) {
                        // no live session: the endpoint's own security answers (401 where a login is needed)
                        return null;
                    }
                    Problem problem = new Problem("about:blank", "Forbidden", 403,
                            "Missing or wrong " + WebSessions.CSRF_HEADER + " header; reload the page and try again", path, null);
                    return Response.status(403).type("application/problem+json").entity(problem).build();
                });
    }
}
