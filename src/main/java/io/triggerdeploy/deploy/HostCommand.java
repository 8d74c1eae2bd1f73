package io.triggerdeploy.deploy;

import io.triggerdeploy.audit.Actor;

/**
 * One host of a rollout to queue: its server, what it runs (resolved against that server's declarations when the rollout
 * was created), the rollout and wave it belongs to, and who started the rollout. The rollout took the environment's
 * approvals once and checks freezes before every wave, so the host enters the queue directly, under its server's queue
 * policy.
 */
public record HostCommand(long serverId, String alias, Run run, Wave wave, String requestedBy, Long requestedById,
                          String source, Actor actor, String note) {

    /**
     * The rollout and the wave (from 1) a deployment belongs to, and the rollout's per-host before/after commands as the
     * deployment stores them (JSON, or null).
     */
    public record Wave(long rolloutId, int wave, String hooks) {
    }

    /** What a rollout learns from queueing one host: the deployment, or why its server refused it (queue policy). */
    public record Queued(DeploymentView deployment, String refusal) {
    }
}
