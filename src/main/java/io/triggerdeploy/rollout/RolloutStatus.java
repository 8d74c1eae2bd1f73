package io.triggerdeploy.rollout;

import java.util.Set;

/** Where a rollout is; the last six end it. */
public enum RolloutStatus {
    AWAITING_APPROVAL, RUNNING, PAUSED, SUCCEEDED, FAILED, ABORTED, ROLLED_BACK, REJECTED, EXPIRED;

    /** Statuses a rollout is still going in (its servers cannot join another rollout). */
    static final Set<String> ACTIVE = Set.of(AWAITING_APPROVAL.name(), RUNNING.name(), PAUSED.name());
}
