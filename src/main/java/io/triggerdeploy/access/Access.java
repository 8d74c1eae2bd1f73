package io.triggerdeploy.access;

import io.triggerdeploy.security.Role;

import java.util.HashSet;
import java.util.Set;

/**
 * What one caller may do on which server, read once per request. A server is <em>restricted</em> when its environment
 * or the server itself has a grant; there only the grants to the caller (directly or through a team) count, capped by
 * the caller's role (a viewer only ever views). Everywhere else today's roles hold: viewers view, operators view, deploy
 * and approve; managing is for admins. Admins may do everything everywhere.
 */
public final class Access {

    private static final Access EVERYTHING = new Access(Role.ADMIN, Set.of(), Set.of(), Set.of(), Set.of(), Set.of(), Set.of(),
            Set.of(), Set.of());

    private final Role role;
    private final Set<Long> restricted;
    private final Set<Long> view;
    private final Set<Long> deploy;
    private final Set<Long> approve;
    private final Set<Long> manage;
    private final Set<Long> managedEnvironments;
    private final Set<Long> restrictedEnvironments;
    private final Set<Long> grantedEnvironments;
    private volatile Long[] hidden;

    Access(Role role, Set<Long> restricted, Set<Long> view, Set<Long> deploy, Set<Long> approve, Set<Long> manage,
           Set<Long> managedEnvironments, Set<Long> restrictedEnvironments, Set<Long> grantedEnvironments) {
        this.role = role;
        this.restricted = restricted;
        this.view = view;
        this.deploy = deploy;
        this.approve = approve;
        this.manage = manage;
        this.managedEnvironments = managedEnvironments;
        this.restrictedEnvironments = restrictedEnvironments;
        this.grantedEnvironments = grantedEnvironments;
    }

    /** An admin's (or a break-glass user's) access: everything. */
    public static Access everything() {
        return EVERYTHING;
    }

    public Role role() {
        return role;
    }

    public boolean isAdmin() {
        return role == Role.ADMIN;
    }

    /** Whether the server and its deployments, logs and schedules are shown to the caller. */
    public boolean sees(long serverId) {
        return isAdmin() || !restricted.contains(serverId) || view.contains(serverId);
    }

    public boolean may(Permission p, long serverId) {
        if (isAdmin()) {
            return true;
        }
        if (!restricted.contains(serverId)) {
            return switch (p) {
                case VIEW -> true;
                case DEPLOY, APPROVE -> role.atLeast(Role.OPERATOR);
                case MANAGE -> false;
            };
        }
        if (p == Permission.VIEW) {
            return view.contains(serverId);
        }
        if (!role.atLeast(Role.OPERATOR)) {
            return false;
        }
        return switch (p) {
            case DEPLOY -> deploy.contains(serverId);
            case APPROVE -> approve.contains(serverId);
            default -> manage.contains(serverId);
        };
    }

    /** Whether the environment is shown: it grants nothing (open), or grants the caller something. */
    public boolean seesEnvironment(long environmentId) {
        return isAdmin() || !restrictedEnvironments.contains(environmentId) || grantedEnvironments.contains(environmentId);
    }

    /** Whether the caller may change the environment's policy and grants (admins, and holders of its manage grant). */
    public boolean managesEnvironment(long environmentId) {
        return isAdmin() || role.atLeast(Role.OPERATOR) && managedEnvironments.contains(environmentId);
    }

    /** The environments whose manage grant the caller holds (admins manage all, which this does not list). */
    public Set<Long> managedEnvironmentIds() {
        return role.atLeast(Role.OPERATOR) ? managedEnvironments : Set.of();
    }

    /** True when nothing is hidden from the caller (no filter needed on lists). */
    public boolean seesEverything() {
        return isAdmin() || view.containsAll(restricted);
    }

    /** The servers hidden from the caller, for list queries ({@code NOT (server_id = ANY(…))}); empty when none. */
    public Long[] hidden() {
        Long[] h = hidden;
        if (h == null) {
            if (seesEverything()) {
                h = new Long[0];
            } else {
                Set<Long> s = new HashSet<>(restricted);
                s.removeAll(view);
                h = s.toArray(new Long[0]);
            }
            hidden = h; // the same array for every request that shares this access; callers only read it
        }
        return h;
    }
}
