package io.triggerdeploy.access;

import io.quarkus.security.identity.SecurityIdentity;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.Callers;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The one place that says what a caller may do where: lists filter by {@link Access#sees}, single reads answer 404 for a
 * hidden server's records, actions answer 403 naming the permission they need.
 */
@ApplicationScoped
public class AccessService {

    private final AccessRepository repository;
    private final AccessCache cache;

    public AccessService(AccessRepository repository, AccessCache cache) {
        this.repository = repository;
        this.cache = cache;
    }

    /** This replica changed something access depends on and committed it: the next request reads afresh. */
    public void changed() {
        cache.changed();
    }

    /** The caller's access over every server (admins: no query). */
    public Uni<Access> of(SecurityIdentity identity) {
        return of(Callers.of(identity));
    }

    public Uni<Access> of(TriggerPrincipal p) {
        return p.teamId() != null ? repository.team(null, p.teamId(), null) : of(p.userId(), p.role());
    }

    /** A user's access over every server with the given role (a Slack command's linked user). */
    public Uni<Access> of(Long userId, Role role) {
        if (role == Role.ADMIN) {
            return Uni.createFrom().item(Access.everything());
        }
        return cache.get(userId, role, () -> repository.load((Tx) null, userId, role, null));
    }

    /**
     * The access of whoever a trigger acts as, on one server, read in {@code tx} (the trigger's transaction; null: on its
     * own). A user looked up now must exist and be active; their role is today's.
     */
    public Uni<Access> of(Tx tx, Acting acting, long serverId) {
        if (acting.teamId() != null) {
            return repository.team(tx, acting.teamId(), serverId);
        }
        return lookedUp(tx, acting, "queued").chain(a -> a.role() == Role.ADMIN ? Uni.createFrom().item(Access.everything())
                : repository.load(tx, a.userId(), a.role(), serverId));
    }

    /** Whoever a trigger acts as, looked up now, with their access over every server. */
    public record Resolved(Access access, Acting acting) {
    }

    /**
     * The access over every server of whoever a trigger acts as (a webhook's rollout spans many servers): a user looked
     * up now must exist and be active, with today's role.
     */
    public Uni<Resolved> whole(Acting acting) {
        if (acting.teamId() != null) {
            return repository.team(null, acting.teamId(), null).map(a -> new Resolved(a, acting));
        }
        return lookedUp(null, acting, "started").chain(a -> (a.userId() == null ? repository.load((Tx) null, null, a.role(), null) : of(a.userId(), a.role()))
                .map(x -> new Resolved(x, a)));
    }

    /** Whoever a trigger acts as, looked up now when it names a user: they must exist and be active, with today's role. */
    private Uni<Acting> lookedUp(Tx tx, Acting acting, String nothingWas) {
        return !acting.needsLookup() ? Uni.createFrom().item(acting)
                : repository.user(tx, acting.userId(), acting.username()).map(u -> {
                    if (u == null || !u.active()) {
                        throw ProblemException.forbidden("This trigger acts as user '" + (u == null ? acting.username() : u.username())
                                + "', who " + (u == null ? "no longer exists" : "is deactivated") + "; nothing was " + nothingWas);
                    }
                    return new Acting(u.id(), u.username(), u.role());
                });
    }

    /** The same, read through the pool. */
    public Uni<Access> of(Acting acting, long serverId) {
        return of((Tx) null, acting, serverId);
    }

    /**
     * Fails unless {@code acting} holds {@code p} on the server: 404 when the server is hidden from them (its existence is
     * not theirs to learn), 403 naming the permission otherwise.
     */
    public Uni<Void> require(Tx tx, Acting acting, Permission p, long serverId, String alias) {
        return of(tx, acting, serverId).map(a -> {
            if (acting.needsLookup() && !a.may(p, serverId)) {
                // a webhook or schedule bound to this server: say whose permission is missing
                throw ProblemException.forbidden("This trigger acts as user '" + acting.username() + "', who may not " + p.id()
                        + " on server '" + alias + "' now; nothing was queued");
            }
            check(a, p, serverId, alias);
            return null;
        });
    }

    /** The same for a caller who knows only the server's id: its alias is read for the refusal only. */
    public Uni<Void> require(Tx tx, Acting acting, Permission p, long serverId) {
        return of(tx, acting, serverId).chain(a -> a.may(p, serverId) ? Uni.createFrom().voidItem()
                : repository.server(tx, String.valueOf(serverId)).map(s -> {
                    check(a, p, serverId, s == null ? "#" + serverId : s.alias());
                    return null;
                }));
    }

    /** The same check on an access already read. */
    public static void check(Access a, Permission p, long serverId, String alias) {
        if (!a.sees(serverId)) {
            throw ProblemException.notFound("No server '" + alias + "' (looked up by id, alias and host)");
        }
        if (!a.may(p, serverId)) {
            throw ProblemException.forbidden(refusal(a, p, alias));
        }
    }

    /** Why {@code p} is refused on a server. */
    public static String refusal(Access a, Permission p, String alias) {
        if (!a.role().atLeast(Role.OPERATOR) && p != Permission.VIEW) {
            return "A viewer may not " + p.id() + " on server '" + alias + "'";
        }
        return "You may not " + p.id() + " on server '" + alias + "': its environment or the server grants " + p.id()
                + " to named teams and users only";
    }

    /** The grants the caller may manage (admins: all), for the permission editor. */
    public Uni<java.util.List<GrantView>> grants(Access a) {
        if (!a.isAdmin() && a.managedEnvironmentIds().isEmpty()) {
            return Uni.createFrom().item(java.util.List.of());
        }
        return repository.grants(a.isAdmin() ? null : a.managedEnvironmentIds().toArray(new Long[0]), null, null);
    }

    public Uni<java.util.List<TeamView>> teams() {
        return repository.teams();
    }

    /** 404 for a record of a server hidden from the caller (as if it did not exist). */
    public static void requireVisible(Access a, long serverId, String what) {
        if (!a.sees(serverId)) {
            throw ProblemException.notFound("No " + what);
        }
    }
}
