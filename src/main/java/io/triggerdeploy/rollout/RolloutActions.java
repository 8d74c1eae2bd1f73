package io.triggerdeploy.rollout;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.access.Permission;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What people do to a rollout: pause, resume, abort, roll back, promote past the canary, approve or reject it, and retry or
 * skip one host. Each takes the rollout's row lock (waiting for a step of the engine to end), checks the caller's
 * permission on every server of the rollout, and commits with its audit record; the advancer is woken afterwards.
 */
@ApplicationScoped
public class RolloutActions {

    private final RolloutRepository repository;
    private final RolloutEngine engine;
    private final RolloutService rollouts;
    private final RolloutAdvancer advancer;
    private final Transactions transactions;
    private final RolloutNotices notices;
    private final RolloutEvents events;

    public RolloutActions(RolloutRepository repository, RolloutEngine engine, RolloutService rollouts, RolloutAdvancer advancer,
                          Transactions transactions, RolloutNotices notices, RolloutEvents events) {
        this.repository = repository;
        this.engine = engine;
        this.rollouts = rollouts;
        this.advancer = advancer;
        this.transactions = transactions;
        this.notices = notices;
        this.events = events;
    }

    /** {@code pause}, {@code resume}, {@code abort}, {@code rollback}, {@code promote}, {@code approve} or {@code reject}. */
    public Uni<RolloutView> act(long id, String action, String comment, RolloutService.Caller c) {
        Permission needed = switch (action) {
            case "promote", "approve", "reject" -> Permission.APPROVE;
            default -> Permission.DEPLOY;
        };
        String[] before = new String[1];
        Rollout[] after = new Rollout[1];
        Rollout.Snapshot[] snapshot = new Rollout.Snapshot[1];
        return transactions.run(tx -> locked(tx, id, c, needed).invoke(l -> {
            before[0] = l.rollout().status;
            after[0] = l.rollout();
            snapshot[0] = l.rollout().snapshot();
        }).chain(l -> switch (action) {
            case "pause" -> pause(tx, l.rollout(), c);
            case "resume" -> resume(tx, l.rollout(), l.hosts(), c);
            case "abort" -> {
                requireActive(l.rollout(), "abort");
                yield engine.abort(tx, l.rollout(), l.hosts(), c.actor(), "ABORTED", now(), "aborted by " + c.actor().name());
            }
            case "rollback" -> rollback(tx, l.rollout(), l.hosts(), c);
            case "promote" -> promote(tx, l.rollout(), c);
            default -> decide(tx, l.rollout(), action, comment, c);
        }).call(() -> events.sync(tx, after[0], snapshot[0]))).invoke(() -> {
            notices.changed(after[0], before[0]);
            advancer.wake();
        }).chain(() -> rollouts.get(id, c.access()));
    }

