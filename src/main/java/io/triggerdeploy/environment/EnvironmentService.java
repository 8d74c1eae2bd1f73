package io.triggerdeploy.environment;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Environments: checks a policy in one place, keeps each change with its audit record. */
@ApplicationScoped
public class EnvironmentService {

    private final EnvironmentRepository repository;
    private final Transactions transactions;
    private final AuditLog audit;
    private final AccessService access;

    public EnvironmentService(EnvironmentRepository repository, Transactions transactions, AuditLog audit, AccessService access) {
        this.repository = repository;
        this.transactions = transactions;
        this.audit = audit;
        this.access = access;
    }

    /** A checked policy, ready to store. */
    record Policy(String description, int requiredApprovals, int approvalTimeoutMinutes, boolean breakGlass, String queuePolicy,
                  String freezeAction, String timeZone, String windowsJson) {

        static Policy of(EnvironmentRequest r) {
            String zone = r.timeZone() == null || r.timeZone().isBlank() ? "UTC" : r.timeZone().trim();
            Windows.zone(zone, "time_zone");
            Windows w = new Windows(r.freezeWindows(), r.weeklyFreezes(), r.deployHours()).checked();
            String description = r.description() == null || r.description().isBlank() ? null : r.description().strip();
            if (description != null && description.chars().anyMatch(c -> c < 0x20 && c != '\n' && c != '\t')) {
                throw ProblemException.invalid("description", "must not contain control characters");
            }
            return new Policy(description, r.requiredApprovals() == null ? 0 : r.requiredApprovals(),
                    r.approvalTimeoutMinutes() == null ? 1440 : r.approvalTimeoutMinutes(), Boolean.TRUE.equals(r.breakGlass()),
                    r.queuePolicy() == null || r.queuePolicy().isBlank() ? null : r.queuePolicy(),
                    r.freezeAction() == null || r.freezeAction().isBlank() ? "refuse" : r.freezeAction(), zone, Environment.write(w));
        }

        String summary() {
            return "approvals " + requiredApprovals + ", freeze action " + freezeAction + ", break glass " + (breakGlass ? "on" : "off")
                    + (queuePolicy == null ? "" : ", queue " + queuePolicy) + ", time zone " + timeZone
                    + (windowsJson == null ? "" : ", with windows");
        }
    }

    public Uni<List<Environment>> list() {
        Instant now = Instant.now();
        return repository.list().chain(envs -> repository.serversByEnvironment().map(servers -> envs.stream()
                .map(e -> e.shown(servers.getOrDefault(EnvironmentRepository.key(e.name()), List.of()), now)).toList()));
    }

    public Uni<Environment> get(String name) {
        return repository.find(name).chain(e -> {
            if (e == null) {
                throw ProblemException.notFound("No environment '" + name + "'");
            }
            return repository.serversByEnvironment().map(s -> e.shown(s.getOrDefault(EnvironmentRepository.key(e.name()), List.of()),
                    Instant.now()));
        });
    }

    public Uni<Environment> create(EnvironmentRequest r, Actor actor) {
        if (r.name() == null || r.name().isBlank()) {
            throw ProblemException.invalid("name", "is required");
        }
        String name = r.name().trim();
        Policy p = Policy.of(r);
        return transactions.run(tx -> repository.insert(tx, name, p).call(e -> {
            if (e == null) {
                throw ProblemException.conflict("An environment named '" + name + "' already exists");
            }
            return audit.record(tx, actor, "api", "environment.created", "environment", name, p.summary(), true);
        })).invoke(x -> access.changed()).chain(e -> get(e.name()));
    }

    public Uni<Environment> update(String name, EnvironmentRequest r, Actor actor) {
        if (r.name() != null && !r.name().isBlank() && !r.name().trim().equalsIgnoreCase(name)) {
            throw ProblemException.invalid("name", "cannot change (servers name their environment by it)");
        }
        Policy p = Policy.of(r);
        return transactions.run(tx -> repository.update(tx, name, p).call(e -> {
            if (e == null) {
                throw ProblemException.notFound("No environment '" + name + "'");
            }
            return audit.record(tx, actor, "api", "environment.updated", "environment", e.name(), p.summary(), true);
        })).chain(e -> get(e.name()));
    }

    public Uni<Void> delete(String name, Actor actor) {
        return transactions.run(tx -> repository.servers(tx, name).chain(servers -> {
            if (!servers.isEmpty()) {
                throw ProblemException.conflict("Environment '" + name + "' still has servers: " + String.join(", ", servers)
                        + "; move them to another environment first");
            }
            return repository.delete(tx, name);
        }).call(deleted -> {
            if (!deleted) {
                throw ProblemException.notFound("No environment '" + name + "'");
            }
            return audit.record(tx, actor, "api", "environment.deleted", "environment", name, null, true);
        })).invoke(x -> access.changed()).replaceWithVoid();
    }

    /**
     * Makes the environments that servers name records (an empty policy: deployments behave as before) once a server
     * was saved or imported; each one created is audited.
     */
    public Uni<Void> ensureNamedByServers(Actor actor) {
        return repository.ensureNamedByServers().call(names -> Uni.join().all(names.stream()
                        .map(n -> audit.record(actor, "environment.created", "environment", n, "named by a server; empty policy"))
                        .toList()).andCollectFailures().onItem().ignore().andContinueWithNull()
                .onFailure().recoverWithNull()).replaceWithVoid();
    }

    /** The environments by lower-cased name (for pages that show several servers' policies). */
    public Uni<Map<String, Environment>> byName() {
        return repository.list().map(l -> {
            Map<String, Environment> out = new java.util.HashMap<>();
            l.forEach(e -> out.put(EnvironmentRepository.key(e.name()), e));
            return out;
        });
    }
}
