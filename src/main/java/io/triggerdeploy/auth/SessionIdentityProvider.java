package io.triggerdeploy.auth;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.security.TriggerPrincipal;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Turns the browser session cookie into an identity, with the user's current role. The session is attached to
 * the identity (attribute {@link #SESSION}) so that the CSRF check and logout can use it.
 */
@ApplicationScoped
public class SessionIdentityProvider implements IdentityProvider<SessionCookieRequest> {

    public static final String SESSION = "trigger.web-session";

    private final WebSessions sessions;

    public SessionIdentityProvider(WebSessions sessions) {
        this.sessions = sessions;
    }

    @Override
    public Class<SessionCookieRequest> getRequestType() {
        return SessionCookieRequest.class;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(SessionCookieRequest request, AuthenticationRequestContext context) {
        return sessions.find(request.value()).map(live -> {
            if (live == null) {
                throw new AuthenticationFailedException("no such session");
            }
            TriggerPrincipal p = new TriggerPrincipal(live.userId(), live.username(), live.role(),
                    TriggerPrincipal.AuthType.SESSION, null);
            return (SecurityIdentity) QuarkusSecurityIdentity.builder()
                    .setPrincipal(p)
                    .addRoles(p.role().grantedRoles())
                    .addAttribute(SESSION, live)
                    .build();
        });
    }
}
