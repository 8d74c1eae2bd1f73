package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.db.Tx;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.List;

/**
 * The deployments of a rollout's hosts, made and stopped inside the rollout's transaction: queued with the rollout's
 * admission (its approvals and freezes were settled for the whole rollout), re-queued to roll a host back, cancelled when
 * the rollout ends. The rollout package drives them; the rules of a single trigger stay in {@link DeploymentService}.
 */
@ApplicationScoped
public class HostDeployments {

    private final DeploymentRepository repository;
    private final AuditLog audit;

    public HostDeployments(DeploymentRepository repository, AuditLog audit) {
        this.repository = repository;
        this.audit = audit;
    }

    /**
     * Queues one host with its audit record; a server whose queue policy is "reject" and that is busy refuses (the
     * rollout counts it as a failed host) instead of failing the transaction.
     */
    public Uni<HostCommand.Queued> queue(Tx tx, HostCommand h) {
        return repository.lockGate(tx, h.serverId()).chain(gate -> {
            Admission a = Admission.forRolloutHost(gate);
            Uni<DeploymentView> busy = "reject".equals(a.queuePolicy()) ? repository.busy(tx, h.serverId()) : Uni.createFrom().nullItem();
            return busy.chain(b -> {
                if (b != null) {
                    return Uni.createFrom().item(new HostCommand.Queued(null, "server '" + h.alias() + "' already has deployment #"
                            + b.id() + " " + b.status() + " and its queue policy is reject"));
                }
                String via = "rollout #" + h.wave().rolloutId();
                return repository.insert(tx, h.serverId(), h.alias(), h.requestedBy(), h.requestedById(), h.source(),
                                h.actor().ip(), h.note(), h.run(), a, h.wave())
                        .chain(d -> ("replace".equals(a.queuePolicy()) ? repository.supersede(tx, h.serverId(), d.id())
                                : Uni.createFrom().item(List.<Long>of())).chain(ids -> audit.record(tx, h.actor(), via,
                                "deployment.triggered", "deployment", "#" + d.id() + " " + d.server(),
                                DeploymentService.describe(via + " wave " + h.wave().wave(), d) + DeploymentService.superseded(ids), true))
                                .map(x -> new HostCommand.Queued(d, null)));
            });
        });
    }

    /**
     * Queues, for a rollout being rolled back, the server's last successful deployment before {@code beforeId} (its
     * first deployment in that rollout) again; null when the server has none (nothing to return to).
     */
    public Uni<HostCommand.Queued> queueRollback(Tx tx, HostCommand h, long beforeId) {
        return repository.lastSuccessBefore(h.serverId(), beforeId).chain(src -> src == null ? Uni.createFrom().nullItem()
                : queue(tx, new HostCommand(h.serverId(), h.alias(), src.run(new TriggerCommand.Origin("rollback", src.id())),
                h.wave(), h.requestedBy(), h.requestedById(), h.source(), h.actor(), h.note())));
    }

    /** Asks a host's deployment to stop (queued: ends CANCELLED now). */
    public Uni<DeploymentView> cancel(Tx tx, long id, Actor actor, String why) {
        return repository.requestCancel(tx, id).call(d -> d == null ? Uni.createFrom().voidItem()
                : audit.record(tx, actor, null, "deployment.cancelled", "deployment", "#" + d.id() + " " + d.server(),
                "status " + d.status() + "; " + why, true));
    }
}
