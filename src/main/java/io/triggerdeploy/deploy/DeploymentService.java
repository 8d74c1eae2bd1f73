package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.access.Acting;
import io.triggerdeploy.access.Permission;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.Keyset;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.SecretBox;
import io.triggerdeploy.server.ParameterSpec;
import io.triggerdeploy.server.Parameters;
import io.triggerdeploy.server.Server;
import io.triggerdeploy.server.ServerService;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Triggers, reads and cancels deployments; the running happens in {@link Dispatcher}. */
@ApplicationScoped
public class DeploymentService {

    private final DeploymentRepository repository;
    private final ServerService servers;
    private final AuditLog audit;
    private final Transactions transactions;
    private final SecretBox secrets;
    private final Approvals approvals;
    private final AccessService access;
    private final RollbackRepository rollbacks;

    public DeploymentService(DeploymentRepository repository, ServerService servers, AuditLog audit, Transactions transactions,
                             SecretBox secrets, Approvals approvals, AccessService access, RollbackRepository rollbacks) {
        this.repository = repository;
        this.servers = servers;
        this.audit = audit;
        this.transactions = transactions;
        this.secrets = secrets;
        this.approvals = approvals;
        this.access = access;
        this.rollbacks = rollbacks;
    }

    /** Deployments queued or running now, oldest first, at most {@code limit}. */
    public Uni<java.util.List<DeploymentView>> active(int limit, Access access) {
        return repository.active(limit, access.hidden()).chain(this::withPositions);
    }

    /** The newest {@code limit} deployments. */
    public Uni<java.util.List<DeploymentView>> recent(int limit, Access access) {
        return repository.page(null, null, null, null, null, null, null, limit, access.hidden()).chain(this::withPositions);
    }

    /** Deployments running and queued now, on all replicas. */
    public Uni<DeploymentRepository.ActiveCounts> activeCounts() {
        return repository.activeCounts();
    }

    /** Queues a deployment and returns at once; the deployment and its audit record commit together. */
    public Uni<DeploymentView> trigger(TriggerCommand command) {
        return target(command).chain(t -> transactions.run(tx -> queue(tx, t, command))).call(approvals::announce);
    }

    /**
     * The active server a command names, with the command's parameter values checked against the server's
     * declarations and its secret values sealed; all before any transaction opens (it reads through its own session).
     */
    public Uni<QueueTarget> target(TriggerCommand c) {
        return servers.resolve(c.serverRef().trim(), c.acting()).map(s -> {
            requireActive(s);
            Parameters.Resolved values = Parameters.resolve(Parameters.read(s.parameters), c.parameters());
            return new QueueTarget(s.id, s.alias, run(values, c.origin()));
        });
    }

    private static void requireActive(Server s) {
        if (!s.active) {
            throw ProblemException.conflict("Server '" + s.alias + "' is inactive");
        }
    }

    private Run run(Parameters.Resolved values, TriggerCommand.Origin origin) {
        if (values.isEmpty()) {
            return new Run(null, null, null, origin);
        }
        Map<String, String> sealed = new TreeMap<>();
        values.secrets().forEach((name, value) -> {
            secrets.requireEnabled("parameters." + name);
            sealed.put(name, secrets.seal(sealedName(name), value));
        });
        return new Run(values.ref(), Parameters.write(values.shown()), sealed.isEmpty() ? null : Parameters.write(sealed), origin);
    }

    /** What a host of a rollout will run: the values checked against its server's own declarations, secrets sealed. */
    public Run hostRun(java.util.List<ParameterSpec> declared, Map<String, ?> values) {
        return run(Parameters.resolve(declared, values), null);
    }

    /** What a secret parameter of a deployment is sealed under. */
    static String sealedName(String parameter) {
        return "param:" + parameter;
    }

