package io.triggerdeploy.rollout;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.deploy.HostCommand;
import io.triggerdeploy.deploy.HostDeployments;
import io.triggerdeploy.deploy.Run;
import io.triggerdeploy.environment.Environment;
import io.triggerdeploy.environment.EnvironmentService;
import io.triggerdeploy.environment.Windows;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The rollout state machine, one step at a time under the rollout's row lock (whichever replica gets the lock takes the
 * step; the others skip the row, so no wave starts twice): start the current wave's hosts up to {@code max_in_flight} as
 * ordinary deployments (any replica's runners pick them up), count failures over the whole rollout against its budget,
 * and when a wave has ended, check its gate (error lines, soak, promote) and the freezes of the next wave before
 * starting it. Everything it decides is saved, with its audit record, in the step's transaction.
 */
@ApplicationScoped
public class RolloutEngine {

    /** Deployment statuses of a host that has not ended. */
    static final Set<String> IN_FLIGHT = Set.of("QUEUED", "RUNNING", "AWAITING_APPROVAL");
    /** Host statuses that count against the failure budget. */
    static final Set<String> FAILING = Set.of("FAILED", "TIMED_OUT", "INTERRUPTED", "REFUSED");

    private final RolloutRepository repository;
    private final HostDeployments hostDeployments;
    private final EnvironmentService environments;
    private final Transactions transactions;
    private final AuditLog audit;
    private final RolloutNotices notices;
    private final RolloutEvents events;

    public RolloutEngine(RolloutRepository repository, HostDeployments hostDeployments, EnvironmentService environments,
                         Transactions transactions, AuditLog audit, RolloutNotices notices, RolloutEvents events) {
        this.repository = repository;
        this.hostDeployments = hostDeployments;
        this.environments = environments;
        this.transactions = transactions;
        this.audit = audit;
        this.notices = notices;
        this.events = events;
    }

    /** One step of a rollout unless another replica holds it; true when the step changed something (take another). */
    public Uni<Boolean> step(long id) {
        String[] before = new String[1];
        Rollout[] after = new Rollout[1];
        return environments.byName().chain(envs -> transactions.run(tx -> repository.lock(tx, id, true).chain(r -> {
            if (r == null) {
                return Uni.createFrom().item(false);
            }
            before[0] = r.status;
            after[0] = r;
            Rollout.Snapshot snapshot = r.snapshot();
            return repository.hosts(tx, id).chain(hosts -> step(tx, r, hosts, envs, Instant.now()))
                    .call(() -> events.sync(tx, r, snapshot));
        }))).invoke(() -> notices.changed(after[0], before[0]));
    }

    private Uni<Boolean> step(Tx tx, Rollout r, List<Rollout.HostRow> hosts, Map<String, Environment> envs, Instant now) {
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        if ("AWAITING_APPROVAL".equals(r.status) && r.approvalExpiresAt != null && !r.approvalExpiresAt.toInstant().isAfter(now)) {
            return finish(tx, r, "EXPIRED", at, "rollout.expired", "approval window ended").replaceWith(true);
        }
        if ("PAUSED".equals(r.status) && r.resumeAt != null && !r.resumeAt.toInstant().isAfter(now)) {
            r.status = "RUNNING";
            r.pausedReason = null;
            r.resumeAt = null;
            r.waveStartedAt = null;
            return repository.save(tx, r).call(() -> record(tx, r, system(r), "rollout.resumed", "the freeze ended"))
                    .replaceWith(true);
        }
        if (!"RUNNING".equals(r.status)) {
            return Uni.createFrom().item(false);
        }
        Uni<Boolean> retried = retryInterrupted(tx, r, hosts);
        return retried.chain(changed -> changed ? Uni.createFrom().item(true) : running(tx, r, hosts, envs, now));
    }

    private Uni<Boolean> running(Tx tx, Rollout r, List<Rollout.HostRow> hosts, Map<String, Environment> envs, Instant now) {
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        long failures = hosts.stream().filter(Rollout.HostRow::failed).count();
        if (failures > r.maxFailures + r.acceptedFailures) {
            String failed = hosts.stream().filter(Rollout.HostRow::failed).map(h -> h.alias() + " " + h.status())
                    .collect(Collectors.joining(", "));
            return breach(tx, r, hosts, "failure budget exceeded: " + failures + (failures == 1 ? " failure" : " failures")
                    + ", " + (r.maxFailures + r.acceptedFailures) + " allowed (" + failed + ")", at).replaceWith(true);
        }
        if (r.waveStartedAt == null) {
            return startWave(tx, r, hosts, envs, now);
        }
        List<Rollout.HostRow> open = hosts.stream().filter(h -> h.wave() <= r.currentWave && !h.ended()).toList();
        long inFlight = open.stream().filter(Rollout.HostRow::inFlight).count();
        List<Rollout.HostRow> pending = open.stream().filter(h -> "PENDING".equals(h.state())).toList();
        long room = r.maxInFlight - inFlight;
        if (!pending.isEmpty() && room > 0) {
            return startHosts(tx, r, pending.stream().limit(room).toList()).replaceWith(true);
        }
        if (!open.isEmpty()) {
            return Uni.createFrom().item(false);
        }
        if (r.waveEndedAt == null) {
            // the wave has just ended: its gate, and when that passes the next wave's first hosts, in this transaction
            r.waveEndedAt = at;
            return gate(tx, r, hosts, envs, now).chain(changed -> changed ? Uni.createFrom().item(true)
                    : repository.save(tx, r).replaceWith(true));
        }
        return gate(tx, r, hosts, envs, now);
    }

    /** Before a wave starts: the freezes and deploy hours of its servers' environments. */
    private Uni<Boolean> startWave(Tx tx, Rollout r, List<Rollout.HostRow> hosts, Map<String, Environment> envs, Instant now) {
        Optional<String> held = hosts.stream().filter(h -> h.wave() == r.currentWave && h.environment() != null)
                .map(h -> envs.get(h.environment().toLowerCase(Locale.ROOT))).filter(e -> e != null).distinct()
                .map(e -> e.blockAt(now).map(b -> held(e, b, now))).flatMap(Optional::stream).findFirst();
        if (held.isPresent()) {
            r.status = "PAUSED";
            r.pausedReason = held.get().split("\n")[0];
            String resume = held.get().contains("\n") ? held.get().split("\n")[1] : null;
            r.resumeAt = r.spec.getBoolean("resume_after_freeze", false) && resume != null ? OffsetDateTime.parse(resume) : null;
            return repository.save(tx, r).call(() -> record(tx, r, system(r), "rollout.paused", "before wave " + r.currentWave
                    + ": " + r.pausedReason + (r.resumeAt == null ? "" : "; resumes by itself at " + r.resumeAt))).replaceWith(true);
        }
        r.waveStartedAt = now.atOffset(ZoneOffset.UTC);
        r.waveEndedAt = null;
        r.gate = null;
        List<Rollout.HostRow> first = hosts.stream().filter(h -> h.wave() == r.currentWave && "PENDING".equals(h.state()))
                .limit(r.maxInFlight).toList();
        return repository.save(tx, r).call(() -> record(tx, r, system(r), "rollout.wave_started", "wave " + r.currentWave + " of "
                + r.waveCount + ": " + hosts.stream().filter(h -> h.wave() == r.currentWave).map(Rollout.HostRow::alias)
                .collect(Collectors.joining(", ")))).call(() -> startHosts(tx, r, first)).replaceWith(true);
    }

    /** The reason a freeze holds the wave, and (second line) when it clears, if it ever does. */
    private static String held(Environment e, Windows.Block b, Instant now) {
        Instant clear = e.clearAt(now);
        return "environment '" + e.name() + "': " + b.describe(e.zone()) + (clear == null ? "" : "\n" + clear.atOffset(ZoneOffset.UTC));
    }

    /**
     * Queues the hosts' deployments. Their statements go out together on the transaction's one connection (pipelined, in
     * host order, so the server rows are locked in the same order as one after another would): a wave of ten costs a few
     * round trips instead of fifty, which is most of the time between one wave's end and the next one's start.
     */
    private Uni<Void> startHosts(Tx tx, Rollout r, List<Rollout.HostRow> start) {
        if (start.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        List<Uni<Void>> each = start.stream().map(h -> hostDeployments.queue(tx, command(r, h,
                        new Run(h.ref(), h.shownJson(), h.sealedJson(), null)))
                .chain(q -> q.deployment() != null
                        ? repository.setHost(tx, r.id, h.serverId(), "STARTED", q.deployment().id(), h.attempts() + 1, null)
                        : repository.setHost(tx, r.id, h.serverId(), "REFUSED", h.deploymentId(), h.attempts() + 1, q.refusal()))
                .replaceWithVoid()).toList();
        return Uni.join().all(each).andFailFast().replaceWithVoid();
    }

    private static HostCommand command(Rollout r, Rollout.HostRow h, Run run) {
        return new HostCommand(h.serverId(), h.alias(), run, new HostCommand.Wave(r.id, h.wave(), hooks(r)), r.createdBy, r.createdById,
                "rollout", system(r), r.note);
    }

    /** The before/after commands each host deployment carries (JSON), or null when the rollout has none. */
    private static String hooks(Rollout r) {
        JsonObject hooks = new JsonObject();
        for (String when : List.of("before", "after")) {
            JsonObject h = r.spec.getJsonObject(when);
            if (h != null) {
                hooks.put(when, new JsonObject().put("command", h.getString("command")).put("server_id", h.getLong("server_id")));
            }
        }
        return hooks.isEmpty() ? null : hooks.encode();
    }

    /** Hosts INTERRUPTED on their first attempt go once more when the rollout says so (they do not count). */
    private Uni<Boolean> retryInterrupted(Tx tx, Rollout r, List<Rollout.HostRow> hosts) {
        if (!r.spec.getBoolean("retry_interrupted", false)) {
            return Uni.createFrom().item(false);
        }
        List<Rollout.HostRow> again = hosts.stream().filter(h -> "INTERRUPTED".equals(h.status()) && h.attempts() == 1).toList();
        Uni<Void> u = Uni.createFrom().voidItem();
        for (Rollout.HostRow h : again) {
            u = u.chain(() -> repository.setHost(tx, r.id, h.serverId(), "PENDING", h.deploymentId(), h.attempts(),
                    "deployment #" + h.deploymentId() + " was interrupted; retried once"));
        }
        return u.replaceWith(!again.isEmpty());
    }

    /** The wave has ended within budget: its gate, then the next wave or the end. */
    private Uni<Boolean> gate(Tx tx, Rollout r, List<Rollout.HostRow> hosts, Map<String, Environment> envs, Instant now) {
        List<Rollout.HostRow> wave = hosts.stream().filter(h -> h.wave() == r.currentWave).toList();
        Long[] ids = wave.stream().map(Rollout.HostRow::deploymentId).filter(x -> x != null).toArray(Long[]::new);
        Long[] servers = wave.stream().map(Rollout.HostRow::serverId).toArray(Long[]::new);
        Uni<String> errors = r.errorPattern() == null || ids.length == 0 ? Uni.createFrom().nullItem()
                : repository.matchingLines(tx, ids, r.errorPattern()).map(n -> n > r.spec.getInteger("max_error_lines", 0)
                ? "error gate of wave " + r.currentWave + ": " + n + " output lines match /" + r.errorPattern() + "/, "
                + r.spec.getInteger("max_error_lines", 0) + " allowed" : null);
        return errors.chain(failed -> {
            if (failed != null) {
                return breach(tx, r, hosts, failed, now.atOffset(ZoneOffset.UTC)).replaceWith(true);
            }
            return soak(tx, r, servers, now).chain(waiting -> {
                if (waiting == null) {
                    waiting = promote(r, now);
                }
                if ("EXPIRED".equals(waiting)) {
                    return finish(tx, r, "EXPIRED", now.atOffset(ZoneOffset.UTC), "rollout.expired",
                            "nobody promoted it within " + r.spec.getInteger("promote_timeout") + " s").replaceWith(true);
                }
                if (waiting != null) {
                    boolean changed = !waiting.equals(r.gate);
                    r.gate = waiting;
                    return changed ? repository.save(tx, r).replaceWith(true) : Uni.createFrom().item(false);
                }
                return next(tx, r, hosts, envs, now);
            });
        });
    }

    /**
     * What the soak still waits for, or null when the wave ended soak_seconds ago and each of its watched services is UP
     * and has been since then, or for soak_seconds since it came back after a check during or after the wave that said
     * otherwise.
     */
    private Uni<String> soak(Tx tx, Rollout r, Long[] servers, Instant now) {
        int soak = r.soakSeconds();
        if (soak == 0) {
            return Uni.createFrom().nullItem();
        }
        return repository.soak(tx, servers, r.waveStartedAt == null ? r.waveEndedAt : r.waveStartedAt).map(services -> {
            List<String> notUp = services.stream().filter(s -> !s.up()).map(RolloutRepository.Watched::name).toList();
            if (!notUp.isEmpty()) {
                return "soak of wave " + r.currentWave + ": waiting for " + String.join(", ", notUp) + " to be UP for " + soak + " s";
            }
            Instant from = r.waveEndedAt.toInstant();
            for (RolloutRepository.Watched s : services) {
                if (s.upSince() != null && s.upSince().toInstant().isAfter(from)) {
                    from = s.upSince().toInstant();
                }
            }
            if (java.time.Duration.between(from, now).toSeconds() < soak) {
                return "soak of wave " + r.currentWave + ": " + soak + " s with " + (services.isEmpty() ? "no watched service"
                        : services.size() + " watched " + (services.size() == 1 ? "service" : "services") + " UP") + " (since "
                        + from.atOffset(ZoneOffset.UTC).withNano(0) + ")";
            }
            return null;
        });
    }

    /** What the promote gate waits for after the first wave ("EXPIRED" past its timeout), or null when it does not hold. */
    private static String promote(Rollout r, Instant now) {
        if (!r.spec.getBoolean("promote", false) || r.currentWave != 1 || r.promoted) {
            return null;
        }
        Instant expires = r.waveEndedAt.toInstant().plusSeconds(r.spec.getInteger("promote_timeout", 3600));
        if (!now.isBefore(expires)) {
            return "EXPIRED";
        }
        return "promote: wave 1 is done; someone with approve on its servers other than " + r.createdBy + " promotes it before "
                + expires.atOffset(ZoneOffset.UTC).withNano(0);
    }

    /** The last wave ends the rollout; any other starts the next one at once (its freezes checked first). */
    private Uni<Boolean> next(Tx tx, Rollout r, List<Rollout.HostRow> hosts, Map<String, Environment> envs, Instant now) {
        OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
        if (r.currentWave >= r.waveCount) {
            long failed = hosts.stream().filter(Rollout.HostRow::failed).count();
            return finish(tx, r, "SUCCEEDED", at, "rollout.finished", hosts.size() - failed + " of " + hosts.size() + " hosts succeeded"
                    + (failed == 0 ? "" : ", " + failed + " failed within the budget")).replaceWith(true);
        }
        r.currentWave++;
        r.waveStartedAt = null;
        r.waveEndedAt = null;
        r.gate = null;
        return startWave(tx, r, hosts, envs, now);
    }

    /** The failure budget or a gate is broken: what on_breach says. */
    Uni<Void> breach(Tx tx, Rollout r, List<Rollout.HostRow> hosts, String why, OffsetDateTime at) {
        return switch (r.onBreach) {
            case "abort" -> abort(tx, r, hosts, system(r), "ABORTED", at, why);
            case "rollback" -> rollback(tx, r, hosts, system(r), at, why);
            default -> {
                r.status = "PAUSED";
                r.pausedReason = why;
                r.resumeAt = null;
                yield repository.save(tx, r).call(() -> record(tx, r, system(r), "rollout.paused", why));
            }
        };
    }

    /** Ends the rollout: nothing more starts, the hosts still running are cancelled. */
    Uni<Void> abort(Tx tx, Rollout r, List<Rollout.HostRow> hosts, Actor actor, String status, OffsetDateTime at, String why) {
        return cancelRunning(tx, r, hosts, actor).chain(() -> finish(tx, r, status, at, "rollout." + status.toLowerCase(Locale.ROOT),
                why, actor));
    }

    /**
     * Every host that took this rollout's release goes back to its own last success before the rollout (hosts can differ),
     * newest wave first; hosts that failed, were skipped or never started are left as they are.
     */
    Uni<Void> rollback(Tx tx, Rollout r, List<Rollout.HostRow> hosts, Actor actor, OffsetDateTime at, String why) {
        List<Rollout.HostRow> done = hosts.stream().filter(h -> "SUCCEEDED".equals(h.status()) && h.rollbackDeploymentId() == null)
                .sorted(Comparator.comparingInt(Rollout.HostRow::wave).reversed().thenComparingInt(Rollout.HostRow::position)).toList();
        List<String> nothing = new ArrayList<>();
        return cancelRunning(tx, r, hosts, actor).chain(() -> repository.firstDeployments(tx, r.id)).chain(first -> {
            Uni<Void> u = Uni.createFrom().voidItem();
            for (Rollout.HostRow h : done) {
                long before = first.getOrDefault(h.serverId(), h.deploymentId());
                u = u.chain(() -> hostDeployments.queueRollback(tx, command(r, h, Run.PLAIN), before).chain(q -> {
                    if (q == null || q.deployment() == null) {
                        nothing.add(h.alias() + (q == null ? " (no earlier success)" : " (" + q.refusal() + ")"));
                        return Uni.createFrom().voidItem();
                    }
                    return repository.setRollback(tx, r.id, h.serverId(), q.deployment().id());
                }));
            }
            return u;
        }).chain(() -> finish(tx, r, "ROLLED_BACK", at, "rollout.rolled_back", why + "; " + done.size()
                + (done.size() == 1 ? " host" : " hosts") + " rolled back" + (nothing.isEmpty() ? "" : ", left as they are: "
                + String.join(", ", nothing)), actor));
    }

    private Uni<Void> cancelRunning(Tx tx, Rollout r, List<Rollout.HostRow> hosts, Actor actor) {
        Uni<Void> u = Uni.createFrom().voidItem();
        for (Rollout.HostRow h : hosts) {
            if (h.inFlight()) {
                u = u.chain(() -> hostDeployments.cancel(tx, h.deploymentId(), actor, "rollout #" + r.id + " ends").replaceWithVoid());
            }
        }
        return u;
    }

    private Uni<Void> finish(Tx tx, Rollout r, String status, OffsetDateTime at, String action, String why) {
        return finish(tx, r, status, at, action, why, system(r));
    }

    private Uni<Void> finish(Tx tx, Rollout r, String status, OffsetDateTime at, String action, String why, Actor actor) {
        r.status = status;
        r.finishedAt = at;
        r.gate = null;
        r.resumeAt = null;
        if (!"PAUSED".equals(status)) {
            r.pausedReason = "ABORTED".equals(status) || "ROLLED_BACK".equals(status) ? why : null;
        }
        return repository.save(tx, r).call(() -> record(tx, r, actor, action, why));
    }

    Uni<Void> record(Tx tx, Rollout r, Actor actor, String action, String detail) {
        return audit.record(tx, actor, "rollout", action, "rollout", "#" + r.id, detail, true);
    }

    /** Who the audit trail names for what the engine does by itself: the rollout, on behalf of its creator. */
    static Actor system(Rollout r) {
        return new Actor(r.createdBy == null ? "rollout #" + r.id : r.createdBy, r.createdById, null);
    }
}
