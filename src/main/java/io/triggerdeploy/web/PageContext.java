package io.triggerdeploy.web;

import io.triggerdeploy.access.Access;
import io.triggerdeploy.access.Permission;
import io.triggerdeploy.schedule.ScheduleView;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;

/**
 * What every page needs to know about the person looking at it: who they are, what they may do, the CSRF token
 * scripts send back with state-changing calls, which navigation entry is current, and whether this installation can
 * keep secrets (a secrets key is configured), so that pages say so where secrets and two-factor sign-in are offered.
 */
public record PageContext(TriggerPrincipal principal, String csrf, String nav, Access access, boolean secretsEnabled) {

    public PageContext(TriggerPrincipal principal, String csrf, String nav) {
        this(principal, csrf, nav, null, false);
    }

    PageContext with(Access a, boolean secrets) {
        return new PageContext(principal, csrf, nav, a, secrets);
    }

    /** Whether the viewer may deploy (and cancel, re-run, roll back) on the server: buttons they cannot use are not shown. */
    public boolean mayDeploy(long serverId) {
        return access != null && access.may(Permission.DEPLOY, serverId);
    }

    /**
     * Whether the viewer may pause, resume or delete the schedule: deploy on its server, or, for a rollout's schedule, an
     * operator (the API checks deploy on every server of the rollout when they do).
     */
    public boolean mayChange(ScheduleView s) {
        return s.serverId() == null ? isOperator() : mayDeploy(s.serverId());
    }

    public boolean mayApprove(long serverId) {
        return access != null && access.may(Permission.APPROVE, serverId);
    }

    public boolean sees(long serverId) {
        return access != null && access.sees(serverId);
    }

    /** Whether the viewer may change the environment's policy and grants. */
    public boolean managesEnvironment(long environmentId) {
        return access != null && access.managesEnvironment(environmentId);
    }

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
