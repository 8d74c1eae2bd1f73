package io.triggerdeploy.auth;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.Set;

/**
 * Reads {@code Authorization: Bearer …} and hands the token to {@link BearerIdentityProvider}; without that
 * header, the browser session cookie goes to {@link SessionIdentityProvider}. It replaces
 * the stock MP-JWT mechanism because our verification keys come from the database at runtime and because
 * API tokens travel in the same header.
 */
@ApplicationScoped
public class BearerAuthMechanism implements HttpAuthenticationMechanism {

    private static final String PREFIX = "bearer ";

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identityProviderManager) {
        String header = context.request().getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null) {
            // browsers: the session cookie set by the login page
            Cookie cookie = context.request().getCookie(WebSessions.COOKIE);
            if (cookie == null || cookie.getValue().isEmpty()) {
                return Uni.createFrom().nullItem();
            }
            AuthenticationRequest request = HttpSecurityUtils.setRoutingContextAttribute(
                    new SessionCookieRequest(cookie.getValue()), context);
            return identityProviderManager.authenticate(request);
        }
        if (header.length() <= PREFIX.length() || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return Uni.createFrom().nullItem();
        }
        String token = header.substring(PREFIX.length()).trim();
        AuthenticationRequest request = HttpSecurityUtils.setRoutingContextAttribute(new BearerTokenRequest(token), context);
        return identityProviderManager.authenticate(request);
    }

    /** Ahead of the stock MP-JWT mechanism (1000), which would not know our keys. */
    @Override
    public int getPriority() {
        return 2000;
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(BearerTokenRequest.class, SessionCookieRequest.class);
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext context) {
        return Uni.createFrom().item(new HttpCredentialTransport(HttpCredentialTransport.Type.AUTHORIZATION, "bearer"));
    }
}
