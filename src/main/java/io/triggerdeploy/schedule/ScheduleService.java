package io.triggerdeploy.schedule;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
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
import io.triggerdeploy.deploy.Approvals;
import io.triggerdeploy.deploy.DeploymentService;
import io.triggerdeploy.deploy.DeploymentView;
import io.triggerdeploy.deploy.TriggerCommand;
import io.triggerdeploy.security.TriggerPrincipal;
import io.triggerdeploy.server.Parameters;
import io.triggerdeploy.server.ServerService;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Scheduled deployments. Every replica ticks; a due run is created by whichever replica claims its schedule row with
 * the due time it saw, in the transaction that moves the schedule on, so it happens once with no leader of our own. A
 * run goes through the same policy as a manual trigger (approvals, freezes, deploy hours, queue policy) and is recorded
 * {@code via schedule}; one refused (a freeze, say) is skipped and its outcome kept. Runs missed while no replica was
 * running are not replayed, unless the schedule says {@code catch_up: last} (then one run).
 */
@ApplicationScoped
public class ScheduleService implements BootstrapStep {

    private static final Logger LOG = Logger.getLogger(ScheduleService.class);
    private static final int BATCH = 100;
    private static final int MAX_ROUNDS = 50;
    /** Due runs one replica creates at the same time (each holds a connection for its transaction). */
    private static final int PARALLEL = 6;

    private final ScheduleRepository repository;
    private final ServerService servers;
    private final DeploymentService deployments;
    private final Approvals approvals;
    private final Transactions transactions;
    private final AuditLog audit;
    private final Periodic periodic;
    private final ScheduleConfig config;

    private final AccessService access;
    private final RolloutSchedules rollouts;

    public ScheduleService(ScheduleRepository repository, ServerService servers, DeploymentService deployments, Approvals approvals,
                           Transactions transactions, AuditLog audit, Periodic periodic, ScheduleConfig config,
                           AccessService access, RolloutSchedules rollouts) {
        this.repository = repository;
        this.servers = servers;
        this.deployments = deployments;
        this.approvals = approvals;
        this.transactions = transactions;
        this.audit = audit;
        this.periodic = periodic;
        this.config = config;
        this.access = access;
        this.rollouts = rollouts;
    }

    @Override
    public int order() {
        return 96;
    }

    @Override
    public void run() {
        periodic.every("Schedules", config.tick(), config.tick(), this::tick);
    }

    /** The schedules of servers the caller may see. */
    public Uni<List<ScheduleView>> list(String serverRef, Access a) {
        if (serverRef == null || serverRef.isBlank()) {
            return repository.list(null).chain(l -> rollouts.visibleOnly(l, a));
        }
        return servers.resolve(serverRef.trim()).invoke(s -> AccessService.requireVisible(a, s.id,
                "server '" + serverRef.trim() + "' (looked up by id, alias and host)")).chain(s -> repository.list(s.id));
    }

    public Uni<ScheduleView> get(long id, Access a) {
        return repository.find(id).chain(s -> s == null ? Uni.createFrom().item(false) : rollouts.visible(s.serverId(), s.rollout(), a))
                .chain(visible -> {
                    if (!visible) {
                        throw ProblemException.notFound("No schedule " + id);
                    }
                    return repository.find(id);
                });
    }

    /** A schedule runs as its creator: they must be allowed to deploy on its server (and are checked again at each run). */
    public Uni<ScheduleView> create(ScheduleRequest r, TriggerPrincipal p, Actor actor) {
        boolean server = r.server() != null && !r.server().isBlank();
        if (server == (r.rollout() != null)) {
            throw ProblemException.invalid("server", server ? "give either server or rollout, not both"
                    : "is required (or rollout: the body of POST /api/rollouts)");
        }
        return values(r, null, p).chain(v -> transactions.run(tx -> mayDeploy(tx, p, v)
                .chain(() -> repository.insert(tx, v, p.username(), p.userId()))
                .call(id -> audit.record(tx, actor, "api", "schedule.created", "schedule", "#" + id, describe(v), true))))
                .chain(id -> get(id, Access.everything()));
    }

    /** Changing a schedule needs deploy on its server (and on the new one when it moves). */
    public Uni<ScheduleView> update(long id, ScheduleRequest r, TriggerPrincipal p, Actor actor) {
        return visibleStored(id, p).chain(old -> values(r, old, p).map(v -> Map.entry(old, v))).chain(e -> transactions.run(tx -> mayDeploy(tx, p,
                        old(e.getKey()))
                .chain(() -> java.util.Objects.equals(e.getValue().serverId(), e.getKey().serverId()) && e.getValue().rollout() == null
                        ? Uni.createFrom().voidItem() : mayDeploy(tx, p, e.getValue()))
                .chain(() -> repository.update(tx, id, e.getValue(), p.username(), p.userId()))
                .call(ok -> audit.record(tx, actor, "api", "schedule.updated", "schedule", "#" + id, describe(e.getValue()), true))))
                .chain(x -> get(id, Access.everything()));
    }

