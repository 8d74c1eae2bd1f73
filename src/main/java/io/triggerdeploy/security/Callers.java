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

    /**
     * The caller signed in as themselves, with a login token or a browser session: what changes how someone signs in or
     * acts elsewhere (password, second factor, Slack link, signing out everywhere) is not for API tokens, which may carry
     * less than their owner's role and are made to be handed to machines.
     */
    public static TriggerPrincipal signedIn(SecurityIdentity identity) {
        TriggerPrincipal p = databaseUser(identity);
        if (p.authType() != TriggerPrincipal.AuthType.PASSWORD && p.authType() != TriggerPrincipal.AuthType.SESSION) {
            throw ProblemException.forbidden("An API token cannot change how you sign in or act elsewhere; "
                    + "use a login token (POST /api/login) or the web page");
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
