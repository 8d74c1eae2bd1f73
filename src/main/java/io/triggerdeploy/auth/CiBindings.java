package io.triggerdeploy.auth;

import io.smallrye.mutiny.Uni;

/**
 * Whether a CI job's token still holds: the binding it was issued through still exists and still names the team the
 * token acts as (implemented by the CI federation, above this package).
 */
public interface CiBindings {

    Uni<Boolean> holds(long bindingId, long teamId);
}
