package io.triggerdeploy.security;

import java.security.Principal;

/**
 * Who is calling: a database user through a login token or an API token, a break-glass user (no database id) while the
 * database is unreachable, or a CI job through a token it got for its ID token (no user: it acts as {@code teamId}, with
 * the team's deploy and view grants only).
 */
public record TriggerPrincipal(Long userId, String username, Role role, AuthType authType, Long apiTokenId, Long teamId)
        implements Principal {

    /** How the caller proved who they are. */
    public enum AuthType { PASSWORD, API_TOKEN, BREAK_GLASS, SESSION, CI }

    public TriggerPrincipal(Long userId, String username, Role role, AuthType authType, Long apiTokenId) {
        this(userId, username, role, authType, apiTokenId, null);
    }

    /** A CI job acting as a team: an operator whose grants are the team's. */
    public static TriggerPrincipal ci(String identity, long teamId) {
        return new TriggerPrincipal(null, identity, Role.OPERATOR, AuthType.CI, null, teamId);
    }

    public boolean isCi() {
        return authType == AuthType.CI;
    }

    @Override
    public String getName() {
        return username;
    }

    public boolean isBreakGlass() {
        return authType == AuthType.BREAK_GLASS;
    }
}
