package io.triggerdeploy.deploy;

/** Where a deployment is in its life: QUEUED → RUNNING → one of the final states. */
public enum DeploymentStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, INTERRUPTED;

    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }
}