    /**
     * Queues a deployment inside the caller's transaction (a webhook delivery), with its audit record. Everything here
     * runs on the transaction's connection: waiting for a second connection while holding one would exhaust the pool
     * under a burst of triggers.
     */
    public Uni<DeploymentView> queue(Tx tx, QueueTarget t, TriggerCommand c) {
        return access.require(tx, c.acting(), Permission.DEPLOY, t.serverId(), t.alias())
                .chain(() -> repository.lockGate(tx, t.serverId())).chain(gate -> {
            Admission a = Admission.decide(gate, c.breakGlass(), java.time.Instant.now());
            if ("AWAITING_APPROVAL".equals(a.status()) && c.acting().isDeployToken()) {
                // the token says nobody: its holder could approve their own deployment with their account
                throw ProblemException.forbidden("Environment '" + a.environment() + "' needs approval, and the shared "
                        + "DEPLOY_TOKEN does not say who asks (its holder could approve their own deployment): "
                        + "trigger with an API token of your own");
            }
            boolean queued = "QUEUED".equals(a.status());
            return refuseWhenBusy(tx, t, a.queuePolicy())
                    .chain(() -> repository.insert(tx, t.serverId(), t.alias(), c.requestedBy(), c.requestedById(), c.source(),
                            c.actor().ip(), c.note() == null || c.note().isBlank() ? null : c.note().strip(), t.run(), a, null))
                    .chain(d -> !queued || !"replace".equals(a.queuePolicy()) ? Uni.createFrom().item(Map.entry(d, java.util.List.<Long>of()))
                            : repository.supersede(tx, t.serverId(), d.id()).map(ids -> Map.entry(d, ids)))
                    .call(e -> audit.record(tx, c.actor(), c.via(), "deployment.triggered", "deployment",
                            "#" + e.getKey().id() + " " + e.getKey().server(), describe(c.via(), e.getKey()) + a.describe()
                                    + superseded(e.getValue()), true))
                    .map(Map.Entry::getKey);
        });
    }

    /** Queue policy "reject": 409 naming the deployment queued or running. */
    private Uni<Void> refuseWhenBusy(Tx tx, QueueTarget t, String policy) {
        if (!"reject".equals(policy)) {
            return Uni.createFrom().voidItem();
        }
        return repository.busy(tx, t.serverId()).map(b -> {
            if (b != null) {
                throw ProblemException.conflict("Server '" + t.alias() + "' already has deployment #" + b.id() + " " + b.status()
                        + ", and its queue policy is reject: try again when it has finished");
            }
            return null;
        });
    }

    /** The deployments with the queue positions of the queued ones. */
    Uni<java.util.List<DeploymentView>> withPositions(java.util.List<DeploymentView> list) {
        java.util.List<Long> queued = list.stream().filter(d -> "QUEUED".equals(d.status())).map(DeploymentView::id).toList();
        if (queued.isEmpty()) {
            return Uni.createFrom().item(list);
        }
        return repository.positions(queued).map(p -> list.stream().map(d -> p.containsKey(d.id()) ? d.withPosition(p.get(d.id())) : d)
                .toList());
    }

    /** The audit trail's note of the queued deployments a new one superseded (queue policy "replace"), or nothing. */
    static String superseded(java.util.List<Long> ids) {
        return ids.isEmpty() ? "" : "; superseded " + ids.stream().map(id -> "#" + id).collect(java.util.stream.Collectors.joining(", "));
    }

    /** What the audit trail says of a queued deployment: where it came from, its version and its parameter names. */
    static String describe(String via, DeploymentView d) {
        StringBuilder sb = new StringBuilder("via ").append(via);
        if (d.origin() != null) {
            sb.append("; ").append(new TriggerCommand.Origin(d.origin(), d.originId()).describe());
        }
        if (d.ref() != null) {
            sb.append("; ref ").append(d.ref());
        }
        if (d.parameters() != null) {
            sb.append("; parameters ").append(String.join(", ", d.parameters().keySet()));
        }
        return sb.toString();
    }

    /** The server a deployment will run on, as resolved for one trigger, and what it runs with. */
    public record QueueTarget(long serverId, String alias, Run run) {
    }

    /** The same server, version and values (sealed secrets copied as they are) once more. */
    public Uni<DeploymentView> rerun(long id, TriggerCommand c) {
        return visibleSource(id, c).chain(src -> again(src, c, new TriggerCommand.Origin("rerun", id)));
    }

    /**
     * Runs the values of the last SUCCEEDED deployment before the server's current one again (or of {@code to}, an
     * earlier success of the same server); 409 with the reason when there is none.
     */
    public Uni<DeploymentView> rollback(String serverRef, Long to, TriggerCommand c) {
        return servers.resolve(serverRef.trim(), c.acting()).chain(s -> repository.current(s.id).chain(current -> {
            if (current == null) {
                throw ProblemException.conflict("Server '" + s.alias + "' has no deployment to roll back from");
            }
            Uni<DeploymentRepository.Source> target = to == null ? rollbacks.target(s.id, current)
                    : repository.source(to).map(src -> {
                        if (src == null || src.serverId() != s.id) {
                            throw ProblemException.invalid("to", "is not a deployment of server '" + s.alias + "'");
                        }
                        if (!"SUCCEEDED".equals(src.status()) || src.id() >= current) {
                            throw ProblemException.conflict("Deployment #" + to + " is not a successful deployment before "
                                    + "the current one (#" + current + "); it ended " + src.status());
                        }
                        return src;
                    });
            return target.chain(src -> {
                if (src == null) {
                    throw ProblemException.conflict("Server '" + s.alias + "' has no successful deployment before the "
                            + "current one (#" + current + ") to roll back to");
                }
                return again(src, c, new TriggerCommand.Origin("rollback", src.id()));
            });
        }));
    }

