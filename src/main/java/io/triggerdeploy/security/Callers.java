package io.triggerdeploy.security;

import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.SecurityIdentity;
import io.triggerdeploy.common.ProblemException;

/** Gets the {@link TriggerPrincipal} out of the current identity. */
public final class Callers {

    private Callers() {
    }

    public static TriggerPrincipal of(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || !(identity.getPrincipal() instanceof TriggerPrincipal p)) {
            throw new UnauthorizedException();
        }
        return p;
    }

    /** The caller, who must be a database user (break-glass users have no row to act on). */
    public static TriggerPrincipal databaseUser(SecurityIdentity identity) {
        TriggerPrincipal p = of(identity);
        if (p.userId() == null) {
            throw ProblemException.forbidden("Not available to break-glass users; the database is unreachable");
        }
        return p;
    }
}
