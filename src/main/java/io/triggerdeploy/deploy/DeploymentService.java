package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.Keyset;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.server.ServerService;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Locale;

/** Triggers, reads and cancels deployments; the running happens in {@link Dispatcher}. */
@ApplicationScoped
public class DeploymentService {

    private final DeploymentRepository repository;
    private final ServerService servers;
    private final AuditLog audit;
    private final Transactions transactions;
    private final Uni<DeploymentStats> stats;

    public DeploymentService(DeploymentRepository repository, ServerService servers, AuditLog audit, Transactions transactions) {
        this.repository = repository;
        this.servers = servers;
        this.audit = audit;
        this.transactions = transactions;
        // Percentiles over a month of history sort every row of the window (seconds with a million rows), so each
        // replica computes them at most every 15 s and shares the result; a failure is not kept.
        this.stats = Uni.createFrom().deferred(() -> {
            java.util.Map<String, DeploymentStats.Window> windows = new java.util.LinkedHashMap<>();
            return repository.stats(86_400L).invoke(w -> windows.put("24h", w))
                    .chain(() -> repository.stats(7 * 86_400L)).invoke(w -> windows.put("7d", w))
                    .chain(() -> repository.stats(30 * 86_400L)).invoke(w -> windows.put("30d", w))
                    .map(x -> new DeploymentStats(windows));
        }).memoize().until(new java.util.function.BooleanSupplier() {
            private long computedAt = System.nanoTime();

            @Override
            public boolean getAsBoolean() {
                long now = System.nanoTime();
                if (now - computedAt > 15_000_000_000L) {
                    computedAt = now;
                    return true;
                }
                return false;
            }
        });
    }

    /** Counts by status, success rate, mean and p95 duration per window, at most 15 s old. */
    public Uni<DeploymentStats> stats() {
        return stats;
    }

    /** The newest deployment of every server that has one. */
    public Uni<java.util.List<DeploymentView>> latestPerServer() {
        return repository.latestPerServer();
    }

    /** Deployments queued or running now, oldest first, at most {@code limit}. */
    public Uni<java.util.List<DeploymentView>> active(int limit) {
        return repository.active(limit);
    }

    /** The newest {@code limit} deployments. */
    public Uni<java.util.List<DeploymentView>> recent(int limit) {
        return repository.page(null, null, null, null, null, null, limit);
    }

    /** Deployments running and queued now, on all replicas. */
    public Uni<DeploymentRepository.ActiveCounts> activeCounts() {
        return repository.activeCounts();
    }

    /** Queues a deployment and returns at once; the deployment and its audit record commit together. */
    public Uni<DeploymentView> trigger(TriggerCommand command) {
        return target(command).chain(t -> transactions.run(tx -> queue(tx, t, command)));
    }

    /** The active server a command names, checked before any transaction opens (it reads through its own session). */
    public Uni<QueueTarget> target(TriggerCommand c) {
        return servers.resolve(c.serverRef().trim()).map(s -> {
            if (!s.active) {
                throw ProblemException.conflict("Server '" + s.alias + "' is inactive");
            }
            return new QueueTarget(s.id, s.alias);
        });
    }

    /**
     * Queues a deployment inside the caller's transaction (a webhook delivery), with its audit record. Everything here
     * runs on the transaction's connection: waiting for a second connection while holding one would exhaust the pool
     * under a burst of triggers.
     */
    public Uni<DeploymentView> queue(Tx tx, QueueTarget t, TriggerCommand c) {
        return repository.insert(tx, t.serverId(), t.alias(), c.requestedBy(), c.requestedById(), c.source(), c.actor().ip(),
                        c.note() == null || c.note().isBlank() ? null : c.note().strip())
                .call(d -> audit.record(tx, c.actor(), c.via(), "deployment.triggered", "deployment", "#" + d.id() + " " + d.server(),
                        "via " + c.via(), true));
    }

    /** The server a deployment will run on, as resolved for one trigger. */
    public record QueueTarget(long serverId, String alias) {
    }

    public Uni<DeploymentView> get(long id) {
        return repository.find(id).map(d -> {
            if (d == null) {
                throw ProblemException.notFound("No deployment " + id);
            }
            return d;
        });
    }

    public Uni<DeploymentView> cancel(long id) {
        return repository.requestCancel(id).chain(d -> {
            if (d != null) {
                return Uni.createFrom().item(d);
            }
            return get(id).map(existing -> {
                throw ProblemException.conflict("Deployment " + id + " has already finished (" + existing.status() + ")");
            });
        });
    }

    public Uni<DeploymentPage> page(String serverRef, String status, String user, String from, String to, Long cursor, int limit) {
        Keyset.limit(limit, 200);
        String st = null;
        if (status != null && !status.isBlank()) {
            st = status.trim().toUpperCase(Locale.ROOT);
            String s = st;
            if (Arrays.stream(DeploymentStatus.values()).noneMatch(v -> v.name().equals(s))) {
                throw ProblemException.invalid("status", "must be one of " + Arrays.toString(DeploymentStatus.values()));
            }
        }
        OffsetDateTime fromTs = time(from, "from");
        OffsetDateTime toTs = time(to, "to");
        String statusFilter = st;
        String userFilter = user == null || user.isBlank() ? null : user.trim();
        Uni<Long> serverId = serverRef == null || serverRef.isBlank() ? Uni.createFrom().nullItem()
                : servers.resolve(serverRef.trim()).map(s -> s.id);
        return serverId.chain(sid -> repository.page(sid, statusFilter, userFilter, fromTs, toTs, cursor, limit))
                .map(items -> new DeploymentPage(items, Keyset.next(items, limit, DeploymentView::id)));
    }

    private static OffsetDateTime time(String value, String field) {
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