    /** {@code retry} (run the host again) or {@code skip} (leave it out) one host of a rollout that has not ended. */
    public Uni<RolloutView> host(long id, String server, String action, RolloutService.Caller c) {
        return transactions.run(tx -> locked(tx, id, c, Permission.DEPLOY).chain(l -> {
            Rollout r = l.rollout();
            Rollout.Snapshot snapshot = r.snapshot();
            Rollout.HostRow h = l.hosts().stream().filter(x -> x.alias().equalsIgnoreCase(server.trim())
                    || String.valueOf(x.serverId()).equals(server.trim())).findFirst()
                    .orElseThrow(() -> ProblemException.notFound("Rollout #" + id + " has no server '" + server.trim() + "'"));
            if (!RolloutStatus.ACTIVE.contains(r.status) || "AWAITING_APPROVAL".equals(r.status)) {
                throw ProblemException.conflict("Rollout #" + id + " is " + r.status + "; only a running or paused rollout's hosts can be "
                        + ("retry".equals(action) ? "retried" : "skipped"));
            }
            boolean failed = h.failed() || "CANCELLED".equals(h.status());
            if ("retry".equals(action) ? !failed : !(failed || "PENDING".equals(h.state()))) {
                throw ProblemException.conflict("Host '" + h.alias() + "' of rollout #" + id + " is " + h.status() + "; "
                        + ("retry".equals(action) ? "only a failed, cancelled or refused host is retried"
                        : "only a pending, failed, cancelled or refused host is skipped"));
            }
            String state = "retry".equals(action) ? "PENDING" : "SKIPPED";
            String detail = ("retry".equals(action) ? "retried" : "skipped") + " by " + c.actor().name()
                    + (h.deploymentId() == null ? "" : " after deployment #" + h.deploymentId() + " " + h.status());
            Uni<Void> resumed = Uni.createFrom().voidItem();
            if ("PAUSED".equals(r.status) && r.resumeAt == null) {
                // acting on the failed host is how people answer a breach: the rollout goes on from here
                long others = l.hosts().stream().filter(x -> x.serverId() != h.serverId() && x.failed()).count();
                r.status = "RUNNING";
                r.pausedReason = null;
                r.acceptedFailures = (int) Math.max(r.acceptedFailures, others - r.maxFailures);
                resumed = repository.save(tx, r);
            }
            return resumed.chain(() -> repository.setHost(tx, id, h.serverId(), state, h.deploymentId(), h.attempts(), detail))
                    .chain(() -> engine.record(tx, r, c.actor(), "rollout.host_" + ("retry".equals(action) ? "retried" : "skipped"),
                            h.alias() + ": " + detail)).chain(() -> events.sync(tx, r, snapshot));
        })).invoke(advancer::wake).chain(() -> rollouts.get(id, c.access()));
    }

    private record Locked(Rollout rollout, List<Rollout.HostRow> hosts) {
    }

    /** The rollout locked, if the caller sees it (404 otherwise) and holds {@code p} on every server of it (403 naming them). */
    private Uni<Locked> locked(Tx tx, long id, RolloutService.Caller c, Permission p) {
        return repository.lock(tx, id, false).chain(r -> {
            if (r == null) {
                throw ProblemException.notFound("No rollout " + id);
            }
            return repository.hosts(tx, id).map(hosts -> {
                Access a = c.access();
                if (hosts.stream().noneMatch(h -> a.sees(h.serverId()))) {
                    throw ProblemException.notFound("No rollout " + id);
                }
                List<String> denied = hosts.stream().filter(h -> a.sees(h.serverId()) && !a.may(p, h.serverId()))
                        .map(Rollout.HostRow::alias).toList();
                long hidden = hosts.stream().filter(h -> !a.sees(h.serverId())).count();
                if (!denied.isEmpty() || hidden > 0) {
                    String others = hidden + (hidden == 1 ? " server" : " servers") + " you cannot see";
                    throw ProblemException.forbidden("This needs " + p.id() + " on every server of rollout #" + id + ", and you lack it on "
                            + (denied.isEmpty() ? others : String.join(", ", denied) + (hidden == 0 ? "" : " and " + others)));
                }
                return new Locked(r, hosts);
            });
        });
    }

    private Uni<Void> pause(Tx tx, Rollout r, RolloutService.Caller c) {
        if (!"RUNNING".equals(r.status)) {
            throw ProblemException.conflict("Rollout #" + r.id + " is " + r.status + "; only a running rollout can be paused");
        }
        r.status = "PAUSED";
        r.pausedReason = "paused by " + c.actor().name();
        return repository.save(tx, r).call(() -> engine.record(tx, r, c.actor(), "rollout.paused", r.pausedReason));
    }

    /** Goes on from a pause; failures that broke the budget are accepted by whoever resumes (the budget grows by them). */
    private Uni<Void> resume(Tx tx, Rollout r, List<Rollout.HostRow> hosts, RolloutService.Caller c) {
        if (!"PAUSED".equals(r.status)) {
            throw ProblemException.conflict("Rollout #" + r.id + " is " + r.status + "; only a paused rollout can be resumed");
        }
        long failures = hosts.stream().filter(Rollout.HostRow::failed).count();
        int accepted = (int) Math.max(r.acceptedFailures, failures - r.maxFailures);
        String detail = "resumed by " + c.actor().name() + (accepted > r.acceptedFailures ? "; accepting " + failures
                + (failures == 1 ? " failure" : " failures") + " (" + hosts.stream().filter(Rollout.HostRow::failed)
                .map(Rollout.HostRow::alias).collect(Collectors.joining(", ")) + ")" : "");
        r.acceptedFailures = accepted;
        r.status = "RUNNING";
        r.pausedReason = null;
        r.resumeAt = null;
        return repository.save(tx, r).call(() -> engine.record(tx, r, c.actor(), "rollout.resumed", detail));
    }

