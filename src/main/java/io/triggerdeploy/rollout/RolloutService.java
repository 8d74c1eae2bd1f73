package io.triggerdeploy.rollout;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.Access;
import io.triggerdeploy.access.Acting;
import io.triggerdeploy.access.Permission;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.audit.AuditLog;
import io.triggerdeploy.common.Keyset;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Transactions;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.deploy.DeploymentService;
import io.triggerdeploy.deploy.Run;
import io.triggerdeploy.environment.Environment;
import io.triggerdeploy.environment.EnvironmentService;
import io.triggerdeploy.server.Parameters;
import io.triggerdeploy.server.ServerService;
import io.triggerdeploy.server.ServerView;
import io.triggerdeploy.ssh.ShellQuote;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Creates rollouts (or plans them: the dry run computes the same plan), reads them as a caller may see them, and takes the
 * actions people ask for; the engine moves them along. Every action commits with its audit record.
 */
@ApplicationScoped
public class RolloutService {

    private final RolloutRepository repository;
    private final FleetService fleet;
    private final DeploymentService deployments;
    private final EnvironmentService environments;
    private final Transactions transactions;
    private final AuditLog audit;
    private final RolloutEngine engine;
    private final RolloutAdvancer advancer;
    private final RolloutNotices notices;
    private final ServerService servers;
    private final RolloutEvents events;

    public RolloutService(RolloutRepository repository, FleetService fleet, DeploymentService deployments,
                          EnvironmentService environments, Transactions transactions, AuditLog audit, RolloutEngine engine,
                          RolloutAdvancer advancer, RolloutNotices notices, ServerService servers, RolloutEvents events) {
        this.repository = repository;
        this.fleet = fleet;
        this.deployments = deployments;
        this.environments = environments;
        this.transactions = transactions;
        this.audit = audit;
        this.engine = engine;
        this.advancer = advancer;
        this.notices = notices;
        this.servers = servers;
        this.events = events;
    }

    /** Who asks: their access over every server, their name and id, how they came in and from where. */
    public record Caller(Access access, Acting acting, String source, Actor actor) {
    }

    /** A server of the set with what it will run. */
    record Member(ServerView server, Run run) {
    }

    /** Plans a rollout (dry run: nothing is created) or creates it; the caller needs deploy on every server of the set. */
    public Uni<RolloutView> create(RolloutRequest req, Caller c, boolean dryRun) {
        return prepare(req, c, dryRun).chain(p -> p.dryRun() != null ? Uni.createFrom().item(p.dryRun())
                : transactions.run(tx -> insert(tx, p)).call(r -> announce(r.id)).chain(r -> get(r.id, c.access())));
    }

    /**
     * A rollout checked and planned, before anything is written: the dry run's answer, or what {@link #insert} creates in a
     * transaction (the API's own, or that of a webhook delivery or a schedule's run, which claim their turn in it).
     */
    public record Prepared(RolloutView dryRun, RolloutRequest req, RolloutPlan.Plan plan, Map<Long, Member> members,
                           Map<String, Environment> envs, Caller c) {

        /** Hosts in the plan. */
        public int hosts() {
            return plan.waves().stream().mapToInt(List::size).sum();
        }
    }

