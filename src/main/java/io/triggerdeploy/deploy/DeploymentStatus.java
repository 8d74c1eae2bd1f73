package io.triggerdeploy.deploy;

/**
 * Where a deployment is in its life: [AWAITING_APPROVAL →] QUEUED → RUNNING → one of the final states; SUPERSEDED ends
 * a queued one that a newer request replaced (queue policy {@code replace}) before it started; REJECTED and EXPIRED end
 * one that did not get its approvals.
 */
public enum DeploymentStatus {
    AWAITING_APPROVAL, QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, TIMED_OUT, INTERRUPTED, SUPERSEDED, REJECTED, EXPIRED;

    public boolean isFinal() {
        return this != QUEUED && this != RUNNING && this != AWAITING_APPROVAL;
    }
}