    private Uni<Void> rollback(Tx tx, Rollout r, List<Rollout.HostRow> hosts, RolloutService.Caller c) {
        if (List.of("ROLLED_BACK", "REJECTED", "EXPIRED").contains(r.status) && hosts.stream().noneMatch(h -> "SUCCEEDED".equals(h.status())
                && h.rollbackDeploymentId() == null) || "AWAITING_APPROVAL".equals(r.status)) {
            throw ProblemException.conflict("Rollout #" + r.id + " is " + r.status + " and has no host to roll back");
        }
        return engine.rollback(tx, r, hosts, c.actor(), now(), "rollback asked by " + c.actor().name());
    }

    private Uni<Void> promote(Tx tx, Rollout r, RolloutService.Caller c) {
        requireSomeoneElse(r, c, "promote");
        boolean waiting = "RUNNING".equals(r.status) && r.spec.getBoolean("promote", false) && !r.promoted && r.currentWave == 1;
        if (!waiting) {
            throw ProblemException.conflict("Rollout #" + r.id + " does not wait for a promotion (" + r.status
                    + (r.promoted ? ", already promoted" : "") + ")");
        }
        r.promoted = true;
        r.gate = null;
        return repository.save(tx, r).call(() -> engine.record(tx, r, c.actor(), "rollout.promoted", "promoted past wave 1 by "
                + c.actor().name()));
    }

    /** One approval or rejection of a rollout that awaits them; enough approvals start it, one rejection ends it. */
    private Uni<Void> decide(Tx tx, Rollout r, String decision, String comment, RolloutService.Caller c) {
        requireSomeoneElse(r, c, decision);
        if (!"AWAITING_APPROVAL".equals(r.status)) {
            throw ProblemException.conflict("Rollout #" + r.id + " is " + r.status + "; it does not await approval");
        }
        for (int i = 0; i < r.decisions.size(); i++) {
            if (c.actor().name().equals(r.decisions.getJsonObject(i).getString("username"))) {
                throw ProblemException.conflict("You already decided on rollout #" + r.id);
            }
        }
        r.decisions.add(new JsonObject().put("username", c.actor().name()).put("decision", decision)
                .put("comment", comment == null || comment.isBlank() ? null : comment.strip()).put("at", now().toString()));
        long given = r.decisions.stream().filter(d -> "approve".equals(((JsonObject) d).getString("decision"))).count();
        String done = "approve".equals(decision) ? "approved" : "rejected";
        String detail = done + " by " + c.actor().name() + (comment == null || comment.isBlank() ? "" : ": " + comment.strip());
        if ("reject".equals(decision)) {
            r.status = "REJECTED";
            r.finishedAt = now();
        } else if (given >= r.approvalsRequired) {
            r.status = "RUNNING";
        }
        return repository.save(tx, r).call(() -> engine.record(tx, r, c.actor(), "rollout." + done, detail + (given >= r.approvalsRequired && "approve".equals(decision)
                ? "; approvals complete, the rollout starts" : "")));
    }

    private static void requireSomeoneElse(Rollout r, RolloutService.Caller c, String what) {
        boolean own = r.createdById != null ? r.createdById.equals(c.acting().userId()) : r.createdBy != null
                && r.createdBy.equals(c.acting().username());
        if (own) {
            throw ProblemException.forbidden("You started rollout #" + r.id + "; someone else must " + what + " it (two-person rule)");
        }
    }

    private static void requireActive(Rollout r, String what) {
        if (!r.active()) {
            throw ProblemException.conflict("Rollout #" + r.id + " has ended (" + r.status + "); there is nothing to " + what);
        }
    }

    private static OffsetDateTime now() {
        return OffsetDateTime.now(ZoneOffset.UTC);
    }
}
