package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.access.Acting;
import io.triggerdeploy.access.Permission;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.Periodic;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.BootstrapStep;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.security.Role;
import io.triggerdeploy.security.TriggerPrincipal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import org.jboss.logging.Logger;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The two-person rule: a deployment of an environment that requires approvals waits (AWAITING_APPROVAL) until that many
 * other people approved it, then queues; one rejection, or the end of the approval window, ends it and it never runs.
 * Who may decide: admins, and operators (until permissions per environment say otherwise); never the requester.
 */
@ApplicationScoped
public class Approvals implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(Approvals.class);

    private final ApprovalRepository repository;
    private final DeploymentRepository deployments;
    private final Transactions transactions;
    private final AuditLog audit;
    private final Event<ApprovalNotice> notices;
    private final Periodic periodic;
    private final AccessService access;
    private final Duration expiryInterval;

    public Approvals(ApprovalRepository repository, DeploymentRepository deployments, Transactions transactions, AuditLog audit,
                     Event<ApprovalNotice> notices, Periodic periodic, AccessService access, DeployConfig config) {
        this.repository = repository;
        this.deployments = deployments;
        this.transactions = transactions;
        this.audit = audit;
        this.notices = notices;
        this.periodic = periodic;
        this.access = access;
        this.expiryInterval = config.approvalExpiryInterval();
    }

    @Override
    public int order() {
        return 95;
    }

    @Override
    public void run() {
        periodic.every("Approval expiry", expiryInterval.compareTo(Duration.ofSeconds(5)) < 0 ? expiryInterval : Duration.ofSeconds(5),
                expiryInterval, this::expireDue);
    }

    /** Ends EXPIRED what waited past its approval window (each once, whichever replica gets there). */
    Uni<Void> expireDue() {
        return repository.expireDue().invoke(list -> list.forEach(d -> {
            LOG.infof("Deployment %d of %s expired waiting for approval", d.id(), d.server());
            notices.fireAsync(new ApprovalNotice("expired", d, null, null));
        })).replaceWithVoid();
    }

    /** Tells people a deployment now waits for them, or that someone broke glass; called after the trigger committed. */
    public Uni<Void> announce(DeploymentView d) {
        if ("AWAITING_APPROVAL".equals(d.status())) {
            notices.fireAsync(new ApprovalNotice("awaiting_approval", d, d.requestedBy(), d.note()));
        }
        if (d.breakGlass() != null) {
            notices.fireAsync(new ApprovalNotice("break_glass", d, d.requestedBy(), d.breakGlass()));
        }
        return Uni.createFrom().voidItem();
    }

    /** Whether this caller may approve or reject deployments at all. */
    static boolean mayDecide(TriggerPrincipal p) {
        return p.userId() != null && p.role().atLeast(Role.OPERATOR);
    }

    /** These users count as requesters of deployment {@code id} too: none of them may approve or reject it. */
    public Uni<Void> countAsRequesters(Tx tx, long id, List<Long> userIds) {
        return repository.addRequesters(tx, id, userIds);
    }

    public Uni<DeploymentView> approve(long id, TriggerPrincipal p, String comment, Actor actor) {
        return decide(id, p, "approve", clean(comment, false), actor);
    }

    public Uni<DeploymentView> reject(long id, TriggerPrincipal p, String comment, Actor actor) {
        return decide(id, p, "reject", clean(comment, true), actor);
    }

    private Uni<DeploymentView> decide(long id, TriggerPrincipal p, String decision, String comment, Actor actor) {
        if (!mayDecide(p)) {
            throw ProblemException.forbidden("Only operators and admins signed in as themselves may approve or reject deployments");
        }
        return transactions.run(tx -> repository.lock(tx, id).chain(pending -> {
            if (pending == null) {
                throw ProblemException.notFound("No deployment " + id);
            }
            long serverId = pending.deployment().serverId();
            // whether the caller may see it comes before anything that tells its state
            return access.of(tx, Acting.of(p), serverId).invoke(a -> AccessService.requireVisible(a, serverId, "deployment " + id))
                    .replaceWith(pending);
        }).chain(pending -> {
            DeploymentView d = check(pending, id, p);
            return access.require(tx, Acting.of(p), Permission.APPROVE, d.serverId(), d.server()).chain(() -> repository.decide(tx, id, p.userId(), p.username(), decision, comment).chain(recorded -> {
                if (!recorded) {
                    throw ProblemException.conflict("You already decided on deployment #" + id);
                }
                return "reject".equals(decision) ? rejected(tx, d, p, comment, actor) : approved(tx, d, p, comment, actor);
            }));
        })).chain(o -> {
            if (o.notice() != null) {
                notices.fireAsync(o.notice());
            }
            return repository.decisions(List.of(o.deployment().id())).map(m -> o.deployment().withDecisions(
                    m.getOrDefault(o.deployment().id(), List.of())));
        });
    }

    /** The deployment, if this person may decide on it now. */
    private static DeploymentView check(ApprovalRepository.Pending pending, long id, TriggerPrincipal p) {
        if (pending == null) {
            throw ProblemException.notFound("No deployment " + id);
        }
        DeploymentView d = pending.deployment();
        if (!"AWAITING_APPROVAL".equals(d.status())) {
            throw ProblemException.conflict("Deployment #" + id + " is " + d.status() + ", not awaiting approval");
        }
        if (d.approval() != null && d.approval().expiresAt() != null && !d.approval().expiresAt().toInstant().isAfter(Instant.now())) {
            throw ProblemException.conflict("The approval window of deployment #" + id + " ended at " + d.approval().expiresAt());
        }
        boolean own = pending.requestedById() != null ? pending.requestedById().equals(p.userId())
                : d.requestedBy() != null && d.requestedBy().equalsIgnoreCase(p.username());
        if (own) {
            throw ProblemException.forbidden("You requested deployment #" + id + "; someone else must approve or reject it");
        }
        if (pending.coRequesterIds().contains(p.userId())) {
            throw ProblemException.forbidden("You changed the schedule that made deployment #" + id
                    + ", so you count as its requester; someone else must approve or reject it");
        }
        return d;
    }

    /** What a decision changed, and what to tell people once it committed. */
    private record Outcome(DeploymentView deployment, ApprovalNotice notice) {
    }

    private Uni<Outcome> rejected(Tx tx, DeploymentView d, TriggerPrincipal p, String comment, Actor actor) {
        return repository.end(tx, d.id(), "REJECTED", "Rejected by " + p.username() + ": " + comment)
                .call(e -> audit.record(tx, actor, "api", "deployment.rejected", "deployment", "#" + d.id() + " " + d.server(),
                        comment, true))
                .map(e -> new Outcome(e, new ApprovalNotice("rejected", e, p.username(), comment)));
    }

    private Uni<Outcome> approved(Tx tx, DeploymentView d, TriggerPrincipal p, String comment, Actor actor) {
        int required = d.approval() == null ? 1 : d.approval().required();
        return repository.approvals(tx, d.id()).chain(given -> {
            String detail = given + " of " + required + (comment == null ? "" : "; " + comment);
            Uni<Outcome> next = given < required ? Uni.createFrom().item(new Outcome(d, null))
                    : queue(tx, d).map(q -> new Outcome(q, new ApprovalNotice("approved", q, p.username(), comment)));
            return next.call(o -> audit.record(tx, actor, "api", "deployment.approved", "deployment", "#" + d.id() + " " + d.server(),
                    detail + (given < required ? "" : "; queued" + (o.deployment().notBefore() == null ? ""
                            : " until " + o.deployment().notBefore() + " (freeze or deploy hours)")), true));
        });
    }

    /**
     * Queues a fully approved deployment under its environment's policy as it is now: behind the queued ones, or, with
     * queue policy replace, in their place; held until a freeze or the closed hours end (an approval is not a new
     * trigger, so it is never refused).
     */
    private Uni<DeploymentView> queue(Tx tx, DeploymentView d) {
        return deployments.lockGate(tx, d.serverId()).chain(gate -> {
            Instant now = Instant.now();
            String policy = gate.environment() != null && gate.environment().queuePolicy() != null
                    ? gate.environment().queuePolicy() : gate.serverQueuePolicy();
            Instant clear = gate.environment() == null || gate.environment().blockAt(now).isEmpty() ? null
                    : gate.environment().clearAt(now);
            OffsetDateTime notBefore = clear == null ? null : clear.atOffset(ZoneOffset.UTC);
            return repository.release(tx, d.id(), notBefore).call(q -> "replace".equals(policy)
                    ? deployments.supersede(tx, d.serverId(), d.id()) : Uni.createFrom().voidItem());
        });
    }

    /** What waits for this person's decision, oldest first, with the decisions so far. */
    public Uni<List<DeploymentView>> waitingFor(TriggerPrincipal p, int limit) {
        if (!mayDecide(p)) {
            return Uni.createFrom().item(List.of());
        }
        return access.of(p).chain(a -> repository.waitingFor(p.userId(), p.username(), limit)
                .map(l -> l.stream().filter(d -> a.may(Permission.APPROVE, d.serverId())).toList()))
                .chain(this::withDecisions);
    }

    /** The deployments with the approvals and rejections each received (for those that need approvals). */
    public Uni<List<DeploymentView>> withDecisions(List<DeploymentView> list) {
        List<Long> ids = list.stream().filter(d -> d.approval() != null).map(DeploymentView::id).toList();
        return repository.decisions(ids).map(m -> list.stream().map(d -> d.approval() == null ? d
                : d.withDecisions(m.getOrDefault(d.id(), List.of()))).toList());
    }

    private static String clean(String comment, boolean required) {
        String c = comment == null ? null : comment.strip();
        if (c == null || c.isEmpty()) {
            if (required) {
                throw ProblemException.invalid("comment", "is required: say why it should not run");
            }
            return null;
        }
        if (c.length() > 500 || c.chars().anyMatch(ch -> ch < 0x20 && ch != '\n' || ch == 0x7f)) {
            throw ProblemException.invalid("comment", "must be at most 500 printable characters");
        }
        return c;
    }
}
