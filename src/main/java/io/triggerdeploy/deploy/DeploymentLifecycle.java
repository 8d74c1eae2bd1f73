package io.triggerdeploy.deploy;

/**
 * A deployment started or reached its final status. Fired asynchronously from the replica that ran it (or from
 * the reaper that marked it INTERRUPTED), so observers (metrics, notifications, service checks) never slow a
 * deployment down; each fetches what it needs.
 *
 * @param sshFailure the kind of SSH failure ({@code HOST_KEY_MISMATCH}, {@code AUTH_FAILED}, ...) when there was one
 */
public record DeploymentLifecycle(Phase phase, long deploymentId, String status, Long durationMs, String sshFailure) {

    public enum Phase { STARTED, FINISHED }
}
