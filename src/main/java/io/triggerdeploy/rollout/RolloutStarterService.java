package io.triggerdeploy.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.access.Acting;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.common.Problem;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.db.Tx;
import io.triggerdeploy.deploy.RolloutStarter;
import io.triggerdeploy.server.ServerView;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rollouts started by webhooks and schedules: the hook or schedule holds the body of {@code POST /api/rollouts} (a hook's
 * without its ref: each delivery gives the pushed version); each run starts it as whoever made it, through the same
 * checks as the API.
 */
@ApplicationScoped
public class RolloutStarterService implements RolloutStarter {

    private final RolloutService rollouts;
    private final AccessService access;
    private final ObjectMapper json;
    private final FleetService fleet;

    public RolloutStarterService(RolloutService rollouts, AccessService access, ObjectMapper json, FleetService fleet) {
        this.rollouts = rollouts;
        this.access = access;
        this.json = json;
        this.fleet = fleet;
    }

    @Override
    public Uni<Void> check(JsonObject rollout, String username) {
        RolloutRequest request = request(rollout, null, null);
        return caller(username, new Actor(username, null, null), "api").chain(c -> rollouts.create(request, c, true)).invoke(plan -> {
            if (plan.hiddenHosts() != null || plan.notAllowed() != null) {
                throw ProblemException.forbidden("You may not deploy to "
                        + (plan.notAllowed() == null ? "" : String.join(", ", plan.notAllowed()))
                        + (plan.hiddenHosts() == null ? "" : (plan.notAllowed() == null ? "" : " and ") + plan.hiddenHosts()
                        + " servers you cannot see") + "; nothing was saved");
            }
        }).replaceWithVoid().onFailure(ProblemException.class).transform(e -> prefixed((ProblemException) e));
    }

    @Override
    public Uni<List<Long>> servers(JsonObject rollout) {
        RolloutRequest.Target t = request(rollout, null, null).target();
        if (t == null) {
            return Uni.createFrom().item(List.of());
        }
        return fleet.members(new FleetService.Target(t.group(), t.environment(), t.selector()), "target.group")
                .map(l -> l.stream().map(ServerView::id).toList())
                .onFailure(ProblemException.class).recoverWithItem(List.of());
    }

    @Override
    public Uni<RolloutStarter.Prepared> prepare(JsonObject rollout, String ref, String note, Actor actor, String username,
                                               String source) {
        return Uni.createFrom().deferred(() -> {
            RolloutRequest request = request(rollout, ref, note);
            return caller(username, actor, source).chain(c -> rollouts.prepare(request, c, false)).map(Ready::new);
        });
    }

    @Override
    public Uni<Started> start(Tx tx, RolloutStarter.Prepared prepared) {
        RolloutService.Prepared p = ((Ready) prepared).prepared();
        return rollouts.insert(tx, p).map(r -> new Started(r.id, r.status, p.hosts(), p.plan().waves().size()));
    }

    @Override
    public Uni<Void> announce(Started started) {
        return rollouts.announce(started.id());
    }

    /** The rollout package's plan behind the opaque handle. */
    private record Ready(RolloutService.Prepared prepared) implements RolloutStarter.Prepared {
    }

    private Uni<RolloutService.Caller> caller(String username, Actor actor, String source) {
        Acting acting = Acting.named(username);
        return access.whole(acting).map(a -> new RolloutService.Caller(a.access(), a.acting(), source, actor));
    }

    /** The stored body as the API reads it, with the delivery's ref (a pushed version wins over none) and note. */
    private RolloutRequest request(JsonObject rollout, String ref, String note) {
        Map<String, Object> body = new HashMap<>(rollout.getMap());
        if (ref != null) {
            body.put("ref", ref);
        }
        if (note != null) {
            body.put("note", note.length() > 500 ? note.substring(0, 500) : note);
        }
        try {
            return json.convertValue(body, RolloutRequest.class);
        } catch (IllegalArgumentException e) {
            throw ProblemException.invalid("rollout", "is not a rollout request: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        return s == null ? "unreadable" : s.split("\n")[0].replaceAll(" \\(class [^)]*\\)", "");
    }

    /** A refusal of the rollout, its field named as the hook's ({@code rollout.batch}). */
    private static ProblemException prefixed(ProblemException e) {
        List<Problem.Violation> v = e.violations();
        if (e.status() != 400 || v == null || v.isEmpty()) {
            return e;
        }
        Problem.Violation first = v.get(0);
        String field = first.field() == null || first.field().startsWith("rollout") ? first.field() : "rollout." + first.field();
        return ProblemException.invalid(field, first.message());
    }
}
