package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.Periodic;
import io.triggerdeploy.db.BootstrapStep;
import io.triggerdeploy.federation.OidcSignIn;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.Duration;

/** Every 10 minutes: removes expired browser sessions, stale login-throttle counters and two-factor login challenges. */
@ApplicationScoped
public class AuthHousekeeping implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(AuthHousekeeping.class);

    private final WebSessions sessions;
    private final LoginThrottle throttle;
    private final Periodic periodic;

    private final TotpRepository totp;
    private final OidcSignIn oidc;

    public AuthHousekeeping(WebSessions sessions, LoginThrottle throttle, Periodic periodic, TotpRepository totp,
                            OidcSignIn oidc) {
        this.sessions = sessions;
        this.throttle = throttle;
        this.periodic = periodic;
        this.totp = totp;
        this.oidc = oidc;
    }

    @Override
    public int order() {
        return 30;
    }

    @Override
    public void run() {
        periodic.every("Auth housekeeping", Duration.ofMinutes(1), Duration.ofMinutes(10), this::clean);
    }

    Uni<Void> clean() {
        return sessions.purgeExpired().chain(s -> throttle.purgeExpired().invoke(t -> {
            if (s + t > 0) {
                LOG.debugf("Removed %d expired sessions and %d stale login counters", s, t);
            }
        })).chain(totp::purgeChallenges).chain(oidc::purgeExpired).replaceWithVoid();
    }
}
