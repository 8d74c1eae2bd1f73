package io.triggerdeploy.access;

import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;

/**
 * Whose permissions a trigger carries. A signed-in caller acts as themselves with the role of their login or API token
 * (a token carries at most its owner's role). A webhook acts as the user who created it and a schedule as the user who
 * made it, looked up when it fires ({@code role} null), so a deactivated or demoted creator stops them. The legacy shared
 * deploy token has no user: it acts as an operator with no grants, so it reaches open environments only.
 *
 * @param userId   the user, or null (by name, or no user at all)
 * @param username the user's name when the id is not known (a webhook's creator), else informative only
 * @param role     the role to act with; null to read the user's current role and require the user to be active
 * @param teamId   a CI job's team: its grants are all the job holds (no user, nothing on servers without grants)
 */
public record Acting(Long userId, String username, Role role, Long teamId) {

    /** The name the shared DEPLOY_TOKEN triggers under. */
    public static final String DEPLOY_TOKEN = "deploy-token";

    public Acting(Long userId, String username, Role role) {
        this(userId, username, role, null);
    }

    public static Acting of(TriggerPrincipal p) {
        return new Acting(p.userId(), p.username(), p.role(), p.teamId());
    }

    /** The user with this id, as they are when the trigger runs. */
    public static Acting user(long id, String name) {
        return new Acting(id, name, null);
    }

    /** The user with this name, as they are when the trigger runs (a webhook's creator). */
    public static Acting named(String username) {
        return username == null ? sharedToken() : new Acting(null, username, null);
    }

    /** No user: the legacy shared deploy token (and webhooks whose creator was never recorded). */
    public static Acting sharedToken() {
        return new Acting(null, null, Role.OPERATOR);
    }

    /** The old tool's shared DEPLOY_TOKEN: an operator with no user (and so no grants). */
    public static Acting deployToken() {
        return new Acting(null, DEPLOY_TOKEN, Role.OPERATOR);
    }

    /** Whether this is the shared DEPLOY_TOKEN, which whoever holds it uses without saying who they are. */
    public boolean isDeployToken() {
        return userId == null && role == Role.OPERATOR && DEPLOY_TOKEN.equals(username);
    }

    boolean needsLookup() {
        return role == null;
    }
}