    /** What a rollback of the server would do: from which deployment, to which by default, what else one may pick. */
    public Uni<RollbackPlan> rollbackPlan(String serverRef, Acting acting) {
        return servers.resolve(serverRef.trim(), acting).chain(s -> repository.current(s.id).chain(current -> {
            if (current == null) {
                return Uni.createFrom().item(new RollbackPlan(s.alias, null, null, List.of()));
            }
            return rollbacks.describe(current).chain(from -> rollbacks.target(s.id, current).chain(to -> rollbacks.candidates(s.id, current, 20)
                    .map(list -> new RollbackPlan(s.alias, from, to == null ? null
                            : list.stream().filter(c -> c.deploymentId() == to.id()).findFirst()
                            .orElse(new RollbackPlan.Candidate(to.id(), to.ref(), null, null, "SUCCEEDED")), list))));
        }));
    }

    /**
     * The same version and values on another server: those the target declares (and REF), checked against its
     * declarations; secret values are opened here and sealed again for the new deployment, never leaving the process.
     */
    public Uni<DeploymentView> promote(long id, String serverRef, TriggerCommand c) {
        return visibleSource(id, c)
                .chain(src -> servers.resolve(serverRef.trim(), c.acting()).chain(s -> {
            if (s.id == src.serverId()) {
                throw ProblemException.invalid("server", "is the server deployment #" + id + " ran on; use rerun to run it again");
            }
            Map<String, String> declared = new HashMap<>();
            Parameters.read(s.parameters).forEach(p -> declared.put(p.name(), p.type()));
            declared.put(Parameters.REF, "string");
            Map<String, Object> values = new TreeMap<>();
            Map<String, String> sealed = Parameters.readMap(src.sealedJson());
            Parameters.readMap(src.shownJson()).forEach((name, value) -> {
                if (!declared.containsKey(name)) {
                    return;
                }
                if (sealed.containsKey(name) && !"secret".equals(declared.get(name))) {
                    // a sealed value goes only where it stays sealed: never into a parameter shown, logged and stored in clear
                    throw ProblemException.conflict("Parameter " + name + " is secret in deployment #" + id + " but '"
                            + serverRef.trim() + "' declares it " + declared.get(name) + "; declare it secret there to promote it");
                }
                values.put(name, sealed.containsKey(name) ? open(name, sealed.get(name)) : value);
            });
            if (src.ref() != null) {
                values.put(Parameters.REF, src.ref());
            }
            return trigger(new TriggerCommand(String.valueOf(s.id), c.note(), c.requestedBy(), c.requestedById(), c.source(),
                    c.via(), c.actor(), values, new TriggerCommand.Origin("promotion", id), c.acting()));
        }));
    }

    private String open(String name, String sealed) {
        try {
            return secrets.open(sealedName(name), sealed);
        } catch (SecretBox.SecretUnavailable e) {
            throw ProblemException.conflict("The secret parameter " + name + " of the deployment cannot be opened: "
                    + e.getMessage());
        }
    }

    /** A deployment to repeat, if the caller may see its server (404 as if it did not exist otherwise). */
    private Uni<DeploymentRepository.Source> visibleSource(long id, TriggerCommand c) {
        return source(id).call(src -> access.of(c.acting(), src.serverId()).invoke(a ->
                AccessService.requireVisible(a, src.serverId(), "deployment " + id)));
    }

    private Uni<DeploymentRepository.Source> source(long id) {
        return repository.source(id).map(src -> {
            if (src == null) {
                throw ProblemException.notFound("No deployment " + id);
            }
            return src;
        });
    }

    private Uni<DeploymentView> again(DeploymentRepository.Source src, TriggerCommand c, TriggerCommand.Origin origin) {
        TriggerCommand command = new TriggerCommand(String.valueOf(src.serverId()), c.note(), c.requestedBy(), c.requestedById(),
                c.source(), c.via(), c.actor(), Map.of(), origin, c.breakGlass(), c.acting());
        return servers.resolve(String.valueOf(src.serverId())).map(s -> {
            requireActive(s);
            return new QueueTarget(s.id, s.alias, src.run(origin));
        }).chain(t -> transactions.run(tx -> queue(tx, t, command))).call(approvals::announce);
    }

