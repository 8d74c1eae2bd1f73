package io.triggerdeploy.server;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.common.Text;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Server groups: named, ordered sets of servers that rollouts target (a server may be in several). The rules (unique
 * names, every server named exists, each once), each change in one transaction with its audit record, and what a
 * caller is shown: only the servers they may see, with a count of the others.
 */
@ApplicationScoped
public class ServerGroupService {

    private final ServerGroupRepository repository;
    private final Transactions transactions;
    private final AuditLog audit;

    public ServerGroupService(ServerGroupRepository repository, Transactions transactions, AuditLog audit) {
        this.repository = repository;
        this.transactions = transactions;
        this.audit = audit;
    }

    public Uni<List<ServerGroupView>> list(Access access) {
        return repository.list().map(l -> l.stream().map(g -> view(g, access)).toList());
    }

    /** A group by id or name (404 naming it otherwise). */
    public Uni<ServerGroupView> get(String ref, Access access) {
        return find(null, ref).map(g -> view(g, access));
    }

    public Uni<ServerGroupView> create(ServerGroupRequest req, Actor actor) {
        String name = req.name().trim();
        String description = Text.printableOrNull(req.description(), "description");
        List<String> refs = refs(req.servers());
        return transactions.run(tx -> members(tx, refs).chain(members -> repository.insert(tx, name, description,
                actor.name()).chain(id -> {
                    if (id == null) {
                        throw ProblemException.conflict("A group named '" + name + "' already exists");
                    }
                    return repository.setMembers(tx, id, ids(members))
                            .call(() -> audit.record(tx, actor, null, "group.created", "group", name, describe(members), true))
                            .chain(() -> repository.find(tx, String.valueOf(id)));
                }))).map(g -> view(g, null));
    }

    /** Replaces the group's name, description and servers. */
    public Uni<ServerGroupView> update(String ref, ServerGroupRequest req, Actor actor) {
        String name = req.name().trim();
        String description = Text.printableOrNull(req.description(), "description");
        List<String> refs = refs(req.servers());
        return transactions.run(tx -> find(tx, ref).chain(g -> members(tx, refs).chain(members ->
                repository.update(tx, g.id(), name, description).chain(updated -> {
                    if (!updated) {
                        throw ProblemException.conflict("A group named '" + name + "' already exists");
                    }
                    return repository.setMembers(tx, g.id(), ids(members))
                            .call(() -> audit.record(tx, actor, null, "group.updated", "group", name,
                                    (name.equals(g.name()) ? "" : "renamed from " + g.name() + "; ") + describe(members), true))
                            .chain(() -> repository.find(tx, String.valueOf(g.id())));
                })))).map(g -> view(g, null));
    }

    public Uni<Void> delete(String ref, Actor actor) {
        return transactions.run(tx -> find(tx, ref).chain(g -> repository.delete(tx, g.id())
                .call(() -> audit.record(tx, actor, null, "group.deleted", "group", g.name(), g.aliases().size() + " servers", true))))
                .replaceWithVoid();
    }

    private Uni<ServerGroupRepository.Stored> find(Tx tx, String ref) {
        if (ref == null || ref.isBlank() || ref.length() > 64) {
            return Uni.createFrom().failure(ProblemException.notFound("No group with that id or name"));
        }
        return repository.find(tx, ref.trim()).map(g -> {
            if (g == null) {
                throw ProblemException.notFound("No group '" + ref.trim() + "'");
            }
            return g;
        });
    }

    /** The servers a request names, in its order: each must exist and be named once. */
    private Uni<List<ServerGroupRepository.Named>> members(Tx tx, List<String> given) {
        if (given.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return repository.servers(tx, given).map(found -> {
            Map<String, ServerGroupRepository.Named> byRef = new HashMap<>();
            for (var s : found) {
                byRef.put(String.valueOf(s.id()), s);
                byRef.putIfAbsent(s.alias().toLowerCase(Locale.ROOT), s);
            }
            List<ServerGroupRepository.Named> ordered = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            Set<Long> seen = new HashSet<>();
            for (String r : given) {
                var s = byRef.get(r.matches("\\d{1,18}") ? r : r.toLowerCase(Locale.ROOT));
                if (s == null) {
                    s = byRef.get(r.toLowerCase(Locale.ROOT));
                }
                if (s == null) {
                    unknown.add(Text.cut(r, 64));
                } else if (!seen.add(s.id())) {
                    throw ProblemException.invalid("servers", "names server '" + s.alias() + "' twice");
                } else {
                    ordered.add(s);
                }
            }
            if (!unknown.isEmpty()) {
                throw ProblemException.invalid("servers", "no server " + String.join(", ", unknown.stream().limit(10)
                        .map(u -> "'" + u + "'").toList()) + (unknown.size() > 10 ? " and " + (unknown.size() - 10) + " more" : ""));
            }
            return ordered;
        });
    }

    /** The entries of a request's {@code servers}, trimmed; a problem before anything is written when one is not a reference. */
    private static List<String> refs(List<String> refs) {
        List<String> given = new ArrayList<>();
        for (String r : refs) {
            if (r == null || r.isBlank() || r.length() > 64) {
                throw ProblemException.invalid("servers", "each entry is a server's id or alias");
            }
            given.add(r.trim());
        }
        return given;
    }

    /** The group as {@code access} may see it (null: an admin's own change, all of it). */
    private static ServerGroupView view(ServerGroupRepository.Stored g, Access access) {
        List<String> aliases = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < g.serverIds().size(); i++) {
            if (access == null || access.sees(g.serverIds().get(i))) {
                ids.add(g.serverIds().get(i));
                aliases.add(g.aliases().get(i));
            }
        }
        int hidden = g.serverIds().size() - ids.size();
        return new ServerGroupView(g.id(), g.name(), g.description(), aliases, ids, hidden == 0 ? null : hidden,
                g.createdBy(), g.createdAt(), g.updatedAt());
    }

    private static List<Long> ids(List<ServerGroupRepository.Named> members) {
        return members.stream().map(ServerGroupRepository.Named::id).toList();
    }

    private static String describe(List<ServerGroupRepository.Named> members) {
        String names = String.join(", ", members.stream().limit(20).map(ServerGroupRepository.Named::alias).toList());
        return members.size() + " servers" + (members.isEmpty() ? "" : ": " + names + (members.size() > 20 ? ", …" : ""));
    }
}