    /** The checks of a rollout (its target, its settings, the caller's rights on every server) and its plan. */
    public Uni<Prepared> prepare(RolloutRequest req, Caller c, boolean dryRun) {
        if (req.target() == null) {
            throw ProblemException.invalid("target", "is required: {\"group\": ...}, {\"environment\": ...} or {\"selector\": ...}");
        }
        FleetService.Target target = new FleetService.Target(req.target().group(), req.target().environment(), req.target().selector());
        return fleet.members(target, "target.group").onFailure(ProblemException.class)
                .transform(e -> ((ProblemException) e).status() == 404 ? ProblemException.invalid("target.group",
                        "there is no group '" + req.target().group().trim() + "'") : e)
                .chain(all -> servers.list().chain(every -> environments.byName().chain(envs -> {
                    List<ServerView> set = all.stream().filter(ServerView::active).toList();
                    RolloutPlan.Plan plan = RolloutPlan.of(req, set.stream().map(s -> new RolloutPlan.Host(s.id(), s.alias())).toList());
                    hook(req.before(), "before", every, c.access(), plan.spec());
                    hook(req.after(), "after", every, c.access(), plan.spec());
                    Map<String, Object> values = values(req);
                    Map<Long, Member> members = new HashMap<>();
                    set.forEach(s -> members.put(s.id(), new Member(s, hostRun(s, values, c.access()))));
                    List<String> denied = set.stream().filter(s -> c.access().sees(s.id()) && !c.access().may(Permission.DEPLOY, s.id()))
                            .map(ServerView::alias).toList();
                    int hidden = (int) set.stream().filter(s -> !c.access().sees(s.id())).count();
                    if (dryRun) {
                        return patternChecked(req).map(x -> new Prepared(planView(req, plan, c, denied, hidden), req, plan, members,
                                envs, c));
                    }
                    if (!denied.isEmpty() || hidden > 0) {
                        throw ProblemException.forbidden("You may not deploy to " + refusal(denied, hidden) + "; nothing was created");
                    }
                    return patternChecked(req).map(x -> new Prepared(null, req, plan, members, envs, c));
                })));
    }

    /**
     * A per-host before or after command into the rollout's settings: the command, and the server it runs on (by id, with
     * its alias) when it is not the host itself; the caller needs deploy there too, as on the hosts.
     */
    private static void hook(RolloutRequest.Hook h, String when, List<ServerView> every, Access access, JsonObject spec) {
        if (h == null) {
            return;
        }
        if (h.command() == null || h.command().isBlank()) {
            throw ProblemException.invalid(when + ".command", "is required (the command to run for each host)");
        }
        String problem = ShellQuote.commandProblem(h.command());
        if (problem != null) {
            throw ProblemException.invalid(when + ".command", problem);
        }
        JsonObject out = new JsonObject().put("command", h.command().strip());
        if (h.on() != null && !h.on().isBlank()) {
            String on = h.on().trim();
            ServerView s = every.stream().filter(v -> access.sees(v.id()) && (v.alias().equalsIgnoreCase(on)
                    || String.valueOf(v.id()).equals(on))).findFirst()
                    .orElseThrow(() -> ProblemException.invalid(when + ".on", "there is no server '" + on + "'"));
            if (!s.active()) {
                throw ProblemException.invalid(when + ".on", "server '" + s.alias() + "' is inactive");
            }
            if (!access.may(Permission.DEPLOY, s.id())) {
                throw ProblemException.forbidden("You may not deploy to " + s.alias() + ", where the " + when + " command would run");
            }
            out.put("server_id", s.id()).put("server", s.alias());
        }
        spec.put(when, out);
    }

    private static Map<String, Object> values(RolloutRequest req) {
        Map<String, Object> values = new HashMap<>(req.parameters() == null ? Map.of() : req.parameters());
        if (req.ref() != null && !req.ref().isBlank()) {
            Object given = values.get(Parameters.REF);
            if (given != null && !req.ref().trim().equals(String.valueOf(given))) {
                throw ProblemException.invalid("ref", "differs from parameters.REF; give the version once");
            }
            values.put(Parameters.REF, req.ref().trim());
        }
        return values;
    }

    /** The values checked against one server's own declarations; a refusal names the server (or says it is hidden). */
    private Run hostRun(ServerView s, Map<String, Object> values, Access access) {
        try {
            return deployments.hostRun(s.parameters(), values);
        } catch (ProblemException e) {
            String where = access.sees(s.id()) ? "server '" + s.alias() + "'" : "a server of the set you cannot see";
            if (e.violations() == null || e.violations().isEmpty()) {
                throw e;
            }
            var v = e.violations().get(0);
            throw ProblemException.invalid(v.field(), v.message() + " (on " + where + ")");
        }
    }

