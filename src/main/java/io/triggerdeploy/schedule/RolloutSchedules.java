package io.triggerdeploy.schedule;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.deploy.RolloutStarter;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Schedules that start a rollout (the body of {@code POST /api/rollouts}) instead of deploying one server: who sees
 * them (whoever sees a server of the rollout's set, as for rollouts), the check that whoever saves one may start it,
 * and a due run: claimed once across replicas, then the rollout started as the schedule's creator.
 */
@ApplicationScoped
public class RolloutSchedules {

    private final RolloutStarter starter;
    private final ScheduleRepository repository;
    private final Transactions transactions;

    public RolloutSchedules(RolloutStarter starter, ScheduleRepository repository, Transactions transactions) {
        this.starter = starter;
        this.repository = repository;
        this.transactions = transactions;
    }

    /** A server's schedule is visible with its server; a rollout's with any server its target picks now. */
    Uni<Boolean> visible(Long serverId, Map<String, Object> rollout, Access a) {
        if (serverId != null || rollout == null) {
            return Uni.createFrom().item(serverId != null && a.sees(serverId));
        }
        return starter.servers(new JsonObject(rollout)).map(ids -> ids.stream().anyMatch(a::sees));
    }

    /** The schedules the caller may see, in their order. */
    Uni<List<ScheduleView>> visibleOnly(List<ScheduleView> all, Access a) {
        if (all.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Uni<ScheduleView>> each = new ArrayList<>();
        for (ScheduleView s : all) {
            each.add(visible(s.serverId(), s.rollout(), a).map(v -> v ? s : null));
        }
        return Uni.join().all(each).andFailFast().map(l -> l.stream().filter(Objects::nonNull).toList());
    }

    /** Whoever saves or removes a rollout's schedule must be able to start that rollout now. */
    Uni<Void> check(JsonObject rollout, String username) {
        return starter.check(rollout, username);
    }

    /**
     * A due run of a rollout's schedule: checked and planned, then in one transaction claimed (one replica takes it), the
     * rollout created and the schedule moved on with the outcome, so that a replica dying in between neither loses the
     * run nor starts it twice. A refused rollout moves the schedule on with the reason.
     */
    Uni<Void> run(ScheduleRepository.Stored s, OffsetDateTime dueAt, OffsetDateTime next, boolean missed, JsonObject rollout) {
        String note = "scheduled" + (s.description() == null ? "" : ": " + s.description()) + " (schedule #" + s.id() + ", due " + dueAt
                + (s.updatedBy() == null ? "" : ", last changed by " + s.updatedBy()) + ")";
        return starter.prepare(rollout, null, note, new Actor(s.createdBy(), s.createdById(), null), s.createdBy(), "schedule")
                .map(p -> new Attempt(p, null)).onFailure(ProblemException.class).recoverWithItem(e -> new Attempt(null, (ProblemException) e))
                .chain(a -> transactions.run(tx -> repository.claim(tx, s.id(), dueAt).chain(claimed -> !claimed
                        ? Uni.createFrom().<RolloutStarter.Started>nullItem()
                        : a.refusal() != null ? refused(tx, s, next, a.refusal())
                        : starter.start(tx, a.prepared()).call(r -> repository.advance(tx, s.id(), next, "started rollout #" + r.id()
                                + ("AWAITING_APPROVAL".equals(r.status()) ? " (awaiting approval)" : "")
                                + (missed ? ", catching up a missed run" : ""), null))
                        .onFailure(ProblemException.class).recoverWithUni(e -> refused(tx, s, next, (ProblemException) e)))))
                .call(r -> r == null ? Uni.createFrom().voidItem() : starter.announce(r)).replaceWithVoid();
    }

    /** The run is spent and says why it started nothing (the transaction is still clean: the refusal came before any write). */
    private Uni<RolloutStarter.Started> refused(Tx tx, ScheduleRepository.Stored s, OffsetDateTime next, ProblemException e) {
        return repository.advance(tx, s.id(), next, (e.status() == 403 ? "skipped: " : "not run: ") + e.getMessage(), null)
                .replaceWith(Uni.createFrom().nullItem());
    }

    /** A run's rollout as planned, or why it cannot start. */
    private record Attempt(RolloutStarter.Prepared prepared, ProblemException refusal) {
    }
}
