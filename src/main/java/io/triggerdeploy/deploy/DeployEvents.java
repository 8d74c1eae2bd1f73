package io.triggerdeploy.deploy;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * In-process fan-out of "deployment N has new lines or a new status", fed by PostgreSQL LISTEN, so a
 * stream on any replica hears about output stored by any other replica.
 */
@ApplicationScoped
public class DeployEvents {

    private final BroadcastProcessor<Long> changes = BroadcastProcessor.create();

    void publish(long deploymentId) {
        changes.onNext(deploymentId);
    }

    public Multi<Long> changesOf(long deploymentId) {
        return changes.select().where(id -> id == deploymentId);
    }
}
