package io.triggerdeploy.hook;

import io.smallrye.mutiny.Uni;
import io.triggerdeploy.audit.Actor;
import io.vertx.core.json.JsonObject;

/**
 * What a hook bound to a rollout needs from rollouts, which sit above hooks in the package order (the rollout package
 * implements it). The rollout is the body of {@code POST /api/rollouts} without its ref, which each push gives.
 */
public interface HookRollouts {

    /** Checks the rollout as its creator would start it now: a 400 naming the field ({@code rollout.<field>}) when wrong. */
    Uni<Void> check(JsonObject rollout, String createdBy);

    /** Starts it for one delivery, acting as the hook's creator, with the pushed version as its ref when there is one. */
    Uni<Started> start(JsonObject rollout, String ref, String note, Actor actor, String createdBy);

    /** A started rollout: its id, status, and how many servers in how many waves. */
    @io.quarkus.runtime.annotations.RegisterForReflection
    @org.eclipse.microprofile.openapi.annotations.media.Schema(name = "HookRolloutStarted")
    record Started(long id, String status, int servers, int waves) {
    }
}
