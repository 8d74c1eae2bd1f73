package io.triggerdeploy.security;

import java.security.Principal;

/**
 * Who is calling: a database user through a login token or an API token, or a break-glass user
 * (no database id) while the database is unreachable.
 */
public record TriggerPrincipal(Long userId, String username, Role role, AuthType authType, Long apiTokenId)
        implements Principal {

    /** How the caller proved who they are. */
    public enum AuthType { PASSWORD, API_TOKEN, BREAK_GLASS, SESSION }

    @Override
    public String getName() {
        return username;
    }

    public boolean isBreakGlass() {
        return authType == AuthType.BREAK_GLASS;
    }
}
