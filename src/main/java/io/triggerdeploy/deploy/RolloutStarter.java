package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.triggerdeploy.db.Tx;
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
     * Checks and plans it as {@code username} would start it now, with {@code ref} (a pushed version) instead of the
     * stored one when not null; {@code source} says what starts it ({@code hook}, {@code schedule}). Nothing is written:
     * a refusal here is a ProblemException, and the caller records it.
     */
    Uni<Prepared> prepare(JsonObject rollout, String ref, String note, Actor actor, String username, String source);

    /**
     * Creates the prepared rollout in the caller's transaction, the one that takes the delivery's or the run's turn, so
     * that a process dying in between leaves neither a turn taken without its rollout nor a rollout twice. A server of the
     * set that is in another rollout refuses it (409) before anything is written, so the caller may still record the
     * refusal in the same transaction.
     */
    Uni<Started> start(Tx tx, Prepared prepared);

    /** After that transaction committed: the rollout's notification, and the rollouts advance now. */
    Uni<Void> announce(Started started);

    /** A rollout checked and planned, not yet created (opaque to the caller). */
    interface Prepared {
    }

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
