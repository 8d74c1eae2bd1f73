package io.triggerdeploy.rollout;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.smallrye.mutiny.Uni;
import io.triggerdeploy.access.AccessService;
import io.triggerdeploy.access.Acting;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.common.Problem;
import io.triggerdeploy.common.ProblemException;
import io.triggerdeploy.hook.HookRollouts;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Rollouts started by webhooks: the hook holds the body of {@code POST /api/rollouts} without its ref; each delivery
 * starts it as the hook's creator (who must still exist, be active and may deploy to every server of the set), with the
 * pushed version as the ref, through the same checks as the API.
 */
@ApplicationScoped
public class HookRolloutStarter implements HookRollouts {

    private final RolloutService rollouts;
    private final AccessService access;
    private final ObjectMapper json;

    public HookRolloutStarter(RolloutService rollouts, AccessService access, ObjectMapper json) {
        this.rollouts = rollouts;
        this.access = access;
        this.json = json;
    }

    @Override
    public Uni<Void> check(JsonObject rollout, String createdBy) {
        RolloutRequest request = request(rollout, null, null);
        return caller(createdBy, new Actor(createdBy, null, null)).chain(c -> rollouts.create(request, c, true)).invoke(plan -> {
            if (plan.hiddenHosts() != null || plan.notAllowed() != null) {
                throw ProblemException.invalid("rollout.target", "you may not deploy to "
                        + (plan.notAllowed() == null ? "" : String.join(", ", plan.notAllowed()))
                        + (plan.hiddenHosts() == null ? "" : (plan.notAllowed() == null ? "" : " and ") + plan.hiddenHosts()
                        + " servers you cannot see"));
            }
        }).replaceWithVoid().onFailure(ProblemException.class).transform(e -> prefixed((ProblemException) e));
    }

    @Override
    public Uni<Started> start(JsonObject rollout, String ref, String note, Actor actor, String createdBy) {
        RolloutRequest request = request(rollout, ref, note);
        return caller(createdBy, actor).chain(c -> rollouts.create(request, c, false))
                .map(v -> new Started(v.id(), v.status(), v.waves().stream().mapToInt(List::size).sum(), v.waves().size()));
    }

    private Uni<RolloutService.Caller> caller(String createdBy, Actor actor) {
        Acting acting = Acting.named(createdBy);
        return access.whole(acting).map(a -> new RolloutService.Caller(a.access(), a.acting(), "hook", actor));
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