    private Uni<Void> patternChecked(RolloutRequest req) {
        if (req.errorPattern() == null || req.errorPattern().isBlank()) {
            return Uni.createFrom().voidItem();
        }
        return repository.patternError(req.errorPattern()).map(error -> {
            if (error != null) {
                throw ProblemException.invalid("error_pattern", "is not a regular expression PostgreSQL takes: " + error);
            }
            return null;
        });
    }

    private static String refusal(List<String> names, int hidden) {
        String named = String.join(", ", names);
        if (hidden == 0) {
            return named;
        }
        String others = hidden + (hidden == 1 ? " server" : " servers") + " you cannot see";
        return named.isEmpty() ? others : named + " and " + others;
    }

    /** Creates a prepared rollout in {@code tx}; {@link #announce} it once that has committed. */
    public Uni<Rollout> insert(Tx tx, Prepared p) {
        RolloutRequest req = p.req();
        RolloutPlan.Plan plan = p.plan();
        Map<Long, Member> members = p.members();
        Map<String, Environment> envs = p.envs();
        Caller c = p.c();
        List<Environment> approving = members.values().stream().map(m -> m.server().environment())
                .filter(e -> e != null).map(e -> envs.get(e.toLowerCase(Locale.ROOT))).filter(e -> e != null && e.requiredApprovals() > 0)
                .distinct().toList();
        Integer required = approving.stream().map(Environment::requiredApprovals).max(Integer::compare).orElse(null);
        if (required != null && c.acting().isDeployToken()) {
            throw ProblemException.forbidden("Environment '" + approving.get(0).name() + "' needs approval, and the shared "
                    + "DEPLOY_TOKEN does not say who asks: start the rollout with an API token of your own");
        }
        OffsetDateTime expires = required == null ? null : Instant.now().plusSeconds(60L * approving.stream()
                .mapToInt(Environment::approvalTimeoutMinutes).min().orElse(60)).atOffset(ZoneOffset.UTC);
        List<RolloutRepository.NewHost> hosts = new ArrayList<>();
        for (int w = 0; w < plan.waves().size(); w++) {
            List<RolloutPlan.Host> wave = plan.waves().get(w);
            for (int i = 0; i < wave.size(); i++) {
                Run run = members.get(wave.get(i).serverId()).run();
                hosts.add(new RolloutRepository.NewHost(wave.get(i).serverId(), wave.get(i).alias(), w + 1, i, run.ref(),
                        run.shownJson(), run.sealedJson()));
            }
        }
        Run any = members.values().iterator().next().run();
        RolloutRepository.New n = new RolloutRepository.New(required == null ? "RUNNING" : "AWAITING_APPROVAL",
                target(req).encode(), plan.strategy(), plan.spec().encode(), any.ref(), any.shownJson(), note(req.note()),
                plan.waves().size(), plan.maxFailures(), plan.maxInFlight(), plan.onBreach(),
                required == null ? null : required.shortValue(), expires, c.acting().username(), c.acting().userId(), c.source());
        Long[] ids = members.keySet().toArray(Long[]::new);
        return repository.lockCreation(tx).chain(() -> repository.busy(tx, ids)).chain(busy -> {
            if (busy != null) {
                throw ProblemException.conflict("Server '" + busy[1] + "' is in rollout #" + busy[0] + ", which has not ended; a server "
                        + "takes part in one rollout at a time");
            }
            return repository.insert(tx, n, hosts);
        }).call(r -> events.created(tx, r)).call(r -> engine.record(tx, r, c.actor(), "rollout.created", plan.strategy() + ", " + hosts.size() + " hosts in "
                + plan.waves().size() + (plan.waves().size() == 1 ? " wave" : " waves") + (n.ref() == null ? "" : ", ref " + n.ref())
                + (required == null ? "" : "; awaiting " + required + (required == 1 ? " approval" : " approvals") + " until " + expires)));
    }

    /** After the transaction that created a rollout committed: its notification, and this replica's advancer looks now. */
    public Uni<Void> announce(long id) {
        return repository.find(id).invoke(r -> {
            notices.changed(r, null);
            advancer.wake();
        }).replaceWithVoid();
    }

