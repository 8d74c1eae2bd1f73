package io.triggerdeploy.access;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Text;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Teams and their members: the rules (unique names, printable descriptions, members by id or username), each change
 * in one transaction with its audit record, and this replica's cached permissions forgotten once it committed.
 */
@ApplicationScoped
public class TeamService {

    private final AccessRepository repository;
    private final Transactions transactions;
    private final AuditLog audit;
    private final AccessCache cache;

    public TeamService(AccessRepository repository, Transactions transactions, AuditLog audit, AccessCache cache) {
        this.repository = repository;
        this.transactions = transactions;
        this.audit = audit;
        this.cache = cache;
    }

    public Uni<List<TeamView>> list() {
        return repository.teams();
    }

    /** A team by id or name (404 naming it otherwise). */
    public Uni<TeamView> get(String ref) {
        return teamId(ref).chain(id -> repository.team(null, id));
    }

    public Uni<TeamView> create(TeamRequest request, Actor actor) {
        String name = request.name().strip();
        String description = Text.printableOrNull(request.description(), "description");
        return changing(tx -> repository.insertTeam(tx, name, description).chain(id -> {
            if (id == null) {
                throw ProblemException.conflict("A team named '" + name + "' already exists");
            }
            return audit.record(tx, actor, null, "team.created", "team", name, description == null ? "" : description, true)
                    .chain(() -> repository.team(tx, id));
        }));
    }

    public Uni<TeamView> update(String ref, TeamRequest request, Actor actor) {
        String name = request.name().strip();
        String description = Text.printableOrNull(request.description(), "description");
        return teamId(ref).chain(id -> changing(tx -> repository.nameTaken(tx, name, id).chain(taken -> {
            if (taken) {
                throw ProblemException.conflict("A team named '" + name + "' already exists");
            }
            return repository.updateTeam(tx, id, name, description)
                    .call(() -> audit.record(tx, actor, null, "team.updated", "team", name, "name and description", true))
                    .chain(() -> repository.team(tx, id));
        })));
    }

    /** Deletes the team and every grant it held. */
    public Uni<Void> delete(String ref, Actor actor) {
        return teamId(ref).chain(id -> changing(tx -> repository.team(tx, id).chain(t -> t == null
                ? Uni.createFrom().failure(ProblemException.notFound("No team '" + ref + "'"))
                : repository.deleteTeam(tx, id).call(() -> audit.record(tx, actor, null, "team.deleted", "team", t.name(),
                        t.members().size() + " members, " + t.grants() + " grants removed", true))))).replaceWithVoid();
    }

    /** Adds a user (id or username) to the team; adding a member twice changes nothing. */
    public Uni<TeamView> addMember(String team, String user, Actor actor) {
        return teamId(team).chain(id -> userId(user).chain(uid -> changing(tx -> repository.addMember(tx, id, uid)
                .call(added -> !added ? Uni.createFrom().voidItem() : repository.team(tx, id).chain(t ->
                        audit.record(tx, actor, null, "team.member_added", "team", t.name(), "user " + user, true)))
                .chain(() -> repository.team(tx, id)))));
    }

    public Uni<TeamView> removeMember(String team, String user, Actor actor) {
        return teamId(team).chain(id -> userId(user).chain(uid -> changing(tx -> repository.removeMember(tx, id, uid)
                .call(removed -> {
                    if (!removed) {
                        throw ProblemException.notFound("User '" + user + "' is not a member of the team");
                    }
                    return repository.team(tx, id).chain(t ->
                            audit.record(tx, actor, null, "team.member_removed", "team", t.name(), "user " + user, true));
                })
                .chain(() -> repository.team(tx, id)))));
    }

    /** A transaction that changes teams or members; once it committed, this replica's cached permissions are forgotten. */
    private <T> Uni<T> changing(Function<Tx, Uni<T>> work) {
        return transactions.run(work).invoke(x -> cache.changed());
    }

    private Uni<Long> teamId(String ref) {
        return idOf(ref, "team", "id or name", repository::teamId);
    }

    private Uni<Long> userId(String ref) {
        return idOf(ref, "user", "id or username", repository::userId);
    }

    /** The id a path's reference names (404 naming it otherwise). */
    private static Uni<Long> idOf(String ref, String what, String by, BiFunction<Tx, String, Uni<Long>> find) {
        if (ref == null || ref.isBlank() || ref.length() > 64) {
            return Uni.createFrom().failure(ProblemException.notFound("No " + what + " with that " + by));
        }
        return find.apply(null, ref.trim()).map(id -> {
            if (id == null) {
                throw ProblemException.notFound("No " + what + " '" + ref.trim() + "'");
            }
            return id;
        });
    }
}
