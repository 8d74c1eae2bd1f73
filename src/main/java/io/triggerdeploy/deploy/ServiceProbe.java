package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Uni;

/**
 * Checks a watched service once for a deployment's verify step. Implemented by the service monitor (which depends on
 * deploy, not the other way round); each check is recorded against the deployment like the monitor's own.
 */
public interface ServiceProbe {

    /** The outcome of one check: whether a service of that name exists, whether it is UP, and what was seen. */
    record Probe(boolean found, boolean up, String detail) {
    }

    Uni<Probe> probe(String serviceName, long deploymentId);
}
