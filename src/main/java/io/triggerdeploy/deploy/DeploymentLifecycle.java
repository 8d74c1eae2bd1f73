package io.triggerdeploy.deploy;

import java.util.List;

/**
 * A deployment started or reached its final status. Fired asynchronously from the replica that ran it (or from
 * the reaper that marked it INTERRUPTED), so observers (metrics, notifications, service checks) never slow a
 * deployment down; the end is also fired synchronously, for what must only be woken at once and does nothing more
 * there (the rollout advancer). It carries what they need, so none of them reads deploy's tables.
 *
 * @param deployment the deployment as it is now (for FINISHED: with its end time, exit code and error)
 * @param sshFailure the kind of SSH failure ({@code HOST_KEY_MISMATCH}, {@code AUTH_FAILED}, ...) when there was one
 * @param lastLines  for FINISHED: its last log lines as stored (masked), oldest first, at most {@link #TAIL_LINES}
 */
public record DeploymentLifecycle(Phase phase, DeploymentView deployment, DeploymentStatus status, Long durationMs,
                                  String sshFailure, List<String> lastLines) {

    /** How many of the last log lines a FINISHED event carries. */
    public static final int TAIL_LINES = 200;

    public enum Phase { STARTED, FINISHED }

    public long deploymentId() {
        return deployment.id();
    }

    static DeploymentLifecycle started(DeploymentView d) {
        return new DeploymentLifecycle(Phase.STARTED, d, DeploymentStatus.RUNNING, null, null, List.of());
    }

    static DeploymentLifecycle finished(DeploymentView d, String sshFailure, List<String> lastLines) {
        return new DeploymentLifecycle(Phase.FINISHED, d, DeploymentStatus.valueOf(d.status()), d.durationMs(), sshFailure,
                List.copyOf(lastLines));
    }
}
