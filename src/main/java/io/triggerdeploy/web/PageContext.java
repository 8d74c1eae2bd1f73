package io.triggerdeploy.web;

import io.triggerdeploy.security.TriggerPrincipal;
import io.triggerdeploy.security.Role;

/**
 * What every page needs to know about the person looking at it: who they are, what they may do, the CSRF token
 * scripts send back with state-changing calls, and which navigation entry is current.
 */
public record PageContext(TriggerPrincipal principal, String csrf, String nav) {

    public String username() {
        return principal.username();
    }

    public Role role() {
        return principal.role();
    }

    public boolean isAdmin() {
        return role().atLeast(Role.ADMIN);
    }

    public boolean isOperator() {
        return role().atLeast(Role.OPERATOR);
    }

    public String roleName() {
        return role().id();
    }

    public boolean navIs(String name) {
        return name.equals(nav);
    }
}
