package io.triggerdeploy.deploy;

/**
 * Where a deployment is in its life: QUEUED → RUNNING → one of the final states; SUPERSEDED ends a queued one that a
 * newer request replaced (queue policy {@code replace}) before it started.
 */
public enum DeploymentStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, INTERRUPTED, SUPERSEDED;

    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }
}