    public Uni<Void> delete(long id, TriggerPrincipal p, Actor actor) {
        return visibleStored(id, p).chain(old -> {
            return transactions.run(tx -> mayDeploy(tx, p, old(old)).chain(() -> repository.delete(tx, id)).call(deleted -> {
                if (!deleted) {
                    throw ProblemException.notFound("No schedule " + id);
                }
                return audit.record(tx, actor, "api", "schedule.deleted", "schedule", "#" + id, null, true);
            }));
        }).replaceWithVoid();
    }

    /** A stored schedule, if the caller may see its server (404 as if it did not exist otherwise). */
    private Uni<ScheduleRepository.Stored> visibleStored(long id, TriggerPrincipal p) {
        return repository.stored(id).call(old -> old == null ? Uni.createFrom().voidItem() : old.serverId() == null
                ? access.whole(Acting.of(p)).chain(a -> rollouts.visible(null, old.rollout().getMap(), a.access())).invoke(v -> {
                    if (!v) {
                        throw ProblemException.notFound("No schedule " + id);
                    }
                })
                : access.of(Acting.of(p), old.serverId()).invoke(a -> AccessService.requireVisible(a, old.serverId(), "schedule " + id)))
                .invoke(old -> {
                    if (old == null) {
                        throw ProblemException.notFound("No schedule " + id);
                    }
                });
    }

    /** Deploy on the schedule's server, or on every server of its rollout (checked as that rollout's dry run). */
    private Uni<Void> mayDeploy(Tx tx, TriggerPrincipal p, ScheduleRepository.Values v) {
        return v.serverId() != null ? access.require(tx, Acting.of(p), Permission.DEPLOY, v.serverId())
                : rollouts.check(v.rollout(), p.username());
    }

    private static ScheduleRepository.Values old(ScheduleRepository.Stored s) {
        return new ScheduleRepository.Values(s.serverId(), s.rollout(), null, null, null, null, null, false, null, null);
    }

    /** A request (over the stored schedule when changing one) checked in one place: 400 naming the field otherwise. */
    private Uni<ScheduleRepository.Values> values(ScheduleRequest r, ScheduleRepository.Stored old, TriggerPrincipal p) {
        boolean serverGiven = r.server() != null && !r.server().isBlank();
        if (old != null && (old.rollout() != null ? serverGiven : r.rollout() != null)) {
            throw ProblemException.invalid(old.rollout() == null ? "rollout" : "server", "a schedule keeps its kind (a server's or a "
                    + "rollout's): create another schedule instead");
        }
        if (r.rollout() != null || old != null && old.rollout() != null) {
            return Uni.createFrom().item(() -> rolloutValues(r, old));
        }
        String serverRef = r.server() != null && !r.server().isBlank() ? r.server().trim() : old == null ? null : String.valueOf(old.serverId());
        return servers.resolve(serverRef, Acting.of(p)).map(server -> {
            Map<String, Object> given = r.parameters() != null ? r.parameters()
                    : old == null || old.parametersJson() == null ? Map.of() : new java.util.TreeMap<>(Parameters.readMap(old.parametersJson()));
            Parameters.Resolved resolved = Parameters.resolve(Parameters.read(server.parameters), given);
            if (!resolved.secrets().isEmpty()) {
                throw ProblemException.invalid("parameters." + resolved.secrets().keySet().iterator().next(),
                        "is a secret: scheduled runs cannot hold secret values");
            }
            return timing(r, old).values(server.id, null, given.isEmpty() ? null : Parameters.write(stringValues(given)));
        });
    }

    /** A rollout's schedule: its values are in the rollout (checked with it, as the caller, before the save). */
    private ScheduleRepository.Values rolloutValues(ScheduleRequest r, ScheduleRepository.Stored old) {
        if (r.parameters() != null) {
            throw ProblemException.invalid("parameters", "a rollout's schedule gives them inside rollout (rollout.parameters)");
        }
        JsonObject rollout = r.rollout() != null ? new JsonObject(r.rollout()) : old.rollout();
        return timing(r, old).values(null, rollout, null);
    }