    /** Stored log lines of a deployment after {@code afterLine}, at most {@code limit} (the caller checked it may see it). */
    public Uni<java.util.List<LogLine>> lines(long id, int afterLine, int limit) {
        return repository.lines(id, afterLine, limit);
    }

    /** A deployment the caller may see (404 as if it did not exist otherwise). */
    public Uni<DeploymentView> get(long id, Access access) {
        return repository.find(id).map(d -> {
            if (d == null || !access.sees(d.serverId())) {
                throw ProblemException.notFound("No deployment " + id);
            }
            return d;
        }).chain(d -> withPositions(java.util.List.of(d))).chain(approvals::withDecisions).map(l -> l.get(0));
    }

    /** Cancels a deployment on a server where the caller may deploy; "deployment.cancelled" commits with it. */
    public Uni<DeploymentView> cancel(long id, Access access, Actor actor) {
        return get(id, access).invoke(d -> AccessService.check(access, Permission.DEPLOY, d.serverId(), d.server()))
                .chain(x -> transactions.run(tx -> repository.requestCancel(tx, id).call(d -> d == null ? Uni.createFrom().voidItem()
                        : audit.record(tx, actor, null, "deployment.cancelled", "deployment", "#" + d.id() + " " + d.server(),
                        "status " + d.status(), true)))).chain(d -> {
            if (d != null) {
                return Uni.createFrom().item(d);
            }
            return get(id, access).map(existing -> {
                throw ProblemException.conflict("Deployment " + id + " has already finished (" + existing.status() + ")");
            });
        });
    }

    public Uni<DeploymentPage> page(String serverRef, String status, String user, String from, String to, Long cursor, int limit,
                                    Access access) {
        return page(serverRef, status, user, null, from, to, cursor, limit, access);
    }

    /** A page of the history the caller may see (a filter naming a server hidden from them is a 404). */
    public Uni<DeploymentPage> page(String serverRef, String status, String user, String ref, String from, String to, Long cursor,
                                    int limit, Access access) {
        Keyset.limit(limit, 200);
        String st = statusFilter(status);
        OffsetDateTime fromTs = time(from, "from");
        OffsetDateTime toTs = time(to, "to");
        String statusFilter = st;
        String userFilter = user == null || user.isBlank() ? null : user.trim();
        String refFilter = refFilter(ref);
        Uni<Long> serverId = serverId(serverRef).invoke(sid -> {
            if (sid != null) {
                AccessService.requireVisible(access, sid, "server '" + serverRef.trim() + "' (looked up by id, alias and host)");
            }
        });
        return serverId.chain(sid -> repository.page(sid, statusFilter, userFilter, refFilter, fromTs, toTs, cursor, limit,
                        access.hidden()))
                .chain(items -> withPositions(items).map(withPos -> new DeploymentPage(withPos, Keyset.next(items, limit, DeploymentView::id))));
    }

    /** The status a filter names (upper case), null for none; 400 for an unknown one. */
    static String statusFilter(String status) {
        if (status == null || status.isBlank()) {
            return null;
        }
        String st = status.trim().toUpperCase(Locale.ROOT);
        if (Arrays.stream(DeploymentStatus.values()).noneMatch(v -> v.name().equals(st))) {
            throw ProblemException.invalid("status", "must be one of " + Arrays.toString(DeploymentStatus.values()));
        }
        return st;
    }

    static String refFilter(String ref) {
        String refFilter = ref == null || ref.isBlank() ? null : ref.trim();
        if (refFilter != null && refFilter.length() > 255) {
            throw ProblemException.invalid("ref", "must be at most 255 characters");
        }
        return refFilter;
    }

    /** The id of the server a filter names (id, alias or host), null for none; 404 for an unknown one. */
    Uni<Long> serverId(String serverRef) {
        return serverRef == null || serverRef.isBlank() ? Uni.createFrom().nullItem()
                : servers.resolve(serverRef.trim()).map(s -> s.id);
    }

    static OffsetDateTime time(String value, String field) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value.trim());
        } catch (DateTimeParseException e) {
            throw ProblemException.invalid(field, "must be an ISO-8601 timestamp with offset, e.g. 2026-01-31T12:00:00Z");
        }
    }
}
