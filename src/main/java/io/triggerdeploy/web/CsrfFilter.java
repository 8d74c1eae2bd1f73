package io.triggerdeploy.web;

import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.auth.SessionIdentityProvider;
import io.triggerdeploy.auth.WebSessions;
import io.triggerdeploy.common.ProblemMapper;
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
 * ambient credentials and are not affected. Logins, token checks and logouts are
 * exempt (see {@link #NOT_ACTING_AS_SESSION}).
 */
public class CsrfFilter {

    private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    /**
     * Posts that do not act with the session's identity: logins and token checks (their own credentials; the login
     * forms check Origin), and logouts, which can only end the session they come with (the old tool's clients
     * send no CSRF token to its logout routes).
     */
    private static final Set<String> NOT_ACTING_AS_SESSION = Set.of("/login", "/logout", "/api/login", "/api/auth/login",
            "/auth/login", "/api/auth/verify", "/auth/verify-token", "/auth/logout", "/api/logout");

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
        if (NOT_ACTING_AS_SESSION.contains(path)) {
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
                    return ProblemMapper.response(403, "Forbidden", "Missing or wrong " + WebSessions.CSRF_HEADER
                            + " header; reload the page and try again", path, java.util.Map.of()).toResponse();
                });
    }
}
