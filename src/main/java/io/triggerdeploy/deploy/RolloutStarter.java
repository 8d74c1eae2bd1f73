package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * What webhooks and schedules bound to a rollout need from rollouts, which sit above them in the package order (the
 * rollout package implements it). The rollout is the body of {@code POST /api/rollouts} as stored with the hook or
 * schedule; it starts as whoever made that (they must still exist, be active and may deploy to every server of the set).
 */
public interface RolloutStarter {

    /** Checks the rollout as {@code username} would start it now: a 400 naming the field ({@code rollout.<field>}) when wrong. */
    Uni<Void> check(JsonObject rollout, String username);

    /** The servers the rollout's target picks now (to decide who may see what holds it). */
    Uni<List<Long>> servers(JsonObject rollout);

    /**
     * Starts it as {@code username}, with {@code ref} (a pushed version) instead of the stored one when not null;
     * {@code source} says what started it ({@code hook}, {@code schedule}).
     */
    Uni<Started> start(JsonObject rollout, String ref, String note, Actor actor, String username, String source);

    /** A stored rollout in words, for the pages: "rollout over group web (rolling, batch 2, v1.4)". */
    static String describe(java.util.Map<String, Object> rollout) {
        StringBuilder sb = new StringBuilder("rollout over ");
        if (rollout.get("target") instanceof java.util.Map<?, ?> t) {
            t.forEach((k, v) -> sb.append(k).append(' ').append(v).append(' '));
        }
        sb.append('(').append(rollout.getOrDefault("strategy", "rolling"));
        if (rollout.get("batch") != null) {
            sb.append(", batch ").append(rollout.get("batch"));
        }
        if (rollout.get("ref") != null) {
            sb.append(", ").append(rollout.get("ref"));
        }
        return sb.append(')').toString();
    }

    /** A started rollout: its id, status, and how many servers in how many waves. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "RolloutStarted")
    record Started(long id, String status, int servers, int waves) {
    }
}
