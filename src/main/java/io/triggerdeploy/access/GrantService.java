package io.triggerdeploy.access;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.TriggerPrincipal;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

import static io.triggerdeploy.common.Text.blank;

/**
 * Grants: admins see and change all; an operator holding {@code manage} on an environment sees and changes the grants on
 * it and on its servers. A server the caller may not see is named like one that does not exist. Each change commits
 * with its audit record; this replica's cached permissions are forgotten once it did (the others hear it by NOTIFY).
 */
@ApplicationScoped
public class GrantService {

    private final AccessRepository repository;
    private final AccessService access;
    private final Transactions transactions;
    private final AuditLog audit;

    public GrantService(AccessRepository repository, AccessService access, Transactions transactions, AuditLog audit) {
        this.repository = repository;
        this.access = access;
        this.transactions = transactions;
        this.audit = audit;
    }

    /** The grants the caller may manage, optionally of one environment or one server. */
    public Uni<List<GrantView>> list(String environment, String server, TriggerPrincipal p) {
        Uni<Long> envId = blank(environment) ? Uni.createFrom().nullItem() : environmentId(null, environment.trim());
        return access.of(p).chain(a -> envId.chain(e -> (blank(server) ? Uni.createFrom().<Long>nullItem()
                : serverRef(null, server.trim(), a).map(AccessRepository.ServerRef::id)).chain(s -> repository.grants(
                a.isAdmin() ? null : managed(a), e, s))));
    }

    /** A permission on an environment, or on a server (optionally with the environment it must be in), to a team or a user. */
    public Uni<GrantView> create(GrantRequest request, TriggerPrincipal p, Actor actor) {
        if (blank(request.environment()) && blank(request.server())) {
            throw ProblemException.invalid("environment", "give an environment, or a server (with or without its environment)");
        }
        if (blank(request.team()) == blank(request.user())) {
            throw ProblemException.invalid("team", "give exactly one of team and user");
        }
        String permission = request.permission().trim();
        return access.of(p).chain(a -> transactions.run(tx -> scope(tx, request, a).chain(sc -> subject(tx, request).chain(sub -> {
            requireManages(a, sc.scopeEnvironmentId(), sc.describe());
            return repository.insertGrant(tx, sc.environmentId(), sc.serverId(), sub[0], sub[1], permission, p.username())
                    .chain(id -> {
                        if (id == null) {
                            throw ProblemException.conflict("That grant exists already");
                        }
                        String to = sub[0] != null ? "team " + request.team().trim() : "user " + request.user().trim();
                        return audit.record(tx, actor, null, "grant.created", "grant", "#" + id,
                                permission + " on " + sc.describe() + " to " + to, true).chain(() -> repository.grant(tx, id));
                    });
        })))).invoke(x -> access.changed());
    }

    public Uni<Void> delete(long id, TriggerPrincipal p, Actor actor) {
        return access.of(p).chain(a -> transactions.run(tx -> repository.grant(tx, id).chain(g -> {
            if (g == null || !a.isAdmin() && (g.scopeEnvironmentId() == null || !a.managesEnvironment(g.scopeEnvironmentId()))) {
                throw ProblemException.notFound("No grant " + id);
            }
            return repository.deleteGrant(tx, id).call(() -> audit.record(tx, actor, null, "grant.deleted", "grant", "#" + id,
                    g.permission() + " on " + (g.environment() != null ? "environment " + g.environment() : "server " + g.server())
                            + " to " + (g.team() != null ? "team " + g.team() : "user " + g.user()), true));
        }))).invoke(x -> access.changed()).replaceWithVoid();
    }

    private record Scope(Long environmentId, Long serverId, Long scopeEnvironmentId, String describe) {
    }

    /** A server (optionally with the environment it must be in) or a whole environment. */
    private Uni<Scope> scope(Tx tx, GrantRequest request, Access a) {
        if (blank(request.server())) {
            return environmentId(tx, request.environment().trim())
                    .map(id -> new Scope(id, null, id, "environment " + request.environment().trim()));
        }
        return serverRef(tx, request.server().trim(), a).chain(s -> (blank(request.environment()) ? Uni.createFrom().<Long>nullItem()
                : environmentId(tx, request.environment().trim())).map(env -> {
            if (env != null && !env.equals(s.environmentId())) {
                throw ProblemException.invalid("server", "'" + s.alias() + "' is not in environment " + request.environment().trim());
            }
            return new Scope(null, s.id(), s.environmentId(), "server " + s.alias());
        }));
    }

    /** {team id, user id}: exactly one set. */
    private Uni<Long[]> subject(Tx tx, GrantRequest request) {
        return !blank(request.team())
                ? repository.teamId(tx, request.team().trim()).map(id -> new Long[]{require(id, "team", request.team()), null})
                : repository.userId(tx, request.user().trim()).map(id -> new Long[]{null, require(id, "user", request.user())});
    }

    private static Long[] managed(Access a) {
        return a.managedEnvironmentIds().toArray(new Long[0]);
    }

    private static void requireManages(Access a, Long environmentId, String what) {
        if (a.isAdmin()) {
            return;
        }
        if (environmentId == null || !a.managesEnvironment(environmentId)) {
            throw ProblemException.forbidden("Changing the grants on " + what + " needs manage on its environment");
        }
    }

    private Uni<Long> environmentId(Tx tx, String name) {
        return repository.environmentId(tx, name).map(id -> require(id, "environment", name));
    }

    /** The server a grant names, if the caller may see it: a hidden server answers like an unknown one. */
    private Uni<AccessRepository.ServerRef> serverRef(Tx tx, String ref, Access a) {
        if (ref.length() > 253 || ref.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
            throw ProblemException.invalid("server", "no such server");
        }
        return repository.server(tx, ref).map(s -> {
            if (s == null || !a.sees(s.id())) {
                throw ProblemException.invalid("server", "no server '" + ref + "'");
            }
            return s;
        });
    }

    private static Long require(Long id, String field, String ref) {
        if (id == null) {
            throw ProblemException.invalid(field, "no " + field + " '" + ref.trim() + "'");
        }
        return id;
    }
}