    /** When a schedule runs, whether it is on, and its words, over the stored ones when changing it. */
    private record Timing(String description, String cron, OffsetDateTime runAt, String zoneId, boolean enabled, String catchUp,
                          OffsetDateTime next) {

        ScheduleRepository.Values values(Long serverId, JsonObject rollout, String parametersJson) {
            return new ScheduleRepository.Values(serverId, rollout, description, cron, runAt, zoneId, parametersJson, enabled, catchUp,
                    enabled ? next : null);
        }
    }

    private static Timing timing(ScheduleRequest r, ScheduleRepository.Stored old) {
        boolean cronGiven = r.cron() != null && !r.cron().isBlank();
        String cron = cronGiven ? r.cron().trim() : r.runAt() != null ? null : old == null ? null : old.cron();
        OffsetDateTime runAt = r.runAt() != null ? r.runAt() : cronGiven ? null : old == null ? null : old.runAt();
        if ((cron == null) == (runAt == null)) {
            throw ProblemException.invalid(cron == null ? "cron" : "run_at", "give either cron (repeating) or run_at (once), not both");
        }
        String zoneId = r.timeZone() != null && !r.timeZone().isBlank() ? r.timeZone().trim() : old == null ? "UTC" : old.timeZone();
        ZoneId zone = zone(zoneId);
        boolean enabled = r.enabled() != null ? r.enabled() : old == null || old.enabled();
        OffsetDateTime next = null;
        if (cron != null) {
            ZonedDateTime n = Cron.parse(cron, "cron").next(ZonedDateTime.now(zone), zone);
            if (n == null) {
                throw ProblemException.invalid("cron", "never fires in the next five years");
            }
            next = n.toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC);
        } else if (!runAt.toInstant().isAfter(Instant.now())) {
            if (r.runAt() != null) {
                throw ProblemException.invalid("run_at", "must be in the future");
            }
            enabled = false; // a one-off run that already happened stays done
        } else {
            next = runAt;
        }
        String description = r.description() != null ? (r.description().isBlank() ? null : r.description().strip())
                : old == null ? null : old.description();
        if (description != null && description.chars().anyMatch(c -> c < 0x20 || c == 0x7f)) {
            throw ProblemException.invalid("description", "must be printable");
        }
        String catchUp = r.catchUp() != null ? r.catchUp() : old == null ? "none" : old.catchUp();
        return new Timing(description, cron, runAt, zoneId, enabled, catchUp, next);
    }

    private static Map<String, String> stringValues(Map<String, Object> given) {
        Map<String, String> out = new java.util.TreeMap<>();
        given.forEach((k, v) -> out.put(k, String.valueOf(v)));
        return out;
    }

    static ZoneId zone(String id) {
        try {
            return ZoneId.of(id);
        } catch (DateTimeException e) {
            throw ProblemException.invalid("time_zone", "must be a time zone such as UTC or Europe/Berlin");
        }
    }

    private static String describe(ScheduleRepository.Values v) {
        return (v.cron() != null ? "cron " + v.cron() + " (" + v.timeZone() + ")" : "once at " + v.runAt())
                + (v.enabled() ? "" : ", disabled") + ", catch up " + v.catchUp()
                + (v.parametersJson() == null ? "" : ", parameters " + String.join(", ", Parameters.readMap(v.parametersJson()).keySet()));
    }

    // ------------------------------------------------------------------ running

    /** Creates the runs that are due (each replica; the claim settles who creates each). */
    public Uni<Void> tick() {
        return round(0);
    }

    private Uni<Void> round(int n) {
        return repository.due(BATCH).chain(due -> {
            if (due.isEmpty()) {
                return Uni.createFrom().voidItem();
            }
            // replicas that found the same rows start at different ends, so they mostly claim different schedules
            List<ScheduleRepository.Due> order = new ArrayList<>(due);
            Collections.shuffle(order);
            // targets first, one after another (they read the server through this context's session), then the
            // transactions side by side (plain SQL, a connection each)
            Map<String, Object> targets = new java.util.HashMap<>();
            return Multi.createFrom().iterable(order).onItem().transformToUniAndConcatenate(d -> prepare(d, targets))
                    .onItem().transformToUni(p -> commit(p).onFailure().recoverWithItem(e -> {
                        LOG.warnf("Schedule %d could not run: %s", p.due().schedule().id(), e.getMessage());
                        return null;
                    })).merge(PARALLEL)
                    .collect().last()
                    .chain(x -> due.size() == BATCH && n < MAX_ROUNDS ? round(n + 1) : Uni.createFrom().voidItem());
        });
    }

    /** A due run made ready: its command and resolved target (or why there is none), and the schedule's next time. */
    private record Prepared(ScheduleRepository.Due due, TriggerCommand command, Object target, OffsetDateTime next, boolean missed) {
    }

    /**
     * {@code targets}: the resolved targets of this round by server and values (a thousand schedules of a hundred servers
     * read a hundred servers), or the refusal.
     */
    private Uni<Prepared> prepare(ScheduleRepository.Due due, Map<String, Object> targets) {
        ScheduleRepository.Stored s = due.schedule();
        Instant now = Instant.now();
        OffsetDateTime next = s.cron() == null ? null : nextAfter(s.cron(), now, ZoneId.of(s.timeZone()));
        boolean missed = due.dueAt().toInstant().isBefore(now.minus(config.grace()));
        if (missed && !"last".equals(s.catchUp())) {
            return Uni.createFrom().item(new Prepared(due, null, null, next, true));
        }
        if (s.rollout() != null) {
            return Uni.createFrom().item(new Prepared(due, null, s.rollout(), next, missed));
        }
        TriggerCommand command = new TriggerCommand(String.valueOf(s.serverId()), "scheduled" + (s.description() == null ? ""
                : ": " + s.description()) + " (schedule #" + s.id() + ", due " + due.dueAt()
                + (s.updatedBy() == null ? "" : ", last changed by " + s.updatedBy()) + ")", s.createdBy(), s.createdById(),
                "schedule", "schedule", new Actor(s.createdBy(), s.createdById(), null),
                s.parametersJson() == null ? Map.of() : Parameters.readMap(s.parametersJson()), null,
                s.createdById() == null ? Acting.named(s.createdBy()) : Acting.user(s.createdById(), s.createdBy()));
        String key = s.serverId() + " " + s.parametersJson();
        Uni<Object> target = targets.containsKey(key) ? Uni.createFrom().item(targets.get(key))
                : deployments.target(command).map(t -> (Object) t).onFailure(ProblemException.class).recoverWithItem(e ->
                        ((ProblemException) e).status() == 404
                                // the schedule's server exists (a foreign key): its creator no longer sees it
                                ? ProblemException.forbidden("the schedule's creator '" + s.createdBy() + "' may not deploy on its server "
                                + "any more (they cannot see it)") : e)
                .invoke(t -> targets.put(key, t));
        return target.map(t -> new Prepared(due, command, t, next, missed));
    }

    /** One due run: a deployment through the usual policy, or the reason there is none; the schedule moves on. */
    private Uni<Void> commit(Prepared p) {
        ScheduleRepository.Stored s = p.due().schedule();
        OffsetDateTime next = p.next();
        if (p.target() instanceof JsonObject rollout) {
            return rollouts.run(s, p.due().dueAt(), next, p.missed(), rollout);
        }
        return transactions.run(tx -> repository.claim(tx, s.id(), p.due().dueAt()).chain(claimed -> {
                    if (!claimed) {
                        return Uni.createFrom().<DeploymentView>nullItem();
                    }
                    if (p.command() == null) {
                        return repository.advance(tx, s.id(), next, "missed the run due " + p.due().dueAt()
                                + " (no replica was running)", null).replaceWith((DeploymentView) null);
                    }
                    if (p.target() instanceof Throwable refused) {
                        boolean denied = refused instanceof ProblemException pe && pe.status() == 403;
                        return repository.advance(tx, s.id(), next, (denied ? "skipped: " : "not run: ") + refused.getMessage(), null)
                                .replaceWith((DeploymentView) null);
                    }
                    return deployments.queue(tx, (DeploymentService.QueueTarget) p.target(), p.command())
                            .call(d -> approvals.countAsRequesters(tx, d.id(), s.coRequesters()))
                            .call(d -> repository.advance(tx, s.id(), next, outcome(d, p.missed()), d.id()))
                            .onFailure(ProblemException.class).recoverWithUni(e -> repository.advance(tx, s.id(), next,
                                    "skipped: " + e.getMessage(), null).replaceWith((DeploymentView) null));
                }))
                .call(d -> d == null ? Uni.createFrom().voidItem() : approvals.announce(d))
                .replaceWithVoid();
    }

    private static String outcome(DeploymentView d, boolean caughtUp) {
        String what = switch (d.status()) {
            case "AWAITING_APPROVAL" -> "awaiting approval as #" + d.id();
            default -> "queued #" + d.id() + (d.notBefore() == null ? "" : " (held until " + d.notBefore() + ")");
        };
        return caughtUp ? what + ", catching up a missed run" : what;
    }

    static OffsetDateTime nextAfter(String cron, Instant now, ZoneId zone) {
        ZonedDateTime n = Cron.parse(cron, "cron").next(now.atZone(zone), zone);
        return n == null ? null : n.toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC);
    }
}