    private static JsonObject target(RolloutRequest req) {
        JsonObject t = new JsonObject();
        if (req.target().group() != null && !req.target().group().isBlank()) {
            t.put("group", req.target().group().trim());
        }
        if (req.target().environment() != null && !req.target().environment().isBlank()) {
            t.put("environment", req.target().environment().trim());
        }
        if (req.target().selector() != null && !req.target().selector().isBlank()) {
            t.put("selector", req.target().selector().trim());
        }
        return t;
    }

    private static String note(String note) {
        return note == null || note.isBlank() ? null : note.strip();
    }

    /** The plan a dry run answers: the waves (hidden servers left out and counted), who may not deploy where. */
    private static RolloutView planView(RolloutRequest req, RolloutPlan.Plan plan, Caller c, List<String> denied, int hidden) {
        List<List<String>> waves = plan.waves().stream().map(w -> w.stream().filter(h -> c.access().sees(h.serverId()))
                .map(RolloutPlan.Host::alias).toList()).toList();
        List<RolloutView.Host> hosts = new ArrayList<>();
        for (int w = 0; w < plan.waves().size(); w++) {
            for (RolloutPlan.Host h : plan.waves().get(w)) {
                if (c.access().sees(h.serverId())) {
                    hosts.add(new RolloutView.Host(h.alias(), h.serverId(), w + 1, null, "PENDING", 0, null, null, null, null));
                }
            }
        }
        JsonObject t = target(req);
        return new RolloutView(null, null, new RolloutView.Target(t.getString("group"), t.getString("environment"), t.getString("selector")),
                plan.strategy(), req.ref() == null || req.ref().isBlank() ? null : req.ref().trim(), null, null, 0, plan.maxFailures(),
                null, plan.maxInFlight(), plan.onBreach(), RolloutViews.settings(plan.spec()), waves, hosts, hidden == 0 ? null : hidden,
                denied.isEmpty() ? null : denied, null, null, null, note(req.note()), null, null, null, null);
    }

    /** A rollout the caller may see (one of its servers at least); 404 as if it did not exist otherwise. */
    public Uni<RolloutView> get(long id, Access access) {
        return repository.find(id).chain(r -> {
            if (r == null) {
                throw ProblemException.notFound("No rollout " + id);
            }
            return visibleHosts(id, access).map(hosts -> RolloutViews.of(r, hosts, access));
        });
    }

    /** The rollout's hosts, when the caller sees at least one of them (404 as if the rollout did not exist otherwise). */
    Uni<List<Rollout.HostRow>> visibleHosts(long id, Access access) {
        return repository.hosts(null, id).map(hosts -> {
            if (hosts.stream().noneMatch(h -> access.sees(h.serverId()))) {
                throw ProblemException.notFound("No rollout " + id);
            }
            return hosts;
        });
    }

    /** A page of the rollouts the caller may see, newest first. */
    public Uni<RolloutPage> page(String status, Long cursor, int limit, Access access) {
        Keyset.limit(limit, 200);
        String st = status == null || status.isBlank() ? null : status.trim().toUpperCase(Locale.ROOT);
        if (st != null && java.util.Arrays.stream(RolloutStatus.values()).noneMatch(v -> v.name().equals(st))) {
            throw ProblemException.invalid("status", "must be one of " + java.util.Arrays.toString(RolloutStatus.values()));
        }
        return repository.page(st, cursor, limit).chain(list -> list.isEmpty() ? Uni.createFrom().item(new RolloutPage(List.of(), null))
                : repository.hostsOf(list.stream().map(r -> r.id).toArray(Long[]::new)).map(byId -> {
                    List<RolloutView> items = list.stream().filter(r -> byId.getOrDefault(r.id, List.of()).stream()
                            .anyMatch(h -> access.sees(h.serverId()))).map(r -> RolloutViews.of(r, byId.get(r.id), access)).toList();
                    return new RolloutPage(items, Keyset.next(list, limit, r -> r.id));
                }));
    }
}
